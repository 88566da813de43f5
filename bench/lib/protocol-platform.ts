// The platform's half of the protocol, without the hub's HTTP API in front: a WebSocket server in
// the benchmark process that accepts one connector's hello and then sends it requests through
// the hub's own ConnectorSession (the same request/response code the hub runs).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { ConnectorSession } from '../../src/hub/connector-session.js';
import { CONNECTOR_PATH, HELLO_ID, SUBPROTOCOL } from '../../src/shared/protocol/index.js';

export interface ProtocolPlatform {
  wsUrl: string;
  session(): Promise<ConnectorSession>;
  close(): Promise<void>;
}

export async function startProtocolPlatform(): Promise<ProtocolPlatform> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    path: CONNECTOR_PATH,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let resolveSession: (s: ConnectorSession) => void = () => {};
  const first = new Promise<ConnectorSession>((resolve) => {
    resolveSession = resolve;
  });
  wss.on('connection', (ws: WebSocket) => {
    let session: ConnectorSession | null = null;
    ws.on('message', (data) => {
      const text = data.toString();
      if (session) {
        session.handleFrame(text);
        return;
      }
      const hello = JSON.parse(text);
      const { token: _secret, ...publicHello } = hello.params;
      session = new ConnectorSession(ws, randomUUID(), 'acme', 'bench', publicHello);
      ws.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: HELLO_ID,
          result: { sessionId: session.sessionId, tenant: 'acme', environment: 'demo', heartbeatMs: 15_000 },
        }),
      );
      resolveSession(session);
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    wsUrl: `ws://127.0.0.1:${port}${CONNECTOR_PATH}`,
    session: () => first,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
