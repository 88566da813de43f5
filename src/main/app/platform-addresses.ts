// The platform address each environment starts from, as the vendor wrote it in build/platform.json
// before building (copied beside the main bundle by the build). null means "no default": the wizard
// asks for it (or takes it from the connection token). CC_PLATFORM_URL_DEMO / _PRODUCTION override
// it for pilots and tests, as for the headless controller.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Environment } from '../../shared/protocol/index.js';

export type PlatformAddresses = Record<Environment, string | null>;

const address = z
  .string()
  .max(2048)
  .refine((v) => /^wss?:\/\/[^/\s]+/i.test(v), 'must be a wss:// address')
  .nullable();
const fileSchema = z.object({ comment: z.string().optional(), production: address, demo: address });

export function readPlatformAddresses(file: string, env: NodeJS.ProcessEnv = process.env): PlatformAddresses {
  let fromFile: PlatformAddresses = { production: null, demo: null };
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) fromFile = { production: parsed.data.production, demo: parsed.data.demo };
  } catch {
    // No file (a build without one): no defaults, the wizard asks.
  }
  return {
    production: env.CC_PLATFORM_URL_PRODUCTION || fromFile.production,
    demo: env.CC_PLATFORM_URL_DEMO || fromFile.demo,
  };
}
