// Starts a benchmark server script (a data source, the bare echo server) as its own Node process
// through tsx and waits for the `port=N` line it prints once listening. The scope kills it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../test/helpers/processes.js';
import type { Scope } from './scope.js';

export async function startChildServer(
  scope: Scope,
  script: string,
  args: string[] = [],
  startTimeoutMs = 60_000,
): Promise<{ port: number; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  scope.after(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${startTimeoutMs} ms`)),
      startTimeoutMs,
    );
    let text = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      const match = /port=(\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}) before listening`));
    });
  });
  return { port, pid: child.pid as number };
}
