import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '..', '..');

test('npm run preview serves the real UI, bridged to a real controller and hub', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/preview.ts', '--port', '0', '--dir', dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no preview URL; output:\n${out}`)), 45_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Cloud Connector preview: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`preview exited with ${code}:\n${out}`)));
  });
  assert.match(
    out,
    /Demo token: +cc_demo_[A-Za-z0-9_-]+@ws:\/\/127\.0\.0\.1:\d+\n/,
    'it prints a token to paste, with its platform address',
  );

  const served = await fetch(url);
  const page = await served.text();
  assert.match(page, /<script src="bridge-client.js"><\/script>\s*<script src="renderer.js">/);
  const cookie = (served.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const origin = url.replace(/\/$/, '');
  const reply = await (
    await fetch(`${origin}/ipc/status.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, cookie },
      body: '{}',
    })
  ).json();
  assert.equal(reply.ok, true);
  assert.deepEqual(
    reply.value.environments.map((e: { state: string }) => e.state),
    ['not_set_up', 'not_set_up'],
  );
  const stopped = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // On Windows a signal ends the process outright, so only POSIX can show the clean exit code.
  const code = await stopped;
  if (process.platform !== 'win32') assert.equal(code, 0, 'stops cleanly');
});
