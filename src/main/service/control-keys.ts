// The control channel's two keys and its endpoint file. New keys on every start: a key copied
// while the service ran stops working at its next restart. Files are written to a temporary name,
// protected, then renamed, so that no key is ever readable by more people than it should be.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Audience, FileProtection, ServiceFiles } from './data-folder.js';

export type Role = 'viewer' | 'admin';

export interface ControlKeys {
  viewer: string;
  admin: string;
}

export function newControlKeys(): ControlKeys {
  return { viewer: randomBytes(32).toString('base64url'), admin: randomBytes(32).toString('base64url') };
}

/** Which role a presented key grants, or null. Constant time whatever the length presented. */
export function roleForKey(keys: ControlKeys, presented: string | null): Role | null {
  if (!presented) return null;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const given = digest(presented);
  // Both are compared every time, so the time taken says nothing about which one nearly matched.
  const admin = timingSafeEqual(given, digest(keys.admin));
  const viewer = timingSafeEqual(given, digest(keys.viewer));
  return admin ? 'admin' : viewer ? 'viewer' : null;
}

export const endpointSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  pid: z.number().int().positive(),
  version: z.string().max(64),
});
export type Endpoint = z.infer<typeof endpointSchema>;

export function writeProtected(file: string, text: string, audience: Audience, protection: FileProtection): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, text, { mode: 0o600 });
  protection.protectFile(temp, audience);
  renameSync(temp, file);
}

export function writeControlFiles(
  files: ServiceFiles,
  keys: ControlKeys,
  endpoint: Endpoint,
  protection: FileProtection,
): void {
  writeProtected(files.adminKeyFile, `${keys.admin}\n`, 'admins', protection);
  writeProtected(files.viewerKeyFile, `${keys.viewer}\n`, 'everyone', protection);
  writeProtected(files.endpointFile, `${JSON.stringify(endpoint)}\n`, 'everyone', protection);
}

/** Removed on a clean stop, so that a client sees "not running" rather than a dead port. */
export function removeEndpointFile(files: ServiceFiles): void {
  rmSync(files.endpointFile, { force: true });
}

export function readEndpoint(files: ServiceFiles): Endpoint | null {
  try {
    const parsed = endpointSchema.safeParse(JSON.parse(readFileSync(files.endpointFile, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The key for a role, or null when this user may not read it (or the service never ran). */
export function readKey(files: ServiceFiles, role: Role): string | null {
  try {
    const key = readFileSync(role === 'admin' ? files.adminKeyFile : files.viewerKeyFile, 'utf8').trim();
    return /^[A-Za-z0-9_-]{43}$/.test(key) ? key : null;
  } catch {
    return null;
  }
}
