import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitLength, modInv } from '../../src/math/bigint.js';
import {
  isNativeModulus,
  modPow,
  modPowBigInt,
  modPowCrt,
  modPowNative,
} from '../../src/math/modexp.js';
import { isProbablePrime } from '../../src/math/primes.js';
import { randomBits } from '../../src/math/random.js';
import { fixturePrimeSet } from '../support/primes.js';

function oddModulus(bits: number): bigint {
  return randomBits(bits) | 1n | (1n << BigInt(bits - 1));
}

describe('modexp engine', () => {
  it('native and BigInt paths agree for random moduli of 512–4096 bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 512, max: 4096 }),
        fc.integer({ min: 1, max: 2048 }),
        (mBits, eBits) => {
          const m = oddModulus(mBits);
          const b = randomBits(mBits + 8);
          const e = randomBits(eBits);
          expect(isNativeModulus(m)).toBe(true);
          expect(modPowNative(b, e, m)).toBe(modPowBigInt(b, e, m));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('agrees mod N² (N a product of two primes)', () => {
    // Fixed 1024-bit primes keep this fast; N² is a 4096-bit square modulus.
    const p = (1n << 1023n) + 1155n; // not prime, but odd squares still exercise the path
    const m = p * p;
    for (let i = 0; i < 5; i++) {
      const b = randomBits(4096);
      const e = randomBits(2048);
      expect(modPowNative(b, e, m)).toBe(modPowBigInt(b, e, m));
    }
  });

  it('handles the bases OpenSSL refuses and edge exponents', () => {
    const m = oddModulus(1024);
    for (const b of [0n, 1n, m - 1n, m, m + 1n, 2n * m - 1n, -1n, -5n]) {
      for (const e of [0n, 1n, 2n, 3n, 65537n]) {
        expect(modPowNative(b, e, m)).toBe(modPowBigInt(b, e, m));
      }
    }
  });

  it('inverts the base for negative exponents', () => {
    const m = oddModulus(1024);
    let b = randomBits(1000);
    while (true) {
      try {
        modInv(b, m);
        break;
      } catch {
        b += 1n;
      }
    }
    const e = randomBits(300);
    const inv = modInv(b, m);
    expect(modPow(b, -e, m)).toBe(modPowBigInt(inv, e, m));
    expect((modPow(b, -e, m) * modPow(b, e, m)) % m).toBe(1n);
  });

  it('falls back to BigInt for small and even moduli', () => {
    expect(isNativeModulus(1n << 600n)).toBe(false);
    expect(isNativeModulus(1000003n)).toBe(false);
    expect(modPow(3n, 1000n, 1000003n)).toBe(modPowBigInt(3n, 1000n, 1000003n));
    expect(modPow(3n, 100n, 1n << 600n)).toBe(3n ** 100n % (1n << 600n));
    expect(modPowBigInt(5n, 3n, 1n)).toBe(0n);
  });

  it('CRT path matches the direct path', () => {
    const p = 170141183460469231731687303715884105727n; // 2^127 - 1
    const q = 618970019642690137449562111n; // 2^89 - 1
    expect(isProbablePrime(p) && isProbablePrime(q)).toBe(true);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: p * q * 2n }),
        fc.bigInt({ min: 0n, max: 1n << 300n }),
        (b, e) => {
          expect(modPowCrt(b, e, p, q)).toBe(modPowBigInt(b, e, p * q));
        },
      ),
      { numRuns: 200 },
    );
    expect(modPowCrt(p, p - 1n, p, q)).toBe(modPowBigInt(p, p - 1n, p * q));
  });

  it('bitLength is exact', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 5000n }), (x) => {
        const b = bitLength(x);
        expect(x >> BigInt(b - 1)).toBe(1n);
      }),
    );
  });
});

describe('results OpenSSL refuses as DH secrets (0, 1, m − 1)', () => {
  // 1024-bit Blum primes from the fixtures: p² is a 2048-bit native modulus.
  const { paillierP: p, paillierQ: q } = fixturePrimeSet(0);
  const p2 = p * p;
  const n = p * q;

  it('are returned, not thrown', () => {
    expect(modPowNative(1n + p, p, p2)).toBe(1n); // an element of order p
    expect(modPowNative(p, 2n, p2)).toBe(0n); // non-unit base
    expect(modPowNative(3n, p - 1n, p)).toBe(1n); // Fermat
    expect(modPowNative(p - 2n, 1n, p)).toBe(p - 2n);
    const half = modPowNative(3n, (p - 1n) / 2n, p);
    expect(half === 1n || half === p - 1n).toBe(true); // Euler criterion: ±1
    expect(modPowNative(p, q - 1n, n)).toBe(modPowBigInt(p, q - 1n, n));
  });

  it('agree with BigInt on random inputs mod p²', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2048 }), (eBits) => {
        const b = randomBits(2100);
        const e = randomBits(eBits);
        expect(modPowNative(b, e, p2)).toBe(modPowBigInt(b, e, p2));
      }),
      { numRuns: 30 },
    );
  });
});
