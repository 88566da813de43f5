// Servers that impersonate the clinic's systems with a self-signed certificate nobody trusts:
// an HTTPS server that answers like a FHIR server, a web API and an OAuth2 token endpoint, a TLS
// MLLP listener, a PostgreSQL server that accepts TLS, and an HTTPS CONNECT proxy. Each counts
// what reached it *after* the TLS handshake: anything counted means the connector believed it.
import type http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import type { TestContext } from 'node:test';
import tls from 'node:tls';
import selfsigned from 'selfsigned';

export interface ImpostorCert {
  cert: string;
  key: string;
}

let cached: Promise<ImpostorCert> | null = null;

/** A self-signed certificate for 127.0.0.1 and localhost, signed by no CA anyone trusts. */
export function impostorCert(): Promise<ImpostorCert> {
  cached ??= (async () => {
    const made = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    return { cert: made.cert, key: made.private };
  })();
  return cached;
}

export interface Impostor {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** What was received after a completed handshake (request lines, bytes, CONNECT targets). */
  believed: string[];
}

function closeOnEnd(t: TestContext, server: net.Server, sockets: Set<net.Socket>): void {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const PATIENT_BUNDLE = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [
    {
      resource: {
        resourceType: 'Patient',
        id: 'impostor',
        identifier: [{ system: 'https://trust.example/Id/mrn', value: 'IMP001' }],
        name: [{ use: 'official', given: ['Eve'], family: 'Impostor' }],
        birthDate: '1970-01-01',
        gender: 'female',
      },
    },
  ],
};

/** HTTPS: every path answers as the connector hopes (a patient, a stored document, a token). */
export async function startHttpsImpostor(t: TestContext): Promise<Impostor> {
  const { cert, key } = await impostorCert();
  const believed: string[] = [];
  const server = https.createServer({ cert, key }, (req, res) => {
    believed.push(`${req.method} ${req.url}`);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('token')) return json(200, { access_token: 'impostor', expires_in: 3600 });
      if (req.url?.includes('metadata')) return json(200, { resourceType: 'CapabilityStatement' });
      if (req.method === 'POST') return json(201, { documentRef: 'impostor/1', resourceType: 'Bundle', entry: [] });
      if (req.url?.includes('Patient?')) return json(200, PATIENT_BUNDLE);
      return json(200, { mrn: 'IMP001', given: 'Eve', family: 'Impostor', dob: '1970-01-01', sex: 'F' });
    });
  });
  const port = await listen(server);
  closeOnEnd(t, server, new Set());
  return { origin: `https://127.0.0.1:${port}`, port, believed };
}

/** A TLS listener that records any bytes sent to it after the handshake (HL7 MLLP over TLS). */
export async function startTlsImpostor(t: TestContext): Promise<Impostor> {
  const { cert, key } = await impostorCert();
  const believed: string[] = [];
  const server = tls.createServer({ cert, key }, (socket) => {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => believed.push(`${chunk.length} bytes`));
  });
  const port = await listen(server);
  closeOnEnd(t, server, new Set());
  return { origin: `tls://127.0.0.1:${port}`, port, believed };
}

/**
 * PostgreSQL's TLS start: the client sends SSLRequest (8 bytes), the server answers 'S' and the
 * TLS handshake follows on the same socket. Anything after that handshake is the startup message,
 * which carries the user name, and then the password.
 */
export async function startPostgresImpostor(t: TestContext): Promise<Impostor> {
  const { cert, key } = await impostorCert();
  const believed: string[] = [];
  const server = net.createServer((socket) => {
    socket.once('data', (first: Buffer) => {
      if (first.length < 8 || first.readInt32BE(4) !== 80877103) return void socket.destroy();
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, cert, key });
      secure.on('error', () => {});
      secure.on('data', (chunk: Buffer) => believed.push(`${chunk.length} bytes`));
    });
  });
  const port = await listen(server);
  closeOnEnd(t, server, new Set());
  return { origin: `postgres://127.0.0.1:${port}`, port, believed };
}

/** An HTTPS proxy (TLS to the proxy itself) that would tunnel anywhere; records each CONNECT. */
export async function startHttpsProxyImpostor(t: TestContext): Promise<Impostor> {
  const { cert, key } = await impostorCert();
  const believed: string[] = [];
  const server = https.createServer({ cert, key }, (_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    believed.push(`CONNECT ${req.url} ${req.headers['proxy-authorization'] ? 'with credentials' : ''}`);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  const port = await listen(server);
  closeOnEnd(t, server, new Set());
  return { origin: `https://127.0.0.1:${port}`, port, believed };
}

/** One TDS packet: type, status EOM, length, spid 0, packet id 1, window 0, then the payload. */
function tdsPacket(type: number, payload: Buffer): Buffer {
  const header = Buffer.from([type, 0x01, 0, 0, 0, 0, 1, 0]);
  header.writeUInt16BE(8 + payload.length, 2);
  return Buffer.concat([header, payload]);
}

/** A PRELOGIN answer saying: version 16.0, encryption ON (the client must then start TLS). */
function preloginAnswer(): Buffer {
  const options = Buffer.from([0x00, 0, 11, 0, 6, 0x01, 0, 17, 0, 1, 0xff]);
  const data = Buffer.from([16, 0, 0, 0, 0, 0, 0x01]);
  return tdsPacket(0x04, Buffer.concat([options, data]));
}

/**
 * SQL Server's TLS start (TDS 7.x): PRELOGIN says encryption is on, then the TLS handshake travels
 * inside TDS PRELOGIN packets, and after it the client speaks raw TLS, starting with LOGIN7 — which
 * carries the user name and password. Anything decrypted after the handshake is counted.
 */
export async function startMssqlImpostor(t: TestContext): Promise<Impostor> {
  const { cert, key } = await impostorCert();
  const believed: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let stage: 'prelogin' | 'handshake' | 'raw' = 'prelogin';
    // The server's last handshake flight still travels in TDS packets; raw TLS only once the client sends it.
    let answerRaw = false;
    let outgoing: Buffer[] = [];
    // One server flight is one TDS message: the client reads exactly one message per flight.
    let flushing = false;
    // The TLS server's end: what it writes goes to the client inside TDS packets until the handshake is done.
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
        if (answerRaw) socket.write(chunk);
        else {
          outgoing.push(chunk);
          if (!flushing) {
            flushing = true;
            setTimeout(() => {
              flushing = false;
              socket.write(tdsPacket(0x04, Buffer.concat(outgoing)));
              outgoing = [];
            }, 5);
          }
        }
        done();
      },
    });
    const secure = new tls.TLSSocket(wire, { isServer: true, cert, key });
    secure.on('error', () => {});
    secure.on('secure', () => {
      stage = 'raw';
    });
    secure.on('data', (chunk: Buffer) => believed.push(`${chunk.length} bytes`));
    socket.on('data', (chunk: Buffer) => {
      if (stage === 'raw') {
        answerRaw = true;
        return void wire.push(chunk);
      }
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8 && pending.length >= pending.readUInt16BE(2)) {
        const length = pending.readUInt16BE(2);
        const payload = pending.subarray(8, length);
        pending = pending.subarray(length);
        if (stage === 'prelogin') {
          stage = 'handshake';
          socket.write(preloginAnswer());
        } else {
          wire.push(payload);
        }
      }
    });
  });
  const port = await listen(server);
  closeOnEnd(t, server, new Set());
  return { origin: `mssql://127.0.0.1:${port}`, port, believed };
}
