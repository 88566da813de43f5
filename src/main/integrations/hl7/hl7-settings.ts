// Resolves an hl7 config into connection options and message-header settings, with defaults.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type tls from 'node:tls';
import type { Hl7LookupConfig, Hl7StoreConfig } from '../../../shared/config/hl7-sources.js';
import { trustedCertificates } from '../../core/transport.js';
import type { Hl7Charset } from './hl7-charset.js';
import type { MllpClientOptions } from './mllp-client.js';

export interface Hl7Header {
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  processingId: string;
  version: string;
  charset: Hl7Charset;
}

export interface Hl7Identity {
  localAuthority: string;
  localIdentifierType: string;
  nationalAuthority: string;
  nationalIdentifierType: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Largest ACK or query answer read (bounded so a misbehaving peer cannot fill memory). */
export const DEFAULT_ANSWER_BYTES = 1024 * 1024;

export function headerFrom(config: Hl7LookupConfig | Hl7StoreConfig): Hl7Header {
  return {
    sendingApplication: config.sendingApplication,
    sendingFacility: config.sendingFacility ?? '',
    receivingApplication: config.receivingApplication,
    receivingFacility: config.receivingFacility ?? '',
    processingId: config.processingId ?? 'P',
    version: config.version ?? '2.5',
    charset: config.encoding ?? 'UTF-8',
  };
}

export function identityFrom(config: Hl7LookupConfig | Hl7StoreConfig): Hl7Identity {
  return {
    localAuthority: config.localAuthority,
    localIdentifierType: config.localIdentifierType ?? 'MR',
    nationalAuthority: config.nationalAuthority ?? 'NHS',
    nationalIdentifierType: config.nationalIdentifierType ?? 'NH',
  };
}

export function clientOptionsFrom(
  config: Hl7LookupConfig | Hl7StoreConfig,
  configDir: string,
  maxFrameBytes: number,
): MllpClientOptions {
  return {
    host: config.host,
    port: config.port,
    tls: config.tls ? tlsOptions(config.host, config.tls, configDir) : undefined,
    connectTimeoutMs: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxFrameBytes,
    maxConnections: config.maxConnections ?? 2,
    idleTimeoutMs: config.idleTimeoutMs ?? 60_000,
  };
}

function tlsOptions(host: string, t: NonNullable<Hl7LookupConfig['tls']>, configDir: string): tls.ConnectionOptions {
  const file = (p: string) => path.resolve(configDir, p);
  const serverName = t.serverName ?? (isIP(host) ? undefined : host);
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ca: trustedCertificates(t.caFile ? file(t.caFile) : undefined),
    cert: t.certFile ? readFileSync(file(t.certFile)) : undefined,
    key: t.keyFile ? readFileSync(file(t.keyFile)) : undefined,
    servername: serverName,
  };
}
