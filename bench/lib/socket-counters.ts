// The kernel's counters of one TCP connection (Linux `ss -tin`): payload bytes each way and
// segments each way, as the connector's side of it sees them. Bytes on the wire are the payload
// (here TLS records) plus a TCP/IP header per segment: 20 bytes IPv4 + 32 bytes TCP with the
// timestamp option that Linux sends by default = 52.
import { execFileSync } from 'node:child_process';

export const HEADER_BYTES_PER_SEGMENT = 52;

export interface SocketCounters {
  bytesSent: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
}

/** The established connection from a local socket to 127.0.0.1:`remotePort` (exactly one expected). */
export function socketCounters(remotePort: number): SocketCounters {
  const text = execFileSync('ss', ['-tinH', 'state', 'established', `( dport = :${remotePort} )`], {
    encoding: 'utf8',
  });
  const field = (name: string) => {
    const values = [...text.matchAll(new RegExp(`\\b${name}:(\\d+)`, 'g'))].map((m) => Number(m[1]));
    if (values.length !== 1) throw new Error(`expected one connection to port ${remotePort}, found ${values.length}`);
    return values[0] as number;
  };
  return {
    bytesSent: text.includes('bytes_sent:') ? field('bytes_sent') : 0,
    bytesReceived: text.includes('bytes_received:') ? field('bytes_received') : 0,
    segsOut: field('segs_out'),
    segsIn: field('segs_in'),
  };
}

/** Wire bytes between two readings: payload both ways plus a header per segment both ways. */
export function wireBytes(a: SocketCounters, b: SocketCounters): { payload: number; segments: number; total: number } {
  const payload = b.bytesSent - a.bytesSent + (b.bytesReceived - a.bytesReceived);
  const segments = b.segsOut - a.segsOut + (b.segsIn - a.segsIn);
  return { payload, segments, total: payload + segments * HEADER_BYTES_PER_SEGMENT };
}
