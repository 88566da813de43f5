// Wires a Connector's events to an audit writer. The 'call' event fires after the response has
// been handed to the socket, and recording only queues a row, so the audit never delays a call.
import type { Connector } from '../core/connector.js';
import type { AuditWriter } from './audit-writer.js';

export function attachAudit(connector: Connector, writer: AuditWriter): () => void {
  const onCall = writer.recordCall.bind(writer);
  const onConnection = writer.recordConnection.bind(writer);
  connector.on('call', onCall);
  connector.on('connection', onConnection);
  return () => {
    connector.off('call', onCall);
    connector.off('connection', onConnection);
  };
}
