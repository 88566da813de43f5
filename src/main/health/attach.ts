// Wires the health server to a runtime: it starts when the connector first starts (so one-off
// commands such as `check`, which never start it, do not take the port) and stops at shutdown.
// A port already in use is logged, not fatal: the connector matters more than its watchdog.
import type { Connector } from '../core/connector.js';
import type { Logger } from '../core/logger.js';
import type { ConsentStore, PatientLookupSource } from '../integrations/types.js';
import { type HealthServer, startHealthServer } from './health-server.js';

export interface HealthAttachment {
  /** The running server, once it listens (null before the connector starts, or if it could not listen). */
  ready(): Promise<HealthServer | null>;
  close(): Promise<void>;
}

export function attachHealthServer(
  connector: Connector,
  options: { port: number; source?: PatientLookupSource; store?: ConsentStore; logger: Logger },
): HealthAttachment {
  let starting: Promise<HealthServer | null> | null = null;
  let closed = false;
  const start = () => {
    starting ??= startHealthServer({ ...options, connector }).then(
      async (server) => {
        if (closed) {
          await server.close();
          return null;
        }
        return server;
      },
      (error: NodeJS.ErrnoException) => {
        options.logger.error('health endpoints could not listen; /ready and /metrics are off', {
          port: options.port,
          cause: error.code === 'EADDRINUSE' ? 'port already in use' : (error.code ?? 'unknown'),
        });
        return null;
      },
    );
    return starting;
  };
  const onState = (status: { state: string }) => {
    if (status.state === 'stopped') return;
    connector.off('state', onState);
    void start();
  };
  connector.on('state', onState);
  return {
    ready: () => starting ?? Promise.resolve(null),
    async close() {
      closed = true;
      connector.off('state', onState);
      const server = await starting;
      await server?.close();
    },
  };
}
