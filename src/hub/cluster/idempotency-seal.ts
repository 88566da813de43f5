// What an idempotency record shows Redis: nothing readable. A lookup's answer is a patient's data
// and its params a patient's identifier, so the record names its key with an HMAC (no tenant, no
// caller's key), holds the params only as an HMAC (compared on a retry, never reversible by
// guessing an identifier without the secret) and the answer sealed with AES-256-GCM (bound to the
// record's name, so a sealed answer copied under another key does not open). Every key derives
// from the cluster secret, which every instance has and Redis never sees.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class IdempotencySeal {
  private readonly nameKey: Buffer;
  private readonly paramsKey: Buffer;
  private readonly answerKey: Buffer;

  constructor(clusterSecret: string) {
    const derive = (info: string) =>
      Buffer.from(hkdfSync('sha256', clusterSecret, 'cloud-connector idempotency', info, 32));
    this.nameKey = derive('record name v1');
    this.paramsKey = derive('params v1');
    this.answerKey = derive('answer v1');
  }

  /** The record's Redis key for one caller's key, scoped to its tenant, environment and method. */
  recordKey(tenant: string, environment: string, method: string, key: string): string {
    const mac = createHmac('sha256', this.nameKey).update(JSON.stringify([tenant, environment, method, key]));
    return `cc:idem:${mac.digest('hex')}`;
  }

  /** The params' fingerprint: equal for the same call (the params as parsed from its JSON body). */
  paramsDigest(params: unknown): string {
    return createHmac('sha256', this.paramsKey)
      .update(JSON.stringify(params ?? null))
      .digest('base64url');
  }

  seal(recordKey: string, value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.answerKey, iv);
    cipher.setAAD(Buffer.from(recordKey));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The sealed value, or undefined when it does not open (altered, another key, another secret). */
  open(recordKey: string, sealed: string): unknown {
    try {
      const bytes = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.answerKey, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(recordKey));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(text.toString('utf8'));
    } catch {
      return undefined;
    }
  }
}
