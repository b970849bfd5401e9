/**
 * Test pre-params from test/fixtures/primes.json (never searches for primes). Built once per
 * process and cached; set k uses prime set k.
 */
import { readFileSync } from 'node:fs';
import { type PreParams, preParamsFromPrimes } from '../../../../src/protocols/ecdsa/preparams.js';

interface PrimeSet {
  paillierP: string;
  paillierQ: string;
  ntildeP: string;
  ntildeQ: string;
}

const SETS = (
  JSON.parse(readFileSync(new URL('../../../fixtures/primes.json', import.meta.url), 'utf8')) as {
    sets: PrimeSet[];
  }
).sets;

/** Number of available fixture sets. */
export const FIXTURE_SETS = SETS.length;

/** The raw primes of fixture set k. */
export function fixturePrimes(k: number) {
  const s = SETS[k];
  if (!s) throw new Error(`no prime set ${k}`);
  const h = (x: string) => BigInt(`0x${x}`);
  return {
    paillierP: h(s.paillierP),
    paillierQ: h(s.paillierQ),
    ntildeP: h(s.ntildeP),
    ntildeQ: h(s.ntildeQ),
  };
}

const cache = new Map<number, PreParams>();

/** Validated pre-params of fixture set k (cached). */
export function fixturePreParams(k: number): PreParams {
  let p = cache.get(k);
  if (!p) {
    p = preParamsFromPrimes(fixturePrimes(k));
    cache.set(k, p);
  }
  return p;
}
