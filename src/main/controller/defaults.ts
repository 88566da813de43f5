// The platform address each environment starts from in the wizard ("Network settings" can change
// it), or null when none is known: the token then brings its address (PROTOCOL §9) or the person
// types it. No placeholder is ever offered. The vendor's build-time addresses are handed in by the
// app; CC_PLATFORM_URL_DEMO / CC_PLATFORM_URL_PRODUCTION override them for pilots and tests.
import type { Environment } from '../../shared/protocol/index.js';

export function defaultPlatformUrls(
  env: NodeJS.ProcessEnv = process.env,
  builtIn: Partial<Record<Environment, string | null>> = {},
): Record<Environment, string | null> {
  return {
    production: env.CC_PLATFORM_URL_PRODUCTION || builtIn.production || null,
    demo: env.CC_PLATFORM_URL_DEMO || builtIn.demo || null,
  };
}
