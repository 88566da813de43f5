// What the hub keeps of text a connector sends it (PROTOCOL §4, §5): every string is untrusted
// and bounded. Source names are only the method names of §7, error reasons only those of §5
// (anything else is `other`), and names and messages are cut short and stripped of markup before
// they reach logs, alerts, webhooks, metrics labels or an API caller.
import {
  CALLABLE_METHODS,
  ERROR_REASONS,
  type ErrorReason,
  type SourceState,
  sourceStateSchema,
} from '../shared/protocol/index.js';

export const MAX_CONNECTOR_NAME = 64;
export const MAX_CONNECTOR_MESSAGE = 300;

const KNOWN_REASONS = new Set<string>(ERROR_REASONS);

/** Letters, digits and a few separators; anything else (markup, controls, quotes) becomes `_`. */
export function safeConnectorName(name: string): string {
  const cleaned = name
    .replace(/[^\p{L}\p{N} ._-]/gu, '_')
    .slice(0, MAX_CONNECTOR_NAME)
    .trim();
  return cleaned.length > 0 ? cleaned : 'unnamed';
}

/** A connector's error message as the API caller may see it: printable, one line, bounded. */
export function safeConnectorMessage(message: string): string {
  const flat = message.replace(/[\p{Cc}\p{Cf}]+/gu, ' ');
  return flat.length > MAX_CONNECTOR_MESSAGE ? `${flat.slice(0, MAX_CONNECTOR_MESSAGE - 1)}…` : flat;
}

/** A §5 reason, or `other`: the reason becomes a metrics label, so its values must be a fixed set. */
export function knownReason(reason: unknown): ErrorReason | 'other' {
  return typeof reason === 'string' && KNOWN_REASONS.has(reason) ? (reason as ErrorReason) : 'other';
}

/**
 * The `sources` of a `connector.health`, reduced to the §7 data-source methods with a valid state.
 * Only those keys are looked at, so a message with thousands of invented names costs no more
 * than one with two. Null when the params are not an object with a `sources` object.
 */
export function knownSources(params: unknown): Record<string, SourceState> | null {
  const sources = (params as { sources?: unknown } | null)?.sources;
  if (typeof sources !== 'object' || sources === null || Array.isArray(sources)) return null;
  const kept: Record<string, SourceState> = {};
  for (const name of CALLABLE_METHODS) {
    if (!Object.hasOwn(sources, name)) continue;
    const state = sourceStateSchema.safeParse((sources as Record<string, unknown>)[name]);
    if (state.success) kept[name] = state.data;
  }
  return kept;
}

/** A connector's version as the hub logs it: semver, or `unrecognised` (never free text in a log). */
export function safeVersion(version: string): string {
  return /^\d{1,6}\.\d{1,6}\.\d{1,6}(?:[-+][0-9A-Za-z.-]{1,32})?$/.test(version) ? version : 'unrecognised';
}
