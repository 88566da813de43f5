// The security identifier Windows gives a service's virtual account (`NT SERVICE\<name>`):
// S-1-5-80- followed by the SHA-1 of the upper-cased service name in UTF-16LE, read as five
// little-endian 32-bit numbers. Computing it lets the ACLs name the account by SID, which works
// whatever the language of Windows and before the account has ever logged on.
import { createHash } from 'node:crypto';

export const SERVICE_NAME = 'CloudConnector';

export function serviceSid(serviceName: string = SERVICE_NAME): string {
  const digest = createHash('sha1').update(Buffer.from(serviceName.toUpperCase(), 'utf16le')).digest();
  const parts: number[] = [];
  for (let i = 0; i < 5; i++) parts.push(digest.readUInt32LE(i * 4));
  return `S-1-5-80-${parts.join('-')}`;
}
