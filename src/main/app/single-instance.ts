// One app per user, and upgrades that take over: a newly installed version starting while the old
// one runs asks it (through the single-instance lock's additionalData) to drain and exit, then
// retries the lock until it is free. The running instance writes its version beside the set-up so
// that a second instance knows whether waiting is worth it; a same or older version only brings the
// running one forward and quits. Electron-free, so that tests drive it with a fake lock.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface InstanceLock {
  /** app.requestSingleInstanceLock(additionalData) */
  request(data: { version: string; takeover?: true }): boolean;
}

/** What a second instance hands the running one (app 'second-instance' additionalData). */
export const secondInstanceDataSchema = z
  .object({
    version: z.string().max(64),
    /** The app started again elevated (for the set-up of the service): the running one hands over. */
    takeover: z.literal(true).optional(),
  })
  .loose();

/** Retry delays while an older running instance drains (its grace period for calls is 30 s). */
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1_600, ...Array<number>(30).fill(2_000)];

export type Claim = 'primary' | 'handed-over' | 'other-instance-running';

/**
 * Takes the lock: at once, or after an older running instance has handed over. `sleep` is
 * injectable for tests.
 */
export async function claimSingleInstance(
  lock: InstanceLock,
  options: {
    version: string;
    runningVersion: () => string | null;
    sleep?: (ms: number) => Promise<void>;
    /** Started elevated by the running instance: it hands over whatever its version. */
    takeover?: boolean;
  },
): Promise<Claim> {
  const data = options.takeover ? { version: options.version, takeover: true as const } : { version: options.version };
  if (lock.request(data)) return 'primary';
  const running = options.runningVersion();
  if (!options.takeover && (running === null || !isNewerVersion(options.version, running)))
    return 'other-instance-running';
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  for (const delay of RETRY_DELAYS_MS) {
    await sleep(delay);
    if (lock.request(data)) return 'handed-over';
  }
  return 'other-instance-running';
}

/** Whether `candidate` is a later release than `running` (x.y.z, a pre-release before its release). */
export function isNewerVersion(candidate: string, running: string): boolean {
  const parse = (v: string) => {
    const [core = '', pre = ''] = v.trim().replace(/^v/, '').split('-', 2);
    const parts = core.split('.').map((n) => Number.parseInt(n, 10) || 0);
    return { parts: [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0], pre };
  };
  const a = parse(candidate);
  const b = parse(running);
  for (let i = 0; i < 3; i++) {
    if ((a.parts[i] as number) !== (b.parts[i] as number)) return (a.parts[i] as number) > (b.parts[i] as number);
  }
  if (a.pre === b.pre) return false;
  if (a.pre === '') return true; // 1.2.0 is newer than 1.2.0-beta.1
  if (b.pre === '') return false;
  return a.pre.localeCompare(b.pre, 'en', { numeric: true }) > 0;
}

/** The running instance's version, beside its set-up. */
export class RunningInstanceFile {
  private readonly file: string;
  constructor(dir: string) {
    this.file = path.join(dir, 'running-instance.json');
  }
  read(): string | null {
    try {
      const parsed = z.object({ version: z.string().max(64) }).safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.version : null;
    } catch {
      return null;
    }
  }
  write(version: string): void {
    writeFileSync(this.file, `${JSON.stringify({ version })}\n`);
  }
  remove(): void {
    rmSync(this.file, { force: true });
  }
}
