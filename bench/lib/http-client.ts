// A keep-alive HTTP client for the hub's API, lighter than fetch so that the load generator is
// not the bottleneck being measured.
import http from 'node:http';

export interface HubClient {
  call(method: string, params: unknown): Promise<{ status: number; body: string }>;
  connectors(): Promise<Array<{ name: string; inFlight: number; connectorId: string }>>;
  close(): void;
}

export function hubClient(httpUrl: string, apiKey: string, maxSockets = 256): HubClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets, noDelay: true } as http.AgentOptions);
  const base = new URL(httpUrl);
  const request = (method: 'GET' | 'POST', path: string, payload?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${apiKey}`,
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    call: (method, params) => request('POST', `/v1/acme/demo/rpc/${method}`, JSON.stringify(params)),
    async connectors() {
      const res = await request('GET', '/v1/connectors');
      return JSON.parse(res.body).connectors;
    },
    close: () => agent.destroy(),
  };
}
