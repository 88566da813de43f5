// What the wizard shows for each kind of patient source and document store: a name, one sentence,
// and a short form whose fields map onto the config keys of README / issue #3. Anything a kind
// needs beyond these fields goes in "More settings (JSON)", checked by the controller.
import type { IntegrationInput } from '../../shared/ipc/channels.js';

export interface FieldSpec {
  /** Dotted config key, e.g. "identifierSystems.local". */
  key: string;
  label: string;
  placeholder: string;
  hint?: string;
  required?: boolean;
  defaultValue?: string;
  options?: string[];
  /** Sent as a number (ports). */
  numeric?: boolean;
}

export interface KindSpec {
  label: string;
  sentence: string;
  fields: FieldSpec[];
}

export const LOOKUP_KINDS: Record<string, KindSpec> = {
  demo: {
    label: 'Demo patients (built in)',
    sentence: 'Made-up test patients, for trying things out. Never real people.',
    fields: [],
  },
  fhir: {
    label: 'FHIR server',
    sentence: 'Your patient system offers a FHIR R4 interface.',
    fields: [
      {
        key: 'baseUrl',
        label: 'Server address',
        placeholder: 'https://pas.example-hospital.nhs.uk/fhir/R4',
        required: true,
      },
      {
        key: 'identifierSystems.local',
        label: 'Hospital number system',
        placeholder: 'https://example-hospital.nhs.uk/Id/mrn',
        required: true,
      },
      {
        key: 'identifierSystems.national',
        label: 'NHS number system',
        placeholder: 'https://fhir.nhs.uk/Id/nhs-number',
        defaultValue: 'https://fhir.nhs.uk/Id/nhs-number',
      },
    ],
  },
  sql: {
    label: 'Database',
    sentence: 'Read patient details straight from a PostgreSQL, SQL Server or SQLite database.',
    fields: [
      {
        key: 'driver',
        label: 'Database kind',
        placeholder: 'postgres',
        options: ['postgres', 'mssql', 'sqlite'],
        required: true,
      },
      {
        key: 'query',
        label: 'Query (use :id for the patient number)',
        placeholder: 'SELECT * FROM patients WHERE hospital_no = :id OR nhs_no = :id',
        required: true,
      },
    ],
  },
  http: {
    label: 'Web API',
    sentence: 'Your patient system answers a web address with JSON.',
    fields: [
      {
        key: 'url',
        label: 'Address ({id} is the patient number)',
        placeholder: 'https://pas.example/api/patients/{id}',
        required: true,
      },
    ],
  },
  hl7: {
    label: 'HL7 interface (MLLP)',
    sentence: 'Ask your patient system through its HL7 v2 interface (patient query).',
    fields: [
      { key: 'host', label: 'Interface engine address', placeholder: 'hl7.example-hospital.nhs.uk', required: true },
      { key: 'port', label: 'Port', placeholder: '2575', required: true, numeric: true },
    ],
  },
};

export const STORE_KINDS: Record<string, KindSpec> = {
  folder: {
    label: 'Folder or network share',
    sentence: 'Signed PDFs are saved as files, for example on a shared drive your records team uses.',
    fields: [{ key: 'path', label: 'Folder', placeholder: '\\\\records-server\\Consent forms', required: true }],
  },
  fhir: {
    label: 'FHIR server',
    sentence: 'Signed PDFs are filed as documents on the patient record through FHIR.',
    fields: [
      {
        key: 'baseUrl',
        label: 'Server address',
        placeholder: 'https://epr.example-hospital.nhs.uk/fhir/R4',
        required: true,
      },
      {
        key: 'identifierSystems.local',
        label: 'Hospital number system',
        placeholder: 'https://example-hospital.nhs.uk/Id/mrn',
        required: true,
      },
    ],
  },
  http: {
    label: 'Web API',
    sentence: 'Signed PDFs are sent to a web address of your document system.',
    fields: [{ key: 'url', label: 'Address', placeholder: 'https://documents.example/api/consent', required: true }],
  },
  hl7: {
    label: 'HL7 interface (MLLP)',
    sentence: 'Send signed PDFs to your document system as HL7 v2 MDM messages.',
    fields: [
      { key: 'host', label: 'Interface engine address', placeholder: 'hl7.example-hospital.nhs.uk', required: true },
      { key: 'port', label: 'Port', placeholder: '2575', required: true, numeric: true },
    ],
  },
};

export function kindSpec(table: Record<string, KindSpec>, kind: string): KindSpec {
  return table[kind] ?? { label: kind.toUpperCase(), sentence: 'Fill in its settings below.', fields: [] };
}

/** Form values (dotted keys) + extra JSON → a config object with nested keys. */
export function buildIntegration(
  kind: string,
  values: Record<string, string>,
  extraJson: string,
  spec?: KindSpec,
): IntegrationInput {
  const out: Record<string, unknown> = {};
  const extra = extraJson.trim();
  if (extra) {
    const parsed = JSON.parse(extra) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    Object.assign(out, parsed);
  }
  for (const [key, raw] of Object.entries(values)) {
    const value = raw.trim();
    if (!value) continue;
    const parts = key.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      if (typeof target[part] !== 'object' || target[part] === null) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    const numeric = spec?.fields.find((f) => f.key === key)?.numeric;
    target[parts[parts.length - 1] as string] = numeric && /^\d+$/.test(value) ? Number(value) : value;
  }
  out.type = kind;
  return out as IntegrationInput;
}

/** The reverse, for editing a saved setup: form values and the rest as JSON. */
export function splitIntegration(
  spec: KindSpec,
  config: IntegrationInput,
): { values: Record<string, string>; extra: string } {
  const rest: Record<string, unknown> = structuredClone(config);
  delete rest.type;
  const values: Record<string, string> = {};
  for (const field of spec.fields) {
    const parts = field.key.split('.');
    let parent: Record<string, unknown> | undefined = rest;
    for (const part of parts.slice(0, -1)) parent = parent?.[part] as Record<string, unknown> | undefined;
    const last = parts[parts.length - 1] as string;
    const value = parent?.[last];
    if (typeof value === 'string' || typeof value === 'number') {
      values[field.key] = String(value);
      delete parent?.[last];
      if (parent && parent !== rest && Object.keys(parent).length === 0) delete rest[parts[0] as string];
    }
  }
  return { values, extra: Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '' };
}
