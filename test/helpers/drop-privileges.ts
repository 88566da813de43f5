// Root ignores file modes, so a test that needs "this process cannot write there" gives up root
// first, as a service running under its own account would. Everything the process will load from
// the checkout must be loaded BEFORE that: CI may run as root inside a folder only root can enter,
// and the unprivileged user could not read the code or the native addons then. better-sqlite3
// loads its addon (a .node file under node_modules) only when the first database is opened, so
// one is opened here, in memory, while still root.
import Database from 'better-sqlite3';

/** The uid and gid of `nobody` on Debian and most Linux distributions. */
const NOBODY = 65534;

export function loadNativeAddons(): void {
  new Database(':memory:').close();
}

/** Loads every native addon, then drops to `nobody` when running as root (POSIX only). */
export function dropPrivileges(): void {
  loadNativeAddons();
  if (process.getuid?.() === 0) {
    process.setgid?.(NOBODY);
    process.setuid?.(NOBODY);
  }
}
