// `npm run demo`: a local platform (hub), the connector with the embedded demo data source, and a
// few real calls through the hub's HTTP API. Everything runs on loopback; Ctrl-C stops it all.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createToken } from '../src/hub/tokens-file.js';
import { demoDirectory } from '../src/main/integrations/demo/demo-directory.js';
import type { SourcePatient } from '../src/main/integrations/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, '.demo');
const cli = path.join(root, 'src/main/cli.ts');
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function startProcess(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
      process.stdout.write(dim(`  [${name}] ${line}\n`));
    });
  }
  return child;
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}`)), timeoutMs);
    const rl = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    rl.on('line', (line) => {
      const match = pattern.exec(line);
      if (match) {
        clearTimeout(timer);
        rl.close();
        resolve(match);
      }
    });
    child.once('exit', (code) => reject(new Error(`process exited early with code ${code}`)));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const apiKey = randomBytes(18).toString('base64url');
  writeFileSync(path.join(work, 'api-key'), `${apiKey}\n`, { mode: 0o600 });
  const tokensFile = path.join(work, 'tokens.jsonl');
  writeFileSync(tokensFile, '', { mode: 0o600 });
  const token = createToken({ tokensFile, tenant: 'demo-clinic', environment: 'demo' });
  writeFileSync(path.join(work, 'token'), `${token}\n`, { mode: 0o600 });

  console.log(bold('\n1. Starting the reference platform (hub) on loopback'));
  const hub = startProcess('hub', [
    'hub',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--tokens',
    tokensFile,
    '--api-key-file',
    path.join(work, 'api-key'),
  ]);
  const listening = await waitForLine(hub, /connectors=(\S+) api=(\S+)/, 20_000);
  const [, wsUrl, apiUrl] = listening as unknown as [string, string, string];

  writeFileSync(
    path.join(work, 'connector.json'),
    `${JSON.stringify(
      {
        environment: 'demo',
        platformUrl: wsUrl,
        tokenFile: 'token',
        titleCaseNames: true,
        patientLookup: { type: 'demo' },
        consentStore: { type: 'folder', path: 'consent-documents' },
      },
      null,
      2,
    )}\n`,
  );
  console.log(bold('\n2. Starting the connector (demo environment, embedded demo data source, folder document store)'));
  const connector = startProcess('connector', ['run', '--config', path.join(work, 'connector.json')]);
  const children = [connector, hub];
  const stopAll = () => {
    for (const c of children) c.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    console.log('\nStopping (the connector drains its calls first)…');
    stopAll();
  });
  process.once('SIGTERM', stopAll);
  await waitForLine(connector, /state connected/, 20_000);

  const api = async (method: string, params: unknown) => {
    const res = await fetch(`${apiUrl}/v1/demo-clinic/demo/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: await res.json() };
  };
  const list = await (
    await fetch(`${apiUrl}/v1/connectors`, { headers: { authorization: `Bearer ${apiKey}` } })
  ).json();
  const info = list.connectors[0];
  console.log(bold(`\n3. Connected in ${((Date.now() - started) / 1000).toFixed(1)} s`));
  console.log(
    `   state: connected   tenant: ${info.tenant}   version: ${info.version}   methods: ${info.methods.join(', ')}   latency: ${info.latencyMs ?? '…'} ms`,
  );

  const sample = demoDirectory().at(3);
  const consent = syntheticConsent(sample);
  console.log(bold('\n4. Calls through the hub API (synthetic test patients only)'));
  for (const [label, method, params] of [
    ['Found, by hospital number', 'patient.lookup', { identificationNumber: sample.localIdentifier.toLowerCase() }],
    ['Found, by NHS number', 'patient.lookup', { identificationNumber: sample.nationalIdentifier }],
    ['Not found', 'patient.lookup', { identificationNumber: 'd999999' }],
    ['Invalid call (wrong type)', 'patient.lookup', { identificationNumber: 12345 }],
    ['Consent form filed', 'consent.store', consent],
    ['The same form again (idempotent by documentId)', 'consent.store', consent],
    ['Connector info', 'connector.info', {}],
  ] as const) {
    const t0 = performance.now();
    const { status, body } = await api(method, params);
    const shown = method === 'consent.store' ? { documentId: consent.documentId, dataBase64: '…' } : params;
    console.log(`\n   ${label}: ${method} ${JSON.stringify(shown)}`);
    console.log(`   → HTTP ${status} in ${(performance.now() - t0).toFixed(1)} ms: ${JSON.stringify(body)}`);
  }

  console.log(bold('\n5. Try it yourself'));
  console.log(`   curl -s -X POST ${apiUrl}/v1/demo-clinic/demo/rpc/patient.lookup \\`);
  console.log(`        -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' \\`);
  console.log(`        -d '{"identificationNumber":"${sample.localIdentifier.toLowerCase()}"}'`);
  console.log(`   curl -s ${apiUrl}/v1/connectors -H 'Authorization: Bearer ${apiKey}'`);
  console.log(
    `   Files: ${path.relative(root, work)}/ (config, token, tokens file, consent-documents/, data/demo/ with the audit log and logs).`,
  );
  console.log(
    `   Demo identifiers: D100000 … D109999. Check the audit log: npx cloud-connector audit verify --config ${path.relative(root, work)}/connector.json`,
  );
  console.log(bold('\n   Running. Press Ctrl-C to stop.\n'));
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
}

/** A consent.store call for a synthetic patient with a tiny, valid PDF. */
function syntheticConsent(patient: SourcePatient) {
  const pdf = Buffer.from('%PDF-1.4\n% Cloud Connector demo consent form\n%%EOF\n');
  return {
    documentId: randomUUID(),
    episodeId: 'demo-episode-1',
    fileName: 'consent-demo.pdf',
    contentType: 'application/pdf',
    dataBase64: pdf.toString('base64'),
    sha256: createHash('sha256').update(pdf).digest('hex'),
    patient: {
      localIdentifier: patient.localIdentifier,
      nationalIdentifier: patient.nationalIdentifier,
      familyName: patient.familyName,
      firstName: patient.firstName,
      dateOfBirth: patient.dateOfBirth,
    },
    document: {
      title: 'Consent to treatment',
      procedure: 'Demo procedure',
      side: null,
      consentedAt: new Date().toISOString(),
      confirmedAt: null,
      responsibleClinician: 'Demo clinician',
      episodeHash: 'demo',
    },
  };
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
