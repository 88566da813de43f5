// The app's own small preferences (pause per environment, start at sign-in), kept beside the
// environment folders. Not part of the connector config: the headless connector never reads it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const appStateSchema = z.object({
  paused: z
    .object({ demo: z.boolean().default(false), production: z.boolean().default(false) })
    .default({ demo: false, production: false }),
  startAtLogin: z.boolean().default(true),
});
export type AppState = z.infer<typeof appStateSchema>;

export function readAppState(baseDir: string): AppState {
  try {
    return appStateSchema.parse(JSON.parse(readFileSync(path.join(baseDir, 'app-state.json'), 'utf8')));
  } catch {
    return appStateSchema.parse({});
  }
}

export function writeAppState(baseDir: string, state: AppState): void {
  mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  const file = path.join(baseDir, 'app-state.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
