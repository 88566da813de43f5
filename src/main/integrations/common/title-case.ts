// Best-effort Title Case for names a patient system stores in CAPITALS (PROTOCOL §7). Only names
// with no lower-case letter are touched: a mixed-case name ("van der Berg", "McDonald") is the
// patient's own spelling and is left exactly as stored.

/** Lower-case particles inside a surname ("VAN DER BERG" → "Van der Berg"); the first word keeps its capital. */
const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'du',
  'da',
  'di',
  'del',
  'della',
  'la',
  'le',
  'ter',
  'ten',
]);

/** "Mac" names that are not Mac + capital (MACHIN is Machin, not MacHin). */
const MAC_EXCEPTIONS = [
  'machado',
  'machar',
  'machin',
  'machlin',
  'macias',
  'maciulis',
  'mackie',
  'mackle',
  'macklin',
  'mackmin',
  'mackintosh',
  'macquarie',
  'macomber',
  'macin',
  'macey',
  'maceda',
  'macedo',
  'macek',
  'macon',
];

export function isAllUpperCase(name: string): boolean {
  return name !== name.toLowerCase() && name === name.toUpperCase();
}

export function titleCaseName(name: string): string {
  if (!isAllUpperCase(name)) return name;
  let index = 0;
  return name.replace(/[^\s]+/g, (word) => {
    const first = index++ === 0;
    const lower = word.toLowerCase();
    if (!first && PARTICLES.has(lower)) return lower;
    return lower.split('-').map(capitaliseHyphenPart).join('-');
  });
}

function capitaliseHyphenPart(part: string): string {
  // O'Brien, D'Arcy: capital after the apostrophe when a letter precedes it.
  const pieces = part.split(/(['\u2019])/);
  let out = '';
  for (const piece of pieces) out += piece === "'" || piece === '’' ? piece : capitalise(piece);
  return out;
}

function capitalise(word: string): string {
  if (word.length === 0) return word;
  if (/^mc[a-z]{2,}/.test(word)) return `Mc${upperFirst(word.slice(2))}`;
  if (/^mac[a-z]{4,}/.test(word) && !MAC_EXCEPTIONS.some((e) => word.startsWith(e))) {
    return `Mac${upperFirst(word.slice(3))}`;
  }
  return upperFirst(word);
}

function upperFirst(word: string): string {
  const [first = '', ...rest] = word;
  return first.toUpperCase() + rest.join('');
}
