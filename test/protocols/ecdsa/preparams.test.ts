/**
 * Pre-params: building from known primes, validation on load, serialization, tss-lib import.
 * Never searches for safe primes (only fixture primes and a pre-aborted generation).
 */
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../src/errors.js';
import { parseTssLibSaveData } from '../../../src/interop/tss-lib/keyfile.js';
import { bitLength } from '../../../src/math/bigint.js';
import { modPowCrt } from '../../../src/math/modexp.js';
import {
  generatePreParams,
  type PreParams,
  parsePreParams,
  preParamsFromPrimes,
  preParamsFromTssLib,
  serializePreParams,
  validatePreParams,
} from '../../../src/protocols/ecdsa/preparams.js';
import { describeInterop, readInterop } from '../../support/interop.js';
import { fixturePreParams, fixturePrimes } from './keygen/fixtures.js';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocalError);
    return (e as LocalError).code;
  }
  return 'OK';
}

describe('pre-params from primes', () => {
  it('builds a valid, frozen set with the documented relations', () => {
    const pre = fixturePreParams(0);
    const primes = fixturePrimes(0);
    expect(Object.isFrozen(pre)).toBe(true);
    expect(pre.paillierN).toBe(primes.paillierP * primes.paillierQ);
    expect(bitLength(pre.paillierN)).toBe(2048);
    expect(bitLength(pre.ntilde)).toBe(2048);
    expect(pre.ntilde).toBe(primes.ntildeP * primes.ntildeQ);
    expect(2n * pre.sophieGermainP + 1n).toBe(primes.ntildeP);
    const P = primes.ntildeP;
    const Q = primes.ntildeQ;
    expect(modPowCrt(pre.h1, pre.alpha, P, Q)).toBe(pre.h2);
    expect(modPowCrt(pre.h2, pre.beta, P, Q)).toBe(pre.h1);
    expect(pre.h1).not.toBe(pre.h2);
    expect(() => validatePreParams(pre)).not.toThrow();
  });

  it('draws fresh h1 and α each time', () => {
    const a = preParamsFromPrimes(fixturePrimes(1));
    const b = preParamsFromPrimes(fixturePrimes(1));
    expect(a.h1).not.toBe(b.h1);
    expect(a.paillierN).toBe(b.paillierN);
  });

  it('rejects primes that do not qualify', () => {
    const p = fixturePrimes(2);
    // Safe primes swapped in for the Paillier primes are fine (they are Blum primes too), but
    // Paillier primes are not safe primes.
    expect(code(() => preParamsFromPrimes({ ...p, ntildeP: p.paillierP }))).toBe(
      'INVALID_KEY_SHARE',
    );
    expect(code(() => preParamsFromPrimes({ ...p, paillierQ: p.paillierP }))).toBe(
      'INVALID_KEY_SHARE',
    );
    expect(code(() => preParamsFromPrimes({ ...p, paillierQ: p.paillierQ + 4n }))).toBe(
      'INVALID_KEY_SHARE',
    );
    expect(code(() => preParamsFromPrimes({ ...p, ntildeQ: 7n }))).toBe('INVALID_KEY_SHARE');
  });
});

describe('validation', () => {
  const good = fixturePreParams(3);
  const cases: [string, Partial<Record<keyof PreParams, bigint>>][] = [
    ['h2 not h1^α', { h2: (good.h2 * good.h1) % good.ntilde }],
    ['h1 = h2', { h2: good.h1 }],
    ['β not α⁻¹', { beta: good.beta + 1n }],
    ['N ≠ p·q', { paillierN: good.paillierN + 2n }],
    [
      'composite p',
      { paillierP: good.paillierP + 4n, paillierN: (good.paillierP + 4n) * good.paillierQ },
    ],
    [
      'p ≡ 1 mod 4',
      { paillierP: good.paillierP + 2n, paillierN: (good.paillierP + 2n) * good.paillierQ },
    ],
    ['Ñ not 2048 bits', { ntilde: good.ntilde >> 1n }],
    ['α ≥ Ñ', { alpha: good.ntilde + good.alpha }],
    ['negative', { beta: -1n }],
  ];
  for (const [name, change] of cases) {
    it(`rejects ${name}`, () => {
      expect(code(() => validatePreParams({ ...good, ...change }))).toBe('INVALID_KEY_SHARE');
    });
  }

  it('remembers validation by value: a changed copy is validated again', () => {
    const copy: Record<string, bigint> = { ...good };
    validatePreParams(copy as unknown as PreParams);
    copy.h2 = copy.h1!;
    expect(code(() => validatePreParams(copy as unknown as PreParams))).toBe('INVALID_KEY_SHARE');
  });
});

describe('serialization', () => {
  const pre = fixturePreParams(4);

  it('round-trips and validates on load', () => {
    const text = serializePreParams(pre);
    const back = parsePreParams(text);
    expect(back).toEqual(pre);
    expect(Object.isFrozen(back)).toBe(true);
    expect(JSON.parse(text).kind).toBe('mpc-tss/ecdsa-pre-params');
  });

  it('rejects unknown, missing, non-canonical and inconsistent fields', () => {
    const obj = JSON.parse(serializePreParams(pre)) as Record<string, unknown>;
    const bad = (o: Record<string, unknown>) => code(() => parsePreParams(JSON.stringify(o)));
    expect(bad({ ...obj, extra: '1' })).toBe('INVALID_KEY_SHARE');
    const { h1: _h1, ...missing } = obj;
    expect(bad(missing)).toBe('INVALID_KEY_SHARE');
    expect(bad({ ...obj, h1: `0${obj.h1 as string}` })).toBe('INVALID_KEY_SHARE');
    expect(bad({ ...obj, h1: (obj.h1 as string).toUpperCase() })).toBe('INVALID_KEY_SHARE');
    expect(bad({ ...obj, kind: 'other' })).toBe('INVALID_KEY_SHARE');
    expect(bad({ ...obj, version: 2 })).toBe('INVALID_KEY_SHARE');
    expect(bad({ ...obj, h2: obj.h1 })).toBe('INVALID_KEY_SHARE');
    expect(bad({ ...obj, paillierP: 'f'.repeat(2000) })).toBe('INVALID_KEY_SHARE');
    expect(code(() => parsePreParams('{"kind":'))).toBe('INVALID_KEY_SHARE');
  });
});

describe('generation', () => {
  it('can be cancelled (no prime search is started for a pre-aborted signal)', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(generatePreParams({ signal: ac.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });
});

describeInterop('pre-params from tss-lib key files', () => {
  it('imports LocalPreParams from the tss-lib fixtures and validates them', () => {
    for (let i = 0; i < 3; i++) {
      const text = readInterop(`tss-lib-fixtures/ecdsa/keygen_data_${i}.json`);
      const data = parseTssLibSaveData(text);
      const pre = preParamsFromTssLib(text);
      expect(pre.paillierN).toBe(data.paillierSK.n);
      expect(pre.ntilde).toBe(data.nTildei);
      expect(pre.sophieGermainP).toBe(data.p);
      expect(preParamsFromTssLib(data)).toEqual(pre);
    }
  });

  it('refuses files without the secret primes', () => {
    const data = parseTssLibSaveData(readInterop('tss-lib-fixtures/ecdsa/keygen_data_0.json'));
    const { alpha: _a, ...old } = data;
    expect(code(() => preParamsFromTssLib(old))).toBe('INVALID_KEY_SHARE');
    expect(
      code(() => preParamsFromTssLib({ ...data, paillierSK: { ...data.paillierSK, phiN: 5n } })),
    ).toBe('INVALID_KEY_SHARE');
  });
});
