// Every config example in the README's "Data sources and document stores" section is valid:
// copied into a config file beside environment and platformUrl, it passes the config schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectorConfigSchema } from '../../src/shared/config/schema.js';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

test('the README data-source examples are valid configs, one per source and store type', () => {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('## Data sources and document stores');
  assert.ok(start !== -1, 'the README has the section');
  const end = text.indexOf('\n## ', start + 10);
  const section = text.slice(start, end === -1 ? undefined : end);
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] as string));
  const seen = new Set<string>();
  for (const block of blocks) {
    const config = { environment: 'production', platformUrl: 'wss://platform.example.com/connector', ...block };
    const parsed = connectorConfigSchema.safeParse(config);
    assert.ok(parsed.success, `${JSON.stringify(block).slice(0, 80)}…: ${parsed.error?.message}`);
    if (block.patientLookup) seen.add(`patientLookup:${block.patientLookup.type}:${block.patientLookup.driver ?? ''}`);
    if (block.consentStore) seen.add(`consentStore:${block.consentStore.type}`);
  }
  assert.deepEqual([...seen].sort(), [
    'consentStore:fhir',
    'consentStore:folder',
    'consentStore:http',
    'patientLookup:fhir:',
    'patientLookup:http:',
    'patientLookup:sql:mssql',
    'patientLookup:sql:postgres',
    'patientLookup:sql:sqlite',
  ]);
});
