// Checks a form's config section with the same zod schema the connector loads it with, and turns
// each problem into a plain sentence beside the field it belongs to. A problem no field shows goes
// beside "More settings (JSON)", naming the setting (never its value).
import type { z } from 'zod';
import { consentStoreConfigSchema, patientLookupConfigSchema } from '../../../shared/config/sources.js';
import type { IntegrationInput } from '../../../shared/ipc/channels.js';
import { type FieldSpec, isShown, type KindSpec } from '../kinds.js';

/** Where a problem with More settings is shown. */
export const EXTRA = '$extra';

function words(issue: z.core.$ZodIssue, field: FieldSpec | undefined): string {
  const missing =
    (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) ||
    (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1);
  if (missing) return field?.input === 'secret' ? 'Type it here.' : 'Fill this in.';
  if (issue.code === 'invalid_format' && issue.format === 'url') return 'Type a full address, starting with https://';
  if (issue.code === 'too_big' && issue.origin === 'number') return `Must be at most ${issue.maximum}.`;
  if (issue.code === 'too_small' && issue.origin === 'number') return `Must be at least ${issue.minimum}.`;
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'Type a whole number.';
  if (issue.code === 'invalid_value' && 'values' in issue) return `Must be one of: ${issue.values.join(', ')}.`;
  if (issue.code === 'unrecognized_keys') return `Not a setting of this kind: ${issue.keys.join(', ')}.`;
  if (issue.code === 'custom' || issue.code === 'invalid_format') {
    const m = issue.message;
    return `${m.charAt(0).toUpperCase()}${m.slice(1)}${m.endsWith('.') ? '' : '.'}`;
  }
  return 'This is not accepted here. Check it, or ask your IT team.';
}

/**
 * The shown fields a config path belongs to: the same key, else the nearest one above it, else —
 * for a whole missing object such as `columns` — every required field inside it.
 */
function fieldsFor(spec: KindSpec, values: Record<string, string>, path: string): FieldSpec[] {
  const shown = spec.fields.filter((f) => isShown(spec, f, values));
  const exact = shown.find((f) => f.key === path) ?? shown.find((f) => path.startsWith(`${f.key}.`));
  if (exact) return [exact];
  const inside = shown.filter((f) => f.key.startsWith(`${path}.`));
  const required = inside.filter((f) => f.required);
  return required.length ? required : inside.slice(0, 1);
}

export function fieldErrors(
  section: 'patientLookup' | 'consentStore',
  spec: KindSpec,
  values: Record<string, string>,
  config: IntegrationInput,
): Record<string, string> {
  const schema = section === 'patientLookup' ? patientLookupConfigSchema : consentStoreConfigSchema;
  const parsed = schema.safeParse(config);
  if (parsed.success) return {};
  const errors: Record<string, string> = {};
  const extra: string[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    const fields = fieldsFor(spec, values, path);
    for (const field of fields) errors[field.key] ??= words(issue, field);
    if (fields.length === 0) extra.push(`${path ? `${path}: ` : ''}${words(issue, undefined)}`);
  }
  if (extra.length > 0) errors[EXTRA] = `More settings: ${[...new Set(extra)].slice(0, 4).join(' ')}`;
  return errors;
}
