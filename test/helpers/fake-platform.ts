// A scriptable platform for protocol tests: a real WebSocket server (plain or TLS) on loopback whose
// every reaction is decided by the test, so misbehaving platforms can be played too.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';

export class FakeSocket {
  readonly received: unknown[] = [];
  private waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  closedWith: number | null = null;
  private closeWaiters: Array<(code: number) => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? { binary: true } : safeParse(data.toString());
      this.received.push(message);
      for (const w of [...this.waiters]) {
        if (w.match(message)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(message);
        }
      }
    });
    ws.on('close', (code) => {
      this.closedWith = code;
      for (const w of this.closeWaiters) w(code);
    });
    ws.on('error', () => {});
  }

  /** The next (or an already received) message matching the predicate. */
  next(match: (m: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
    const existing = this.received.find(match);
    if (existing) {
      this.received.splice(this.received.indexOf(existing), 1);
      return Promise.resolve(existing);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m);
        },
      });
    });
  }

  response(id: unknown, timeoutMs?: number): Promise<any> {
    return this.next((m) => m && m.id === id && ('result' in m || 'error' in m), timeoutMs);
  }

  /** Waits for the hello (unless given the one already taken) and answers it with success. */
  async acceptHello(overrides: Record<string, unknown> = {}, received?: any): Promise<any> {
    const hello = received ?? (await this.next((m) => m?.method === 'connector.hello'));
    this.send({
      jsonrpc: '2.0',
      id: 'hello',
      result: {
        sessionId: randomUUID(),
        tenant: 'acme',
        environment: hello.params.environment,
        heartbeatMs: 15000,
        ...overrides,
      },
    });
    return hello;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  request(id: number | string, method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', id, method, params });
  }

  whenClosed(timeoutMs = 10_000): Promise<number> {
    if (this.closedWith !== null) return Promise.resolve(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsable: text };
  }
}

export interface FakePlatform {
  url: string;
  port: number;
  connections: FakeSocket[];
  nextConnection(timeoutMs?: number): Promise<FakeSocket>;
  close(): Promise<void>;
}

export async function startFakePlatform(
  t: TestContext,
  options: {
    tls?: { cert: string; key: string; minVersion?: string; maxVersion?: string; ciphers?: string };
    ws?: ServerOptions;
    port?: number;
    selectProtocol?: boolean;
  } = {},
): Promise<FakePlatform> {
  const server = options.tls ? https.createServer(options.tls as https.ServerOptions) : http.createServer();
  const wss = new WebSocketServer({
    server,
    handleProtocols: (offered) =>
      options.selectProtocol === false ? false : offered.has('connector.v1') ? 'connector.v1' : false,
    ...options.ws,
  });
  const connections: FakeSocket[] = [];
  let waiters: Array<(s: FakeSocket) => void> = [];
  let consumed = 0;
  wss.on('connection', (ws) => {
    const socket = new FakeSocket(ws);
    connections.push(socket);
    const w = waiters.shift();
    if (w) {
      consumed++;
      w(socket);
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const platform: FakePlatform = {
    url: `${options.tls ? 'wss' : 'ws'}://${options.tls ? 'localhost' : '127.0.0.1'}:${port}/connector/v1`,
    port,
    connections,
    nextConnection(timeoutMs = 10_000) {
      if (consumed < connections.length) return Promise.resolve(connections[consumed++] as FakeSocket);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no connection arrived')), timeoutMs);
        waiters.push((s) => {
          clearTimeout(timer);
          resolve(s);
        });
      });
    },
    async close() {
      waiters = [];
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => {
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
  t.after(() => platform.close());
  return platform;
}
