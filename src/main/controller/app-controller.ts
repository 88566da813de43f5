// The headless controller: both environments side by side, and the IPC handler map. Electron's
// main process and the preview bridge both host exactly this object, so the UI tests drive the
// same code a clinic runs.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { ConnectorConfig } from '../../shared/config/schema.js';
import { consentStoreConfigSchema, patientLookupConfigSchema } from '../../shared/config/sources.js';
import type { ChannelOutputs, IpcHandlers, ParsedInput, SaveResult, SetupView } from '../../shared/ipc/channels.js';
import { IpcUserError } from '../../shared/ipc/dispatch.js';
import type { AppStatus, CallRow, Warning } from '../../shared/ipc/status.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { isPlaceholderAddress, maskToken, type ParsedToken, parsePastedToken } from '../../shared/ipc/token-format.js';
import { ENVIRONMENTS, type Environment } from '../../shared/protocol/index.js';
import { ConfigError } from '../config/config-error.js';
import { describeConfigIssues, resolveConfig } from '../config/load-config.js';
import { PROXY_PASSWORD_SECRET, proxyWithPassword, splitProxyPassword } from '../config/proxy-password.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { registerStoredSecrets } from '../integrations/common/stored-secret.js';
import { CONNECTOR_VERSION } from '../version.js';
import { readAppState, writeAppState } from './app-state-file.js';
import { countCalls } from './call-history.js';
import { buildDiagnostics } from './diagnostics.js';
import { EnvironmentSlot, type HistoryFactory } from './environment-slot.js';
import { integrationProblem } from './integration-check.js';
import { type SecretStore, SecretStoreError } from './secret-store.js';
import {
  availableKinds,
  configErrorWords,
  configFromSetup,
  defaultNetwork,
  environmentPaths,
  setupFromConfig,
  writeConfigFile,
} from './setup-config.js';
import { sqlColumns } from './sql-columns.js';
import {
  bindingChanges,
  bindingChangeWords,
  bindingFile,
  bindingOf,
  readBinding,
  TAMPERED_WORDS,
  writeBinding,
} from './token-binding.js';
import { destinationFor, pastedTokenProblem } from './token-destination.js';
import { tryLookup } from './try-lookup.js';
import { tryPlatform } from './try-platform.js';
import { tryStore } from './try-store.js';
import { PendingSecrets, sectionSecrets, storedNames, withSecretRefs } from './wizard-secrets.js';

export interface LoginItem {
  get(): boolean;
  set(enabled: boolean): void;
}

export interface ControllerOptions {
  /** Holds <environment>/connector.json, data folders and app-state.json. */
  baseDir: string;
  secrets: SecretStore;
  /**
   * The platform address each environment starts from in the wizard: the vendor's build-time
   * address, or null when there is none (the token must then bring its address, or the person
   * types it). A placeholder address counts as none.
   */
  platformUrls: Record<Environment, string | null>;
  logsDir: string;
  logger?: Logger;
  /** Electron: app.setLoginItemSettings. Headless: remembered in app-state.json only. */
  loginItem?: LoginItem;
  openPath?: (dir: string) => Promise<void>;
  writeClipboard?: (text: string) => void;
  historyFor?: HistoryFactory;
  /** Extra config keys written with a new setup (tests and the preview use short timers). */
  configExtras?: Record<string, unknown>;
  sourceCheckMs?: number;
  versions?: Record<string, string>;
  /** The wizard's test connection timeout. */
  probeTimeoutMs?: number;
  /** The app's folder and certificate-file pickers (Electron's dialog); absent in the preview (text fields only). */
  pickPath?: (kind: 'folder' | 'certificate') => Promise<string | null>;
}

/** Production first: it is the one that matters when both are set up. */
const ORDER: Environment[] = ['production', 'demo'];

export class AppController extends EventEmitter<{ status: [AppStatus] }> {
  private readonly slots = new Map<Environment, EnvironmentSlot>();
  private readonly logger: Logger;
  private emitQueued = false;
  private closed = false;
  private readonly pending = new PendingSecrets();
  /**
   * Saved wizard secrets, read from the secret store ahead of use: the store may only decrypt
   * asynchronously (Electron 45's safeStorage), while drivers read their secrets as they are built.
   */
  private readonly saved = new Map<Environment, Map<string, string>>();
  private readonly unregister: Array<() => void> = [];
  readonly handlers: IpcHandlers;

  private constructor(private readonly options: ControllerOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
    for (const environment of ENVIRONMENTS) {
      this.slots.set(
        environment,
        new EnvironmentSlot({
          environment,
          paths: environmentPaths(options.baseDir, environment),
          secrets: options.secrets,
          logger: this.logger,
          historyFor: options.historyFor,
          sourceCheckMs: options.sourceCheckMs ?? 30_000,
          onChange: () => this.queueEmit(),
        }),
      );
      // {"stored": name} in this environment's connector.json: a secret being tested, else the saved one.
      this.unregister.push(
        registerStoredSecrets(
          environmentPaths(options.baseDir, environment).dir,
          (name) => this.pending.read(environment, name) ?? this.saved.get(environment)?.get(name) ?? null,
        ),
      );
    }
    this.handlers = this.buildHandlers();
  }

  static async create(options: ControllerOptions): Promise<AppController> {
    const controller = new AppController(options);
    const state = readAppState(options.baseDir);
    await Promise.all(
      ENVIRONMENTS.map((env) => controller.loadSavedSecrets(env, savedConfigJson(options.baseDir, env))),
    );
    await Promise.all(ENVIRONMENTS.map((env) => controller.slot(env).init(state.paused[env])));
    return controller;
  }

  /** Reads the saved secrets a config refers to into memory (see `saved`). */
  private async loadSavedSecrets(environment: Environment, config: unknown): Promise<void> {
    const cache = this.saved.get(environment) ?? new Map<string, string>();
    this.saved.set(environment, cache);
    for (const name of storedNames(config)) {
      if (cache.has(name)) continue;
      const value = await this.options.secrets.readNamed(environment, name).catch(() => null);
      if (value !== null) cache.set(name, value);
    }
  }

  private slot(environment: Environment): EnvironmentSlot {
    return this.slots.get(environment) as EnvironmentSlot;
  }

  private get startAtLogin(): boolean {
    return this.options.loginItem?.get() ?? readAppState(this.options.baseDir).startAtLogin;
  }

  /** Coalesces bursts of connector events into one status message per tick. */
  private queueEmit(): void {
    if (this.emitQueued || this.closed) return;
    this.emitQueued = true;
    setImmediate(() => {
      this.emitQueued = false;
      if (!this.closed) this.emit('status', this.status());
    });
  }

  status(): AppStatus {
    const warnings: Warning[] = [];
    for (const env of ORDER) {
      const slot = this.slot(env);
      const name = ENVIRONMENT_LABEL[env];
      if (slot.configured && slot.startError) {
        warnings.push({
          code: 'start_failed',
          environment: env,
          message: `${name} could not start: ${slot.startError}`,
          fix: 'Choose Set up… to correct the setup.',
        });
      }
      const audit = slot.history?.warning();
      if (audit) warnings.push({ code: 'audit_unwritable', environment: env, ...audit });
      const s = slot.runtime?.connector.status();
      if (s && !slot.paused && s.sources['patient.lookup'] === 'down') {
        warnings.push({
          code: 'source_down',
          environment: env,
          message: `${name}: the patient system is not answering.`,
          fix: 'Check that the patient system is running and reachable from this computer.',
        });
      }
      if (s && !slot.paused && s.sources['consent.store'] === 'down') {
        warnings.push({
          code: 'store_down',
          environment: env,
          message: `${name}: the document store is not answering.`,
          fix: 'Check that the folder or server for consent documents is available.',
        });
      }
    }
    return {
      version: CONNECTOR_VERSION,
      environments: ORDER.map((env) => this.slot(env).status()),
      warnings,
      startAtLogin: this.startAtLogin,
    };
  }

  async setPaused(environment: Environment | undefined, paused: boolean): Promise<void> {
    const targets = environment ? [environment] : ENVIRONMENTS.filter((e) => this.slot(e).configured);
    const state = readAppState(this.options.baseDir);
    for (const env of targets) state.paused[env] = paused;
    writeAppState(this.options.baseDir, state);
    await Promise.all(targets.map((env) => this.slot(env).setPaused(paused)));
  }

  reconnect(environment?: Environment): void {
    for (const env of environment ? [environment] : ENVIRONMENTS) this.slot(env).reconnect();
  }

  setStartAtLogin(enabled: boolean): void {
    this.options.loginItem?.set(enabled);
    const state = readAppState(this.options.baseDir);
    state.startAtLogin = enabled;
    writeAppState(this.options.baseDir, state);
    this.queueEmit();
  }

  recentCalls(environment: Environment | undefined, limit: number): CallRow[] {
    const rows = (environment ? [environment] : ENVIRONMENTS).flatMap(
      (env) => this.slot(env).history?.recentCalls(limit) ?? [],
    );
    return rows
      .filter((r) => r.method !== 'connector.info')
      .sort((a, b) => b.time.localeCompare(a.time))
      .slice(0, limit);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots.values()].map((s) => s.close()));
    for (const unregister of this.unregister.splice(0)) unregister();
  }

  private existingConfig(environment: Environment): ConnectorConfig | null {
    return this.slot(environment).loaded?.config ?? null;
  }

  /** The saved config with the proxy password put back, so that a placeholder typed back can be restored. */
  private existingWithProxyPassword(environment: Environment): ConnectorConfig | null {
    const existing = this.existingConfig(environment);
    if (!existing?.proxyPassword) return existing;
    try {
      return {
        ...existing,
        proxy: proxyWithPassword(existing.proxy, existing.proxyPassword, this.slot(environment).dir),
      };
    } catch {
      return existing; // not readable any more: the person is asked to type it again
    }
  }

  private async savedToken(environment: Environment): Promise<string | null> {
    return this.options.secrets.read(environment).catch(() => null);
  }

  /**
   * The saved token is only ever sent the way it was saved: the same platform address, proxy and
   * CA file. With no token pasted and any of them changed (a typo, or something planted), the
   * person pastes the token again or confirms the change explicitly. Null when the token may go.
   */
  private savedTokenRouteProblem(
    environment: Environment,
    token: string,
    config: ConnectorConfig,
    confirmed: boolean,
  ): string | null {
    const slot = this.slot(environment);
    const proposed = bindingOf(config);
    const saved = readBinding(bindingFile(slot.dir), token);
    if (saved === 'tampered') return confirmed ? null : TAMPERED_WORDS;
    // A set-up saved before routes were recorded: the saved config is what the token was saved with.
    const existing = this.existingConfig(environment);
    const route = saved === 'missing' ? (existing ? bindingOf(existing) : null) : saved;
    if (!route) return PASTE_AGAIN;
    const changes = bindingChanges(route, proposed);
    return changes.length === 0 || confirmed ? null : bindingChangeWords(changes);
  }

  /** The pasted token, parsed; null when nothing was pasted (the saved token is meant). */
  private pasted(token: string | undefined): ParsedToken | null {
    return token?.trim() ? parsePastedToken(token) : null;
  }

  private buildHandlers(): IpcHandlers {
    return {
      'status.get': async () => this.status(),
      'setup.get': (input) => this.getSetup(input.environment),
      'setup.save': (input) => this.saveSetup(input),
      'setup.testPlatform': (input) => this.testPlatform(input),
      'setup.testLookup': (input) => this.testLookup(input),
      'setup.testStore': (input) => this.testStore(input),
      'setup.sqlColumns': async (input) => {
        await this.loadSavedSecrets(input.environment, input.patientLookup);
        return this.pending.with(input.environment, input.secrets, () =>
          sqlColumns(withSecretRefs('patientLookup', input.patientLookup, input.secrets), input.identifier, {
            configDir: this.slot(input.environment).dir,
            genderColumn: input.genderColumn,
          }),
        );
      },
      'app.pickPath': async (input) => ({ path: (await this.options.pickPath?.(input.kind)) ?? null }),
      'status.day': async (input) => {
        const hours = this.slot(input.environment).history?.day(new Date()) ?? null;
        return { environment: input.environment, available: hours !== null, hours: hours ?? [] };
      },
      'calls.recent': async (input) => {
        const midnight = new Date();
        midnight.setHours(0, 0, 0, 0);
        const envs = input.environment ? [input.environment] : ENVIRONMENTS;
        const perEnv = envs.map((env) => this.slot(env).history?.countsSince(midnight) ?? countCalls([]));
        const counts = perEnv.reduce((a, b) => ({
          lookups: a.lookups + b.lookups,
          documents: a.documents + b.documents,
          errors: a.errors + b.errors,
        }));
        return { calls: this.recentCalls(input.environment, input.limit), counts };
      },
      'app.openLogs': async () => {
        await this.options.openPath?.(this.options.logsDir);
        return { path: this.options.logsDir };
      },
      'connector.reconnect': async (input) => {
        this.reconnect(input.environment);
        return { ok: true };
      },
      'connector.setPaused': async (input) => {
        await this.setPaused(input.environment, input.paused);
        return { ok: true };
      },
      'diagnostics.copy': async () => {
        const status = this.status();
        const text = await buildDiagnostics({
          status,
          recentCalls: this.recentCalls(undefined, 50),
          proxies: Object.fromEntries(ENVIRONMENTS.map((e) => [e, this.existingConfig(e)?.proxy])),
          versions: {
            'Cloud Connector': CONNECTOR_VERSION,
            node: process.versions.node,
            ...(this.options.versions ?? {}),
          },
        });
        this.options.writeClipboard?.(text);
        return { text };
      },
    };
  }

  private async getSetup(environment: Environment): Promise<SetupView> {
    const existing = this.existingConfig(environment);
    const token = await this.savedToken(environment);
    const fromConfig = existing ? setupFromConfig(existing) : null;
    return {
      environment,
      exists: existing !== null,
      token: { saved: token !== null, masked: token ? maskToken(token) : null },
      network: fromConfig?.network ?? defaultNetwork(this.defaultPlatformUrl(environment)),
      patientLookup: fromConfig?.patientLookup ?? null,
      consentStore: fromConfig?.consentStore ?? null,
      startAtLogin: this.startAtLogin,
      available: availableKinds(),
      secretStorage: this.options.secrets.description,
      canPickPaths: this.options.pickPath !== undefined,
    };
  }

  /** The built-in address for this environment, unless it is only a placeholder. */
  private defaultPlatformUrl(environment: Environment): string {
    const url = this.options.platformUrls[environment];
    return url && !isPlaceholderAddress(url) ? url : '';
  }

  private async saveSetup(input: ParsedInput<'setup.save'>): Promise<SaveResult> {
    const { environment } = input;
    const slot = this.slot(environment);
    const pasted = this.pasted(input.token);
    if (pasted) {
      const problem = pastedTokenProblem(pasted, environment);
      if (problem) return { ok: false, field: 'token', message: problem };
    }
    const token = pasted?.ok ? pasted.token : await this.savedToken(environment);
    if (!token) return { ok: false, field: 'token', message: 'Paste the connection token first.' };
    const destination = destinationFor(input.network, pasted?.ok ? pasted.address : null);
    if (!destination.ok) return destination;
    let config: ConnectorConfig;
    const withRefs = {
      ...input,
      patientLookup: input.patientLookup && withSecretRefs('patientLookup', input.patientLookup, input.secrets),
      consentStore: input.consentStore && withSecretRefs('consentStore', input.consentStore, input.secrets),
    };
    try {
      config = configFromSetup(
        { ...withRefs, network: destination.network },
        this.existingWithProxyPassword(environment),
        this.options.configExtras,
      );
    } catch (error) {
      if (error instanceof ConfigError) return { ok: false, ...configErrorWords(error) };
      throw error;
    }
    if (!pasted) {
      // The route binds the proxy without its credentials, so the password kept apart below changes nothing here.
      const problem = this.savedTokenRouteProblem(environment, token, config, input.confirmTokenDestination === true);
      if (problem) return { ok: false, field: 'token', message: problem };
    }
    // The proxy password is stored like the token; connector.json names it, never holds it.
    const proxy = config.proxy ? splitProxyPassword(config.proxy) : null;
    const secrets = { ...input.secrets, ...(proxy?.password ? { [PROXY_PASSWORD_SECRET]: proxy.password } : {}) };
    if (proxy?.password) config = { ...config, proxy: proxy.proxy, proxyPassword: { stored: PROXY_PASSWORD_SECRET } };
    const loaded = resolveConfig(config, slot.configFile);
    await this.loadSavedSecrets(environment, config);
    const problem = await this.pending.with(environment, secrets, () =>
      integrationProblem(config, loaded.dir, loaded.dataDir),
    );
    if (problem) return { ok: false, ...problem };
    try {
      if (pasted) await this.options.secrets.write(environment, token);
      // Only for a section that is kept: a secret of a kind the person switched away from is dropped.
      for (const section of ['patientLookup', 'consentStore'] as const) {
        if (!withRefs[section]) continue;
        for (const [, name, value] of sectionSecrets(input.secrets, section)) {
          await this.options.secrets.writeNamed(environment, name, value);
        }
      }
      if (proxy?.password) await this.options.secrets.writeNamed(environment, PROXY_PASSWORD_SECRET, proxy.password);
      for (const [name, value] of Object.entries(secrets)) this.saved.get(environment)?.set(name, value);
    } catch (error) {
      if (error instanceof SecretStoreError) return { ok: false, field: 'token', message: error.message };
      throw error;
    }
    writeBinding(bindingFile(slot.dir), token, bindingOf(config));
    writeConfigFile(slot.configFile, config);
    this.setStartAtLogin(input.startAtLogin);
    if (slot.paused) await this.setPaused(environment, false);
    await slot.apply(loaded, token);
    this.logger.info('setup saved', { environment });
    return { ok: true, field: null, message: `${ENVIRONMENT_LABEL[environment]} is set up and starting.` };
  }

  private async testPlatform(input: ParsedInput<'setup.testPlatform'>): Promise<ChannelOutputs['setup.testPlatform']> {
    const { environment } = input;
    const refuse = (message: string, host = '') => ({
      outcome: 'invalid' as const,
      message,
      detail: 'checked on this computer; nothing was sent',
      host,
      tenant: null,
      latencyMs: null,
    });
    const pasted = this.pasted(input.token);
    if (pasted && !pasted.ok) return refuse(pastedTokenProblem(pasted, environment) as string);
    // A token for the other environment goes on to tryPlatform, which says so (and sends nothing).
    const token = pasted?.ok ? pasted.token : await this.savedToken(environment);
    const destination = destinationFor(input.network, pasted?.ok ? pasted.address : null);
    if (!destination.ok) return refuse(destination.message);
    let config: ConnectorConfig;
    try {
      config = configFromSetup(
        { environment, network: destination.network, patientLookup: null, consentStore: null },
        this.existingWithProxyPassword(environment),
        this.options.configExtras,
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return {
        outcome: 'invalid',
        message: `Check the network settings: ${configErrorWords(error).message}`,
        detail: '',
        host: '',
        tenant: null,
        latencyMs: null,
      };
    }
    if (!token) return refuse('Paste the connection token first.');
    if (!pasted) {
      const problem = this.savedTokenRouteProblem(environment, token, config, input.confirmTokenDestination === true);
      if (problem) return refuse(problem);
    }
    return tryPlatform(config, this.slot(environment).configFile, token, this.options.probeTimeoutMs);
  }

  private async testLookup(input: ParsedInput<'setup.testLookup'>): Promise<ChannelOutputs['setup.testLookup']> {
    const config = withSecretRefs('patientLookup', input.patientLookup, input.secrets);
    await this.loadSavedSecrets(input.environment, config);
    const parsed = patientLookupConfigSchema.safeParse(config);
    if (!parsed.success) throw new IpcUserError(fieldWords('patientLookup', parsed.error));
    const existing = this.existingConfig(input.environment);
    return this.pending.with(input.environment, input.secrets, () =>
      tryLookup(parsed.data, input.environment, input.identifier, {
        configDir: this.slot(input.environment).dir,
        sourceHoldsOnlyTestData: existing?.sourceHoldsOnlyTestData,
        titleCaseNames: existing?.titleCaseNames,
      }),
    );
  }

  private async testStore(input: ParsedInput<'setup.testStore'>): Promise<ChannelOutputs['setup.testStore']> {
    const config = withSecretRefs('consentStore', input.consentStore, input.secrets);
    await this.loadSavedSecrets(input.environment, config);
    const parsed = consentStoreConfigSchema.safeParse(config);
    if (!parsed.success) throw new IpcUserError(fieldWords('consentStore', parsed.error));
    return this.pending.with(input.environment, input.secrets, () =>
      tryStore(parsed.data, input.environment, { configDir: this.slot(input.environment).dir }),
    );
  }
}

/** The saved connector.json as plain JSON (no checks: only its secret references are wanted), or null. */
function savedConfigJson(baseDir: string, environment: Environment): unknown {
  try {
    return JSON.parse(readFileSync(environmentPaths(baseDir, environment).configFile, 'utf8'));
  } catch {
    return null;
  }
}

const PASTE_AGAIN = 'No platform address is saved with the token. Paste the connection token again.';

function fieldWords(prefix: string, error: Parameters<typeof describeConfigIssues>[0]): string {
  const words = configErrorWords(new ConfigError(describeConfigIssues(error))).message;
  return `Check the form: ${prefix}.${words}`;
}
