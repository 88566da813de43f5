// `consentStore: {"type":"http"}`: POST the PDF and its metadata to a web API, as JSON with the
// PDF in base64 or as multipart/form-data. The documentId travels as the Idempotency-Key header.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { httpStoreConfigSchema } from '../../../shared/config/sources.js';
import type { ConsentStoreResult } from '../../../shared/protocol/index.js';
import type { Logger } from '../../core/logger.js';
import { jsonWithBase64, type StreamedBody, withBytesBetween } from '../common/body-parts.js';
import { HttpSourceClient } from '../common/http-source-client.js';
import { readJsonPath } from '../common/json-path.js';
import { documentMetadata } from '../consent-pipeline.js';
import type { CallOptions, ConsentDocument, ConsentStore } from '../types.js';

type HttpStoreConfig = z.infer<typeof httpStoreConfigSchema>;

export class HttpConsentStore implements ConsentStore {
  readonly type = 'http';
  private readonly client: HttpSourceClient;

  constructor(
    private readonly config: HttpStoreConfig,
    configDir: string,
    logger?: Logger,
  ) {
    this.client = new HttpSourceClient(config, configDir, 'consentStore', logger);
  }

  async store(document: ConsentDocument, { signal }: CallOptions): Promise<ConsentStoreResult> {
    const { params, bytes } = document;
    const metadata = documentMetadata(document);
    // The PDF's base64 is written piece by piece from its bytes, never held whole (body-parts.ts).
    const marker = randomUUID();
    const { body, contentType } =
      this.config.format === 'multipart'
        ? multipart(metadata, params.fileName, bytes)
        : {
            body: jsonWithBase64(JSON.stringify({ ...metadata, dataBase64: marker }), marker, bytes),
            contentType: 'application/json',
          };
    const res = await this.client.send({
      method: 'POST',
      url: new URL(this.config.url),
      headers: { 'content-type': contentType, accept: 'application/json', 'idempotency-key': params.documentId },
      body,
      signal,
    });
    const duplicateStatus = res.status === (this.config.duplicateStatus ?? 409);
    if (!duplicateStatus && (res.status < 200 || res.status >= 300)) throw this.client.failFor(res);
    let answer: unknown = null;
    try {
      answer = res.body.length ? JSON.parse(res.body.toString('utf8')) : null;
    } catch {
      // a success without a JSON body is fine: the location falls back below
    }
    const fromBody = this.config.locationPath ? readJsonPath(answer, this.config.locationPath) : undefined;
    const header = res.headers.location;
    const location =
      typeof fromBody === 'string' || typeof fromBody === 'number'
        ? String(fromBody)
        : typeof header === 'string'
          ? header
          : params.documentId;
    const flagged = readJsonPath(answer, '$.duplicate') === true;
    return { stored: true, location, duplicate: duplicateStatus || flagged };
  }

  /** Any HTTP answer from the API's host counts as reachable. */
  async ping({ signal }: CallOptions): Promise<boolean> {
    await this.client.send({ method: 'HEAD', url: new URL('/', this.config.url), signal });
    return true;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

function multipart(metadata: unknown, fileName: string, pdf: Buffer): { body: StreamedBody; contentType: string } {
  const boundary = `cc-${randomUUID()}`;
  const safeName = fileName.replace(/["\r\n\\]/g, '_');
  const body = withBytesBetween(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(metadata)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    pdf,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
