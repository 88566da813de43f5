// "Load settings from a file…" and "Save settings to a file…": a patient-lookup or document-store
// section as connector.json holds it (`{"patientLookup": {…}}`, or the section alone), never with a
// secret in it. Loading drops any secret a prepared file might carry, so the person is asked for it.
import type { IntegrationInput } from '../../../shared/ipc/channels.js';

export type Section = 'patientLookup' | 'consentStore';

const SECRET_KEY = /password|token|secret/i;
const WHAT: Record<Section, string> = { patientLookup: 'patient lookup', consentStore: 'consent documents' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy without secrets or secret references; header values (gateways put keys there) emptied. */
export function withoutSecrets(config: IntegrationInput): { config: IntegrationInput; removed: string[] } {
  const removed: string[] = [];
  const walk = (obj: Obj, at: string): Obj => {
    const out: Obj = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = at ? `${at}.${key}` : key;
      // tokenUrl is an address, not a secret.
      if (SECRET_KEY.test(key) && key !== 'tokenUrl' && (typeof value === 'string' || isObj(value))) {
        removed.push(path);
      } else if (key === 'headers' && isObj(value)) {
        out[key] = Object.fromEntries(Object.keys(value).map((name) => [name, '']));
        if (Object.keys(value).length) removed.push(path);
      } else out[key] = isObj(value) ? walk(value, path) : value;
    }
    return out;
  };
  return { config: walk(config, '') as IntegrationInput, removed };
}

export function exportText(section: Section, config: IntegrationInput): string {
  return `${JSON.stringify({ [section]: withoutSecrets(config).config }, null, 2)}\n`;
}

/** The section in a prepared file, without its secrets, or a sentence saying why it cannot be used. */
export function parseSettingsFile(
  text: string,
  section: Section,
  available: readonly string[],
): { kind: string; config: IntegrationInput } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'This file is not a settings file (it is not JSON). Ask for the file again.';
  }
  const candidate = isObj(parsed) && isObj(parsed[section]) ? parsed[section] : parsed;
  if (!isObj(candidate) || typeof candidate.type !== 'string') {
    return `This file holds no ${WHAT[section]} settings. Check you chose the right file.`;
  }
  if (!available.includes(candidate.type)) {
    return `This file is for a kind of ${WHAT[section]} (“${candidate.type.slice(0, 20)}”) this version cannot use.`;
  }
  return { kind: candidate.type, config: withoutSecrets(candidate as IntegrationInput).config };
}
