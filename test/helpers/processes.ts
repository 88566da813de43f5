// Runs the hub and the connector as real child processes through the CLI, the way an operator
// does: waits for their log lines, kills them with SIGKILL, and reads their memory from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken } from '../../src/hub/tokens-file.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI_SOURCE = path.join(REPO_ROOT, 'src/main/cli.ts');
const CLI_BUILT = path.join(REPO_ROOT, 'dist/cli.js');

/** `tsx`: the TypeScript sources (always current). `dist`: the esbuild bundle `npm run build` makes. */
export type CliRunner = 'tsx' | 'dist';

/** Registers clean-up, like a TestContext's `after`. */
export interface Afterable {
  after(fn: () => unknown): void;
}

export interface LogLine {
  text: string;
  /** performance.now() in this process when the line arrived. */
  at: number;
}

export interface ChildHandle {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly hasExited: boolean;
  /** Resolves with the first line at index ≥ `from` that matches, waiting up to `timeoutMs`. */
  waitForLine(pattern: RegExp, options?: { timeoutMs?: number; from?: number }): Promise<LogLine>;
  /** SIGKILL (kill -9) and wait for the exit. */
  killHard(): Promise<void>;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
  /** Resident set size now (VmRSS), in KiB; null once the process is gone. */
  rssKb(): number | null;
  /** Peak resident set size (VmHWM), in KiB. */
  peakRssKb(): number | null;
}

export function cliCommand(runner: CliRunner): string[] {
  if (runner === 'dist') {
    if (!existsSync(CLI_BUILT)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    return [CLI_BUILT];
  }
  return ['--import', 'tsx', CLI_SOURCE];
}

export function spawnCli(
  owner: Afterable,
  args: string[],
  options: { runner?: CliRunner; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): ChildHandle {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...cliCommand(options.runner ?? 'tsx'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error('the child process did not start');
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let exited = false;
  const onText = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      const at = performance.now();
      for (const text of parts) lines.push({ text, at });
      for (const w of [...waiters]) w();
    });
  };
  onText(child.stdout as NodeJS.ReadableStream);
  onText(child.stderr as NodeJS.ReadableStream);
  const exitedPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const w of [...waiters]) w();
      resolve({ code, signal });
    });
  });

  const pid = child.pid;
  const handle: ChildHandle = {
    child,
    pid,
    lines,
    exited: exitedPromise,
    get hasExited() {
      return exited;
    },
    waitForLine(pattern, { timeoutMs = 15_000, from = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < lines.length; i++) {
            const line = lines[i] as LogLine;
            if (pattern.test(line.text)) {
              done();
              resolve(line);
              return;
            }
          }
          if (exited) {
            done();
            reject(new Error(`process exited before logging ${pattern}; last lines:\n${tail(lines)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; last lines:\n${tail(lines)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async killHard() {
      if (!exited) child.kill('SIGKILL');
      await exitedPromise;
    },
    async stop(graceMs = 5_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
    rssKb: () => procStatusKb(pid, 'VmRSS'),
    peakRssKb: () => procStatusKb(pid, 'VmHWM'),
  };
  owner.after(() => handle.killHard());
  return handle;
}

function tail(lines: LogLine[]): string {
  return lines
    .slice(-8)
    .map((l) => `  ${l.text}`)
    .join('\n');
}

/** A field of /proc/<pid>/status in KiB (Linux only). */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export interface HubProcess {
  handle: ChildHandle;
  port: number;
  wsUrl: string;
  httpUrl: string;
  apiKey: string;
  tokensFile: string;
}

/** Starts `cloud-connector hub` and waits until it listens. Pass `port` to restart on the same one. */
export async function startHubProcess(
  owner: Afterable,
  options: { dir: string; port?: number; apiKey?: string; runner?: CliRunner; timeoutMs?: number },
): Promise<HubProcess> {
  const apiKey = options.apiKey ?? 'fault-api-key-0123456789';
  const keyFile = path.join(options.dir, 'api-key');
  const tokensFile = path.join(options.dir, 'tokens.jsonl');
  writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600 });
  if (!existsSync(tokensFile)) writeFileSync(tokensFile, '', { mode: 0o600 });
  const args = ['hub', '--port', String(options.port ?? 0), '--host', '127.0.0.1'];
  args.push('--tokens', tokensFile, '--api-key-file', keyFile);
  const handle = spawnCli(owner, args, { runner: options.runner });
  const line = await handle.waitForLine(/hub listening/, { timeoutMs: options.timeoutMs ?? 20_000 });
  const httpUrl = /api=(\S+)/.exec(line.text)?.[1];
  const wsUrl = /connectors=(\S+)/.exec(line.text)?.[1];
  if (!httpUrl || !wsUrl) throw new Error(`unexpected hub log line: ${line.text}`);
  return { handle, port: Number(new URL(httpUrl).port), wsUrl, httpUrl, apiKey, tokensFile };
}

export function mintToken(tokensFile: string, tenant = 'acme', environment: 'demo' | 'production' = 'demo'): string {
  return createToken({ tokensFile, tenant, environment });
}

export interface ConnectorProcess {
  handle: ChildHandle;
  configFile: string;
  /** Resolves at the next `state connected` line logged after line index `from`. */
  waitConnected(options?: { timeoutMs?: number; from?: number }): Promise<LogLine>;
}

/**
 * Writes a config and a token file into `dir` and starts `cloud-connector run`. `config` is merged
 * over `{environment: 'demo', patientLookup: {type: 'demo'}}`; it needs at least `platformUrl`.
 */
export function startConnectorProcess(
  owner: Afterable,
  options: { dir: string; token: string; config: Record<string, unknown>; runner?: CliRunner; nodeArgs?: string[] },
): ConnectorProcess {
  const tokenFile = path.join(options.dir, 'token');
  writeFileSync(tokenFile, `${options.token}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
  const configFile = path.join(options.dir, 'connector.json');
  const config = { environment: 'demo', patientLookup: { type: 'demo' }, tokenFile, ...options.config };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const handle = spawnCli(owner, ['run', '--config', configFile], {
    runner: options.runner,
    nodeArgs: options.nodeArgs,
    env: { CONNECTOR_TOKEN: '' },
  });
  return {
    handle,
    configFile,
    waitConnected: ({ timeoutMs = 20_000, from = 0 } = {}) =>
      handle.waitForLine(/\bstate connected\b/, { timeoutMs, from }),
  };
}
