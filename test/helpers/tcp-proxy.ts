// A loopback TCP proxy that sits between a connector and its platform and misbehaves on request,
// the way real networks do: it can delay every byte, drop (reset) every connection, cut a
// connection in the middle of a frame, or black-hole it (the sockets stay open, nothing arrives).
import net, { type AddressInfo, type Socket } from 'node:net';

export type Direction = 'toServer' | 'toClient';

interface Pair {
  client: Socket;
  server: Socket;
  /** While black-holed, reading stops on both sides: bytes wait in kernel buffers, as behind a dead link. */
  blackholed: boolean;
  queues: Record<
    Direction,
    { releaseAt: number; chunks: Array<{ at: number; data: Buffer }>; timer: NodeJS.Timeout | null }
  >;
}

export interface TcpProxy {
  readonly port: number;
  /** The target URL with the proxy's host and port in place of the target's. */
  url(target: string): string;
  /** Connections open right now (client side). */
  readonly openConnections: number;
  /** Connections ever accepted. */
  readonly acceptedConnections: number;
  /** Delays every chunk, in both directions, by `ms` (order is kept). 0 turns it off. */
  setDelay(ms: number): void;
  /** Resets every open connection (RST to both ends). New connections still work. */
  dropAll(): void;
  /**
   * The next chunk of at least `minBytes` going in `direction` is forwarded only in part (half of
   * it), then both sockets are destroyed: the receiver holds a frame that never ends. Resolves
   * when the cut has happened.
   */
  cutNext(direction: Direction, minBytes?: number): Promise<void>;
  /** Black-holes every open connection and every new one until `heal()`. */
  blackhole(): void;
  /** Ends the black hole: new connections pass; `existing: true` also revives the black-holed ones. */
  heal(options?: { existing?: boolean }): void;
  /** While true, new connections are closed at once (the platform is unreachable). */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let delayMs = 0;
  let blackholeNew = false;
  let refusing = false;
  let accepted = 0;
  let pendingCut: { direction: Direction; minBytes: number; done: () => void } | null = null;

  const server = net.createServer((client) => {
    accepted++;
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = net.connect({ port: targetPort, host: targetHost });
    upstream.setNoDelay(true);
    const pair: Pair = {
      client,
      server: upstream,
      blackholed: false,
      queues: {
        toServer: { releaseAt: 0, chunks: [], timer: null },
        toClient: { releaseAt: 0, chunks: [], timer: null },
      },
    };
    pairs.add(pair);
    const destroyBoth = () => {
      for (const q of Object.values(pair.queues)) if (q.timer) clearTimeout(q.timer);
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('data', (data) => forward(pair, 'toServer', data));
    upstream.on('data', (data) => forward(pair, 'toClient', data));
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    client.on('close', destroyBoth);
    upstream.on('close', destroyBoth);
    if (blackholeNew) setBlackholed(pair, true);
  });

  function setBlackholed(pair: Pair, on: boolean): void {
    pair.blackholed = on;
    if (on) {
      pair.client.pause();
      pair.server.pause();
    } else {
      pair.client.resume();
      pair.server.resume();
    }
  }

  function forward(pair: Pair, direction: Direction, data: Buffer): void {
    const to = direction === 'toServer' ? pair.server : pair.client;
    if (pendingCut && pendingCut.direction === direction && data.length >= pendingCut.minBytes) {
      const cut = pendingCut;
      pendingCut = null;
      to.write(data.subarray(0, Math.floor(data.length / 2)), () => {
        pair.client.destroy();
        pair.server.destroy();
        cut.done();
      });
      return;
    }
    if (delayMs <= 0 && pair.queues[direction].chunks.length === 0) {
      to.write(data);
      return;
    }
    // Every chunk leaves `delayMs` after it arrived, never before the one ahead of it.
    const queue = pair.queues[direction];
    const at = Math.max(Date.now() + delayMs, queue.releaseAt);
    queue.releaseAt = at;
    queue.chunks.push({ at, data });
    const pump = () => {
      queue.timer = null;
      const now = Date.now();
      while (queue.chunks.length > 0 && (queue.chunks[0]?.at ?? 0) <= now) {
        to.write((queue.chunks.shift() as { data: Buffer }).data);
      }
      if (queue.chunks.length > 0) queue.timer = setTimeout(pump, (queue.chunks[0]?.at ?? now) - now);
    };
    if (!queue.timer) queue.timer = setTimeout(pump, Math.max(0, at - Date.now()));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url(target) {
      const u = new URL(target);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get openConnections() {
      return pairs.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    dropAll() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.server.resetAndDestroy();
        pairs.delete(pair);
      }
    },
    cutNext(direction, minBytes = 16) {
      return new Promise((resolve) => {
        pendingCut = { direction, minBytes, done: resolve };
      });
    },
    blackhole() {
      blackholeNew = true;
      for (const pair of pairs) setBlackholed(pair, true);
    },
    heal({ existing = false } = {}) {
      blackholeNew = false;
      if (existing) for (const pair of pairs) setBlackholed(pair, false);
    },
    refuse(on) {
      refusing = on;
    },
    async close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.server.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
