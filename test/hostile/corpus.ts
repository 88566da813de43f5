// The hostile-input corpus: malformed HTTP requests and WebSocket frames generated from a seed,
// so that a failure reproduces (`HOSTILE_SEED=<n> npm test -- test/hostile`). Synthetic personal
// data (NHS numbers, names, dates of birth, phone numbers) is planted throughout; the tests then
// scan every log line of the process under attack for it.
import { wsFrame } from './raw-wire.js';

/** Invented, but shaped like what must never reach a log: valid-checksum NHS numbers, names, dates. */
export const SYNTHETIC_PII = [
  '9434765870',
  '4010232137',
  'Eleanor Quixwood',
  'Quixwood',
  'Thaddeus',
  '1961-07-23',
  '07700900461',
  'SW1A 9ZZ',
  'RXQ7719',
] as const;

/** The seed for this run: HOSTILE_SEED when set, else a fresh one (printed by the caller). */
export function corpusSeed(): number {
  const fromEnv = Number(process.env.HOSTILE_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}

/** mulberry32: small, fast and good enough to pick test cases reproducibly. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  pii(): string {
    return this.pick(SYNTHETIC_PII);
  }
}

export interface HttpCase {
  kind: string;
  bytes: Buffer;
  /** Half-close our side right after writing (a client that sends part of a request and goes). */
  endAfterWrite?: boolean;
}

/** Paths a listener serves, so that malformed variants of real routes are tried too. */
export interface HttpTarget {
  host: string;
  paths: readonly string[];
  /** Headers a real client of this listener sends (authorization, cookie, origin). */
  headers?: Record<string, string>;
}

const enc = (text: string) => encodeURIComponent(text);

function targets(rng: Rng, base: string): string[] {
  const pii = rng.pii();
  return [
    '//x:99999',
    'http://[',
    '//[::1',
    'http://evil.example/',
    'evil.example:443',
    '*',
    '/%',
    '/%ZZ',
    `${base}/%E0%A4%A`,
    `${base}%`,
    `${base}/${enc(pii)}`,
    `/v1/${enc(pii)}/demo/rpc/patient.lookup`,
    `/v1/%ZZ/demo/rpc/${enc(pii)}`,
    `${base}?id=${enc(pii)}`,
    `${base}?%ZZ=${enc(pii)}`,
    `/..%2f..%2f..%2fetc%2fpasswd`,
    `/${'a/'.repeat(2_000)}`,
    `/${'x'.repeat(9_000)}`,
    `${base}#frag`,
    `${base}\u00e9`,
    `${base}/\u0001`,
    `${base}/${pii.replace(/ /g, '%20')}`,
    `${base}/%00`,
    `${base}/%C0%AF`,
    `/\\\\server\\share`,
  ];
}

function head(method: string, target: string, headers: Array<[string, string]>, version = 'HTTP/1.1'): string {
  return `${method} ${target} ${version}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

/** `count` malformed HTTP requests for a listener, drawn from every category in turn. */
export function httpCorpus(rng: Rng, count: number, target: HttpTarget): HttpCase[] {
  const good = (): Array<[string, string]> => [['Host', target.host], ...Object.entries(target.headers ?? {})];
  const path = () => rng.pick(target.paths);
  const pii = () => rng.pii();
  const makers: Array<() => HttpCase> = [
    () => ({ kind: 'target', bytes: Buffer.from(head('GET', rng.pick(targets(rng, path())), good()), 'latin1') }),
    () => ({
      kind: 'target-post',
      bytes: Buffer.from(head('POST', rng.pick(targets(rng, path())), [...good(), ['Content-Length', '0']]), 'latin1'),
    }),
    () => ({
      kind: 'method',
      bytes: Buffer.from(
        head(
          rng.pick(['BREW', 'PROPFIND', 'get', 'CONNECT', 'TRACE', 'X'.repeat(300), 'G@T', pii().replace(/\W/g, '')]),
          path(),
          good(),
        ),
        'latin1',
      ),
    }),
    () => ({
      kind: 'oversized-header',
      bytes: Buffer.from(head('GET', path(), [...good(), ['X-Fill', `${pii()}${'a'.repeat(20_000)}`]])),
    }),
    () => ({
      kind: 'many-headers',
      bytes: Buffer.from(
        head('GET', path(), [
          ...good(),
          ...Array.from({ length: 1_500 }, (_, i): [string, string] => [`X-H${i}`, pii()]),
        ]),
      ),
    }),
    () => ({
      kind: 'folded-header',
      bytes: Buffer.from(
        `GET ${path()} HTTP/1.1\r\nHost: ${target.host}\r\nX-Name: ${pii()}\r\n  continued ${pii()}\r\n\r\n`,
      ),
    }),
    () => ({
      kind: 'header-no-colon',
      bytes: Buffer.from(`GET ${path()} HTTP/1.1\r\nHost: ${target.host}\r\n${pii()}\r\n\r\n`),
    }),
    () => ({
      kind: 'nul-in-header',
      bytes: Buffer.from(`GET ${path()} HTTP/1.1\r\nHost: ${target.host}\r\nX-A: a\u0000${pii()}\r\n\r\n`, 'latin1'),
    }),
    () => ({ kind: 'no-host', bytes: Buffer.from(`GET ${path()} HTTP/1.1\r\nX-Patient: ${pii()}\r\n\r\n`) }),
    () => ({
      kind: 'foreign-host',
      bytes: Buffer.from(head('GET', path(), [['Host', `${enc(pii()).toLowerCase()}.example`]])),
    }),
    () => ({ kind: 'two-hosts', bytes: Buffer.from(head('GET', path(), [...good(), ['Host', 'evil.example']])) }),
    () => ({
      kind: 'conflicting-length',
      bytes: Buffer.from(
        head('POST', path(), [...good(), ['Content-Length', '5'], ['Content-Length', '50']]) + '{"a":1}',
      ),
    }),
    () => ({
      kind: 'chunked-and-length',
      bytes: Buffer.from(
        `${head('POST', path(), [...good(), ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']])}4\r\n{}{}\r\n0\r\n\r\n`,
      ),
    }),
    () => ({
      kind: 'bad-chunks',
      bytes: Buffer.from(
        `${head('POST', path(), [...good(), ['Transfer-Encoding', 'chunked']])}zz\r\n${pii()}\r\n0\r\n\r\n`,
      ),
    }),
    () => {
      const body = `{"identificationNumber":"${pii()}",`;
      return {
        kind: 'bad-json',
        bytes: Buffer.from(
          head('POST', path(), [
            ...good(),
            ['Content-Type', 'application/json'],
            ['Content-Length', String(Buffer.byteLength(body))],
          ]) + body,
        ),
      };
    },
    () => {
      const body = `${'['.repeat(50_000)}"${pii()}"`;
      return {
        kind: 'deep-json',
        bytes: Buffer.from(
          head('POST', path(), [
            ...good(),
            ['Content-Type', 'application/json'],
            ['Content-Length', String(body.length)],
          ]) + body,
        ),
      };
    },
    () => {
      const body = Buffer.concat([Buffer.from('{"identificationNumber":"'), rng.bytes(40), Buffer.from('"}')]);
      return {
        kind: 'bad-utf8',
        bytes: Buffer.concat([
          Buffer.from(
            head('POST', path(), [
              ...good(),
              ['Content-Type', 'application/json'],
              ['Content-Length', String(body.length)],
            ]),
          ),
          body,
        ]),
      };
    },
    () => ({
      kind: 'huge-length',
      bytes: Buffer.from(`${head('POST', path(), [...good(), ['Content-Length', '1099511627776']])}{"a":`),
    }),
    () => ({
      kind: 'negative-length',
      bytes: Buffer.from(`${head('POST', path(), [...good(), ['Content-Length', '-1']])}{}`),
    }),
    () => ({
      kind: 'truncated-body',
      bytes: Buffer.from(
        `${head('POST', path(), [...good(), ['Content-Type', 'application/json'], ['Content-Length', '500']])}{"identificationNumber":"${pii()}"`,
      ),
      endAfterWrite: true,
    }),
    () => ({
      kind: 'half-open',
      bytes: Buffer.from(`GET ${path()} HTTP/1.1\r\nHost: ${target.host}\r\nX-P: ${pii()}`),
      endAfterWrite: true,
    }),
    () => ({
      kind: 'version',
      bytes: Buffer.from(
        head('GET', path(), good(), rng.pick(['HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTP/9', 'FTP/1.0'])),
      ),
    }),
    () => ({
      kind: 'garbage',
      bytes: Buffer.concat([rng.bytes(1 + rng.int(400)), Buffer.from(`\r\n${pii()}\r\n\r\n`)]),
    }),
    () => ({
      kind: 'upgrade-bad',
      bytes: Buffer.from(
        head('GET', rng.pick(targets(rng, path())), [
          ...good(),
          ['Upgrade', 'websocket'],
          ['Connection', 'Upgrade'],
          ['Sec-WebSocket-Key', rng.pick(['', 'short', pii()])],
          ['Sec-WebSocket-Version', rng.pick(['13', '8', 'x'])],
        ]),
        'latin1',
      ),
    }),
    () => ({
      kind: 'upgrade-target',
      bytes: Buffer.from(
        head('GET', rng.pick(targets(rng, '/connector/v1')), [
          ...good(),
          ['Upgrade', 'websocket'],
          ['Connection', 'Upgrade'],
          ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
          ['Sec-WebSocket-Version', '13'],
          ['Sec-WebSocket-Protocol', 'connector.v1'],
        ]),
        'latin1',
      ),
    }),
    () => ({
      kind: 'pipelined',
      bytes: Buffer.from(
        head('GET', path(), good()) + head('GET', '//x:99999', good()) + head('GET', `/%ZZ${enc(pii())}`, good()),
      ),
    }),
  ];
  return Array.from({ length: count }, (_, i) => (makers[i % makers.length] as () => HttpCase)());
}

/** What the JSON-RPC frames carry, before and after the hello. */
function hostileValues(rng: Rng): unknown[] {
  const pii = rng.pii();
  return [
    null,
    0,
    -0,
    1e308,
    -1,
    2 ** 53 + 1,
    1.5,
    '',
    pii,
    'x'.repeat(70_000),
    [],
    {},
    { __proto__: { polluted: true } },
    { constructor: { prototype: { polluted: pii } } },
    [pii, pii, pii],
    { id: pii },
    '\u0000\uffff\ud800',
  ];
}

export interface FrameCase {
  kind: string;
  frame: Buffer;
}

/** JSON-RPC-shaped and raw frames, for a server (masked, as a client sends) or a client (unmasked). */
export function frameCorpus(
  rng: Rng,
  count: number,
  options: { fromClient: boolean; methods: readonly string[] },
): FrameCase[] {
  const mask = options.fromClient;
  const text = (value: string) => wsFrame(0x1, value, { mask });
  const json = (value: unknown) => text(JSON.stringify(value));
  const v = () => rng.pick(hostileValues(rng));
  const id = () => rng.pick([1, 'dup', 'dup', rng.pii(), -1, 0, 1e300, 'x'.repeat(10_000), null, { a: 1 }, [1], true]);
  const method = () =>
    rng.pick([
      ...options.methods,
      '$/cancelRequest',
      'connector.hello',
      'rpc.discover',
      '',
      'x'.repeat(5_000),
      rng.pii(),
    ]);
  const makers: Array<() => FrameCase> = [
    () => ({
      kind: 'not-json',
      frame: text(`{"jsonrpc":"2.0","id":1,"method":"patient.lookup","params":{"identificationNumber":"${rng.pii()}"`),
    }),
    () => ({ kind: 'json-non-object', frame: json(v()) }),
    () => {
      const depth = 1_000 + rng.int(20_000);
      const params = `${'['.repeat(depth)}"${rng.pii()}"${']'.repeat(depth)}`;
      return {
        kind: 'deep',
        frame: text(`{"jsonrpc":"2.0","id":${rng.int(1e6)},"method":"${method()}","params":${params}}`),
      };
    },
    () => ({ kind: 'request', frame: json({ jsonrpc: '2.0', id: id(), method: method(), params: v() }) }),
    () => ({
      kind: 'lookup',
      frame: json({ jsonrpc: '2.0', id: id(), method: 'patient.lookup', params: { identificationNumber: v() } }),
    }),
    () => ({
      kind: 'lookup-pii',
      frame: json({
        jsonrpc: '2.0',
        id: rng.pii(),
        method: 'patient.lookup',
        params: { identificationNumber: rng.pii(), extra: rng.pii() },
      }),
    }),
    () => ({
      kind: 'wrong-version',
      frame: json({ jsonrpc: rng.pick(['1.0', 2, null, rng.pii()]), id: id(), method: method() }),
    }),
    () => ({ kind: 'notification', frame: json({ jsonrpc: '2.0', method: method(), params: v() }) }),
    () => ({ kind: 'cancel', frame: json({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: id() } }) }),
    () => ({ kind: 'cancel-odd', frame: json({ jsonrpc: '2.0', method: '$/cancelRequest', params: v() }) }),
    () => ({ kind: 'response', frame: json({ jsonrpc: '2.0', id: id(), result: v() }) }),
    () => ({
      kind: 'error-response',
      frame: json({
        jsonrpc: '2.0',
        id: id(),
        error: { code: v(), message: rng.pii(), data: { reason: rng.pii(), retryable: v() } },
      }),
    }),
    () => ({
      kind: 'health',
      frame: json({
        jsonrpc: '2.0',
        method: 'connector.health',
        params: { sources: { [rng.pii()]: 'down', 'patient.lookup': rng.pick(['up', 'down', 'sideways', 1]) } },
      }),
    }),
    () => ({
      kind: 'goaway',
      frame: json({ jsonrpc: '2.0', method: 'platform.goaway', params: { reconnectAfterMs: v() } }),
    }),
    () => ({
      kind: 'batch',
      frame: json([
        { jsonrpc: '2.0', id: 1, method: method() },
        { jsonrpc: '2.0', id: 1, method: method() },
      ]),
    }),
    () => ({
      kind: 'duplicate-keys',
      frame: text(
        `{"jsonrpc":"2.0","id":7,"id":"${rng.pii()}","method":"patient.lookup","params":{"identificationNumber":"a","identificationNumber":"${rng.pii()}"}}`,
      ),
    }),
    () => ({
      kind: 'huge-params',
      frame: json({
        jsonrpc: '2.0',
        id: id(),
        method: method(),
        params: { blob: 'p'.repeat(300_000 + rng.int(100_000)) },
      }),
    }),
    () => ({ kind: 'binary', frame: wsFrame(0x2, Buffer.concat([Buffer.from(rng.pii()), rng.bytes(64)]), { mask }) }),
    () => ({
      kind: 'bad-utf8',
      frame: wsFrame(0x1, Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), {
        mask,
      }),
    }),
    () => ({ kind: 'reserved-opcode', frame: wsFrame(rng.pick([0x3, 0x7, 0xb, 0xf]), rng.pii(), { mask }) }),
    () => ({ kind: 'wrong-mask', frame: wsFrame(0x1, '{"jsonrpc":"2.0"}', { mask: !mask }) }),
    () => ({
      kind: 'fragment-start',
      frame: wsFrame(0x1, `{"jsonrpc":"2.0","id":"${rng.pii()}"`, { mask, fin: false }),
    }),
    () => ({ kind: 'orphan-continuation', frame: wsFrame(0x0, rng.pii(), { mask }) }),
    () => ({ kind: 'long-ping', frame: wsFrame(0x9, Buffer.alloc(200, 0x41), { mask }) }),
    () => ({ kind: 'ping', frame: wsFrame(0x9, rng.pii(), { mask }) }),
  ];
  return Array.from({ length: count }, () => {
    const maker = makers[rng.int(makers.length)] as () => FrameCase;
    return maker();
  });
}

/** The PII strings found in `lines` (empty when the log is clean). */
export function personalDataIn(lines: readonly string[]): string[] {
  const text = lines.join('\n').toLowerCase();
  return SYNTHETIC_PII.filter(
    (p) => text.includes(p.toLowerCase()) || text.includes(encodeURIComponent(p).toLowerCase()),
  );
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/** Resolves with `promise`, or fails with `message` after `ms` (the timer does not outlive it). */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
