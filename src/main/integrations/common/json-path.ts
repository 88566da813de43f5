// The small JSON path subset the http integrations use: `$`, `.key`, `[0]`, `['odd key']`.
// Config validation (jsonPathSchema) guarantees the syntax before we get here.

export function parseJsonPath(path: string): Array<string | number> {
  const steps: Array<string | number> = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^'\]]+)'\]/g;
  for (const m of path.slice(1).matchAll(re)) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else if (m[3] !== undefined) steps.push(m[3]);
  }
  return steps;
}

/** The value at the path, or undefined when any step is missing. */
export function readJsonPath(value: unknown, path: string | Array<string | number>): unknown {
  let current = value;
  for (const step of typeof path === 'string' ? parseJsonPath(path) : path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}
