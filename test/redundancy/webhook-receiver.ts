// A local HTTP server standing in for an operator's alert webhook: records every JSON body and can
// be told to fail the next few deliveries, to prove the hub retries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export interface WebhookReceiver {
  url: string;
  /** Bodies accepted (2xx), in arrival order. */
  events: any[];
  /** Every POST, failed ones included. */
  attempts: number;
  failNext(count: number): void;
  /** Resolves with the first accepted event (at index ≥ from) that matches. */
  waitFor(match: (event: any) => boolean, timeoutMs?: number, from?: number): Promise<any>;
}

export async function startWebhookReceiver(t: TestContext): Promise<WebhookReceiver> {
  let failing = 0;
  const waiters = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: '',
    events: [],
    attempts: 0,
    failNext(count) {
      failing = count;
    },
    waitFor(match, timeoutMs = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = receiver.events.slice(from).find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching webhook event; got ${JSON.stringify(receiver.events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.attempts++;
      if (failing > 0) {
        failing--;
        res.writeHead(503).end();
        return;
      }
      receiver.events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-path`;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return receiver;
}
