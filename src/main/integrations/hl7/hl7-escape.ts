// HL7 v2 escape sequences (v2.5 §2.7). Outbound text is escaped so that no value can add a field,
// component or segment (a `|`, `^` or CR in a name must not become structure), nor end an MLLP frame.
export interface Hl7Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const DEFAULT_DELIMITERS: Hl7Delimiters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

export function escapeHl7(text: string, d: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  let out = '';
  for (const ch of text) {
    const e = d.escape;
    if (ch === d.escape) out += `${e}E${e}`;
    else if (ch === d.field) out += `${e}F${e}`;
    else if (ch === d.component) out += `${e}S${e}`;
    else if (ch === d.subcomponent) out += `${e}T${e}`;
    else if (ch === d.repetition) out += `${e}R${e}`;
    // Control characters (CR ends a segment; VT and FS delimit MLLP frames) travel as hex.
    else if (ch < ' ' || ch === '\u007f')
      out += `${e}X${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}${e}`;
    else out += ch;
  }
  return out;
}

export function unescapeHl7(text: string, d: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  if (!text.includes(d.escape)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf(d.escape, i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const end = text.indexOf(d.escape, start + 1);
    if (end < 0) {
      // An unterminated escape is taken literally rather than losing the rest of the value.
      out += text.slice(start);
      break;
    }
    out += decodeSequence(text.slice(start + 1, end), d);
    i = end + 1;
  }
  return out;
}

function decodeSequence(seq: string, d: Hl7Delimiters): string {
  switch (seq) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case '.br':
    case '.sp':
      return '\n';
  }
  if (/^X(?:[0-9A-Fa-f]{2})+$/.test(seq)) return decodeHex(seq.slice(1));
  // Highlighting (H/N), formatting (.in, .ti, .fi, …), charset switches (C/M) and local (Z) escapes
  // carry no text of their own.
  return '';
}

function decodeHex(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}
