// Test certificates made by the test itself: a CA and a server certificate it signed, for
// 127.0.0.1, localhost and platform.test (a name only the test proxy resolves).
import selfsigned from 'selfsigned';

export interface TestPki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

let cached: Promise<TestPki> | null = null;

export function testPki(): Promise<TestPki> {
  cached ??= (async () => {
    const notAfterDate = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    const ca = await selfsigned.generate([{ name: 'commonName', value: 'Cloud Connector Test CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    const server = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 2, value: 'platform.test' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    return { caCert: ca.cert, caKey: ca.private, serverCert: server.cert, serverKey: server.private };
  })();
  return cached;
}
