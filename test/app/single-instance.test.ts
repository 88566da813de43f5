import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimSingleInstance, isNewerVersion } from '../../src/main/app/single-instance.js';

test('version order: numeric parts, a release after its pre-releases', () => {
  assert.equal(isNewerVersion('0.2.0', '0.1.9'), true);
  assert.equal(isNewerVersion('0.10.0', '0.9.0'), true, 'not string order');
  assert.equal(isNewerVersion('1.0.0', '1.0.0'), false);
  assert.equal(isNewerVersion('1.0.0', '1.0.1'), false);
  assert.equal(isNewerVersion('1.2.0', '1.2.0-beta.3'), true);
  assert.equal(isNewerVersion('1.2.0-beta.10', '1.2.0-beta.9'), true);
  assert.equal(isNewerVersion('v2.0.0', '1.9.9'), true);
});

function lock(freeAfter: number) {
  const requests: Array<{ version: string }> = [];
  return {
    requests,
    request: (data: { version: string }) => {
      requests.push(data);
      return requests.length > freeAfter;
    },
  };
}
const noSleep = async () => undefined;

test('the lock at once: primary; held by an older version: retried until it hands over', async () => {
  const free = lock(0);
  assert.equal(
    await claimSingleInstance(free, { version: '1.0.0', runningVersion: () => null, sleep: noSleep }),
    'primary',
  );
  const older = lock(3);
  assert.equal(
    await claimSingleInstance(older, { version: '1.1.0', runningVersion: () => '1.0.0', sleep: noSleep }),
    'handed-over',
  );
  assert.equal(older.requests.length, 4);
  assert.deepEqual(older.requests[0], { version: '1.1.0' }, 'the running one learns the version');
});

test('held by the same, a newer or an unknown version: no waiting', async () => {
  for (const running of ['1.0.0', '2.0.0', null]) {
    const held = lock(99);
    let slept = 0;
    const claim = await claimSingleInstance(held, {
      version: '1.0.0',
      runningVersion: () => running,
      sleep: async () => {
        slept++;
      },
    });
    assert.equal(claim, 'other-instance-running', String(running));
    assert.equal(held.requests.length, 1);
    assert.equal(slept, 0);
  }
  // An older one that never lets go: given up after about a minute, not forever.
  const stuck = lock(Number.POSITIVE_INFINITY);
  let waited = 0;
  const claim = await claimSingleInstance(stuck, {
    version: '1.1.0',
    runningVersion: () => '1.0.0',
    sleep: async (ms) => {
      waited += ms;
    },
  });
  assert.equal(claim, 'other-instance-running');
  assert.ok(waited >= 45_000 && waited <= 90_000, `${waited} ms`);
});
