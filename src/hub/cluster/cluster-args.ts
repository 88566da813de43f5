// `cloud-connector hub` options for cluster mode, checked before anything starts: --redis,
// --advertise, --cluster-secret-file, and the timings tests shorten (--lease-s, --not-ready-s,
// --goaway-spread-s). Every option but --redis needs --redis.
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../../main/cli/args.js';
import { type ClusterOptions, checkRedisUrl, MIN_CLUSTER_SECRET_LENGTH } from './cluster-options.js';

export const CLUSTER_ARG_OPTIONS = {
  redis: { type: 'string' },
  advertise: { type: 'string' },
  'cluster-secret-file': { type: 'string' },
  'lease-s': { type: 'string' },
  'not-ready-s': { type: 'string' },
  'goaway-spread-s': { type: 'string' },
} as const;

export const CLUSTER_USAGE =
  '[--redis redis://HOST:PORT[/DB] --cluster-secret-file FILE [--advertise URL] [--lease-s N] [--not-ready-s N] [--goaway-spread-s N]]';

type Values = Partial<Record<keyof typeof CLUSTER_ARG_OPTIONS, string>>;

export function clusterOptionsFromArgs(values: Values): ClusterOptions | undefined {
  if (values.redis === undefined) {
    const stray = Object.keys(CLUSTER_ARG_OPTIONS).find(
      (k) => k !== 'redis' && values[k as keyof Values] !== undefined,
    );
    if (stray) throw new UsageError(`--${stray} only applies with --redis.`);
    return undefined;
  }
  const urlProblem = checkRedisUrl(values.redis);
  if (urlProblem) throw new UsageError(urlProblem);
  const secretFile = values['cluster-secret-file'];
  if (!secretFile) throw new UsageError('--redis needs --cluster-secret-file (the secret every instance shares).');
  let secret: string;
  try {
    secret = readFileSync(secretFile, 'utf8').trim();
  } catch {
    throw new UsageError('--cluster-secret-file cannot be read.');
  }
  if (secret.length < MIN_CLUSTER_SECRET_LENGTH || /\s/.test(secret)) {
    throw new UsageError(`The cluster secret must be one line of at least ${MIN_CLUSTER_SECRET_LENGTH} characters.`);
  }
  if (process.platform !== 'win32' && (statSync(secretFile).mode & 0o077) !== 0) {
    throw new UsageError('--cluster-secret-file must be readable by its owner only (chmod 600).');
  }
  if (values.advertise !== undefined && !/^https?:\/\/[^/]+\/?$/i.test(values.advertise)) {
    throw new UsageError('--advertise must be an http:// or https:// URL of this instance (scheme, host, port).');
  }
  const seconds = (flag: keyof Values, min: number, max: number): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be ${min} to ${max} seconds.`);
    return Math.round(n * 1000);
  };
  const leaseMs = seconds('lease-s', 0.5, 300);
  const notReadyLeadMs = seconds('not-ready-s', 0, 300);
  const goawaySpreadMs = seconds('goaway-spread-s', 0, 300);
  return {
    redisUrl: values.redis,
    advertiseUrl: values.advertise?.replace(/\/$/, ''),
    secret,
    timings: {
      ...(leaseMs ? { leaseMs, pollMs: Math.min(500, Math.round(leaseMs / 6)) } : {}),
      ...(notReadyLeadMs !== undefined ? { notReadyLeadMs } : {}),
      ...(goawaySpreadMs !== undefined ? { goawaySpreadMs } : {}),
    },
  };
}
