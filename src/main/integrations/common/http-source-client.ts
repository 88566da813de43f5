// The HTTP client every HTTP-based integration (FHIR, JSON APIs) uses: transport, configured
// headers and auth, one retry with a fresh OAuth2 token after a 401, and statuses mapped to
// protocol errors in one place.
import path from 'node:path';
import type { HttpAuthConfig } from '../../../shared/config/sources.js';
import { RpcError } from '../../../shared/protocol/index.js';
import { ConfigError } from '../../config/config-error.js';
import type { Logger } from '../../core/logger.js';
import type { StreamedBody } from './body-parts.js';
import { type AuthProvider, createAuth } from './http-auth.js';
import { type HttpResponse, HttpTransport } from './http-request.js';
import { toSourceError } from './source-error.js';

export interface HttpClientConfig {
  auth?: HttpAuthConfig;
  headers?: Record<string, string>;
  caFile?: string;
  connectTimeoutMs?: number;
}

export interface SendOptions {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | string | StreamedBody;
  signal: AbortSignal;
}

export class HttpSourceClient {
  private readonly transport: HttpTransport;
  private readonly auth: AuthProvider;

  constructor(
    private readonly config: HttpClientConfig,
    configDir: string,
    /** The config key for error messages, e.g. `patientLookup`. */
    private readonly key: string,
    private readonly logger?: Logger,
    maxResponseBytes?: number,
  ) {
    let caFile: string | undefined;
    if (config.caFile) caFile = path.resolve(configDir, config.caFile);
    try {
      this.transport = new HttpTransport({ caFile, connectTimeoutMs: config.connectTimeoutMs, maxResponseBytes });
    } catch (error) {
      throw new ConfigError(
        `${key}.caFile: the file ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      );
    }
    this.auth = createAuth(config.auth, configDir, `${key}.auth`, this.transport, logger);
  }

  /** Sends the request; network failures become source_unavailable, aborts their reason. */
  async send(options: SendOptions): Promise<HttpResponse> {
    try {
      let res = await this.sendOnce(options);
      if (res.status === 401 && this.auth.invalidate()) res = await this.sendOnce(options);
      return res;
    } catch (error) {
      throw toSourceError(error, options.signal, this.logger, `${this.key} HTTP`);
    }
  }

  private async sendOnce(options: SendOptions): Promise<HttpResponse> {
    const auth = await this.auth.headers(options.signal);
    return this.transport.request({
      url: options.url,
      method: options.method,
      headers: { ...(this.config.headers ?? {}), ...(options.headers ?? {}), ...auth },
      body: options.body,
      signal: options.signal,
    });
  }

  /** Turns a status that is not success into the protocol error for it (logged by status only). */
  failFor(res: HttpResponse): RpcError {
    this.logger?.warn(`${this.key} HTTP answer was not a success`, { status: res.status });
    if (res.status === 401 || res.status === 403) {
      return new RpcError('source_unavailable', "The data source refused the connector's credentials.");
    }
    return new RpcError('source_unavailable');
  }

  close(): void {
    this.transport.close();
  }
}

/** Parses a JSON body; anything else is invalid_source_record (never quoting the body). */
export function parseJsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new RpcError('invalid_source_record', 'The answer from the data source is not valid JSON.');
  }
}
