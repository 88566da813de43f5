// The synthetic patients the FHIR and PostgreSQL benchmark sources are seeded with, and the
// identifiers the benchmark looks up. Hospital numbers are stored upper-case, as a PAS holds
// them; lookups arrive downcased (PROTOCOL normalises identifiers), so both sources must match
// without regard to case in ONE request/query, which the benchmark checks.

import { NHS_NUMBER_SYSTEM } from '../../src/shared/config/sources.js';

export const BENCH_LOCAL_SYSTEM = 'https://fhir.bench-trust.example/Id/hospital-number';
/** The national identifier's system the connector searches by default. */
export const BENCH_NHS_SYSTEM = NHS_NUMBER_SYSTEM;

export interface BenchPatient {
  hospitalNumber: string;
  nhsNumber: string;
  title: string;
  firstName: string;
  familyName: string;
  dateOfBirth: string;
  gender: 'male' | 'female';
  mobile: string;
}

const FIRST = ['Mary', 'Piotr', 'Aoife', 'Kwame', 'Adaeze', 'Sean', 'Priya', 'Tomasz', 'Grace', 'Omar'];
const FAMILY = ['Mcdonald', 'Kowalczyk', 'Reilly', 'Mensah', 'Okonkwo', 'Brien', 'Patel', 'Nowak', 'Evans', 'Khan'];

export function hospitalNumber(i: number): string {
  return `RX${String(i).padStart(6, '0')}`;
}

export function benchPatients(count: number): BenchPatient[] {
  const patients: BenchPatient[] = [];
  for (let i = 0, n = 0; patients.length < count; n++) {
    const nhs = nhsNumber(String(400_000_000 + n * 37));
    if (!nhs) continue; // about one in eleven has no valid check digit
    const female = i % 2 === 0;
    patients.push({
      hospitalNumber: hospitalNumber(i),
      nhsNumber: nhs,
      title: female ? 'MRS' : 'MR',
      firstName: FIRST[i % FIRST.length] as string,
      familyName: FAMILY[(i * 7) % FAMILY.length] as string,
      dateOfBirth: `19${String(30 + (i % 70)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      gender: female ? 'female' : 'male',
      mobile: `07700 9${String(i % 100_000).padStart(5, '0')}`,
    });
    i++;
  }
  return patients;
}

/** The identifiers looked up, as they arrive at a source: downcased, spread over the seeded patients. */
export function benchIdentifiers(count: number): string[] {
  return Array.from({ length: count }, (_, k) => hospitalNumber((k * 7919) % count).toLowerCase());
}

/** An NHS number with a valid modulus-11 check digit from nine digits, or null when none exists. */
function nhsNumber(nine: string): string | null {
  let sum = 0;
  for (let k = 0; k < 9; k++) sum += Number(nine[k]) * (10 - k);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? null : `${nine}${check}`;
}
