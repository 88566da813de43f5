// One environment (Demo or Production) inside the app: its own config file, token, connector,
// data directory and call history, per the platform's rule that the two never share a connector.
import { existsSync } from 'node:fs';
import type { EnvironmentStatus } from '../../shared/ipc/status.js';
import type { Environment } from '../../shared/protocol/index.js';
import { AuditCallHistory } from '../audit/audit-call-history.js';
import { ConfigError } from '../config/config-error.js';
import { type LoadedConfig, loadConfigFile } from '../config/load-config.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { ConnectorStatus } from '../core/session-state.js';
import { configuredSecrets } from '../logging/from-config.js';
import type { ProcessLogger } from '../logging/process-logger.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { type CallHistory, InMemoryCallHistory } from './call-history.js';
import type { SecretStore } from './secret-store.js';
import { configErrorWords, type EnvironmentPaths } from './setup-config.js';
import { bindingOf, startupRouteProblem } from './token-binding.js';

export type HistoryFactory = (environment: Environment, runtime: Runtime) => CallHistory;

export interface SlotOptions {
  environment: Environment;
  paths: EnvironmentPaths;
  secrets: SecretStore;
  logger?: Logger;
  historyFor?: HistoryFactory;
  /** How often data sources are pinged while running (status shows "patient system not reachable"). */
  sourceCheckMs: number;
  /** Keep the audit log (default true; the app always does). */
  audit?: boolean;
  onChange: () => void;
}

export class EnvironmentSlot {
  readonly environment: Environment;
  loaded: LoadedConfig | null = null;
  runtime: Runtime | null = null;
  history: CallHistory | null = null;
  paused = false;
  /** Why the connector could not start, in words. */
  startError: string | null = null;
  private attempt = 0;
  private since = new Date().toISOString();
  private sourceTimer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;

  constructor(private readonly options: SlotOptions) {
    this.environment = options.environment;
    this.logger = options.logger ?? silentLogger;
  }

  get configFile(): string {
    return this.options.paths.configFile;
  }

  get dir(): string {
    return this.options.paths.dir;
  }

  get configured(): boolean {
    return this.loaded !== null;
  }

  /** Loads the saved setup, if any, and starts the connector unless paused. */
  async init(paused: boolean): Promise<void> {
    this.paused = paused;
    if (!existsSync(this.configFile)) return;
    try {
      this.loaded = loadConfigFile(this.configFile);
    } catch (error) {
      this.fail(error);
      return;
    }
    const token = await this.options.secrets.read(this.environment).catch(() => null);
    if (!token) {
      this.startError = 'No connection token is saved. Choose Set up… and paste the token.';
      return;
    }
    // The config file may have been edited since the token was saved: the token goes nowhere new.
    const routeProblem = startupRouteProblem(this.dir, token, bindingOf(this.loaded.config));
    if (routeProblem) {
      this.startError = routeProblem;
      this.logger.warn('saved token not sent: the platform address, proxy or CA file changed since it was saved');
      return;
    }
    this.start(token);
  }

  /** Replaces the running connector with one built from a newly saved setup. */
  async apply(loaded: LoadedConfig, token: string): Promise<void> {
    await this.stopRuntime();
    this.loaded = loaded;
    this.startError = null;
    this.start(token);
  }

  private start(token: string): void {
    if (!this.loaded) return;
    this.maskSecrets(this.loaded, token);
    try {
      this.runtime = createRuntime(this.loaded, token, this.logger, { audit: this.options.audit ?? true });
    } catch (error) {
      this.fail(error);
      return;
    }
    const runtime = this.runtime;
    // The audit log answers "recent calls" when there is one; otherwise the connector's own events.
    this.history =
      this.options.historyFor?.(this.environment, runtime) ??
      (runtime.audit
        ? new AuditCallHistory(runtime.audit, this.environment)
        : new InMemoryCallHistory(runtime.connector, this.environment));
    runtime.connector.on('state', this.onState);
    // An audit problem (disk full, read-only) shows in the status view at once, not at the next
    // connector event.
    runtime.audit?.on('status', this.onAuditStatus);
    this.startError = null;
    if (!this.paused) this.resumeRuntime();
    this.options.onChange();
  }

  /**
   * The app's process logger is created before any setup is known, so the token and the secrets
   * the config references (passwords, client secrets, header values, the proxy's password) are
   * handed to it here, before the connector can log anything.
   */
  private maskSecrets(loaded: LoadedConfig, token: string): void {
    const logger = this.logger as Partial<Pick<ProcessLogger, 'addSecret'>>;
    if (typeof logger.addSecret !== 'function') return;
    const secrets = [token, ...configuredSecrets(loaded.config, loaded.dir)];
    const proxyPassword = proxyPasswordOf(loaded.config.proxy);
    if (proxyPassword) secrets.push(proxyPassword);
    for (const secret of secrets) if (secret) logger.addSecret(secret);
  }

  private fail(error: unknown): void {
    this.startError =
      error instanceof ConfigError
        ? configErrorWords(error).message
        : 'The connector could not start. Copy diagnostics and contact support.';
    if (!(error instanceof ConfigError)) {
      this.logger.error('connector could not start', { error: error instanceof Error ? error.name : typeof error });
    }
    this.options.onChange();
  }

  private readonly onAuditStatus = (): void => {
    this.options.onChange();
  };

  private readonly onState = (s: ConnectorStatus): void => {
    if (s.state === 'connecting') this.attempt++;
    if (s.state === 'connected') this.attempt = 0;
    this.options.onChange();
  };

  private resumeRuntime(): void {
    const runtime = this.runtime;
    if (!runtime) return;
    runtime.connector.start();
    this.sourceTimer ??= setInterval(() => void this.checkSources(), this.options.sourceCheckMs);
    this.sourceTimer.unref();
    void this.checkSources();
  }

  /** Pings the patient system and document store so that "not reachable" shows before a call fails. */
  async checkSources(): Promise<void> {
    const runtime = this.runtime;
    if (!runtime || this.paused) return;
    const ping = async (target: { ping(o: { signal: AbortSignal }): Promise<boolean> } | undefined) => {
      if (!target) return 'unconfigured' as const;
      try {
        return (await target.ping({ signal: AbortSignal.timeout(5_000) })) ? ('up' as const) : ('down' as const);
      } catch {
        return 'down' as const;
      }
    };
    const [lookup, store] = await Promise.all([ping(runtime.source), ping(runtime.store)]);
    if (runtime !== this.runtime) return;
    runtime.connector.setSourceState('patient.lookup', lookup);
    runtime.connector.setSourceState('consent.store', store);
  }

  async setPaused(paused: boolean): Promise<void> {
    if (paused === this.paused) return;
    this.paused = paused;
    this.since = new Date().toISOString();
    if (paused) {
      this.clearSourceTimer();
      await this.runtime?.connector.stop();
    } else {
      this.attempt = 0;
      this.resumeRuntime();
    }
    this.options.onChange();
  }

  reconnect(): void {
    if (this.paused || !this.runtime) return;
    const connector = this.runtime.connector;
    if (connector.status().state === 'stopped') connector.start();
    else connector.reconnectNow();
  }

  status(): EnvironmentStatus {
    const base = {
      environment: this.environment,
      configured: this.configured,
      paused: this.paused,
      latencyMs: null,
      platformUrl: this.loaded?.config.platformUrl ?? null,
      tenant: null,
      lastCloseCode: null,
      nextAttemptAt: null,
      attempt: 0,
      sources: {},
    };
    if (!this.configured) return { ...base, state: 'not_set_up', since: this.since, lastError: null };
    if (this.paused) return { ...base, state: 'paused', since: this.since, lastError: null };
    const s = this.runtime?.connector.status();
    if (!s) return { ...base, state: 'stopped', since: this.since, lastError: this.startError };
    return {
      ...base,
      state: s.state,
      since: s.since,
      latencyMs: s.latencyMs,
      tenant: s.tenant,
      lastError: s.lastError,
      lastCloseCode: s.lastCloseCode,
      nextAttemptAt: s.nextAttemptAt,
      attempt: this.attempt,
      sources: s.sources,
    };
  }

  private clearSourceTimer(): void {
    if (this.sourceTimer) clearInterval(this.sourceTimer);
    this.sourceTimer = null;
  }

  private async stopRuntime(): Promise<void> {
    this.clearSourceTimer();
    const runtime = this.runtime;
    this.runtime = null;
    this.history?.close();
    this.history = null;
    this.attempt = 0;
    if (runtime) {
      runtime.connector.off('state', this.onState);
      runtime.audit?.off('status', this.onAuditStatus);
      await runtime.shutdown();
    }
  }

  async close(): Promise<void> {
    await this.stopRuntime();
  }
}

function proxyPasswordOf(proxy: string | undefined): string | null {
  if (!proxy) return null;
  try {
    return decodeURIComponent(new URL(proxy).password) || null;
  } catch {
    return null;
  }
}
