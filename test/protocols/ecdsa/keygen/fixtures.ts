import { type PreParams, preParamsFromPrimes } from '../../../../src/protocols/ecdsa/preparams.js';
import {
  FIXTURE_PRIME_SETS,
  type FixturePrimeSet,
  fixturePrimeSet,
} from '../../../support/primes.js';

/** Number of available fixture sets. */
export const FIXTURE_SETS = FIXTURE_PRIME_SETS.length;

/** The raw primes of fixture set k. */
export function fixturePrimes(k: number): FixturePrimeSet {
  return fixturePrimeSet(k);
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
