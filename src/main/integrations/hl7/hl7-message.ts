// A small HL7 v2 message model: parse received text into segments, read values by HL7 position
// (PID-5.2 is field 5, component 2), unescaped; build outbound segments with every value escaped.
import { DEFAULT_DELIMITERS, escapeHl7, type Hl7Delimiters, unescapeHl7 } from './hl7-escape.js';

export class Hl7ParseError extends Error {
  constructor() {
    super('The HL7 answer is not a valid message.');
    this.name = 'Hl7ParseError';
  }
}

export class Hl7Segment {
  constructor(
    readonly name: string,
    private readonly parts: string[],
    readonly delimiters: Hl7Delimiters,
  ) {}

  /** Raw (still escaped) text of field `n`. MSH counts its field separator as MSH-1. */
  raw(n: number): string {
    if (this.name === 'MSH') {
      if (n === 1) return this.delimiters.field;
      return this.parts[n - 1] ?? '';
    }
    return this.parts[n] ?? '';
  }

  /** The repetitions of field `n`, raw. */
  repetitions(n: number): string[] {
    const raw = this.raw(n);
    if (raw === '') return [];
    if (this.name === 'MSH' && n === 2) return [raw];
    return raw.split(this.delimiters.repetition);
  }

  /** Unescaped component `c` (and subcomponent `s`) of repetition `r` of field `n`; all 1-based. */
  get(n: number, c = 1, s = 1, r = 1): string {
    const rep = this.repetitions(n)[r - 1];
    return rep === undefined ? '' : componentOf(rep, c, s, this.delimiters);
  }
}

/** Unescaped component `c`, subcomponent `s` of one raw field repetition. */
export function componentOf(rawRepetition: string, c: number, s: number, d: Hl7Delimiters): string {
  const component = rawRepetition.split(d.component)[c - 1] ?? '';
  const sub = component.split(d.subcomponent)[s - 1] ?? '';
  return unescapeHl7(sub, d);
}

export class Hl7Message {
  constructor(readonly segments: Hl7Segment[]) {}

  static parse(text: string): Hl7Message {
    if (!text.startsWith('MSH') || text.length < 8) throw new Hl7ParseError();
    const d: Hl7Delimiters = {
      field: text.charAt(3),
      component: text.charAt(4),
      repetition: text.charAt(5),
      escape: text.charAt(6),
      subcomponent: text.charAt(7),
    };
    if (new Set(Object.values(d)).size !== 5 || /[A-Za-z0-9\r\n]/.test(Object.values(d).join(''))) {
      throw new Hl7ParseError();
    }
    const segments = text
      .split(/\r\n|\r|\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const parts = line.split(d.field);
        const name = parts[0] ?? '';
        if (!/^[A-Z][A-Z0-9]{2}$/.test(name)) throw new Hl7ParseError();
        return new Hl7Segment(name, parts, d);
      });
    return new Hl7Message(segments);
  }

  segment(name: string): Hl7Segment | undefined {
    return this.segments.find((s) => s.name === name);
  }

  all(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }
}

/**
 * A field value for building: a plain string is one escaped value; an array is components, each
 * of which may be an array of subcomponents; `{ repeat }` gives repetitions.
 */
export type FieldValue = string | Array<string | string[]> | { repeat: Array<string | Array<string | string[]>> };

/** One outbound segment as text, every value escaped. `fields[0]` is field 1 (MSH: MSH-3 onwards). */
export function buildSegment(name: string, fields: FieldValue[], d: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  const encoded = fields.map((f) => encodeField(f, d));
  if (name === 'MSH') {
    const msh2 = d.component + d.repetition + d.escape + d.subcomponent;
    return ['MSH', msh2, ...encoded].join(d.field);
  }
  return [name, ...encoded].join(d.field);
}

function encodeField(value: FieldValue, d: Hl7Delimiters): string {
  if (typeof value === 'string') return escapeHl7(value, d);
  if (Array.isArray(value)) return encodeComponents(value, d);
  return value.repeat
    .map((rep) => (typeof rep === 'string' ? escapeHl7(rep, d) : encodeComponents(rep, d)))
    .join(d.repetition);
}

function encodeComponents(components: Array<string | string[]>, d: Hl7Delimiters): string {
  return trimTrailing(
    components.map((c) =>
      typeof c === 'string'
        ? escapeHl7(c, d)
        : trimTrailing(
            c.map((s) => escapeHl7(s, d)),
            d.subcomponent,
          ),
    ),
    d.component,
  );
}

function trimTrailing(values: string[], separator: string): string {
  let end = values.length;
  while (end > 0 && values[end - 1] === '') end--;
  return values.slice(0, end).join(separator);
}
