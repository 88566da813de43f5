// Assembles a running connector from a loaded config: settings, sources, handlers, Connector.
// Used by `cloud-connector run`, the app's controller and the tests alike.
import os from 'node:os';
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  BACKOFF_RESET_AFTER_MS,
  DEFAULT_DEADLINES_MS,
  DEFAULT_MAX_CONCURRENCY,
  DRAIN_GRACE_MS,
  HELLO_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
  REJECTED_RETRY_MS,
  type SourceState,
  UPDATE_REQUIRED_RETRY_MS,
} from '../shared/protocol/index.js';
import { attachAudit } from './audit/attach.js';
import type { AuditWarning, AuditWriter } from './audit/audit-writer.js';
import { createAuditWriterFor } from './audit/from-config.js';
import { loadAuditIdKey, loadConnectorId } from './config/connector-id.js';
import type { LoadedConfig } from './config/load-config.js';
import { proxyWithPassword } from './config/proxy-password.js';
import { assertTokenMatchesEnvironment } from './config/token.js';
import { Connector, type ConnectorSettings } from './core/connector.js';
import { type Logger, silentLogger } from './core/logger.js';
import { buildClientOptions } from './core/transport.js';
import { attachHealthServer, type HealthAttachment } from './health/attach.js';
import { buildHandlers } from './integrations/handlers.js';
import { createConsentStore, createPatientLookupSource } from './integrations/registry.js';
import type { ConsentStore, PatientLookupSource } from './integrations/types.js';
import { CONNECTOR_VERSION } from './version.js';

export interface Runtime {
  connector: Connector;
  source?: PatientLookupSource;
  store?: ConsentStore;
  loaded: LoadedConfig;
  /** The audit log writer, when the runtime was created with `{ audit: true }`. */
  audit?: AuditWriter;
  /** The local `/ready` and `/metrics` server, when `healthPort` is configured (starts with the connector). */
  health?: HealthAttachment;
  /** Problems the status view shows beside the connector's state (the audit log cannot be written, …). */
  warnings(): AuditWarning[];
  /** Drains the connector, flushes the audit log and closes sources. */
  shutdown(): Promise<void>;
}

export interface RuntimeOptions {
  /**
   * Record every call and connection event in the audit log (`run` and the app do; one-off
   * commands such as `check` do not, so that they leave no rows and do not consume config changes).
   */
  audit?: boolean;
}

export function settingsFrom(loaded: LoadedConfig): ConnectorSettings {
  const c = loaded.config;
  const t = c.timers ?? {};
  const settings: ConnectorSettings = {
    environment: c.environment,
    platformUrl: c.platformUrl,
    caFile: loaded.caFile,
    proxy: proxyWithPassword(c.proxy, c.proxyPassword, loaded.dir),
    maxConcurrency: c.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    maxMessageBytes: c.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    connectorId: loadConnectorId(loaded.dataDir),
    name: c.name ?? os.hostname(),
    version: CONNECTOR_VERSION,
    deadlinesMs: {
      ...DEFAULT_DEADLINES_MS,
      ...(c.deadlinesMs ?? {}),
    },
    timers: {
      // Unset: the platform's heartbeatMs decides (PROTOCOL §1).
      pingIntervalMs: t.pingIntervalMs,
      deadAfterMs: t.deadAfterMs,
      helloTimeoutMs: t.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
      backoffBaseMs: t.backoffBaseMs ?? BACKOFF_BASE_MS,
      backoffCapMs: t.backoffCapMs ?? BACKOFF_CAP_MS,
      backoffResetAfterMs: t.backoffResetAfterMs ?? BACKOFF_RESET_AFTER_MS,
      rejectedRetryMs: t.rejectedRetryMs ?? REJECTED_RETRY_MS,
      updateRequiredRetryMs: t.updateRequiredRetryMs ?? UPDATE_REQUIRED_RETRY_MS,
      drainGraceMs: t.drainGraceMs ?? DRAIN_GRACE_MS,
    },
  };
  // Fail at start-up, with the config's words, rather than on every reconnect.
  buildClientOptions({
    platformUrl: settings.platformUrl,
    caFile: settings.caFile,
    proxy: settings.proxy,
    maxMessageBytes: settings.maxMessageBytes,
    handshakeTimeoutMs: settings.timers.helloTimeoutMs,
  });
  return settings;
}

export function createRuntime(
  loaded: LoadedConfig,
  token: string,
  logger: Logger = silentLogger,
  options: RuntimeOptions = {},
): Runtime {
  const c = loaded.config;
  assertTokenMatchesEnvironment(token, c.environment);
  const settings = settingsFrom(loaded);
  const ctx = { configDir: loaded.dir, environment: c.environment, dataDir: loaded.dataDir, logger };
  const source = c.patientLookup ? createPatientLookupSource(c.patientLookup, ctx) : undefined;
  const store = c.consentStore ? createConsentStore(c.consentStore, ctx) : undefined;
  const sources: Record<string, SourceState> = {
    'patient.lookup': source ? 'up' : 'unconfigured',
    'consent.store': store ? 'up' : 'unconfigured',
  };
  let connector: Connector | null = null;
  const handlers = buildHandlers({
    source,
    store,
    policy: {
      environment: c.environment,
      sourceHoldsOnlyTestData: c.sourceHoldsOnlyTestData,
      titleCaseNames: c.titleCaseNames,
    },
    info: () => {
      const live = connector as Connector;
      return {
        version: CONNECTOR_VERSION,
        environment: c.environment,
        methods: live.methods,
        uptimeS: live.uptimeS,
        sources: live.status().sources,
      };
    },
  });
  connector = new Connector({ settings, token, handlers, logger, sources });
  const live = connector;
  const audit = options.audit ? createAuditWriterFor(loaded, logger) : undefined;
  if (audit) {
    attachAudit(live, audit, loadAuditIdKey(loaded.dataDir));
    audit.recordConfigState(c);
  }
  const health =
    c.healthPort !== undefined ? attachHealthServer(live, { port: c.healthPort, source, store, logger }) : undefined;
  return {
    connector: live,
    source,
    store,
    loaded,
    audit,
    health,
    warnings: () => {
      const w = audit?.warning();
      return w ? [w] : [];
    },
    async shutdown() {
      await live.stop();
      await health?.close();
      audit?.close();
      await Promise.allSettled([source?.close(), store?.close()]);
    },
  };
}
