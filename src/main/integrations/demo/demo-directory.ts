// A deterministic synthetic patient directory: the same seed always yields the same people.
// Every record is a test patient; NHS numbers come from the 999 test range with valid check digits.
import { isValidNhsNumber } from '../../../shared/protocol/index.js';
import type { SourcePatient } from '../types.js';

const SEED = 0x5eed_c0de;
const FIRST_F = ['Amelia', 'Olivia', 'Isla', 'Ava', 'Mia', 'Grace', 'Freya', 'Sophia', 'Aisha', 'Niamh', 'Zara', 'Ewa'];
const FIRST_M = [
  'Oliver',
  'George',
  'Noah',
  'Arthur',
  'Muhammad',
  'Leo',
  'Harry',
  'Oscar',
  'Rhys',
  'Tomasz',
  'Kwame',
  'Callum',
];
const FAMILY = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Evans',
  'McDonald',
  "O'Brien",
  'Smith-Jones',
  'Patel',
  'Nowak',
  'Okafor',
  'Khan',
  'Davies',
  'MacLeod',
];
const TITLES_F = ['Mrs', 'Ms', 'Miss', 'Dr', null];
const TITLES_M = ['Mr', 'Dr', null];

/** mulberry32: tiny, fast, good enough for reproducible synthetic data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The n-th valid NHS number in the 999 test range (skips bases whose check digit would be 10). */
function nhsNumberFrom(n: number): string {
  for (let base = 999_000_000 + n * 7; ; base++) {
    const nine = String(base);
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) {
      const value = `${nine}${check}`;
      if (isValidNhsNumber(value)) return value;
    }
  }
}

export class DemoDirectory {
  private readonly byId = new Map<string, number[]>();
  private readonly patients: SourcePatient[] = [];

  constructor(readonly size = 10_000) {
    const rand = prng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    for (let i = 0; i < size; i++) {
      const female = rand() < 0.5;
      const first = pick(female ? FIRST_F : FIRST_M);
      const middle = rand() < 0.4 ? pick(female ? FIRST_F : FIRST_M) : null;
      const upper = rand() < 0.2; // some systems store names in capitals
      const family = pick(FAMILY);
      const year = 1930 + Math.floor(rand() * 90);
      const month = 1 + Math.floor(rand() * 12);
      const day = 1 + Math.floor(rand() * 28);
      const nhs = nhsNumberFrom(i);
      const hasContact = rand() < 0.7;
      const patient: SourcePatient = {
        title: pick(female ? TITLES_F : TITLES_M),
        firstName: upper ? first.toUpperCase() : first,
        middleNames: middle && upper ? middle.toUpperCase() : middle,
        familyName: upper ? family.toUpperCase() : family,
        dateOfBirth: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        gender: female ? 'female' : rand() < 0.97 ? 'male' : 'unknown',
        localIdentifier: `D${String(100_000 + i)}`,
        nationalIdentifier: nhs,
        email: hasContact ? `${first}.${family}${i}@example.invalid`.toLowerCase().replace(/'/g, '') : null,
        mobile: hasContact ? `07700 9${String(i % 100_000).padStart(5, '0')}`.slice(0, 13) : null,
        isTestPatient: true,
      };
      this.patients.push(patient);
      this.index(patient.localIdentifier.toLowerCase(), i);
      this.index(nhs, i);
    }
  }

  private index(key: string, i: number): void {
    const list = this.byId.get(key);
    if (list) list.push(i);
    else this.byId.set(key, [i]);
  }

  /** Records whose local or national identifier equals the normalised identifier. */
  find(identifier: string): SourcePatient[] {
    return (this.byId.get(identifier) ?? []).map((i) => ({ ...(this.patients[i] as SourcePatient) }));
  }

  at(i: number): SourcePatient {
    const p = this.patients[i];
    if (!p) throw new RangeError('no such demo patient');
    return { ...p };
  }
}

let shared: DemoDirectory | null = null;
/** The default-size directory, built once per process. */
export function demoDirectory(size = 10_000): DemoDirectory {
  if (size !== 10_000) return new DemoDirectory(size);
  shared ??= new DemoDirectory();
  return shared;
}
