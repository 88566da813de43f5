// A keep-alive GET for the direct side of the FHIR overhead benchmark: node:http like the hub
// client (http-client.ts) and like the connector's own transport, rather than fetch, whose
// extra per-request work in the benchmark process would count against the direct side and
// make the connector's overhead look smaller than it is.
import http from 'node:http';

export interface HttpGetter {
  get(url: URL, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): void;
}

export function httpGetter(maxSockets: number): HttpGetter {
  const agent = new http.Agent({ keepAlive: true, maxSockets, noDelay: true } as http.AgentOptions);
  return {
    get: (url, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = http.get(url, { agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
      }),
    close: () => agent.destroy(),
  };
}
