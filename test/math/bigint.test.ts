import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/errors.js';
import {
  bigintToBytes,
  bytesToBigint,
  bytesToHex,
  checkRange,
  checkUnit,
  decodeBigInt,
  gcd,
  hexToBytes,
  isqrt,
  jacobi,
  modInv,
} from '../../src/math/bigint.js';
import { modPowBigInt } from '../../src/math/modexp.js';
import { randomBelow, randomBits, randomUnit } from '../../src/math/random.js';

describe('canonical integer codec', () => {
  it('round-trips and is minimal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 4200n }), (x) => {
        const b = bigintToBytes(x);
        expect(bytesToBigint(b)).toBe(x);
        if (b.length > 0) expect(b[0]).not.toBe(0);
        expect(decodeBigInt(b, 1024, 'x')).toBe(x);
      }),
    );
  });
  it('encodes 0 as the empty string, like Go big.Int.Bytes()', () => {
    expect(bigintToBytes(0n)).toEqual(new Uint8Array());
  });
  it('rejects negatives', () => {
    expect(() => bigintToBytes(-1n)).toThrow(/negative/);
  });
  it('rejects oversized input before conversion and non-minimal encodings', () => {
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0xff);
    expect(() => decodeBigInt(huge, 512, 'N')).toThrow(VerifyError);
    expect(() => decodeBigInt(huge, 512, 'N')).toThrow(/OVERSIZED/);
    expect(() => decodeBigInt(new Uint8Array([0, 1]), 512, 'N')).toThrow(/minimally/);
  });
  it('fixed-width encoding pads and refuses overflow', () => {
    expect(bytesToHex(bigintToBytes(1n, 4))).toBe('00000001');
    expect(() => bigintToBytes(1n << 40n, 4)).toThrow();
  });
  it('hex round trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(hexToBytes(bytesToHex(b))).toEqual(b);
      }),
    );
    expect(() => hexToBytes('abc')).toThrow();
    expect(() => hexToBytes('zz')).toThrow();
  });
});

describe('modular helpers', () => {
  it('modInv inverts units and rejects non-units with a VerifyError', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 3n, max: 1n << 512n }), (m) => {
        const a = randomBelow(m);
        if (gcd(a, m) === 1n) expect((a * modInv(a, m)) % m).toBe(1n % m);
        else expect(() => modInv(a, m)).toThrow(VerifyError);
      }),
    );
  });
  it('jacobi matches Euler criterion for primes', () => {
    const p = 1000000007n;
    for (let i = 0; i < 200; i++) {
      const a = randomBelow(p);
      const e = modPowBigInt(a, (p - 1n) / 2n, p);
      const expected = e === 0n ? 0 : e === 1n ? 1 : -1;
      expect(jacobi(a, p)).toBe(expected);
    }
    expect(jacobi(0n, 15n)).toBe(0);
    expect(jacobi(3n, 15n)).toBe(0);
  });
  it('isqrt is the floor square root', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 3000n }), (n) => {
        const r = isqrt(n);
        expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
      }),
    );
  });
  it('range and unit checks reject degenerate values', () => {
    const m = 15n;
    expect(() => checkRange('x', 15n, 0n, 15n)).toThrow(/OUT_OF_RANGE/);
    expect(() => checkUnit('x', 0n, m)).toThrow(VerifyError);
    expect(() => checkUnit('x', 3n, m)).toThrow(/coprime/);
    expect(checkUnit('x', 4n, m)).toBe(4n);
  });
});

describe('sampling', () => {
  it('randomBelow stays in range and covers it', () => {
    const seen = new Set<bigint>();
    for (let i = 0; i < 2000; i++) {
      const x = randomBelow(7n);
      expect(x >= 0n && x < 7n).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(7);
  });
  it('randomUnit returns units', () => {
    for (let i = 0; i < 100; i++) expect(gcd(randomUnit(30n), 30n)).toBe(1n);
  });
  it('randomBits respects the width', () => {
    for (let i = 0; i < 100; i++) expect(randomBits(13) < 1n << 13n).toBe(true);
  });
});
