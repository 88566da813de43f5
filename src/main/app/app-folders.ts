// Where the app keeps its set-up, encrypted tokens, audit logs and process logs: the LOCAL
// application data folder (%LOCALAPPDATA%\Cloud Connector on Windows), never the roaming one that
// Electron's userData points at. With roaming profiles the roaming folder is copied to a server at
// sign-out: SQLite's WAL does not work on network shares, and the token would follow the person to
// other computers. Chromium's own files (and the safeStorage key in "Local State") stay in userData.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger.js';

export interface AppFolders {
  /** Holds production/, demo/ (config, token, audit log) and app-state.json. */
  dataDir: string;
  logsDir: string;
  /** Electron's userData: where versions before this one kept everything. */
  roamingDir: string;
}

/** %LOCALAPPDATA% is set on every Windows account; elsewhere userData is already local. */
export function appFolders(userData: string, env: NodeJS.ProcessEnv = process.env): AppFolders {
  const local = env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, path.basename(userData)) : userData;
  return { dataDir: local, logsDir: path.join(local, 'logs'), roamingDir: userData };
}

/** The entries an earlier version kept in the roaming folder. */
const SETUP_ENTRIES = ['production', 'demo', 'app-state.json'];

/**
 * Moves a set-up from the roaming folder to the local one, once: only when the local folder has
 * none and the roaming one has. Returns the number of entries moved.
 */
export function moveRoamingSetup(folders: AppFolders, logger: Logger): number {
  const { roamingDir, dataDir } = folders;
  if (path.resolve(roamingDir) === path.resolve(dataDir)) return 0;
  if (SETUP_ENTRIES.some((e) => existsSync(path.join(dataDir, e)))) return 0;
  const found = SETUP_ENTRIES.filter((e) => existsSync(path.join(roamingDir, e)));
  if (found.length === 0) return 0;
  mkdirSync(dataDir, { recursive: true });
  for (const entry of found) {
    const from = path.join(roamingDir, entry);
    const to = path.join(dataDir, entry);
    try {
      renameSync(from, to);
    } catch (error) {
      // A redirected roaming folder sits on another volume: copy, then remove.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      cpSync(from, to, { recursive: true, preserveTimestamps: true });
      rmSync(from, { recursive: true, force: true });
    }
  }
  // No paths: they contain the person's account name.
  logger.info("moved the set-up from the roaming profile folder to this computer's local app data folder", {
    entries: found.length,
  });
  return found.length;
}
