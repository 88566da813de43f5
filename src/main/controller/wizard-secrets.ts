// Secrets typed in the wizard. The renderer sends each one beside the config, by the config path
// it belongs at; here it becomes a {"stored": path} reference in the config, and the value goes to
// the secret store (on Start) or is only lent to a test while it runs (PendingSecrets).
import type { IntegrationInput, SecretsInput } from '../../shared/ipc/channels.js';
import { IpcUserError } from '../../shared/ipc/dispatch.js';
import type { Environment } from '../../shared/protocol/index.js';

export type Section = 'patientLookup' | 'consentStore';

/** Only keys that hold secrets may be filled this way. */
const SECRET_LEAF = /^(?:password|token|clientSecret)$/;

/** The section's secrets, as {path inside the section: value}. */
export function sectionSecrets(secrets: SecretsInput | undefined, section: Section): Array<[string[], string, string]> {
  const out: Array<[string[], string, string]> = [];
  for (const [name, value] of Object.entries(secrets ?? {})) {
    const [head, ...rest] = name.split('.');
    if (head !== section) continue;
    if (!SECRET_LEAF.test(rest[rest.length - 1] ?? '')) throw new IpcUserError(`${name} is not a secret setting.`);
    out.push([rest, name, value]);
  }
  return out;
}

/** A copy of the section with a {"stored": name} reference wherever a secret was typed. */
export function withSecretRefs(
  section: Section,
  config: IntegrationInput,
  secrets: SecretsInput | undefined,
): IntegrationInput {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const [path, name] of sectionSecrets(secrets, section)) {
    let target = copy;
    for (const part of path.slice(0, -1)) {
      if (typeof target[part] !== 'object' || target[part] === null || Array.isArray(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path[path.length - 1] as string] = { stored: name };
  }
  return copy as IntegrationInput;
}

/** Every {"stored": name} reference in a config (or part of one). */
export function storedNames(config: unknown): string[] {
  const names: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      if (typeof obj.stored === 'string' && Object.keys(obj).length === 1) names.push(obj.stored);
      else for (const v of Object.values(obj)) walk(v);
    }
  };
  walk(config);
  return names;
}

/** Secrets typed but not saved yet, lent to the stored-secret reader while a test runs. */
export class PendingSecrets {
  private readonly lent = new Map<Environment, Map<string, string>>();

  read(environment: Environment, name: string): string | undefined {
    return this.lent.get(environment)?.get(name);
  }

  async with<T>(environment: Environment, secrets: SecretsInput | undefined, fn: () => Promise<T>): Promise<T> {
    const entries = Object.entries(secrets ?? {});
    if (entries.length === 0) return fn();
    const map = this.lent.get(environment) ?? new Map<string, string>();
    this.lent.set(environment, map);
    for (const [name, value] of entries) map.set(name, value);
    try {
      return await fn();
    } finally {
      for (const [name, value] of entries) if (map.get(name) === value) map.delete(name);
    }
  }
}
