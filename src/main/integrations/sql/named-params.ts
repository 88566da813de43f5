// The configured query uses `:id`; each driver wants its own placeholder. The identifier is
// always bound as a parameter: this only rewrites the placeholder, skipping string literals,
// quoted identifiers, comments and PostgreSQL `::type` casts, so the query text is never
// built from the value.

export type SqlDialect = 'postgres' | 'mssql' | 'sqlite';

const PLACEHOLDER: Record<SqlDialect, string> = { postgres: '$1', mssql: '@id', sqlite: '@id' };

export class QueryParameterError extends Error {}

export function compileQuery(query: string, dialect: SqlDialect): string {
  let out = '';
  let count = 0;
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    const next = query[i + 1];
    // Skip over literals and comments whole.
    const end =
      c === "'"
        ? closing(query, i, "'")
        : c === '"'
          ? closing(query, i, '"')
          : c === '[' && dialect === 'mssql'
            ? closing(query, i, ']')
            : c === '`' && dialect === 'sqlite'
              ? closing(query, i, '`')
              : c === '-' && next === '-'
                ? lineEnd(query, i)
                : c === '/' && next === '*'
                  ? blockEnd(query, i)
                  : c === '$' && dialect === 'postgres'
                    ? dollarQuoteEnd(query, i)
                    : -1;
    if (end > i) {
      out += query.slice(i, end);
      i = end;
      continue;
    }
    if (c === ':' && next === ':') {
      out += '::';
      i += 2;
      continue;
    }
    if (c === ':' && query.startsWith('id', i + 1) && !/[A-Za-z0-9_]/.test(query[i + 3] ?? '')) {
      out += PLACEHOLDER[dialect];
      count++;
      i += 3;
      continue;
    }
    out += c;
    i++;
  }
  if (count === 0) throw new QueryParameterError('patientLookup.query: must use :id outside quotes and comments');
  return out;
}

/** Index just past the closing quote; a doubled quote is an escaped one. */
function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  return nl === -1 ? text.length : nl + 1;
}

function blockEnd(text: string, start: number): number {
  const close = text.indexOf('*/', start + 2);
  return close === -1 ? text.length : close + 2;
}

/** `$tag$ … $tag$` (PostgreSQL); a lone `$1` is not a dollar quote. */
function dollarQuoteEnd(text: string, start: number): number {
  const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(start));
  if (!tag) return -1;
  const close = text.indexOf(tag[0], start + tag[0].length);
  return close === -1 ? text.length : close + tag[0].length;
}
