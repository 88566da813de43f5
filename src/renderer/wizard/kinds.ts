// The kinds of patient source and document store the wizard offers, each with its form
// (forms/*-form.ts), and the conversion between a form's values and the config section it stands
// for. Rare settings go in "More settings (JSON)", merged under the form's values.
import type { IntegrationInput } from '../../shared/ipc/channels.js';
import { FHIR_LOOKUP_FORM, FHIR_STORE_FORM } from './forms/fhir-form.js';
import type { FieldSpec, KindSpec } from './forms/field-spec.js';
import { FOLDER_FORM } from './forms/folder-form.js';
import { HL7_LOOKUP_FORM, HL7_STORE_FORM } from './forms/hl7-form.js';
import { HTTP_LOOKUP_FORM, HTTP_STORE_FORM } from './forms/http-form.js';
import { SQL_FORM } from './forms/sql-form.js';

export type { FieldSpec, KindSpec } from './forms/field-spec.js';

export const LOOKUP_KINDS: Record<string, KindSpec> = {
  demo: {
    label: 'Demo patients (built in)',
    sentence: 'Made-up test patients, for trying things out. Never real people.',
    fields: [],
    testHint: 'e.g. D100000',
  },
  fhir: FHIR_LOOKUP_FORM,
  sql: SQL_FORM,
  http: HTTP_LOOKUP_FORM,
  hl7: HL7_LOOKUP_FORM,
};

export const STORE_KINDS: Record<string, KindSpec> = {
  folder: FOLDER_FORM,
  fhir: FHIR_STORE_FORM,
  http: HTTP_STORE_FORM,
  hl7: HL7_STORE_FORM,
};

export function kindSpec(table: Record<string, KindSpec>, kind: string): KindSpec {
  return table[kind] ?? { label: kind.toUpperCase(), sentence: 'Fill in its settings below.', fields: [] };
}

/** The value a field has in the form: what was typed or chosen, else its default. */
export function fieldValue(field: FieldSpec, values: Record<string, string>): string {
  return values[field.key] ?? field.defaultValue ?? '';
}

/** Whether a field is shown (and written): its condition holds, and so does its condition's. */
export function isShown(spec: KindSpec, field: FieldSpec, values: Record<string, string>): boolean {
  if (!field.when) return true;
  const parent = spec.fields.find((f) => f.key === field.when?.key);
  if (parent && !isShown(spec, parent, values)) return false;
  const value = parent ? fieldValue(parent, values) : (values[field.when.key] ?? '');
  return field.when.is.includes(value);
}

type Obj = Record<string, unknown>;

function setPath(target: Obj, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof at[part] !== 'object' || at[part] === null || Array.isArray(at[part])) at[part] = {};
    at = at[part] as Obj;
  }
  at[parts[parts.length - 1] as string] = value;
}

function getPath(target: Obj, key: string): { parent: Obj | undefined; last: string; value: unknown } {
  const parts = key.split('.');
  let parent: Obj | undefined = target;
  for (const part of parts.slice(0, -1)) {
    const next: unknown = parent?.[part];
    parent = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Obj) : undefined;
  }
  const last = parts[parts.length - 1] as string;
  return { parent, last, value: parent?.[last] };
}

/** What the form holds for one kind, besides its plain values. */
export interface FormContent {
  values: Record<string, string>;
  /** Secrets typed in this session, by field key; never written into the config. */
  secrets: Record<string, string>;
  /** References to secrets already saved (or given as file/env in a prepared file), by field key. */
  savedSecrets: Record<string, unknown>;
  /** Source code → platform gender, for a database or web API whose codes are its own. */
  genderMap: Record<string, string>;
  extra: string;
}

/**
 * Form → config section. A typed secret becomes {"stored": "<section>.<key>"}: the controller keeps
 * the value in its secret store under that name. Throws SyntaxError when More settings is not JSON.
 */
export function buildIntegration(
  section: 'patientLookup' | 'consentStore',
  kind: string,
  spec: KindSpec,
  form: FormContent,
): IntegrationInput {
  const out: Obj = {};
  const extra = form.extra.trim();
  if (extra) {
    const parsed = JSON.parse(extra) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SyntaxError('More settings must be one JSON object: { … }');
    }
    Object.assign(out, parsed);
  }
  for (const field of spec.fields) {
    if (!isShown(spec, field, form.values)) continue;
    if (field.input === 'secret') {
      if (form.secrets[field.key]) setPath(out, field.key, { stored: `${section}.${field.key}` });
      else if (form.savedSecrets[field.key] !== undefined) setPath(out, field.key, form.savedSecrets[field.key]);
      continue;
    }
    const value = fieldValue(field, form.values).trim();
    if (!value || value === field.omitWhen) continue;
    if (field.input === 'checkbox') setPath(out, field.key, value === 'true' ? (field.asObject ? {} : true) : false);
    else if (field.input === 'number' && /^\d+$/.test(value)) setPath(out, field.key, Number(value));
    else setPath(out, field.key, value);
  }
  if (Object.keys(form.genderMap).length > 0) out.genderMap = { ...form.genderMap };
  out.type = kind;
  return out as IntegrationInput;
}

/** Config section → form, for editing a saved setup or loading a prepared file. */
export function splitIntegration(spec: KindSpec, config: IntegrationInput): FormContent {
  const rest: Obj = structuredClone(config);
  delete rest.type;
  const form: FormContent = { values: {}, secrets: {}, savedSecrets: {}, genderMap: {}, extra: '' };
  for (const field of spec.fields) {
    const { parent, last, value } = getPath(rest, field.key);
    if (value === undefined || !parent) continue;
    if (field.input === 'secret') {
      form.savedSecrets[field.key] = value;
      delete parent[last];
    } else if (field.input === 'checkbox') {
      form.values[field.key] = value === false ? 'false' : 'true';
      // An object (ssl: {caFile}) keeps its inner keys for the fields below it; emptied later.
      if (typeof value !== 'object') delete parent[last];
    } else if (typeof value === 'string' || typeof value === 'number') {
      form.values[field.key] = String(value);
      delete parent[last];
    }
  }
  // A field left out because it had its default shows that default, not an empty box.
  for (const field of spec.fields) {
    if (field.omitWhen !== undefined && form.values[field.key] === undefined) form.values[field.key] = field.omitWhen;
  }
  const gm = rest.genderMap;
  if (typeof gm === 'object' && gm !== null && !Array.isArray(gm)) {
    for (const [code, gender] of Object.entries(gm)) if (typeof gender === 'string') form.genderMap[code] = gender;
    delete rest.genderMap;
  }
  pruneEmpty(rest);
  form.extra = Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
  return form;
}

function pruneEmpty(obj: Obj): void {
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      pruneEmpty(value as Obj);
      if (Object.keys(value).length === 0) delete obj[key];
    }
  }
}
