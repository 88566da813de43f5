// A one-off connection test: connect, say hello, report in plain words, disconnect. Serves
// `cloud-connector check` and the wizard's "Test" button with the same wording.
import { lookup } from 'node:dns/promises';
import { CLOSE } from '../../shared/protocol/index.js';
import { Connection } from './connection.js';
import type { ConnectorSettings } from './connector.js';
import { Dispatcher } from './dispatcher.js';
import { buildClientOptions, proxyFor, usesSystemProxy } from './transport.js';

export type ProbeOutcome =
  | 'connected'
  | 'rejected'
  | 'wrong_environment'
  | 'update_required'
  | 'unreachable'
  | 'protocol_error';

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** One sentence for the person at the screen: what happened and what to do. */
  message: string;
  tenant?: string;
  latencyMs?: number;
  viaProxy: boolean;
  closeCode?: number;
}

export async function probePlatform(
  settings: ConnectorSettings,
  token: string,
  timeoutMs = 15_000,
): Promise<ProbeResult> {
  const url = new URL(settings.platformUrl);
  const viaProxy =
    proxyFor(settings.platformUrl, settings.proxy) !== null || usesSystemProxy(settings.platformUrl, settings.proxy);
  if (!viaProxy) {
    try {
      await lookup(url.hostname.replace(/^\[|\]$/g, ''));
    } catch {
      return {
        outcome: 'unreachable',
        viaProxy,
        message: `Cannot find the platform address ${url.hostname}. Check the URL and this computer's DNS or proxy settings.`,
      };
    }
  }
  const dispatcher = new Dispatcher({
    handlers: {},
    maxConcurrency: 1,
    deadlinesMs: settings.deadlinesMs,
    isDraining: () => true,
  });
  const connection = new Connection({
    url: settings.platformUrl,
    clientOptions: buildClientOptions({
      platformUrl: settings.platformUrl,
      caFile: settings.caFile,
      proxy: settings.proxy,
      maxMessageBytes: settings.maxMessageBytes,
      handshakeTimeoutMs: Math.min(timeoutMs, settings.timers.helloTimeoutMs),
    }),
    hello: {
      protocol: 1,
      token,
      connectorId: settings.connectorId,
      name: settings.name,
      version: settings.version,
      environment: settings.environment,
      methods: [],
      maxConcurrency: 1,
    },
    dispatcher,
    pingIntervalMs: settings.timers.pingIntervalMs,
    deadAfterMs: settings.timers.deadAfterMs,
    helloTimeoutMs: Math.min(timeoutMs, settings.timers.helloTimeoutMs),
  });
  return new Promise<ProbeResult>((resolve) => {
    let latencyMs: number | undefined;
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      connection.close(CLOSE.normal, 'probe timed out');
      done({
        outcome: 'unreachable',
        viaProxy,
        message: 'The platform did not answer in time. A firewall or proxy may be blocking the connection.',
      });
    }, timeoutMs);
    connection.on('latency', (ms) => {
      latencyMs = Math.round(ms);
    });
    connection.on('connected', (session) => {
      // Wait briefly for the first ping's answer so that latency can be reported too.
      setTimeout(() => {
        connection.close(CLOSE.normal, 'probe finished');
        done({
          outcome: 'connected',
          viaProxy,
          tenant: session.tenant,
          latencyMs,
          message: `Connected to the platform as ${session.tenant} (${settings.environment}).`,
        });
      }, 300);
    });
    connection.on('closed', (closed) => {
      const base = { viaProxy, closeCode: closed.code };
      if (closed.code === CLOSE.tokenRejected) {
        done({
          ...base,
          outcome: 'rejected',
          message: 'The platform rejected the token. Paste the token again, or ask for a new one.',
        });
      } else if (closed.code === CLOSE.wrongEnvironment) {
        done({
          ...base,
          outcome: 'wrong_environment',
          message: `This token is for the other environment, not ${settings.environment}.`,
        });
      } else if (closed.code === CLOSE.protocolUnsupported) {
        done({
          ...base,
          outcome: 'update_required',
          message: 'The platform needs a newer version of Cloud Connector.',
        });
      } else if (closed.wasConnected) {
        done({ ...base, outcome: 'connected', message: 'Connected to the platform.', latencyMs });
      } else if (closed.code === CLOSE.protocolError || closed.code === CLOSE.badHello) {
        done({
          ...base,
          outcome: 'protocol_error',
          message: `The platform did not complete the handshake: ${closed.cause}.`,
        });
      } else {
        done({
          ...base,
          outcome: 'unreachable',
          message: `Cannot reach the platform: ${closed.cause}.${viaProxy ? ' The connection goes through a proxy; check its settings.' : ''}`,
        });
      }
    });
    connection.open();
  });
}
