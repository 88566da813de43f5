// What the patient-lookup and document steps ask of the controller beyond testing: the database
// query's column names for the test patient, the app's folder picker, and loading or saving a
// section as a settings file.
import { guessColumns } from '../../shared/ipc/column-guess.js';
import { api } from '../api.js';
import { h } from '../dom.js';
import { exportText, parseSettingsFile, type Section } from './forms/settings-file.js';
import { buildIntegration, kindSpec, LOOKUP_KINDS, STORE_KINDS, splitIntegration } from './kinds.js';
import { integrationFrom } from './steps/integration-form.js';
import { emptyChoice, type IntegrationChoice, type WizardState } from './wizard-state.js';

const WHAT: Record<Section, string> = { patientLookup: 'patient-lookup', consentStore: 'consent-documents' };
/** NHS Data Dictionary person gender codes, offered for codes the connector's own table does not know. */
const NHS_CODES: Record<string, string> = { '0': 'unknown', '1': 'male', '2': 'female', '9': 'unknown' };

export function choiceFrom(section: Section, config: Record<string, unknown> | null, fallback: string) {
  if (!config) return emptyChoice(fallback);
  const kind = String(config.type);
  const table = section === 'patientLookup' ? LOOKUP_KINDS : STORE_KINDS;
  return { ...emptyChoice(kind), ...splitIntegration(kindSpec(table, kind), config) };
}

export function tableFor(section: Section) {
  return section === 'patientLookup' ? LOOKUP_KINDS : STORE_KINDS;
}

export function choiceOf(s: WizardState, section: Section): IntegrationChoice {
  return section === 'patientLookup' ? s.lookup : s.store;
}

/** "Run with the test patient": column names into the drop-downs, obvious ones preselected. */
export async function runMapping(s: WizardState): Promise<void> {
  const choice = s.lookup;
  // Only the connection and the query need to be right to run it; the mapping is what we are after.
  const built = integrationFrom('patientLookup', LOOKUP_KINDS, choice);
  const mappingOnly = Object.keys(choice.errors).every((k) => k.startsWith('columns.'));
  if (typeof built === 'string' && !mappingOnly) {
    s.error = built;
    return;
  }
  if (!s.testId.trim()) {
    s.error = 'Type a test patient’s number first.';
    return;
  }
  choice.errors = {};
  const config = buildIntegration('patientLookup', 'sql', kindSpec(LOOKUP_KINDS, 'sql'), choice);
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(choice.secrets)) if (value) secrets[`patientLookup.${key}`] = value;
  const result = await api()['setup.sqlColumns']({
    environment: s.environment,
    patientLookup: config,
    identifier: s.testId.trim(),
    secrets,
    ...(choice.values['columns.gender'] ? { genderColumn: choice.values['columns.gender'] } : {}),
  });
  choice.mapping = result;
  if (result.outcome !== 'ok') return;
  const guess = guessColumns(result.columns) as Record<string, string | undefined>;
  for (const [field, column] of Object.entries(guess)) {
    const key = `columns.${field}`;
    const current = choice.values[key];
    if (column && (!current || !result.columns.includes(current))) choice.values[key] = column;
  }
  for (const { code, builtIn } of result.genderValues) {
    if (builtIn === null && choice.genderMap[code] === undefined) choice.genderMap[code] = NHS_CODES[code] ?? 'unknown';
  }
}

export async function pickPath(choice: IntegrationChoice, key: string, kind: 'folder' | 'certificate'): Promise<void> {
  const picked = await api()['app.pickPath']({ kind });
  if (picked.path) choice.values[key] = picked.path;
}

export function importSettings(s: WizardState, section: Section, text: string, fileName: string): void {
  const available = s.view?.available[section] ?? [];
  const parsed = parseSettingsFile(text, section, available);
  const name = fileName.slice(0, 80);
  if (typeof parsed === 'string') {
    s.error = parsed;
    return;
  }
  const choice = choiceOf(s, section);
  Object.assign(choice, choiceFrom(section, parsed.config, parsed.kind));
  integrationFrom(section, tableFor(section), choice);
  const spec = kindSpec(tableFor(section), parsed.kind);
  const asked = spec.fields.filter((f) => f.input === 'secret' && choice.errors[f.key]).map((f) => f.label);
  const others = Object.keys(choice.errors).length - asked.length;
  choice.notice =
    `Loaded the settings from ${name}.` +
    (asked.length ? ` Type the ${asked.join(' and ').toLowerCase()}: secrets are never kept in such a file.` : '') +
    (others > 0 ? ' Check the settings marked with a cross.' : '');
}

/** Saves the section as the person set it up, without secrets, through the browser's download. */
export function exportSettings(s: WizardState, section: Section): void {
  const choice = choiceOf(s, section);
  const built = integrationFrom(section, tableFor(section), choice);
  if (typeof built === 'string' || built === null) {
    s.error = built ?? null;
    return;
  }
  const blob = new Blob([exportText(section, built.config)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: `cloud-connector-${WHAT[section]}-${choice.kind}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  choice.notice = 'Saved these settings to a file (without passwords or other secrets).';
}
