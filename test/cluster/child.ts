// redis-server and haproxy as child processes of a test: their output captured line by line (to
// wait for "ready"), SIGKILL for the failure scenarios, and killed when the test ends.
import { spawn } from 'node:child_process';
import type { Afterable } from '../helpers/processes.js';

export interface ChildProcessHandle {
  readonly pid: number;
  readonly lines: string[];
  readonly hasExited: boolean;
  waitForLine(pattern: RegExp, options?: { timeoutMs?: number }): Promise<string>;
  killHard(): Promise<void>;
}

export function spawnProcess(t: Afterable, command: string, args: string[]): ChildProcessHandle {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  const lines: string[] = [];
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const handle: ChildProcessHandle = {
    pid: child.pid,
    lines,
    get hasExited() {
      return exited;
    },
    async waitForLine(pattern, { timeoutMs = 10_000 } = {}) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (exited) throw new Error(`${command} exited: ${lines.slice(-5).join(' / ')}`);
        if (Date.now() > until) throw new Error(`${command}: no line ${pattern}: ${lines.slice(-5).join(' / ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async killHard() {
      if (!exited) child.kill('SIGKILL');
      await exitedPromise;
    },
  };
  t.after(() => handle.killHard());
  return handle;
}
