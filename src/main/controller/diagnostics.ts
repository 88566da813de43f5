// "Copy diagnostics" for the support call: versions, states, latencies, recent error reasons and
// network checks. Built only from status fields and call metadata, so it cannot contain a token or
// a patient detail; the tests scan it for both anyway.
import { lookup } from 'node:dns/promises';
import os from 'node:os';
import type { AppStatus, CallRow } from '../../shared/ipc/status.js';
import { describeEnvironment, ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { isLoopbackHost, proxyFor } from '../core/transport.js';

export interface DiagnosticsInput {
  status: AppStatus;
  recentCalls: CallRow[];
  proxies: Partial<Record<string, string | undefined>>;
  versions: Record<string, string>;
  now?: Date;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

async function dnsCheck(host: string): Promise<string> {
  if (isLoopbackHost(host)) return 'this computer (loopback)';
  try {
    const found = await lookup(host);
    return `resolves (IPv${found.family})`;
  } catch (error) {
    return `does not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

export async function buildDiagnostics(input: DiagnosticsInput): Promise<string> {
  const now = input.now ?? new Date();
  const lines: string[] = ['Cloud Connector diagnostics', `time: ${now.toISOString()}`];
  for (const [name, version] of Object.entries(input.versions)) lines.push(`${name}: ${version}`);
  lines.push(`os: ${os.platform()} ${os.release()} ${os.arch()}`);
  for (const env of input.status.environments) {
    const words = describeEnvironment(env, now);
    lines.push('', `[${ENVIRONMENT_LABEL[env.environment]}]`);
    lines.push(`state: ${env.state} (${words.tone}) — ${words.short}`);
    if (!env.configured) continue;
    lines.push(`since: ${env.since}`);
    lines.push(`latency: ${env.latencyMs === null ? '-' : `${env.latencyMs} ms`}`);
    lines.push(`organisation: ${env.tenant ?? '-'}`);
    lines.push(`attempts since last connected: ${env.attempt}`);
    if (env.lastError) lines.push(`last error: ${env.lastError}`);
    if (env.lastCloseCode !== null) lines.push(`last close code: ${env.lastCloseCode}`);
    lines.push(
      `sources: ${
        Object.entries(env.sources)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || '-'
      }`,
    );
    const host = hostOf(env.platformUrl);
    if (host) {
      lines.push(`platform host: ${host}`);
      lines.push(`dns: ${await dnsCheck(host)}`);
      // proxyFor knows that a platform on this computer is never reached through a proxy.
      const proxy = env.platformUrl ? proxyFor(env.platformUrl, input.proxies[env.environment]) : null;
      lines.push(`proxy: ${proxy ? redactProxy(proxy) : 'none'}`);
    }
  }
  const reasons = new Map<string, number>();
  for (const call of input.recentCalls) {
    if (call.outcome === 'error')
      reasons.set(
        `${call.method} ${call.reason ?? 'error'}`,
        (reasons.get(`${call.method} ${call.reason ?? 'error'}`) ?? 0) + 1,
      );
  }
  lines.push('', '[Recent errors]');
  if (reasons.size === 0) lines.push('none');
  for (const [reason, n] of reasons) lines.push(`${reason}: ${n}`);
  lines.push('', '[Warnings]');
  if (input.status.warnings.length === 0) lines.push('none');
  for (const w of input.status.warnings) lines.push(`${w.code}: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

/** Proxy URLs can carry a user name and password: keep only scheme, host and port. */
function redactProxy(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(set)';
  }
}
