// The hello and the connector's reaction to every close code of PROTOCOL §6.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestConnector, waitForState } from '../helpers/connector-fixture.js';
import { startFakePlatform } from '../helpers/fake-platform.js';

const TOKEN = 'cc_demo_handshakeTestToken_0123456789abcdef';

test('the first message is a complete hello with the token, and requests follow only after its result', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, maxConcurrency: 7, name: 'front-desk' },
    TOKEN,
  );
  const socket = await platform.nextConnection();
  assert.equal(socket.ws.protocol, 'connector.v1');
  const hello = await socket.next();
  assert.equal(hello.method, 'connector.hello');
  assert.equal(hello.id, 'hello');
  assert.equal(hello.params.protocol, 1);
  assert.equal(hello.params.token, TOKEN);
  assert.equal(hello.params.environment, 'demo');
  assert.equal(hello.params.name, 'front-desk');
  assert.equal(hello.params.maxConcurrency, 7);
  assert.deepEqual(hello.params.methods, ['patient.lookup']);
  assert.match(hello.params.connectorId, /^[0-9a-f-]{36}$/);
  assert.equal(runtime.connector.status().state, 'authenticating');
  socket.send({
    jsonrpc: '2.0',
    id: 'hello',
    result: { sessionId: 's-1', tenant: 'acme', environment: 'demo', heartbeatMs: 15000 },
  });
  await waitForState(runtime.connector, 'connected');
  assert.equal(runtime.connector.status().sessionId, 's-1');
});

for (const [code, expected] of [
  [4401, 'rejected'],
  [4403, 'rejected'],
  [4426, 'update_required'],
  [4400, 'backing_off'],
  [4408, 'backing_off'],
  [1011, 'backing_off'],
  [1000, 'backing_off'],
] as const) {
  test(`close ${code} after hello → ${expected}`, async (t) => {
    const platform = await startFakePlatform(t);
    const logger = captureLogger();
    const runtime = startTestConnector(
      t,
      { environment: 'demo', platformUrl: platform.url, timers: { backoffBaseMs: 60_000, backoffCapMs: 60_000 } },
      TOKEN,
      { logger },
    );
    const socket = await platform.nextConnection();
    await socket.next((m) => m?.method === 'connector.hello');
    socket.ws.close(code);
    await waitForState(runtime.connector, expected);
    const status = runtime.connector.status();
    assert.equal(status.lastCloseCode, code);
    assert.ok(status.lastError && status.lastError.length > 0, 'a plain-words cause is shown');
    assert.ok(status.nextAttemptAt, 'the next attempt is scheduled');
    assert.ok(!logger.lines.join('\n').includes(TOKEN), 'the token never appears in a log line');
    assert.ok(!JSON.stringify(status).includes(TOKEN));
  });
}

test('rejected retries on its slow schedule only, and a new token reconnects at once', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    {
      environment: 'demo',
      platformUrl: platform.url,
      timers: { rejectedRetryMs: 1_500, backoffBaseMs: 10, backoffCapMs: 10 },
    },
    TOKEN,
  );
  const started = Date.now();
  const attempts: number[] = [];
  const rejectAll = async () => {
    for (;;) {
      const socket = await platform.nextConnection(20_000).catch(() => null);
      if (!socket) return;
      const hello = await socket.next((m) => m?.method === 'connector.hello');
      attempts.push(Date.now() - started);
      if (hello.params.token === TOKEN) socket.ws.close(4401);
      else await socket.acceptHello({}, hello);
    }
  };
  void rejectAll();
  await new Promise((r) => setTimeout(r, 3_600));
  assert.equal(runtime.connector.status().state, 'rejected');
  assert.ok(attempts.length >= 2 && attempts.length <= 3, `attempts at ${attempts.join(', ')} ms`);
  for (let i = 1; i < attempts.length; i++) {
    assert.ok(
      (attempts[i] as number) - (attempts[i - 1] as number) >= 1_400,
      'never faster than the rejected schedule',
    );
  }
  runtime.connector.setToken('cc_demo_theReplacementToken_0123456789ab');
  await waitForState(runtime.connector, 'connected', 3_000);
});

test('a platform that never answers the hello is left and retried after backoff', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(
    t,
    {
      environment: 'demo',
      platformUrl: platform.url,
      timers: { helloTimeoutMs: 300, backoffBaseMs: 50, backoffCapMs: 50 },
    },
    TOKEN,
  );
  const first = await platform.nextConnection();
  await first.next((m) => m?.method === 'connector.hello');
  await waitForState(runtime.connector, 'backing_off', 3_000);
  assert.match(runtime.connector.status().lastError ?? '', /did not answer the hello/);
  const second = await platform.nextConnection(3_000);
  await second.acceptHello();
  await waitForState(runtime.connector, 'connected');
});

test('garbage or a wrong answer before the hello result is a protocol error, then backoff', async (t) => {
  const platform = await startFakePlatform(t);
  const runtime = startTestConnector(t, { environment: 'demo', platformUrl: platform.url }, TOKEN);
  const first = await platform.nextConnection();
  await first.next((m) => m?.method === 'connector.hello');
  first.ws.send('this is not json');
  assert.equal(await first.whenClosed(), 1002);
  const second = await platform.nextConnection();
  await second.next((m) => m?.method === 'connector.hello');
  second.request(1, 'patient.lookup', { identificationNumber: 'd100000' });
  assert.equal(await second.whenClosed(), 1002);
  const third = await platform.nextConnection();
  await third.acceptHello();
  await waitForState(runtime.connector, 'connected');
});

test('a platform that does not select connector.v1 is not used', async (t) => {
  const platform = await startFakePlatform(t, { selectProtocol: false });
  const runtime = startTestConnector(
    t,
    { environment: 'demo', platformUrl: platform.url, timers: { backoffBaseMs: 5_000, backoffCapMs: 5_000 } },
    TOKEN,
  );
  await waitForState(runtime.connector, 'backing_off');
  assert.match(runtime.connector.status().lastError ?? '', /connector\.v1/);
});

test('a token made for the other environment is refused before connecting', async (t) => {
  assert.throws(
    () =>
      startTestConnector(
        t,
        { environment: 'demo', platformUrl: 'ws://127.0.0.1:9/connector/v1' },
        'cc_production_abcdefghijklmnopqrstuvwxyz0123',
        { start: false },
      ),
    /token is for the production environment/,
  );
});
