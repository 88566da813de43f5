// The one-time move from a tray-hosted connector to the service: each environment's config,
// token and wizard secrets (re-protected for the service account), connector id and audit log go to the service's
// data folder, and the app's copy is set aside so that it never hosts that environment again.
// Run with neither side hosting the environment (the app's controller closed, the service
// stopped), by a process that can read the app's token (the signed-in user, elevated) and write
// the service's folder: the app's elevated helper stops the service, moves, and starts it again.
import { cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorConfig } from '../../shared/config/schema.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { ENVIRONMENTS, type Environment } from '../../shared/protocol/index.js';
import { auditPathFor } from '../audit/from-config.js';
import { openAuditDbForReading } from '../audit/open-db.js';
import { type VerifyResult, verifyChain } from '../audit/verify.js';
import { type LoadedConfig, loadConfigFile } from '../config/load-config.js';
import { readAppState, writeAppState } from '../controller/app-state-file.js';
import type { SecretStore } from '../controller/secret-store.js';
import { environmentPaths, writeConfigFile } from '../controller/setup-config.js';
import { storedNames } from '../controller/wizard-secrets.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { FileProtection } from './data-folder.js';
import { ServiceTokenStore } from './service-token-store.js';

export interface MoveOptions {
  /** The tray app's folder (its user-data folder) and the store its tokens are in. */
  from: { baseDir: string; secrets: SecretStore };
  /** The service's data folder. */
  to: { dataDir: string; protection: FileProtection };
  logger?: Logger;
  now?: () => Date;
}

export interface MovedEnvironment {
  environment: Environment;
  /** The audit log's chain, checked after the copy: the same rows and head hash as before. */
  audit: { rows: number; headHash: string | null } | null;
}

export interface MoveResult {
  moved: MovedEnvironment[];
  /** Environments left where they were, with the reason in words. */
  skipped: { environment: Environment; reason: string }[];
  /** What to tell the person. */
  message: string;
}

export class MoveError extends Error {
  override readonly name = 'MoveError';
}

/** Names in an environment folder that are never copied: tokens and wizard secrets go through the stores. */
const NOT_COPIED = new Set(['token', 'token.enc', 'connector.json', 'data', 'secrets']);

export async function moveToService(options: MoveOptions): Promise<MoveResult> {
  const logger = options.logger ?? silentLogger;
  const moved: MovedEnvironment[] = [];
  const skipped: MoveResult['skipped'] = [];
  const target = new ServiceTokenStore(options.to.dataDir, options.to.protection);
  const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  for (const environment of ENVIRONMENTS) {
    const from = environmentPaths(options.from.baseDir, environment);
    const to = environmentPaths(options.to.dataDir, environment);
    const name = ENVIRONMENT_LABEL[environment];
    if (!existsSync(from.configFile)) continue;
    if (existsSync(to.configFile)) {
      skipped.push({ environment, reason: `The service already has a set-up for ${name}; it was left as it is.` });
      continue;
    }
    const token = await options.from.secrets.read(environment);
    if (!token) {
      skipped.push({ environment, reason: `${name} has no saved token to move; set it up again in the service.` });
      continue;
    }
    const source = loadConfigFile(from.configFile);
    // The passwords and client secrets typed in the wizard, read before anything is written.
    const named = new Map<string, string>();
    for (const secret of storedNames(source.config)) {
      const value = await options.from.secrets.readNamed(environment, secret);
      if (value !== null) named.set(secret, value);
    }
    if (named.size < new Set(storedNames(source.config)).size) {
      skipped.push({
        environment,
        reason: `${name}: a saved password could not be read; set ${name} up again in the service.`,
      });
      continue;
    }
    const before = auditState(auditPathFor(source));

    // Everything but the token and the data, then the config with the service's own paths.
    for (const entry of readdirSync(from.dir)) {
      if (NOT_COPIED.has(entry) || entry.endsWith('.tmp')) continue;
      cpSync(path.join(from.dir, entry), path.join(to.dir, entry), { recursive: true, errorOnExist: true });
    }
    writeConfigFile(to.configFile, serviceConfig(source.config));
    const moved_ = loadConfigFile(to.configFile);
    copyData(source, moved_);
    await target.write(environment, token);
    for (const [secret, value] of named) await target.writeNamed(environment, secret, value);

    const after = auditState(auditPathFor(moved_));
    if (before && (!after || !after.ok || after.headHash !== before.headHash || after.rows !== before.rows)) {
      // Leave the app's copy untouched and the service without this environment: nothing lost.
      rmSync(to.dir, { recursive: true, force: true });
      throw new MoveError(`${name}: the audit log did not copy intact; nothing was moved for ${name}.`);
    }
    const paused = readAppState(options.from.baseDir).paused[environment];
    const state = readAppState(options.to.dataDir);
    state.paused[environment] = paused;
    writeAppState(options.to.dataDir, state);

    // The app's copy is kept for reference under another name, without its token, so the app
    // never starts this environment again.
    renameSync(from.dir, `${from.dir}.moved-to-service-${stamp}`);
    rmSync(path.join(`${from.dir}.moved-to-service-${stamp}`, 'token.enc'), { force: true });
    rmSync(path.join(`${from.dir}.moved-to-service-${stamp}`, 'token'), { force: true });
    rmSync(path.join(`${from.dir}.moved-to-service-${stamp}`, 'secrets'), { recursive: true, force: true });
    logger.info('set-up moved to the service', { environment, auditRows: after?.rows ?? 0 });
    moved.push({ environment, audit: after ? { rows: after.rows, headHash: after.headHash } : null });
  }
  return { moved, skipped, message: moveMessage(moved, skipped) };
}

/** Paths the app chose for itself are dropped, so the service keeps everything in its own folder. */
function serviceConfig(config: ConnectorConfig): ConnectorConfig {
  const { dataDir: _d, tokenFile: _t, ...rest } = config;
  const out: ConnectorConfig = { ...rest };
  if (config.audit) {
    const { path: _p, ...audit } = config.audit;
    out.audit = audit;
  }
  if (config.logs) {
    const { dir: _l, ...logs } = config.logs;
    out.logs = logs;
  }
  return out;
}

function copyData(source: LoadedConfig, target: LoadedConfig): void {
  if (existsSync(source.dataDir)) cpSync(source.dataDir, target.dataDir, { recursive: true, errorOnExist: true });
  const sourceAudit = auditPathFor(source);
  const targetAudit = auditPathFor(target);
  // An audit log kept outside the data folder ("audit": {"path": …}) follows, with its journal.
  if (!existsSync(targetAudit) && existsSync(sourceAudit)) {
    for (const suffix of ['', '-wal']) {
      if (existsSync(sourceAudit + suffix)) cpSync(sourceAudit + suffix, targetAudit + suffix);
    }
  }
}

function auditState(file: string): VerifyResult | null {
  if (!existsSync(file)) return null;
  const db = openAuditDbForReading(file);
  try {
    return verifyChain(db);
  } finally {
    db.close();
  }
}

function moveMessage(moved: MovedEnvironment[], skipped: MoveResult['skipped']): string {
  const names = moved.map((m) => ENVIRONMENT_LABEL[m.environment]).join(' and ');
  const lines: string[] = [];
  if (moved.length) {
    lines.push(
      `${names} now ${moved.length > 1 ? 'run' : 'runs'} in the Cloud Connector service, which keeps working when nobody is signed in. ` +
        'The set-up, the token and the audit log moved with it; this window now shows the service.',
    );
  }
  for (const s of skipped) lines.push(s.reason);
  return lines.join(' ') || 'There was no set-up to move.';
}
