// Reads an RSP^K22 answer into raw SourcePatient candidates; the common lookup pipeline then
// validates them (dates, NHS number check digit, gender) and decides found / not found / ambiguous.
import { RpcError } from '../../../shared/protocol/index.js';
import type { SourcePatient } from '../types.js';
import { ackCode, isAccepted } from './hl7-ack.js';
import { componentOf, type Hl7Message, type Hl7Segment } from './hl7-message.js';
import type { Hl7Identity } from './hl7-settings.js';
import type { IdentifierKind } from './pdq-query.js';

export interface PdqAnswer {
  patients: SourcePatient[];
  /** The receiver holds more matches than it sent (DSC continuation or QAK hits remaining). */
  more: boolean;
}

export const refused = (code: string) =>
  new RpcError('source_unavailable', `The HL7 receiver refused the patient query (${code}).`);

export function readPdqAnswer(
  message: Hl7Message,
  queryTag: string,
  identifier: string,
  kind: IdentifierKind,
  identity: Hl7Identity,
  genderMap: Record<string, string> = {},
  today = new Date(),
): PdqAnswer {
  const ack = ackCode(message);
  if (!isAccepted(ack)) throw refused(/^[A-Z]{2}$/.test(ack) ? ack : 'no MSA-1');
  const qak = message.segment('QAK');
  if (qak && qak.get(1) !== '' && qak.get(1) !== queryTag) {
    throw new RpcError('source_unavailable', "The HL7 receiver's answer does not match the query (QAK-1).");
  }
  const status = (qak?.get(2) ?? '').toUpperCase();
  if (status === 'NF') return { patients: [], more: false };
  if (status === 'AE' || status === 'AR') throw refused(status);
  // A record that does not hold the queried identifier, under the queried authority, is not an
  // answer to the query, whatever the receiver meant by sending it (a wildcard search, a merge it
  // followed, a number from another system's numbering): it is never shown.
  const comparable = (value: string) =>
    (kind === 'national' ? value.replace(/[\s-]+/g, '') : value.replace(/\s+/g, '')).toLowerCase();
  const wanted = comparable(identifier);
  const patients = message
    .all('PID')
    // Records that do not mention the identifier at all are not read (a merge of someone else's
    // records must not make this lookup ambiguous).
    .filter((pid) => pid.repetitions(3).some((rep) => comparable(componentOf(rep, 1, 1, pid.delimiters)) === wanted))
    .map((pid) => readPid(pid, identity, genderMap, today))
    .filter((p) => comparable((kind === 'local' ? p.localIdentifier : p.nationalIdentifier) ?? '') === wanted);
  const remaining = Number(qak?.get(6) || '0');
  const continuation = message.segment('DSC')?.get(1) ?? '';
  return { patients, more: continuation !== '' || remaining > 0 };
}

export function readPid(
  pid: Hl7Segment,
  identity: Hl7Identity,
  genderMap: Record<string, string>,
  today: Date,
): SourcePatient {
  const name = preferredName(pid);
  const gender = pid.get(8).trim();
  const mapped = genderMap[gender] ?? genderMap[gender.toUpperCase()] ?? genderMap[gender.toLowerCase()];
  return {
    title: orNull(name.prefix),
    firstName: name.given,
    middleNames: orNull(name.middle),
    familyName: name.family,
    dateOfBirth: hl7Date(pid.get(7)),
    gender: mapped ?? gender,
    localIdentifier: identifierOf(pid, identity.localAuthority, identity.localIdentifierType, today) ?? '',
    nationalIdentifier: identifierOf(pid, identity.nationalAuthority, identity.nationalIdentifierType, today),
    email: email(pid),
    mobile: mobile(pid),
    // PID-30 (death indicator) has no place in the PROTOCOL §7 result, so it is not returned.
  };
}

/** YYYYMMDD[HHMM…] → YYYY-MM-DD. A partial date (YYYY, YYYYMM) is passed on as is and fails validation. */
export function hl7Date(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value.trim();
}

interface Name {
  family: string;
  given: string;
  middle: string;
  prefix: string;
}

/** PID-5: the legal name (XPN-7 = L) when several are sent, otherwise the first. */
function preferredName(pid: Hl7Segment): Name {
  const reps = pid.repetitions(5);
  const d = pid.delimiters;
  const legal = reps.find((r) => componentOf(r, 7, 1, d).toUpperCase() === 'L') ?? reps[0] ?? '';
  return {
    family: componentOf(legal, 1, 1, d).trim(),
    given: componentOf(legal, 2, 1, d).trim(),
    middle: componentOf(legal, 3, 1, d).trim(),
    prefix: componentOf(legal, 5, 1, d).trim(),
  };
}

/**
 * The PID-3 value under this assigning authority (CX-4 namespace or universal ID) and type (CX-5,
 * or none); expired identifiers (CX-8 in the past) are skipped. When no repetition names the
 * authority, one of the right type without any authority is accepted. Two different current
 * values (a merged record) cannot be told apart, so they are `ambiguous_match`.
 */
function identifierOf(pid: Hl7Segment, authority: string, type: string, today: Date): string | null {
  const d = pid.delimiters;
  const todayStamp = today.toISOString().slice(0, 10).replace(/-/g, '');
  const current = pid.repetitions(3).filter((rep) => {
    const expires = componentOf(rep, 8, 1, d).slice(0, 8);
    return componentOf(rep, 1, 1, d).trim() !== '' && !(expires.length === 8 && expires < todayStamp);
  });
  const repType = (rep: string) => componentOf(rep, 5, 1, d).trim().toUpperCase();
  const typeFits = (rep: string) => repType(rep) === '' || repType(rep) === type.toUpperCase();
  const named = current.filter((rep) => {
    const ns = componentOf(rep, 4, 1, d).trim().toUpperCase();
    const uid = componentOf(rep, 4, 2, d).trim().toUpperCase();
    return (ns === authority.toUpperCase() || uid === authority.toUpperCase()) && typeFits(rep);
  });
  const candidates =
    named.length > 0
      ? named
      : current.filter((rep) => componentOf(rep, 4, 1, d).trim() === '' && repType(rep) === type.toUpperCase());
  const values = [...new Set(candidates.map((rep) => componentOf(rep, 1, 1, d).trim()))];
  if (values.length > 1) throw new RpcError('ambiguous_match');
  return values[0] ?? null;
}

/** Telecom repetitions of PID-13 (home), PID-14 (business) and PID-40 (v2.7 patient telecom). */
function telecoms(pid: Hl7Segment): string[] {
  return [...pid.repetitions(13), ...pid.repetitions(14), ...pid.repetitions(40)];
}

function mobile(pid: Hl7Segment): string | null {
  const d = pid.delimiters;
  const rep = telecoms(pid).find((r) => componentOf(r, 3, 1, d).toUpperCase() === 'CP');
  if (rep === undefined) return null;
  const assembled = () => {
    const country = componentOf(rep, 5, 1, d).trim();
    const rest = `${componentOf(rep, 6, 1, d)}${componentOf(rep, 7, 1, d)}`.trim();
    return rest === '' ? '' : `${country ? `+${country}` : ''}${rest}`;
  };
  return orNull(componentOf(rep, 12, 1, d).trim() || componentOf(rep, 1, 1, d).trim() || assembled());
}

function email(pid: Hl7Segment): string | null {
  const d = pid.delimiters;
  const rep = telecoms(pid).find((r) => {
    const use = componentOf(r, 2, 1, d).toUpperCase();
    const equipment = componentOf(r, 3, 1, d).toUpperCase();
    return use === 'NET' || equipment === 'INTERNET' || equipment === 'X.400';
  });
  if (rep === undefined) return null;
  return orNull(componentOf(rep, 4, 1, d).trim() || componentOf(rep, 1, 1, d).trim());
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}
