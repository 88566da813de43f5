// Request authorisation for HTTP-based integrations: none, Basic, a static bearer token, or
// OAuth2 client credentials with the access token cached until shortly before it expires.
import type { HttpAuthConfig } from '../../../shared/config/sources.js';
import { RpcError } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import type { HttpTransport } from './http-request.js';
import { readSecret } from './secret.js';
import { raceAbort } from './source-error.js';

export interface AuthProvider {
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /** Forget a cached token (after a 401); true when a retry with a fresh one makes sense. */
  invalidate(): boolean;
}

const TOKEN_REQUEST_TIMEOUT_MS = 15_000;
/** Renew this long before the token's stated expiry, so that it does not expire in flight. */
const EXPIRY_MARGIN_MS = 30_000;

export function createAuth(
  config: HttpAuthConfig | undefined,
  configDir: string,
  key: string,
  transport: HttpTransport,
  logger?: Logger,
): AuthProvider {
  switch (config?.type) {
    case undefined:
    case 'none':
      return { headers: async () => ({}), invalidate: () => false };
    case 'basic': {
      const password = readSecret(config.password, configDir, `${key}.password`);
      const value = `Basic ${Buffer.from(`${config.username}:${password}`).toString('base64')}`;
      return { headers: async () => ({ authorization: value }), invalidate: () => false };
    }
    case 'bearer': {
      const token = readSecret(config.token, configDir, `${key}.token`);
      return { headers: async () => ({ authorization: `Bearer ${token}` }), invalidate: () => false };
    }
    case 'oauth2':
      return new ClientCredentials(
        config,
        readSecret(config.clientSecret, configDir, `${key}.clientSecret`),
        transport,
        logger,
      );
  }
}

type OAuth2Config = Extract<HttpAuthConfig, { type: 'oauth2' }>;

class ClientCredentials implements AuthProvider {
  private cached: { token: string; expiresAt: number } | null = null;
  /** One token request at a time, shared by every call waiting for it. */
  private pending: Promise<string> | null = null;

  constructor(
    private readonly config: OAuth2Config,
    private readonly secret: string,
    private readonly transport: HttpTransport,
    private readonly logger?: Logger,
  ) {}

  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    const now = Date.now();
    if (this.cached && this.cached.expiresAt > now) return { authorization: `Bearer ${this.cached.token}` };
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    // The shared request is not tied to one caller's signal; each caller stops waiting on its own.
    const token = await raceAbort(this.pending, signal);
    return { authorization: `Bearer ${token}` };
  }

  invalidate(): boolean {
    this.cached = null;
    return true;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.config.scope) form.set('scope', this.config.scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.config.clientAuth === 'body') {
      form.set('client_id', this.config.clientId);
      form.set('client_secret', this.secret);
    } else {
      const pair = `${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.secret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    const res = await this.transport.request({
      url: new URL(this.config.tokenUrl),
      method: 'POST',
      headers,
      body: form.toString(),
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
    });
    let body: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      // handled below as a refused token request
    }
    if (res.status !== 200 || typeof body.access_token !== 'string') {
      this.logger?.warn('OAuth2 token request refused', { status: res.status });
      throw new RpcError('source_unavailable', "The data source refused the connector's credentials.");
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 300_000;
    this.cached = { token: body.access_token, expiresAt: Date.now() + Math.max(0, lifetimeMs - EXPIRY_MARGIN_MS) };
    return body.access_token;
  }
}
