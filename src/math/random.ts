/**
 * Sampling from the platform CSPRNG (`crypto.getRandomValues`) only, with rejection sampling
 * so every value in a range is equally likely. Never `Math.random`.
 * @module
 */
import { LocalError } from '../errors.js';
import { bitLength, bytesToBigint, gcd } from './bigint.js';

const MAX_CHUNK = 65536;

/** `n` bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new LocalError('INVALID_ARGUMENT', 'byte count must be a non-negative integer');
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += MAX_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + MAX_CHUNK)));
  }
  return out;
}

/** A uniform integer with at most `bits` bits: [0, 2^bits). */
export function randomBits(bits: number): bigint {
  if (!Number.isSafeInteger(bits) || bits < 0)
    throw new LocalError('INVALID_ARGUMENT', 'bit count must be a non-negative integer');
  if (bits === 0) return 0n;
  const b = randomBytes(Math.ceil(bits / 8));
  const extra = b.length * 8 - bits;
  b[0]! &= 0xff >> extra;
  const x = bytesToBigint(b);
  b.fill(0);
  return x;
}

/** A uniform integer in [0, n), by rejection sampling. */
export function randomBelow(n: bigint): bigint {
  if (n <= 0n) throw new LocalError('INVALID_ARGUMENT', 'upper bound must be positive');
  const bits = bitLength(n - 1n);
  for (;;) {
    const x = randomBits(bits);
    if (x < n) return x;
  }
}

/** A uniform integer in [min, max). */
export function randomInRange(min: bigint, max: bigint): bigint {
  if (max <= min) throw new LocalError('INVALID_ARGUMENT', 'empty range');
  return min + randomBelow(max - min);
}

/** A uniform integer in [1, n). */
export function randomNonZeroBelow(n: bigint): bigint {
  return randomInRange(1n, n);
}

/** A uniform element of Z*_n: in [1, n) with gcd(x, n) = 1. */
export function randomUnit(n: bigint): bigint {
  if (n <= 1n) throw new LocalError('INVALID_ARGUMENT', 'modulus must be > 1');
  for (;;) {
    const x = randomBelow(n);
    if (x !== 0n && gcd(x, n) === 1n) return x;
  }
}

/** A uniform integer in (-bound, bound), i.e. a symmetric range, for masks that can be negative. */
export function randomSymmetric(bound: bigint): bigint {
  return randomBelow(2n * bound - 1n) - (bound - 1n);
}
