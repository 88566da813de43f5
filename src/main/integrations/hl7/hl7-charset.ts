// Character sets on the wire. The receiver's MSH-18 says how its bytes are encoded; we send in
// the configured charset and decode each answer by its own MSH-18, falling back to the config.
export const HL7_CHARSETS = ['UTF-8', 'ISO-8859-1', 'windows-1252'] as const;
export type Hl7Charset = (typeof HL7_CHARSETS)[number];

/** MSH-18 values (HL7 table 0211) we write for each configured charset. */
const MSH18: Record<Hl7Charset, string> = {
  'UTF-8': 'UNICODE UTF-8',
  'ISO-8859-1': '8859/1',
  // Table 0211 has no code for windows-1252; receivers that use it declare themselves Latin-1.
  'windows-1252': '8859/1',
};

export function msh18For(charset: Hl7Charset): string {
  return MSH18[charset];
}

/** The charset an MSH-18 value names, or null when empty or unknown (the configured one applies). */
export function charsetFromMsh18(value: string): Hl7Charset | null {
  const v = value
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, ' ');
  if (v === 'UNICODE UTF-8' || v === 'UTF-8' || v === 'UTF8' || v === 'UNICODE') return 'UTF-8';
  if (v === '8859/1' || v === 'ISO-8859-1' || v === 'ISO 8859-1' || v === 'LATIN1' || v === 'LATIN-1') {
    return 'ISO-8859-1';
  }
  if (v === 'WINDOWS-1252' || v === 'CP1252' || v === 'WINDOWS 1252') return 'windows-1252';
  return null;
}

// Code points of windows-1252 bytes 0x80–0x9F (undefined bytes omitted).
const CP1252_HIGH: Record<number, number> = {
  128: 0x20ac,
  130: 0x201a,
  131: 0x0192,
  132: 0x201e,
  133: 0x2026,
  134: 0x2020,
  135: 0x2021,
  136: 0x02c6,
  137: 0x2030,
  138: 0x0160,
  139: 0x2039,
  140: 0x0152,
  142: 0x017d,
  145: 0x2018,
  146: 0x2019,
  147: 0x201c,
  148: 0x201d,
  149: 0x2022,
  150: 0x2013,
  151: 0x2014,
  152: 0x02dc,
  153: 0x2122,
  154: 0x0161,
  155: 0x203a,
  156: 0x0153,
  158: 0x017e,
  159: 0x0178,
};
const CP1252_REVERSE = new Map(Object.entries(CP1252_HIGH).map(([byte, cp]) => [cp, Number(byte)]));

/**
 * Encodes text for the wire. A character the charset cannot hold becomes its unaccented base letter
 * when it has one (ő → o), otherwise `?` (Ł, 李), as Latin-1 interfaces do.
 */
export function encodeText(text: string, charset: Hl7Charset): Buffer {
  if (charset === 'UTF-8') return Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const byte = singleByte(ch.codePointAt(0) as number, charset);
    if (byte !== null) {
      out.push(byte);
      continue;
    }
    const base = ch.normalize('NFD').codePointAt(0) as number;
    out.push(singleByte(base, charset) ?? 0x3f);
  }
  return Buffer.from(out);
}

function singleByte(cp: number, charset: Exclude<Hl7Charset, 'UTF-8'>): number | null {
  if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) return cp;
  if (charset === 'windows-1252') return CP1252_REVERSE.get(cp) ?? null;
  return cp <= 0xff ? cp : null;
}

export function decodeBytes(bytes: Buffer, charset: Hl7Charset): string {
  if (charset === 'UTF-8') return new TextDecoder('utf-8').decode(bytes);
  const text = bytes.toString('latin1');
  if (charset === 'ISO-8859-1') return text;
  // Decoded by hand: not every Node build's TextDecoder implements windows-1252 beyond Latin-1.
  return text.replace(/[\u0080-\u009f]/g, (ch) =>
    String.fromCodePoint(CP1252_HIGH[ch.charCodeAt(0)] ?? ch.charCodeAt(0)),
  );
}

/** Decodes a received message by its own MSH-18, or by `fallback` when it names none we know. */
export function decodeMessage(bytes: Buffer, fallback: Hl7Charset): string {
  return decodeBytes(bytes, charsetFromMsh18(readMsh18(bytes)) ?? fallback);
}

/** MSH-18 read from the raw bytes: the MSH segment's delimiters and field are plain ASCII. */
function readMsh18(bytes: Buffer): string {
  const lineEnd = bytes.indexOf(CR_BYTE);
  const head = bytes.subarray(0, lineEnd < 0 ? Math.min(bytes.length, 2048) : lineEnd).toString('latin1');
  if (!head.startsWith('MSH') || head.length < 4) return '';
  const fields = head.split(head.charAt(3));
  // fields[0] is "MSH" and fields[1] is MSH-2, because MSH-1 is the separator itself.
  const value = fields[17] ?? '';
  // MSH-18 may repeat; the first repetition is the default charset of the message.
  return value.split(head.charAt(5) || '~')[0] ?? '';
}
const CR_BYTE = 0x0d;
