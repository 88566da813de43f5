// The listener guard every HTTP listener uses (src/common/net): what a listener added later
// (the service control channel) gets by calling guardRequests / guardUpgrades.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  GUARDED_SERVER_OPTIONS,
  guardRequests,
  guardUpgrades,
  RequestRefused,
  readBody,
} from '../../src/common/net/listener-guard.js';
import { parseRequestTarget } from '../../src/common/net/request-target.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { rawHttp } from '../hostile/raw-wire.js';

test('request targets: origin form only, segments percent-decoded, the rest refused without throwing', () => {
  const ok = parseRequestTarget('/v1/acme%20clinic/demo/rpc/patient.lookup?x=1');
  assert.ok(ok.ok);
  assert.deepEqual(ok.target.segments, ['v1', 'acme clinic', 'demo', 'rpc', 'patient.lookup']);
  assert.equal(ok.target.query, 'x=1');
  assert.deepEqual(parseRequestTarget('//x:99999'), {
    ok: true,
    target: { path: '//x:99999', segments: ['', 'x:99999'], query: '' },
  });
  const refused: Array<[string | undefined, string]> = [
    [undefined, 'missing'],
    ['http://[', 'not_origin_form'],
    ['*', 'not_origin_form'],
    ['evil.example:443', 'not_origin_form'],
    ['/%ZZ', 'bad_encoding'],
    ['/%E0%A4%A', 'bad_encoding'],
    ['/a b', 'bad_character'],
    ['/\u00e9', 'bad_character'],
    [`/${'x'.repeat(9_000)}`, 'too_long'],
  ];
  for (const [raw, problem] of refused) assert.deepEqual(parseRequestTarget(raw), { ok: false, problem }, String(raw));
});

test('a guarded listener: 4xx for what the guard or the handler refuses, 500 for a handler that throws, one log line per kind', async (t) => {
  const logger = captureLogger();
  const server = http.createServer(GUARDED_SERVER_OPTIONS);
  let ownHost = '';
  const guard = { listener: 'test listener', logger, allowedHosts: () => [ownHost] };
  guardRequests(server, guard, async (req, res, target) => {
    if (target.path === '/throw') throw new TypeError('a bug, with text from the request: 9434765870');
    if (target.path === '/body') {
      const body = await readBody(req, 10);
      res.end(`read ${body.length}`);
      return;
    }
    if (target.path !== '/ok') throw new RequestRefused(404, 'no_such_path');
    res.end('fine');
  });
  guardUpgrades(server, { ...guard, listener: 'test upgrade' }, () => {
    throw new RequestRefused(403, 'forbidden');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  ownHost = `127.0.0.1:${port}`;
  const get = (target: string, host = ownHost) => rawHttp(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

  assert.equal((await get('/ok')).status, 200);
  assert.equal((await get('/ok', 'rebound.example')).status, 421);
  assert.equal((await get('/%ZZ')).status, 400);
  assert.equal((await get('http://[')).status, 400);
  assert.equal((await get('/nothing')).status, 404);
  assert.equal((await get('/throw')).status, 500);
  assert.equal((await get('/throw')).status, 500);
  const big = await rawHttp(port, `POST /body HTTP/1.1\r\nHost: ${ownHost}\r\nContent-Length: 11\r\n\r\n0123456789A`);
  assert.equal(big.status, 413);
  const upgrade = await rawHttp(
    port,
    `GET /events HTTP/1.1\r\nHost: ${ownHost}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
  );
  assert.equal(upgrade.status, 403);
  const oversized = await rawHttp(port, `GET /ok HTTP/1.1\r\nHost: ${ownHost}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.equal(oversized.status, 431);

  const log = logger.lines.join('\n');
  assert.ok(!log.includes('9434765870') && !log.includes('rebound.example') && !log.includes('%ZZ'), log);
  assert.equal(
    logger.lines.filter((l) => l.includes('handler_failed_TypeError')).length,
    1,
    'the second is counted, not logged',
  );
  assert.match(log, /request refused listener="test listener" status=421 reason=foreign_host/);
});
