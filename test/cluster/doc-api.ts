// A clinic's document API standing in for the connector's `consentStore: {"type":"http"}`: counts
// every POST per documentId (the Idempotency-Key the connector sends), answers 409 for one already
// filed, and can be made slow so that a call is still in flight when an instance is killed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface DocApi {
  url: string;
  /** POSTs received per documentId (filed or not). */
  posts: Map<string, number>;
  /** Documents filed (first POST of each documentId). */
  filed: Set<string>;
  delayMs: number;
  /** Resolves once a POST for this documentId has arrived (before it is answered). */
  waitForPost(documentId: string, timeoutMs?: number): Promise<void>;
}

export async function startDocApi(t: TestContext): Promise<DocApi> {
  const api: DocApi = {
    url: '',
    posts: new Map(),
    filed: new Set(),
    delayMs: 0,
    async waitForPost(documentId, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!api.posts.has(documentId)) {
        if (Date.now() > until) throw new Error('the document API never received the document');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) {
      // drain the body; its content is checked by the connector's own tests
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    api.posts.set(key, (api.posts.get(key) ?? 0) + 1);
    if (api.delayMs) await new Promise((r) => setTimeout(r, api.delayMs));
    const duplicate = api.filed.has(key);
    api.filed.add(key);
    res.writeHead(duplicate ? 409 : 201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ documentRef: `docs/${key}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/consents`;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return api;
}

export function httpStoreConfig(api: DocApi) {
  return { consentStore: { type: 'http', url: api.url, locationPath: '$.documentRef' } };
}
