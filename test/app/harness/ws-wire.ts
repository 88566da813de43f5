// A loopback relay in front of the hub that reads the WebSocket frames the connector sends (client
// frames are masked; the relay unmasks a copy): which JSON-RPC methods went up and with which code
// the connection was closed. "connector.draining, then close 1001" is checked on the wire, where
// the hub receives it. It can also refuse connections for a while (the platform unreachable).
import net, { type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface WireEvent {
  connection: number;
  kind: 'method' | 'close' | 'end';
  method?: string;
  code?: number;
  at: number;
}

export interface WireRecorder {
  url: string;
  events: WireEvent[];
  connections: number;
  refuse(on: boolean): void;
  /** Resets every open connection (the network dropped). */
  dropAll(): void;
  waitFor(match: (e: WireEvent, all: WireEvent[]) => boolean, what: string, timeoutMs?: number): Promise<WireEvent>;
}

export async function startWireRecorder(t: Pick<TestContext, 'after'>, hubPort: number): Promise<WireRecorder> {
  const events: WireEvent[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  let refusing = false;
  let connections = 0;
  const push = (e: WireEvent) => {
    events.push(e);
    for (const w of [...waiters]) w();
  };
  const server = net.createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const id = ++connections;
    const upstream = net.connect(hubPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const parse = frameParser(id, push);
    client.on('data', (chunk) => {
      upstream.write(chunk);
      parse(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('close', () => {
      push({ connection: id, kind: 'end', at: Date.now() });
      end();
    });
    upstream.on('close', end);
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/connector/v1`,
    events,
    get connections() {
      return connections;
    },
    refuse(on) {
      refusing = on;
    },
    dropAll() {
      for (const s of sockets) s.resetAndDestroy();
    },
    waitFor(match, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => match(e, events));
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${what}; wire: ${JSON.stringify(events.slice(-10))}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Parses the client's bytes: the HTTP upgrade request, then masked WebSocket frames. */
function frameParser(connection: number, push: (e: WireEvent) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      buffer = buffer.subarray(end + 4);
    }
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = (buffer[0] as number) & 0x0f;
      const masked = ((buffer[1] as number) & 0x80) !== 0;
      let length = (buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked)
        for (let i = 0; i < payload.length; i++)
          payload[i] = (payload[i] as number) ^ (buffer[maskAt + (i % 4)] as number);
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x8) {
        push({ connection, kind: 'close', code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, at: Date.now() });
      } else if (opcode === 0x1) {
        for (const method of methodsIn(payload.toString('utf8')))
          push({ connection, kind: 'method', method, at: Date.now() });
      }
    }
  };
}

function methodsIn(text: string): string[] {
  try {
    const parsed = JSON.parse(text);
    return (Array.isArray(parsed) ? parsed : [parsed]).flatMap((m) =>
      typeof m?.method === 'string' ? [m.method] : [],
    );
  } catch {
    return [];
  }
}
