// Size-capped rotation keeping N old files: name.log → name.1.log → … → name.N.log (dropped).
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';

export function rotatedName(file: string, index: number): string {
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${name}.${index}${ext}`);
}

export function rotateLogFile(file: string, keep: number): void {
  if (keep <= 0) {
    rmSync(file, { force: true });
    return;
  }
  rmSync(rotatedName(file, keep), { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(rotatedName(file, i), rotatedName(file, i + 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  renameSync(file, rotatedName(file, 1));
}
