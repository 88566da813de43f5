// `/ready` of a real `cloud-connector run` process, as a watchdog polls it: 503 within one
// heartbeat window after the platform is black-holed (the socket stays open, nothing arrives),
// 200 again once the platform is reachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestHub } from '../helpers/hub-fixture.js';
import { startConnectorProcess } from '../helpers/processes.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';
import { CLUSTER_TIMERS } from './cluster.js';
import { freePort, getText } from './free-port.js';

async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<{ at: number; text: string }> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const res = await getText(url);
    if (res.status === status) return { at: performance.now(), text: res.text };
    if (performance.now() > until) throw new Error(`/ready stayed ${res.status} (${res.text.trim()})`);
    await sleep(25);
  }
}

test('/ready flips to 503 within one heartbeat window of a black hole, and back to 200 when the platform returns', async (t) => {
  const fx = await startTestHub(t);
  const proxy = await startTcpProxy(fx.hub.port);
  t.after(() => proxy.close());
  const healthPort = await freePort();
  const connector = startConnectorProcess(t, {
    dir: tempDir(t),
    token: fx.mint(),
    config: { platformUrl: proxy.url(fx.hub.wsUrl), healthPort, timers: CLUSTER_TIMERS },
  });
  await connector.waitConnected();
  const ready = `http://127.0.0.1:${healthPort}/ready`;
  const up = await waitForStatus(ready, 200, 10_000);
  assert.match(up.text, /^Ready: connected/);

  proxy.blackhole();
  const holedAt = performance.now();
  const down = await waitForStatus(ready, 503, 10_000);
  const tookMs = down.at - holedAt;
  // One window is deadAfterMs; the slack covers the heartbeat's tick (pingIntervalMs) and a busy machine.
  const window = CLUSTER_TIMERS.deadAfterMs + CLUSTER_TIMERS.pingIntervalMs;
  assert.ok(tookMs >= CLUSTER_TIMERS.deadAfterMs - 100, `503 after ${Math.round(tookMs)} ms: not before the window`);
  assert.ok(tookMs <= window + 1_000, `503 after ${Math.round(tookMs)} ms`);
  assert.match(down.text, /^Not ready: (not connected to the platform|connecting to the platform)/);

  proxy.heal();
  const back = await waitForStatus(ready, 200, 15_000);
  assert.match(back.text, /^Ready: connected/);
  t.diagnostic(
    `503 ${Math.round(tookMs)} ms after the black hole; 200 again ${Math.round(back.at - down.at)} ms later`,
  );

  const metrics = await getText(`http://127.0.0.1:${healthPort}/metrics`);
  assert.match(metrics.text, /^cc_connector_connection_events_total\{event="disconnected"\} [1-9]/m);
});
