// A small PDQ supplier for the tests: hand-written PID segments of fictional patients, matched the
// way a patient administration system does it (identifier value, assigning authority, type; case-sensitive).
import type { Hl7Message } from '@medplum/core';

export interface QueryParams {
  value: string;
  authority: string;
  type: string;
}

/** QPD-3 parameters as the receiver sees them (no unescaping, as medplum leaves them). */
export function queryParams(query: Hl7Message): QueryParams {
  const field = query.getSegment('QPD')?.getField(3);
  const params: Record<string, string> = {};
  for (let rep = 0; rep < (field?.components.length ?? 0); rep++) {
    params[field?.getComponent(1, undefined, rep) ?? ''] = field?.getComponent(2, undefined, rep) ?? '';
  }
  return { value: params['@PID.3.1'] ?? '', authority: params['@PID.3.4.1'] ?? '', type: params['@PID.3.5'] ?? '' };
}

export const SMITH_PID =
  'PID|1||RX12345^^^RX1^MR~9434765919^^^NHS^NH||SMITH^JOHN^PAUL^^MR^^L~SMYTHE^JOHN^^^^^A||19700101|M|||' +
  '1 HIGH STREET^^LEEDS^^LS1 1AA^GBR||^PRN^PH^^44^113^4960000~^PRN^CP^^^^^^^^^07700900123~^NET^Internet^john.smith@example.com';
export const JONES_PID =
  'PID|1||RX22222^^^RX1^MR~9434765986^^^NHS^NH||JONES^MARY^^^MRS^^L||19851231120000+0100|F|||||' +
  '^PRN^CP^^44^7700^900456~^NET^X.400^^^^^^^^^|||||||||||||N';
/** Shares the local number RX22222 in another system's numbering (a different authority). */
export const OTHER_SYSTEM_PID = 'PID|1||RX22222^^^RX9^MR||WHITE^ALAN||19500101|M';
/** Two patients both holding the same NHS number: a duplicate registration. */
export const DUPLICATE_A_PID = 'PID|1||RX30001^^^RX1^MR~9434766052^^^NHS^NH||BROWN^ANN||19600101|F';
export const DUPLICATE_B_PID = 'PID|2||RX30002^^^RX1^MR~9434766052^^^NHS^NH||BROWN^ANNE||19600101|F';
/** A merged record listing two current hospital numbers. */
export const MERGED_PID = 'PID|1||RX40001^^^RX1^MR~RX40002^^^RX1^MR||GREEN^TOM||19900101|M';
/** The old number of the merged record has expired (CX-8), so only one is current. */
export const EXPIRED_OLD_NUMBER_PID = 'PID|1||RX50001^^^RX1^MR~RX50002^^^RX1^MR^^^20200101||GREY^TIM||19910101|M';
export const BAD_CHECK_DIGIT_PID = 'PID|1||RX60001^^^RX1^MR~9434765918^^^NHS^NH||BLACK^JO||19920101|F';
export const PARTIAL_DOB_PID = 'PID|1||RX70001^^^RX1^MR||STONE^KIM||1970|F';
/** Escaped delimiters in names: the family name is SMITH&JONES, the given name ROSE^MARIE (one value each). */
export const ESCAPED_PID = 'PID|1||RX80001^^^RX1^MR||SMITH\\T\\JONES^ROSE\\S\\MARIE||19930101|F';

export const DIRECTORY = [
  SMITH_PID,
  JONES_PID,
  OTHER_SYSTEM_PID,
  DUPLICATE_A_PID,
  DUPLICATE_B_PID,
  MERGED_PID,
  EXPIRED_OLD_NUMBER_PID,
  BAD_CHECK_DIGIT_PID,
  PARTIAL_DOB_PID,
  ESCAPED_PID,
];

export function matches(pid: string, q: QueryParams): boolean {
  const ids = pid.split('|')[3]?.split('~') ?? [];
  return ids.some((id) => {
    const c = id.split('^');
    return c[0] === q.value && (c[3] ?? '') === q.authority && (c[4] ?? '') === q.type;
  });
}

export interface AnswerOptions {
  msh18?: string;
  ack?: string;
  status?: string;
  extra?: string[];
  hitsRemaining?: number;
}

/** An RSP^K22 answering `query` with these PID segments. */
export function rsp(query: Hl7Message, pids: string[], o: AnswerOptions = {}): string {
  const msh = query.getSegment('MSH');
  const controlId = msh?.getField(10)?.toString() ?? '';
  const tag = query.getSegment('QPD')?.getField(2)?.toString() ?? '';
  const status = o.status ?? (pids.length ? 'OK' : 'NF');
  return [
    `MSH|^~\\&|PAS|RX1|CC|CLINIC|20240501120000+0100||RSP^K22^RSP_K21|R${controlId}|P|2.5||||||${o.msh18 ?? 'UNICODE UTF-8'}`,
    `MSA|${o.ack ?? 'AA'}|${controlId}`,
    `QAK|${tag}|${status}|IHE PDQ Query|${pids.length}|${pids.length}|${o.hitsRemaining ?? 0}`,
    query.getSegment('QPD')?.toString() ?? '',
    ...pids.map((p, i) => p.replace(/^PID\|\d*/, `PID|${i + 1}`)),
    ...(o.extra ?? []),
  ].join('\r');
}

/** A PDQ supplier over DIRECTORY (plus `extra` records). */
export function pdqSupplier(extra: string[] = [], o: AnswerOptions = {}) {
  return (query: Hl7Message): string => {
    const q = queryParams(query);
    return rsp(
      query,
      [...DIRECTORY, ...extra].filter((p) => matches(p, q)),
      o,
    );
  };
}

/** Every personal value in the fixtures, for the scans of error messages and log lines. */
export const PERSONAL_VALUES = [
  ...new Set(
    DIRECTORY.flatMap((pid) => {
      const f = pid.split('|');
      return [
        ...(f[3] ?? '').split('~').map((id) => id.split('^')[0] ?? ''),
        ...(f[5] ?? '').split(/[~^]/),
        f[7] ?? '',
        (f[7] ?? '').slice(0, 8).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3'),
      ];
    }),
  ),
].filter((v) => v.length >= 3 && !/^(MR|MRS|NHS|RX1)$/.test(v));

/** Throws when `text` holds any personal value of the fixtures (or `extra`) as a whole word. */
export function assertNoPersonalData(text: string, extra: string[] = []): void {
  for (const value of [...PERSONAL_VALUES, ...extra]) {
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(text)) {
      throw new Error(`personal value found in text: ${JSON.stringify(value)} in ${JSON.stringify(text)}`);
    }
  }
}
