/**
 * BigInt helpers: canonical big-endian codecs, modular helpers, range checks.
 *
 * Canonical encoding: minimal big-endian bytes of a non-negative integer (0 encodes as the empty
 * byte string, like Go's `big.Int.Bytes()`). Decoders take a byte cap so an oversized field is
 * rejected before any arithmetic touches it (SECURITY.md item 14).
 *
 * These helpers are not constant-time: JS BigInt is not. Secret-exponent work goes through
 * {@link modPow} (native constant-time path) and curve work through @noble/curves.
 * @module
 */
import { LocalError, VerifyError } from '../errors.js';

/** Number of bits of a non-negative integer (0 → 0). */
export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  if (x === 0n) return 0;
  return x.toString(2).length;
}

/** Number of bytes of the minimal big-endian encoding (0 → 0). */
export function byteLength(x: bigint): number {
  return Math.ceil(bitLength(x) / 8);
}

/**
 * Minimal (or, with `length`, fixed-width left-padded) big-endian bytes of `x`.
 * Throws on negatives and on values that do not fit in `length`.
 */
export function bigintToBytes(x: bigint, length?: number): Uint8Array {
  if (typeof x !== 'bigint') throw new LocalError('INVALID_ARGUMENT', 'expected bigint');
  if (x < 0n) throw new LocalError('INVALID_ARGUMENT', 'cannot encode a negative integer');
  let hex = x === 0n ? '' : x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const n = hex.length / 2;
  if (length !== undefined && n > length) {
    throw new LocalError('INVALID_ARGUMENT', `integer needs ${n} bytes, more than ${length}`);
  }
  const out = new Uint8Array(length ?? n);
  const off = out.length - n;
  for (let i = 0; i < n; i++) out[off + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Big-endian bytes to a non-negative integer. Accepts leading zeros (see {@link decodeBigInt}). */
export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt(`0x${bytesToHex(b)}`);
}

/**
 * Strict decoder for untrusted integers: rejects more than `maxBytes` bytes (before any
 * conversion) and, when `canonical`, a leading zero byte.
 * @param title names the field in the error message
 */
export function decodeBigInt(
  b: Uint8Array,
  maxBytes: number,
  title: string,
  canonical = true,
): bigint {
  if (!(b instanceof Uint8Array)) throw new VerifyError('MALFORMED', `"${title}" expected bytes`);
  if (b.length > maxBytes) {
    throw new VerifyError('OVERSIZED', `"${title}" has ${b.length} bytes, cap is ${maxBytes}`);
  }
  if (canonical && b.length > 0 && b[0] === 0) {
    throw new VerifyError('MALFORMED', `"${title}" is not minimally encoded`);
  }
  return bytesToBigint(b);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes. */
export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/** Bytes from an even-length hex string (optional 0x prefix). */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new LocalError('INVALID_ARGUMENT', 'expected hex string');
  if (hex.startsWith('0x') || hex.startsWith('0X')) hex = hex.slice(2);
  if (hex.length % 2 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new LocalError('INVALID_ARGUMENT', 'invalid hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Non-negative remainder: a mod m ∈ [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Greatest common divisor of |a| and |b|. */
export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Modular inverse of a mod m. Throws a {@link VerifyError} (`OUT_OF_RANGE`) when
 * gcd(a, m) ≠ 1: on untrusted data that is a degenerate value, never a crash.
 */
export function modInv(a: bigint, m: bigint): bigint {
  if (m <= 0n) throw new LocalError('INVALID_ARGUMENT', 'modulus must be positive');
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new VerifyError('OUT_OF_RANGE', 'value is not invertible modulo m');
  return mod(oldS, m);
}

/** Jacobi symbol (a/n) for odd positive n: -1, 0 or 1. */
export function jacobi(a: bigint, n: bigint): -1 | 0 | 1 {
  if (n <= 0n || n % 2n === 0n) throw new LocalError('INVALID_ARGUMENT', 'jacobi: n must be odd');
  a = mod(a, n);
  let t: -1 | 1 = 1;
  while (a !== 0n) {
    while (a % 2n === 0n) {
      a /= 2n;
      const r = n % 8n;
      if (r === 3n || r === 5n) t = t === 1 ? -1 : 1;
    }
    [a, n] = [n, a];
    if (a % 4n === 3n && n % 4n === 3n) t = t === 1 ? -1 : 1;
    a %= n;
  }
  return n === 1n ? t : 0;
}

/** Integer square root ⌊√n⌋. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new LocalError('INVALID_ARGUMENT', 'isqrt of negative');
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Throws `OUT_OF_RANGE` unless min ≤ x < max. `title` names the field. */
export function checkRange(title: string, x: bigint, min: bigint, max: bigint): bigint {
  if (typeof x !== 'bigint' || x < min || x >= max) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is out of range`);
  }
  return x;
}

/** Throws `OUT_OF_RANGE` unless x ∈ [1, m) and gcd(x, m) = 1 (an element of Z*_m). */
export function checkUnit(title: string, x: bigint, m: bigint): bigint {
  checkRange(title, x, 1n, m);
  if (gcd(x, m) !== 1n)
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not coprime to the modulus`);
  return x;
}

/** Constant-shape equality of byte arrays (length leak only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Best-effort wipe of a secret buffer. JS cannot guarantee copies were not made elsewhere. */
export function zeroize(...bufs: (Uint8Array | undefined)[]): void {
  for (const b of bufs) b?.fill(0);
}
