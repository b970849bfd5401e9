import fc from 'fast-check';
import { PrivateKey as OraclePrivateKey, PublicKey as OraclePublicKey } from 'paillier-bigint';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { bitLength, modInv } from '../../src/math/bigint.js';
import { modPowBigInt } from '../../src/math/modexp.js';
import { randomBelow, randomUnit } from '../../src/math/random.js';
import {
  add,
  decrypt,
  encrypt,
  encryptWithNonce,
  generatorPow,
  mulScalar,
  nSquare,
  PAILLIER_MODULUS_BITS,
  paillierKeyFromPrimes,
  paillierKeyFromTssLib,
  paillierKeyToTssLib,
  paillierPublicKey,
  powModN2,
  validateCiphertext,
  validatePaillierPublicKey,
} from '../../src/paillier/index.js';
import { fixturePaillier, fixturePaillierPrimes } from '../zk/mta/support.js';

const sk = fixturePaillier(0);
const pk = sk.publicKey;
const { p, q } = fixturePaillierPrimes(0);
const N = pk.n;
const N2 = N * N;

// The oracle: paillier-bigint with g = N + 1 and μ = λ⁻¹ mod N.
const oraclePk = new OraclePublicKey(N, N + 1n);
const oracleSk = new OraclePrivateKey(sk.lambdaN, modInv(sk.lambdaN, N), oraclePk, p, q);

const plaintext = fc.bigInt({ min: 0n, max: N - 1n });
const fast = { numRuns: 25 };

function expectVerifyError(f: () => unknown, code?: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    if (code !== undefined) expect((e as VerifyError).code).toBe(code);
    return;
  }
  throw new Error('expected a VerifyError');
}

describe('Paillier keys', () => {
  it('builds a 2048-bit key with tss-lib fields from the fixture primes', () => {
    expect(bitLength(N)).toBe(PAILLIER_MODULUS_BITS);
    expect(sk.n).toBe(p * q);
    expect(sk.phiN).toBe((p - 1n) * (q - 1n));
    // λ = lcm(p − 1, q − 1): a multiple of both, dividing φ.
    expect(sk.lambdaN % (p - 1n)).toBe(0n);
    expect(sk.lambdaN % (q - 1n)).toBe(0n);
    expect(sk.phiN % sk.lambdaN).toBe(0n);
    expect(Object.isFrozen(sk)).toBe(true);
  });

  it('maps to and from the tss-lib PaillierSK shape', () => {
    const t = paillierKeyToTssLib(sk);
    expect(t).toEqual({ N, LambdaN: sk.lambdaN, PhiN: sk.phiN, P: p, Q: q });
    const back = paillierKeyFromTssLib(t);
    expect(back.n).toBe(N);
    const { c } = encrypt(pk, 77n);
    expect(decrypt(back, c)).toBe(77n);
  });

  it('rejects inconsistent tss-lib key fields', () => {
    const t = paillierKeyToTssLib(sk);
    for (const bad of [
      { ...t, N: t.N + 2n },
      { ...t, PhiN: t.PhiN + 2n },
      { ...t, LambdaN: t.PhiN },
      { ...t, Q: t.P },
    ]) {
      expect(() => paillierKeyFromTssLib(bad)).toThrow(LocalError);
    }
  });

  it('rejects bad primes', () => {
    const other = fixturePaillierPrimes(1);
    expect(() => paillierKeyFromPrimes(p, p)).toThrow(LocalError);
    expect(() => paillierKeyFromPrimes(p, q + 2n)).toThrow(LocalError); // not prime
    expect(() => paillierKeyFromPrimes(p, 65537n)).toThrow(LocalError); // wrong size
    expect(() => paillierKeyFromPrimes(p * other.p, q)).toThrow(LocalError);
    // Primes too close: q and the next prime after it would pass size but fail |p − q|.
    expect(() => paillierKeyFromPrimes(q, q + 4n)).toThrow(LocalError);
  });

  it('validates public keys', () => {
    expect(paillierPublicKey(N).n).toBe(N);
    expectVerifyError(() => paillierPublicKey(N - 1n), 'OUT_OF_RANGE'); // even
    expectVerifyError(() => paillierPublicKey(p), 'OUT_OF_RANGE'); // 1024 bits
    expectVerifyError(() => paillierPublicKey(N * 3n), 'OUT_OF_RANGE');
    expectVerifyError(
      () => validatePaillierPublicKey({ n: 5 as unknown as bigint }, 'N'),
      'MALFORMED',
    );
  });

  it('caches N²', () => {
    expect(nSquare(pk)).toBe(N2);
    expect(nSquare(pk)).toBe(nSquare(pk));
  });
});

describe('Paillier vs paillier-bigint (property tests)', () => {
  it('encryptWithNonce matches the oracle byte for byte', () => {
    fc.assert(
      fc.property(plaintext, (m) => {
        const r = randomUnit(N);
        expect(encryptWithNonce(pk, m, r)).toBe(oraclePk.encrypt(m, r));
      }),
      { numRuns: 10 },
    );
  });

  it('decrypt(encrypt(m)) = m, and decrypts the oracle’s ciphertexts', () => {
    fc.assert(
      fc.property(plaintext, (m) => {
        const { c, r } = encrypt(pk, m);
        expect(r > 0n && r < N).toBe(true);
        expect(decrypt(sk, c)).toBe(m);
        expect(oracleSk.decrypt(c)).toBe(m);
        expect(decrypt(sk, oraclePk.encrypt(m))).toBe(m);
      }),
      { numRuns: 10 },
    );
  });

  it('edge plaintexts round-trip', () => {
    for (const m of [0n, 1n, 2n, N - 2n, N - 1n, p, q]) {
      expect(decrypt(sk, encrypt(pk, m).c)).toBe(m);
    }
  });

  it('add is plaintext addition mod N', () => {
    fc.assert(
      fc.property(plaintext, plaintext, (m1, m2) => {
        const c1 = encrypt(pk, m1).c;
        const c2 = encrypt(pk, m2).c;
        const c = add(pk, c1, c2);
        expect(c).toBe(oraclePk.addition(c1, c2));
        expect(decrypt(sk, c)).toBe((m1 + m2) % N);
      }),
      fast,
    );
  });

  it('mulScalar is plaintext multiplication mod N', () => {
    fc.assert(
      fc.property(plaintext, plaintext, (m, k) => {
        const c = encrypt(pk, m).c;
        const ck = mulScalar(pk, c, k);
        expect(ck).toBe(oraclePk.multiply(c, k));
        expect(decrypt(sk, ck)).toBe((m * k) % N);
      }),
      fast,
    );
  });

  it('powModN2: the owner’s CRT path and the public path agree with BigInt', () => {
    const publicOnly = { n: N }; // same N, but not created with the factors
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: N2 - 1n }), fc.bigInt({ min: 0n, max: N2 }), (b, e) => {
        const want = modPowBigInt(b, e, N2);
        expect(powModN2(pk, b, e)).toBe(want);
        expect(powModN2(publicOnly, b, e)).toBe(want);
      }),
      { numRuns: 15 },
    );
    // Non-units take the plain path on the owner's key too.
    for (const b of [0n, p, p * q, N2 - p])
      expect(powModN2(pk, b, 3n)).toBe(modPowBigInt(b, 3n, N2));
    expect(() => powModN2(pk, 2n, -1n)).toThrow(LocalError);
  });

  it('generatorPow(x) = (N + 1)^x mod N²', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: N2 }), (x) => {
        expect(generatorPow(pk, x)).toBe(modPowBigInt(N + 1n, x, N2));
      }),
      { numRuns: 10 },
    );
  });
});

describe('validateCiphertext', () => {
  const valid = encrypt(pk, 5n).c;
  const cases: [string, bigint][] = [
    ['0', 0n],
    ['N²', N2],
    ['N² + 1', N2 + 1n],
    ['-1', -1n],
    ['p', p],
    ['a multiple of p', p * 12345n],
    ['a multiple of q', q * randomBelow(p)],
    ['N', N],
    ['a multiple of N', N * 7n],
  ];

  it.each(cases)('rejects %s with OUT_OF_RANGE', (_name, c) => {
    expectVerifyError(() => validateCiphertext(pk, c, 'c'), 'OUT_OF_RANGE');
    expectVerifyError(() => decrypt(sk, c), 'OUT_OF_RANGE');
    expectVerifyError(() => add(pk, c, valid), 'OUT_OF_RANGE');
    expectVerifyError(() => add(pk, valid, c), 'OUT_OF_RANGE');
    expectVerifyError(() => mulScalar(pk, c, 3n), 'OUT_OF_RANGE');
  });

  it('rejects non-integers with MALFORMED', () => {
    expectVerifyError(() => validateCiphertext(pk, 5 as unknown as bigint), 'MALFORMED');
  });

  it('accepts 1 and N² − 1 (units) and every honest ciphertext', () => {
    validateCiphertext(pk, 1n);
    validateCiphertext(pk, N2 - 1n);
    validateCiphertext(pk, valid);
  });

  it('names the field, never the value', () => {
    try {
      validateCiphertext(pk, p * 3n, 'cB');
    } catch (e) {
      expect((e as Error).message).toContain('"cB"');
      expect((e as Error).message).not.toContain(p.toString());
      expect((e as Error).message).not.toContain(p.toString(16));
      return;
    }
    throw new Error('expected a throw');
  });
});

describe('caller misuse', () => {
  it('refuses plaintexts outside [0, N), bad nonces and bad scalars', () => {
    expect(() => encrypt(pk, -1n)).toThrow(LocalError);
    expect(() => encrypt(pk, N)).toThrow(LocalError);
    expect(() => encryptWithNonce(pk, 1n, 0n)).toThrow(LocalError);
    expect(() => encryptWithNonce(pk, 1n, p)).toThrow(LocalError);
    expect(() => encryptWithNonce(pk, 1n, N)).toThrow(LocalError);
    const c = encrypt(pk, 1n).c;
    expect(() => mulScalar(pk, c, -1n)).toThrow(LocalError);
    expect(() => mulScalar(pk, c, N)).toThrow(LocalError);
  });
});
