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

/**
 * Patients are computed from their index when asked for, not held in memory: each has its own
 * seed, so the directory costs nothing while idle and any record is the same on every run.
 */
export class DemoDirectory {
  constructor(readonly size = 10_000) {}

  /** Records whose local or national identifier equals the normalised identifier. */
  find(identifier: string): SourcePatient[] {
    const local = /^d(\d{6})$/.exec(identifier);
    if (local) {
      const i = Number(local[1]) - 100_000;
      return i >= 0 && i < this.size ? [this.at(i)] : [];
    }
    if (/^999\d{7}$/.test(identifier)) {
      // nhsNumberFrom(n) starts at 999000000 + 7n and moves on at most a few steps.
      const n = Math.floor((Number(identifier.slice(0, 9)) - 999_000_000) / 7);
      for (const i of [n, n - 1]) {
        if (i >= 0 && i < this.size && nhsNumberFrom(i) === identifier) return [this.at(i)];
      }
    }
    return [];
  }

  at(i: number): SourcePatient {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError('no such demo patient');
    const rand = prng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
    const female = rand() < 0.5;
    const first = pick(female ? FIRST_F : FIRST_M);
    const middle = rand() < 0.4 ? pick(female ? FIRST_F : FIRST_M) : null;
    const upper = rand() < 0.2; // some systems store names in capitals
    const family = pick(FAMILY);
    const year = 1930 + Math.floor(rand() * 90);
    const month = 1 + Math.floor(rand() * 12);
    const day = 1 + Math.floor(rand() * 28);
    const hasContact = rand() < 0.7;
    return {
      title: pick(female ? TITLES_F : TITLES_M),
      firstName: upper ? first.toUpperCase() : first,
      middleNames: middle && upper ? middle.toUpperCase() : middle,
      familyName: upper ? family.toUpperCase() : family,
      dateOfBirth: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      gender: female ? 'female' : rand() < 0.97 ? 'male' : 'unknown',
      localIdentifier: `D${String(100_000 + i)}`,
      nationalIdentifier: nhsNumberFrom(i),
      email: hasContact ? `${first}.${family}${i}@example.invalid`.toLowerCase().replace(/'/g, '') : null,
      mobile: hasContact ? `07700 9${String(i % 100_000).padStart(5, '0')}`.slice(0, 13) : null,
      isTestPatient: true,
    };
  }
}

let shared: DemoDirectory | null = null;
/** The default-size directory. */
export function demoDirectory(size = 10_000): DemoDirectory {
  if (size !== 10_000) return new DemoDirectory(size);
  shared ??= new DemoDirectory();
  return shared;
}
