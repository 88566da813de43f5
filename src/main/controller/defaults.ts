// The platform address each environment starts from in the wizard ("Network settings" can change
// it). Overridable with CC_PLATFORM_URL_DEMO / CC_PLATFORM_URL_PRODUCTION for pilots and tests.
import type { Environment } from '../../shared/protocol/index.js';

export function defaultPlatformUrls(env: NodeJS.ProcessEnv = process.env): Record<Environment, string> {
  return {
    production: env.CC_PLATFORM_URL_PRODUCTION || 'wss://platform.example/connector/v1',
    demo: env.CC_PLATFORM_URL_DEMO || 'wss://demo.platform.example/connector/v1',
  };
}
