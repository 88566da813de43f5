// Requests over a live connection: bad input, concurrency and busy, deadlines and cancellation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Dispatcher, type HandlerMap } from '../../src/main/core/dispatcher.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';

const TOKEN = 'cc_demo_dispatchTestToken_0123456789abcdef';

async function connected(t: Parameters<typeof startFakePlatform>[0], config: Record<string, unknown> = {}) {
  const platform = await startFakePlatform(t, { ws: { maxPayload: 64 * 1024 * 1024 } });
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: platform.url, ...config }, TOKEN);
  const socket = await platform.nextConnection();
  await socket.acceptHello();
  await waitForState(runtime.connector, 'connected');
  return { platform, runtime, socket };
}

test('malformed frames get the protocol error and the connection stays up', async (t) => {
  const { socket, runtime } = await connected(t);
  socket.ws.send('{not json');
  const parse = await socket.next((m) => m?.error?.code === -32700);
  assert.equal(parse.id, null);
  assert.equal(parse.error.data.reason, 'parse_error');

  socket.send({ jsonrpc: '1.0', id: 5, method: 'patient.lookup' });
  assert.equal((await socket.response(5)).error.code, -32600);

  socket.request(6, 'patient.delete', {});
  const unknown = await socket.response(6);
  assert.equal(unknown.error.code, -32601);
  assert.equal(unknown.error.data.reason, 'method_not_found');

  socket.request(7, 'patient.lookup', { identificationNumber: 9990000018 });
  const wrongType = await socket.response(7);
  assert.equal(wrongType.error.code, -32602);
  assert.match(wrongType.error.message, /identificationNumber/);
  assert.ok(!wrongType.error.message.includes('9990000018'), 'the value is never echoed');

  socket.request(8, 'patient.lookup', { identificationNumber: 'x'.repeat(65) });
  assert.equal((await socket.response(8)).error.code, -32602);

  socket.request(9, 'consent.store', {});
  assert.equal((await socket.response(9)).error.code, -32601, 'consent.store is not enabled without a store');

  socket.request(10, 'patient.lookup', { identificationNumber: 'd100000' });
  assert.equal((await socket.response(10)).result.patient.localIdentifier, 'D100000');
  assert.equal(runtime.connector.status().state, 'connected');
});

test('a binary frame closes with 1003 and an oversize message with 1009; the connector comes back', async (t) => {
  const { platform, socket, runtime } = await connected(t, { maxMessageBytes: 64 * 1024 });
  socket.ws.send(Buffer.from([1, 2, 3]));
  assert.equal(await socket.whenClosed(), 1003);
  const second = await platform.nextConnection();
  await second.acceptHello();
  await waitForState(runtime.connector, 'connected');
  second.ws.send(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'patient.lookup',
      params: { identificationNumber: 'x'.repeat(70 * 1024) },
    }),
  );
  assert.equal(await second.whenClosed(), 1009);
  const third = await platform.nextConnection();
  await third.acceptHello();
  await waitForState(runtime.connector, 'connected');
});

test('100 concurrent lookups are all answered; beyond maxConcurrency the answer is busy at once', async (t) => {
  const { socket } = await connected(t, { maxConcurrency: 100, patientLookup: { type: 'demo', latencyMs: 200 } });
  for (let i = 0; i < 100; i++) socket.request(i, 'patient.lookup', { identificationNumber: `d${100000 + i}` });
  socket.request('extra', 'patient.lookup', { identificationNumber: 'd100000' });
  const busy = await socket.response('extra', 1_000);
  assert.equal(busy.error.code, -32005);
  assert.equal(busy.error.data.retryable, true);
  const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => socket.response(i)));
  for (const [i, a] of answers.entries()) assert.equal(a.result.patient.localIdentifier, `D${100000 + i}`);
});

test('answers go out in completion order, not arrival order', async () => {
  const sent: string[] = [];
  const delays: Record<string, number> = { a: 150, b: 10, c: 80 };
  const dispatcher = new Dispatcher({
    handlers: {
      'patient.lookup': async ({ identificationNumber }) => {
        await new Promise((r) => setTimeout(r, delays[identificationNumber]));
        return { patient: null };
      },
    },
    maxConcurrency: 10,
    deadlinesMs: { 'patient.lookup': 5_000, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
  });
  const channel = { id: 'c', send: (text: string) => sent.push(JSON.parse(text).id) };
  for (const id of ['a', 'b', 'c']) {
    dispatcher.handleFrame(
      JSON.stringify({ jsonrpc: '2.0', id, method: 'patient.lookup', params: { identificationNumber: id } }),
      channel,
    );
  }
  await dispatcher.whenIdle(2_000);
  assert.deepEqual(sent, ['b', 'c', 'a']);
});

function abortRecordingDispatcher(deadlineMs: number) {
  const seen: { aborted: boolean; reason: unknown }[] = [];
  const handlers: HandlerMap = {
    'patient.lookup': (_params, { signal }) =>
      new Promise((_resolve, reject) => {
        const record = { aborted: false, reason: undefined as unknown };
        seen.push(record);
        signal.addEventListener('abort', () => {
          record.aborted = true;
          record.reason = signal.reason;
          reject(signal.reason);
        });
      }),
  };
  const replies: any[] = [];
  const dispatcher = new Dispatcher({
    handlers,
    maxConcurrency: 4,
    deadlinesMs: { 'patient.lookup': deadlineMs, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
  });
  const channel = { id: 'c', send: (text: string) => replies.push(JSON.parse(text)) };
  return { dispatcher, channel, seen, replies };
}

test('the deadline aborts the data source and answers source_timeout', async () => {
  const { dispatcher, channel, seen, replies } = abortRecordingDispatcher(100);
  dispatcher.handleFrame(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'patient.lookup', params: { identificationNumber: 'a' } }),
    channel,
  );
  await dispatcher.whenIdle(2_000);
  assert.equal(seen[0]?.aborted, true, 'the source saw the abort');
  assert.equal(replies.length, 1);
  assert.equal(replies[0].error.code, -32002);
  assert.equal(replies[0].error.data.reason, 'source_timeout');
});

test('$/cancelRequest aborts the data source and still answers, with -32800', async () => {
  const { dispatcher, channel, seen, replies } = abortRecordingDispatcher(5_000);
  dispatcher.handleFrame(
    JSON.stringify({ jsonrpc: '2.0', id: 'x1', method: 'patient.lookup', params: { identificationNumber: 'a' } }),
    channel,
  );
  await new Promise((r) => setImmediate(r)); // the source call is under way
  dispatcher.handleFrame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'x1' } }), channel);
  await dispatcher.whenIdle(1_000);
  assert.equal(seen[0]?.aborted, true);
  assert.equal(replies.length, 1, 'exactly one answer');
  assert.equal(replies[0].id, 'x1');
  assert.equal(replies[0].error.code, -32800);
});

test('over a real connection: deadline and cancel answer once each, and connector.info reports itself', async (t) => {
  const { socket } = await connected(t, {
    patientLookup: { type: 'demo', latencyMs: 5_000 },
    deadlinesMs: { 'patient.lookup': 300 },
  });
  socket.request(1, 'patient.lookup', { identificationNumber: 'd100001' });
  const timedOut = await socket.response(1, 3_000);
  assert.equal(timedOut.error.data.reason, 'source_timeout');
  socket.request(2, 'patient.lookup', { identificationNumber: 'd100002' });
  socket.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 2 } });
  assert.equal((await socket.response(2, 3_000)).error.code, -32800);
  socket.request(3, 'connector.info', {});
  const info = (await socket.response(3)).result;
  assert.equal(info.environment, 'demo');
  assert.deepEqual(info.methods, ['patient.lookup']);
  assert.equal(typeof info.uptimeS, 'number');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(socket.received.filter((m: any) => m?.id === 1 || m?.id === 2).length, 0, 'no second answer');
});

test('calls on a lost connection are aborted, answered to nobody, and recorded once as connection_lost', async () => {
  const completed: { reason: string | null; bytesOut: number }[] = [];
  const sent: string[] = [];
  let aborted = false;
  const dispatcher = new Dispatcher({
    handlers: {
      'patient.lookup': (_params, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            // A source that ignores the abort and answers anyway must not produce a reply.
            resolve({ patient: null });
          });
        }),
    },
    maxConcurrency: 4,
    deadlinesMs: { 'patient.lookup': 200, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
    onCallCompleted: (c) => completed.push({ reason: c.reason, bytesOut: c.bytesOut }),
  });
  const channel = { id: 'gone', send: (text: string) => sent.push(text) };
  dispatcher.handleFrame(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'patient.lookup', params: { identificationNumber: 'a' } }),
    channel,
  );
  await new Promise((r) => setImmediate(r));
  dispatcher.abandonChannel('gone');
  await new Promise((r) => setTimeout(r, 300)); // past the deadline too
  assert.equal(aborted, true, 'the source was told to stop');
  assert.deepEqual(sent, [], 'nothing was sent on the dead channel');
  assert.deepEqual(completed, [{ reason: 'connection_lost', bytesOut: 0 }]);
  assert.equal(dispatcher.inFlightCount, 0);
});

test('a source that reads the signal only after a cancel finds it already aborted, with the reason', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const seen: { aborted: boolean; reason: unknown }[] = [];
  const replies: any[] = [];
  const dispatcher = new Dispatcher({
    handlers: {
      // Looks at ctx.signal only once its (simulated) work is done: the signal is created lazily.
      'patient.lookup': async (_params, ctx) => {
        await gate;
        seen.push({ aborted: ctx.signal.aborted, reason: ctx.signal.reason });
        return { patient: null };
      },
    },
    maxConcurrency: 4,
    deadlinesMs: { 'patient.lookup': 5_000, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
  });
  const channel = { id: 'c', send: (text: string) => replies.push(JSON.parse(text)) };
  dispatcher.handleFrame(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'patient.lookup', params: { identificationNumber: 'a' } }),
    channel,
  );
  await new Promise((r) => setImmediate(r));
  dispatcher.handleFrame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } }), channel);
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.aborted, true);
  assert.equal((seen[0]?.reason as { reason?: string }).reason, 'cancelled');
  assert.equal(replies.length, 1, 'exactly one answer');
  assert.equal(replies[0].error.code, -32800);
});

test('calls sharing one deadline each time out once; calls that finish in time are answered normally', async () => {
  const replies: any[] = [];
  const dispatcher = new Dispatcher({
    handlers: {
      'patient.lookup': ({ identificationNumber }, { signal }) =>
        identificationNumber.startsWith('fast')
          ? Promise.resolve({ patient: null })
          : new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    },
    maxConcurrency: 20,
    deadlinesMs: { 'patient.lookup': 50, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
  });
  const channel = { id: 'c', send: (text: string) => replies.push(JSON.parse(text)) };
  const send = (id: number, identificationNumber: string) =>
    dispatcher.handleFrame(
      JSON.stringify({ jsonrpc: '2.0', id, method: 'patient.lookup', params: { identificationNumber } }),
      channel,
    );
  for (let i = 0; i < 5; i++) send(i, `slow${i}`);
  for (let i = 5; i < 10; i++) send(i, `fast${i}`);
  await new Promise((r) => setTimeout(r, 10));
  for (let i = 10; i < 15; i++) send(i, `slow${i}`); // added to the list later: their own, later deadline
  assert.equal(await dispatcher.whenIdle(5_000), true);
  assert.equal(replies.length, 15, 'one answer each');
  const byId = new Map(replies.map((r) => [r.id, r]));
  assert.equal(byId.size, 15);
  for (let i = 0; i < 15; i++) {
    const reply = byId.get(i);
    if (i >= 5 && i < 10) assert.deepEqual(reply.result, { patient: null });
    else assert.equal(reply.error.data.reason, 'source_timeout');
  }
  assert.equal(dispatcher.inFlightCount, 0);
});

test('a data source sees only its call’s method and signal, never its own or another caller’s identifier', async () => {
  const seen: string[] = [];
  const contexts: { method: string; signal: AbortSignal }[] = [];
  const dispatcher = new Dispatcher({
    handlers: {
      'patient.lookup': (_params, ctx) => {
        // What a careless source might log about its options.
        seen.push(inspect(ctx, { depth: 8, showHidden: true }), JSON.stringify(ctx));
        contexts.push(ctx);
        return new Promise(() => {});
      },
    },
    maxConcurrency: 4,
    deadlinesMs: { 'patient.lookup': 5_000, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
  });
  const channel = { id: 'c', send: () => {} };
  for (const [id, identifier] of [
    [1, 'firstpatient01'],
    [2, 'secondpatient02'],
  ] as const) {
    dispatcher.handleFrame(
      JSON.stringify({ jsonrpc: '2.0', id, method: 'patient.lookup', params: { identificationNumber: identifier } }),
      channel,
    );
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 4);
  for (const text of seen) {
    assert.ok(!/firstpatient01|secondpatient02/.test(text), `the call context shows no identifier: ${text}`);
  }
  const ctx = contexts[1] as { method: string; signal: AbortSignal };
  assert.equal(ctx.method, 'patient.lookup');
  assert.equal(ctx.signal.aborted, false, 'the signal still works through the view');
  dispatcher.abandonChannel('c');
  assert.equal(ctx.signal.aborted, true);
});

test('a listener that throws while one call is answered leaves no other call unanswered or unstarted', async () => {
  const replies: any[] = [];
  const internal: string[] = [];
  let throwOnce = true;
  const dispatcher = new Dispatcher({
    handlers: {
      'patient.lookup': (params) => {
        if (params.identificationNumber === 'fails') throw new Error('source bug');
        if (params.identificationNumber === 'answers') return Promise.resolve({ patient: null });
        return new Promise(() => {}); // hangs until its deadline
      },
    },
    maxConcurrency: 8,
    deadlinesMs: { 'patient.lookup': 50, 'consent.store': 5_000, 'connector.info': 5_000 },
    isDraining: () => false,
    onCallCompleted: () => {
      if (throwOnce) {
        throwOnce = false;
        throw new Error('listener bug');
      }
    },
    onInternalError: (method, error) => internal.push(`${method}: ${(error as Error).message}`),
  });
  const channel = { id: 'c', send: (text: string) => replies.push(JSON.parse(text)) };
  const send = (id: number, identificationNumber: string) =>
    dispatcher.handleFrame(
      JSON.stringify({ jsonrpc: '2.0', id, method: 'patient.lookup', params: { identificationNumber } }),
      channel,
    );
  // One read: the first call's answer makes the listener throw; the second must still start.
  send(1, 'fails');
  send(2, 'answers');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    replies.map((r) => [r.id, r.error?.data?.reason ?? 'ok']),
    [
      [1, 'internal_error'],
      [2, 'ok'],
    ],
  );
  // Three calls share one deadline; the first expiry's listener throws; all three still time out.
  throwOnce = true;
  send(3, 'hangs');
  send(4, 'hangs');
  send(5, 'hangs');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    replies.slice(2).map((r) => [r.id, r.error?.data?.reason]),
    [
      [3, 'source_timeout'],
      [4, 'source_timeout'],
      [5, 'source_timeout'],
    ],
  );
  assert.equal(dispatcher.inFlightCount, 0, 'every concurrency slot is free again');
  assert.deepEqual(internal, [
    'patient.lookup: source bug',
    'patient.lookup: listener bug',
    'patient.lookup: listener bug',
  ]);
});
