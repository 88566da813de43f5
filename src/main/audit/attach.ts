// Wires a Connector's events to an audit writer. The 'call' event fires after the response has
// been handed to the socket, and recording only queues a row, so the audit never delays a call.
// Ids the platform chose (request and session ids) reach the writer as the log may hold them:
// integers and UUIDs as they are, anything else as a keyed hash (request-id.ts).
import type { Connector } from '../core/connector.js';
import type { AuditWriter } from './audit-writer.js';
import type { CallEvent, ConnectionEvent } from './entries.js';
import { auditId } from './request-id.js';

/** `idKey`: the installation's audit id key (config/connector-id.ts). Without it, free-form ids are not recorded. */
export function attachAudit(connector: Connector, writer: AuditWriter, idKey?: Buffer): () => void {
  const asStored = (value: string | number | null): string | number | null =>
    idKey ? (auditId(value, idKey) as string | number | null) : value;
  const onCall = (call: CallEvent) =>
    writer.recordCall({
      ...call,
      requestId: asStored(call.requestId),
      sessionId: asStored(call.sessionId) as string | null,
    });
  const onConnection = (event: ConnectionEvent) =>
    writer.recordConnection({ ...event, sessionId: asStored(event.sessionId) as string | null });
  connector.on('call', onCall);
  connector.on('connection', onConnection);
  return () => {
    connector.off('call', onCall);
    connector.off('connection', onConnection);
  };
}
