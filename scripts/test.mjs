// Runs every test/**/*.test.ts with Node's test runner (one list of files, so a folder argument narrows it).
// Extra arguments are passed through, e.g. `npm test -- --test-name-pattern=goaway`;
// a path argument narrows the run to files under it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = (roots.length ? roots : ['test']).flatMap((r) => (statSync(r).isDirectory() ? find(r) : [r])).sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
