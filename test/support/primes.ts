/**
 * The precomputed primes of test/fixtures/primes.json (written by scripts/gen-fixtures.ts), as
 * bigints: 1024-bit Blum primes for Paillier and 1024-bit safe primes for Ñ. Tests use these and
 * never search for safe primes. Test data only: never use these primes for real keys.
 */
import { readFileSync } from 'node:fs';

/** One fixture set. */
export interface FixturePrimeSet {
  /** Blum prime p of a Paillier modulus. */
  readonly paillierP: bigint;
  /** Blum prime q of a Paillier modulus. */
  readonly paillierQ: bigint;
  /** Safe prime P of a ring-Pedersen modulus Ñ. */
  readonly ntildeP: bigint;
  /** Safe prime Q of a ring-Pedersen modulus Ñ. */
  readonly ntildeQ: bigint;
}

type RawSet = Record<keyof FixturePrimeSet, string>;

const hex = (s: string): bigint => BigInt(`0x${s}`);

/** Every fixture set, in file order. */
export const FIXTURE_PRIME_SETS: readonly FixturePrimeSet[] = (
  JSON.parse(readFileSync(new URL('../fixtures/primes.json', import.meta.url), 'utf8')) as {
    sets: RawSet[];
  }
).sets.map((s) => ({
  paillierP: hex(s.paillierP),
  paillierQ: hex(s.paillierQ),
  ntildeP: hex(s.ntildeP),
  ntildeQ: hex(s.ntildeQ),
}));

/** Fixture set `i`; throws when there is none. */
export function fixturePrimeSet(i: number): FixturePrimeSet {
  const s = FIXTURE_PRIME_SETS[i];
  if (s === undefined) throw new Error(`no fixture prime set ${i}`);
  return s;
}
