import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { bitLength, bytesToHex, gcd, hexToBytes, mod } from '../../src/math/bigint.js';
import { modPow, modPowBigInt, modPowCrt } from '../../src/math/modexp.js';
import { randomBelow } from '../../src/math/random.js';
import {
  assertDistinctParams,
  checkProofContext,
  type RingPedersenPublic,
  ringPedersenFromSafePrimes,
  tssLibSession,
  validateRingPedersenKeyPair,
  verifyRingPedersenParams,
} from '../../src/zk/ring-pedersen.js';
import { FIXTURE_PRIME_SETS } from '../support/primes.js';

const sets = FIXTURE_PRIME_SETS;
const s0 = sets[0]!;
const s1 = sets[1]!;
const s2 = sets[2]!;

function expectVerifyError(f: () => void, code?: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(VerifyError);
  if (code) expect((err as VerifyError).code).toBe(code);
}

describe('ring-Pedersen parameters', () => {
  const keys = ringPedersenFromSafePrimes(s0.ntildeP, s0.ntildeQ);
  const { ntilde, h1, h2 } = keys.pub;
  const { p, q, alpha, beta } = keys.secret;

  it('builds Ñ = PQ (2048 bits), h1 a square, h2 = h1^α, β = α⁻¹ mod pq', () => {
    expect(ntilde).toBe(s0.ntildeP * s0.ntildeQ);
    expect(bitLength(ntilde)).toBe(2048);
    expect(2n * p + 1n).toBe(s0.ntildeP);
    expect(2n * q + 1n).toBe(s0.ntildeQ);
    expect(modPowBigInt(h1, alpha, ntilde)).toBe(h2);
    expect(modPowBigInt(h2, beta, ntilde)).toBe(h1);
    expect(mod(alpha * beta, p * q)).toBe(1n);
    // h1 ∈ QR_Ñ: Euler's criterion mod both safe primes, and order pq (not 1 mod either prime).
    expect(modPowBigInt(h1, p, s0.ntildeP)).toBe(1n);
    expect(modPowBigInt(h1, q, s0.ntildeQ)).toBe(1n);
    expect(h1 % s0.ntildeP).not.toBe(1n);
    expect(h1 % s0.ntildeQ).not.toBe(1n);
    expect(() => verifyRingPedersenParams(keys.pub)).not.toThrow();
    expect(() => validateRingPedersenKeyPair(keys)).not.toThrow();
  });

  it('draws fresh h1, α each time', () => {
    const other = ringPedersenFromSafePrimes(s0.ntildeP, s0.ntildeQ);
    expect(other.pub.ntilde).toBe(ntilde);
    expect(other.pub.h1).not.toBe(h1);
    expect(other.secret.alpha).not.toBe(alpha);
  });

  it('refuses inputs that are not two distinct 1024-bit safe primes', () => {
    const bad: [bigint, bigint][] = [
      [s0.ntildeP, s0.ntildeP],
      [s0.paillierP, s0.ntildeQ], // a Blum prime, not a safe prime
      [s0.ntildeP, s0.ntildeQ * 2n + 1n], // wrong size
      [s0.ntildeP, 101n],
    ];
    for (const [P, Q] of bad) expect(() => ringPedersenFromSafePrimes(P, Q)).toThrow(LocalError);
  });

  it('validateRingPedersenKeyPair catches inconsistent secrets', () => {
    const wrong = [
      { ...keys, secret: { ...keys.secret, alpha: alpha + 1n } },
      { ...keys, secret: { ...keys.secret, beta: beta + 1n } },
      { ...keys, secret: { ...keys.secret, p: p + 2n } },
      { ...keys, pub: { ...keys.pub, h2: h1 } },
    ];
    for (const k of wrong) {
      expect(() => validateRingPedersenKeyPair(k)).toThrow(LocalError);
      try {
        validateRingPedersenKeyPair(k);
      } catch (e) {
        expect((e as LocalError).code).toBe('INVALID_KEY_SHARE');
        expect((e as Error).message).not.toContain(alpha.toString());
      }
    }
  });

  describe('verifyRingPedersenParams (SECURITY.md item 4)', () => {
    const degenerate: [string, bigint][] = [
      ['0', 0n],
      ['1', 1n],
      ['Ñ−1', ntilde - 1n],
      ['Ñ', ntilde],
      ['Ñ+1', ntilde + 1n],
      ['P (gcd > 1)', s0.ntildeP],
      ['2P (gcd > 1)', 2n * s0.ntildeP],
      ['-h1', -h1],
      ['10 MB integer', 1n << 80_000_000n],
    ];
    for (const field of ['h1', 'h2'] as const) {
      for (const [name, v] of degenerate) {
        it(`rejects ${field} = ${name}`, () => {
          expectVerifyError(() => verifyRingPedersenParams({ ...keys.pub, [field]: v }));
        });
      }
    }

    it('rejects Ñ of 2047 or 2049 bits, even Ñ, huge Ñ', () => {
      for (const n of [ntilde >> 1n, ntilde << 1n, ntilde + 1n, 1n << 80_000_000n]) {
        expectVerifyError(() => verifyRingPedersenParams({ ntilde: n, h1: 4n, h2: 9n }));
      }
      // A 2047-bit product of safe primes is still refused.
      expectVerifyError(
        () => verifyRingPedersenParams({ ntilde: s0.ntildeP * 3n, h1: 4n, h2: 9n }),
        'OUT_OF_RANGE',
      );
    });

    it('rejects h1 = h2 and non-bigint fields', () => {
      expectVerifyError(() => verifyRingPedersenParams({ ntilde, h1, h2: h1 }), 'OUT_OF_RANGE');
      expectVerifyError(
        () => verifyRingPedersenParams({ ntilde, h1: Number(5) as unknown as bigint, h2 }),
        'MALFORMED',
      );
      expectVerifyError(
        () => verifyRingPedersenParams(null as unknown as RingPedersenPublic),
        'MALFORMED',
      );
    });
  });

  describe('assertDistinctParams', () => {
    const k1 = ringPedersenFromSafePrimes(s1.ntildeP, s1.ntildeQ).pub;
    const k2 = ringPedersenFromSafePrimes(s2.ntildeP, s2.ntildeQ).pub;
    const k0 = keys.pub;

    it('accepts distinct parameters', () => {
      expect(() => assertDistinctParams([k0, k1, k2])).not.toThrow();
      expect(() => assertDistinctParams([])).not.toThrow();
    });

    const cases: [string, RingPedersenPublic[], number][] = [
      ['the same Ñ', [k0, k1, { ...k2, ntilde: k0.ntilde }], 2],
      ['the same h1', [k0, { ...k1, h1: k0.h1 }, k2], 1],
      ["another party's h2 as h1", [k0, k1, { ...k2, h1: k0.h2 }], 2],
      ["another party's h1 as h2", [k0, { ...k1, h2: k0.h1 }, k2], 1],
      ['a copied parameter set', [k0, k1, k0], 2],
      ['h1 = h2 within a party', [k0, { ...k1, h2: k1.h1 }], 1],
    ];
    for (const [name, list, culprit] of cases) {
      it(`rejects ${name}, naming index ${culprit}`, () => {
        let err: unknown;
        try {
          assertDistinctParams(list);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(VerifyError);
        expect((err as VerifyError).code).toBe('DUPLICATE_PARAMETER');
        expect((err as VerifyError).shortMessage).toMatch(new RegExp(`party index ${culprit}\\b`));
      });
    }

    it('rejects a malformed entry', () => {
      expectVerifyError(
        () => assertDistinctParams([k0, undefined as unknown as RingPedersenPublic]),
        'MALFORMED',
      );
    });
  });
});

describe('zk plumbing', () => {
  it('tssLibSession appends big.Int.Bytes() of the index (nothing for 0)', () => {
    const ssid = hexToBytes('69e84192');
    expect(bytesToHex(tssLibSession({ profile: 'tss-lib', ssid, prover: 0 }))).toBe('69e84192');
    expect(bytesToHex(tssLibSession({ profile: 'tss-lib', ssid, prover: 2 }))).toBe('69e8419202');
    expect(bytesToHex(tssLibSession({ profile: 'tss-lib', ssid, prover: 256 }))).toBe(
      '69e84192' + '0100',
    );
  });

  it('checkProofContext refuses misuse with LocalError', () => {
    const ssid = new Uint8Array(32);
    const bad = [
      { profile: 'other', ssid, prover: 0 },
      { profile: 'native', ssid: new Uint8Array(0), prover: 0 },
      { profile: 'native', ssid: new Uint8Array(15), prover: 0 },
      { profile: 'native', ssid, prover: -1 },
      { profile: 'native', ssid, prover: 1.5 },
      { profile: 'native', ssid: 'abc', prover: 0 },
      null,
    ];
    for (const ctx of bad) {
      expect(() => checkProofContext(ctx as never)).toThrow(LocalError);
    }
    expect(() =>
      checkProofContext({ profile: 'tss-lib', ssid: new Uint8Array(0), prover: 0 }),
    ).not.toThrow();
  });

  it('modPow returns results ±1 that OpenSSL refuses, and matches BigInt', () => {
    const p = s0.paillierP;
    let ones = 0;
    for (let i = 0; i < 20; i++) {
      const b = randomBelow(p - 2n) + 2n;
      const r = modPow(b, (p - 1n) / 2n, p); // Euler's criterion: always ±1
      expect(r === 1n || r === p - 1n).toBe(true);
      expect(r).toBe(modPowBigInt(b, (p - 1n) / 2n, p));
      if (r === 1n) ones++;
    }
    expect(ones).toBeGreaterThan(0);
    const N = s0.ntildeP * s0.ntildeQ;
    const pq = ((s0.ntildeP - 1n) / 2n) * ((s0.ntildeQ - 1n) / 2n);
    expect(modPow(4n, pq, N)).toBe(1n); // 4 ∈ QR_Ñ has order dividing pq
    for (let i = 0; i < 5; i++) {
      const b = randomBelow(N);
      const e = randomBelow(N * N);
      expect(modPow(b, e, N)).toBe(modPowBigInt(b, e, N));
      if (gcd(b, N) === 1n) {
        expect(modPowCrt(b, e, s0.ntildeP, s0.ntildeQ)).toBe(modPowBigInt(b, e, N));
      }
    }
    expect(modPowCrt(s0.ntildeP * 5n, 7n, s0.ntildeP, s0.ntildeQ)).toBe(
      modPowBigInt(s0.ntildeP * 5n, 7n, N),
    );
  });
});
