// Issue 11's two one-request kills, against real processes: a WebSocket upgrade to `//x:99999` or
// `http://[` ended the hub (ERR_INVALID_URL thrown in its upgrade handler), and the same target
// on the connector's health port ended the connector. Both must answer 4xx and live on. The
// health port also answers only requests that name its own address (DNS rebinding).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken, startConnectorProcess, startHubProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { rawHttp } from '../hostile/raw-wire.js';
import { freePort } from '../redundancy/free-port.js';

const KILLERS = ['//x:99999', 'http://[', '//[::1', '/%ZZ'];

const upgrade = (port: number, target: string) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: connector.v1\r\n\r\n';

test('the hub process survives upgrades and API requests to targets new URL cannot parse', async (t) => {
  const dir = tempDir(t);
  const hub = await startHubProcess(t, { dir });
  for (const target of KILLERS) {
    const answer = await rawHttp(hub.port, upgrade(hub.port, target));
    assert.ok(
      answer.status !== null && answer.status >= 400 && answer.status < 500,
      `upgrade ${target}: ${answer.status}`,
    );
    const api = await rawHttp(hub.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\n\r\n`);
    assert.ok(api.status !== null && api.status >= 400 && api.status < 500, `GET ${target}: ${api.status}`);
  }
  await sleep(200);
  assert.equal(hub.handle.hasExited, false, 'the hub is still running');
  assert.equal((await fetch(`${hub.httpUrl}/healthz`)).status, 200);
});

test('the connector process survives its health port being sent such targets, and refuses a foreign Host with 421', async (t) => {
  const dir = tempDir(t);
  const hub = await startHubProcess(t, { dir });
  const healthPort = await freePort();
  const connector = startConnectorProcess(t, {
    dir,
    token: mintToken(hub.tokensFile),
    config: { platformUrl: hub.wsUrl, healthPort },
  });
  await connector.waitConnected();
  const own = `127.0.0.1:${healthPort}`;
  for (const target of KILLERS) {
    const answer = await rawHttp(healthPort, `GET ${target} HTTP/1.1\r\nHost: ${own}\r\n\r\n`);
    assert.ok(answer.status !== null && answer.status >= 400 && answer.status < 500, `GET ${target}: ${answer.status}`);
  }
  const rebound = await rawHttp(healthPort, `GET /metrics HTTP/1.1\r\nHost: attacker.example:${healthPort}\r\n\r\n`);
  assert.equal(rebound.status, 421, 'a page whose name was re-pointed at 127.0.0.1 cannot read /metrics');
  assert.ok(!rebound.text.includes('cc_connector'), 'and gets none of it');
  await sleep(200);
  assert.equal(connector.handle.hasExited, false, 'the connector is still running');
  const ready = await rawHttp(healthPort, `GET /ready HTTP/1.1\r\nHost: ${own}\r\n\r\n`);
  assert.equal(ready.status, 200);
  const byName = await rawHttp(healthPort, `GET /ready HTTP/1.1\r\nHost: localhost:${healthPort}\r\n\r\n`);
  assert.equal(byName.status, 200, 'localhost names it too');
});
