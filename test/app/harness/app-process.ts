// Runs the packaged main bundle (dist/main/app.cjs in a staged layout) in a child Node process
// whose `electron` is the recording stand-in (electron-hook.cjs), and drives it: waits for calls,
// emits events, invokes IPC the way a page would, and reads the app's log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';

const HOOK = path.join(import.meta.dirname, 'electron-hook.cjs');

export interface ElectronCall {
  target: string;
  method: string;
  args: any[];
  at: number;
}

export interface AppFolders {
  /** What app.getPath('userData') answers: on Windows the roaming profile folder. */
  userData: string;
  /** %LOCALAPPDATA% on Windows: the app keeps its set-up, token, audit log and logs under it. */
  localAppData: string;
}

export interface AppProcess {
  readonly child: ChildProcess;
  readonly calls: ElectronCall[];
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly hasExited: boolean;
  /** The page address of the app's own window (the only sender IPC accepts). */
  readonly pageUrl: string;
  waitForCall(match: (call: ElectronCall) => boolean, what: string, timeoutMs?: number): Promise<ElectronCall>;
  command<T = any>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  invoke(channel: string, input: unknown, url?: string): Promise<any>;
  kill(): Promise<void>;
}

export function launchApp(
  t: Pick<TestContext, 'after'>,
  options: {
    appDir: string;
    folders: AppFolders;
    env?: NodeJS.ProcessEnv;
  },
): AppProcess {
  const main = path.join(options.appDir, 'dist', 'main', 'app.cjs');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...options.env };
  env.FAKE_ELECTRON_USER_DATA = options.folders.userData;
  env.LOCALAPPDATA = options.folders.localAppData;
  for (const key of ['CC_PLATFORM_URL_DEMO', 'CC_PLATFORM_URL_PRODUCTION', 'HTTPS_PROXY', 'https_proxy']) {
    if (!options.env || !(key in options.env)) delete env[key];
  }
  const child = spawn(process.execPath, ['--require', HOOK, main], {
    cwd: options.appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const calls: ElectronCall[] = [];
  const output: string[] = [];
  const waiters = new Set<() => void>();
  const replies = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  child.on('message', (message: any) => {
    if (message?.type === 'call') {
      calls.push(message as ElectronCall);
      wake();
    } else if (message?.type === 'reply') {
      const waiting = replies.get(message.id);
      replies.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.value);
    }
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      output.push(...chunk.split('\n').filter(Boolean));
      wake();
    });
  }
  const exitedPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const r of replies.values()) r.reject(new Error('the app exited'));
      replies.clear();
      wake();
      resolve({ code, signal });
    });
  });

  const handle: AppProcess = {
    child,
    calls,
    output,
    exited: exitedPromise,
    get hasExited() {
      return exited;
    },
    pageUrl: pathToFileURL(path.join(options.appDir, 'dist', 'renderer', 'index.html')).href,
    waitForCall(match, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = calls.find(match);
          if (found) {
            done();
            resolve(found);
          } else if (exited) {
            done();
            reject(new Error(`the app exited before ${what}; output:\n${output.slice(-15).join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${what}; output:\n${output.slice(-15).join('\n')}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    command(cmd, args = {}) {
      if (exited) return Promise.reject(new Error('the app has exited'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          replies.delete(id);
          reject(new Error(`no answer to ${cmd}; output:\n${output.slice(-15).join('\n')}`));
        }, 20_000);
        const settle =
          <A>(fn: (a: A) => void) =>
          (a: A) => {
            clearTimeout(timer);
            fn(a);
          };
        replies.set(id, { resolve: settle(resolve), reject: settle(reject) });
        child.send({ id, cmd, args });
      });
    },
    async invoke(channel, input, url = handle.pageUrl) {
      const answer = await handle.command<{ reply?: any; noHandler?: boolean }>('ipc.invoke', { channel, input, url });
      if (answer.noHandler) throw new Error(`no IPC handler for ${channel}`);
      return answer.reply;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exitedPromise;
    },
  };
  t.after(() => handle.kill());
  return handle;
}

/** Waits until `check` holds, polling; for state the app reports through IPC. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
