/**
 * Modular exponentiation engine.
 *
 * Why: the protocols spend nearly all their time in modexp mod N² (4096-bit) and mod Ñ
 * (2048-bit). Pure BigInt is ~5× slower than OpenSSL, and not constant-time. Node's
 * Diffie-Hellman object computes `base^priv mod p` with OpenSSL's constant-time Montgomery
 * ladder (the private key gets BN_FLG_CONSTTIME), and works for any odd modulus ≥ 512 bits,
 * prime or not. We cache one DH object per modulus (creating one costs milliseconds), and
 * handle in JS the inputs OpenSSL refuses as "invalid public keys": bases 0, 1 and m−1,
 * exponent 0 and negative exponents.
 *
 * The BigInt sliding-window path serves small or even moduli, runtimes without `node:crypto`,
 * and cross-checks in tests. It is NOT constant-time: use it only with public exponents.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { LocalError } from '../errors.js';
import { bigintToBytes, bitLength, bytesToBigint, gcd, mod, modInv } from './bigint.js';

type DH = ReturnType<typeof nodeCrypto.createDiffieHellman>;

const MIN_NATIVE_BITS = 512;
const MAX_NATIVE_BITS = 10_000;
const CACHE_LIMIT = 256;
const cache = new Map<bigint, { dh: DH; len: number }>();
let nativeAvailable = typeof nodeCrypto.createDiffieHellman === 'function';

function engineFor(m: bigint): { dh: DH; len: number } {
  let e = cache.get(m);
  if (e) {
    // LRU touch.
    cache.delete(m);
    cache.set(m, e);
    return e;
  }
  const mb = bigintToBytes(m);
  e = {
    dh: nodeCrypto.createDiffieHellman(Buffer.from(mb.buffer, mb.byteOffset, mb.length), 2),
    len: mb.length,
  };
  cache.set(m, e);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as bigint);
  return e;
}

/** Whether `m` is served by the native constant-time path. */
export function isNativeModulus(m: bigint): boolean {
  if (!nativeAvailable || m % 2n === 0n) return false;
  const bits = bitLength(m);
  return bits >= MIN_NATIVE_BITS && bits <= MAX_NATIVE_BITS;
}

/**
 * base^exp mod m through the native OpenSSL path. Requires {@link isNativeModulus}(m).
 * Constant-time in `exp` (up to its byte length).
 */
export function modPowNative(base: bigint, exp: bigint, m: bigint): bigint {
  if (!isNativeModulus(m))
    throw new LocalError('INVALID_ARGUMENT', 'modulus not supported by the native path');
  if (exp < 0n) {
    base = modInv(base, m);
    exp = -exp;
  }
  base = mod(base, m);
  if (exp === 0n) return 1n;
  if (base === 0n) return 0n;
  if (base === 1n) return 1n;
  if (base === m - 1n) return exp % 2n === 0n ? 1n : m - 1n;
  const r = dhPow(base, exp, m);
  if (r !== undefined) return r;
  // OpenSSL 3 refuses to return a "shared secret" of 0, 1 or m − 1, yet these are legitimate
  // results (decrypting Enc(0) computes c^(p−1) ≡ 1 mod p², and a peer can pick inputs that hit
  // them). Recover on the constant-time path: b^(e+1) = b·b^e equals b when b^e = 1 and m − b
  // when b^e = m − 1 (neither is refused, since b ∉ {0, 1, m − 1} here). Otherwise b^e = 0,
  // which is only possible for a non-unit base: a degenerate public input, confirmed in BigInt.
  const next = dhPow(base, exp + 1n, m);
  if (next === base) return 1n;
  if (next === m - base) return m - 1n;
  if (gcd(base, m) !== 1n) return modPowBigInt(base, exp, m);
  throw new LocalError('INTERNAL', 'native modexp refused a result it should accept');
}

/** base^exp mod m through OpenSSL, or `undefined` when OpenSSL refuses the result (0, 1, m−1). */
function dhPow(base: bigint, exp: bigint, m: bigint): bigint | undefined {
  const { dh, len } = engineFor(m);
  const eb = bigintToBytes(exp);
  const bb = bigintToBytes(base, len);
  try {
    dh.setPrivateKey(Buffer.from(eb.buffer, eb.byteOffset, eb.length));
    return bytesToBigint(dh.computeSecret(Buffer.from(bb.buffer, bb.byteOffset, bb.length)));
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_CRYPTO_INVALID_KEYTYPE') return undefined;
    throw err;
  } finally {
    eb.fill(0);
  }
}

/**
 * base^exp mod m in pure BigInt (sliding window, width 5). NOT constant-time.
 * Negative exponents invert the base first.
 */
export function modPowBigInt(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new LocalError('INVALID_ARGUMENT', 'modulus must be positive');
  if (m === 1n) return 0n;
  if (exp < 0n) {
    base = modInv(base, m);
    exp = -exp;
  }
  base = mod(base, m);
  if (exp === 0n) return 1n;
  const bits = exp.toString(2);
  const W = bits.length > 256 ? 5 : bits.length > 64 ? 4 : 1;
  // Precompute odd powers base^1, base^3, ..., base^(2^W - 1).
  const b2 = (base * base) % m;
  const table: bigint[] = [base];
  for (let i = 1; i < 1 << (W - 1); i++) table.push((table[i - 1]! * b2) % m);
  let r = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      r = (r * r) % m;
      i++;
      continue;
    }
    // Longest window ≤ W starting at i and ending in a 1.
    let j = Math.min(i + W, bits.length);
    while (bits[j - 1] === '0') j--;
    const win = Number.parseInt(bits.slice(i, j), 2);
    for (let k = i; k < j; k++) r = (r * r) % m;
    r = (r * table[(win - 1) >> 1]!) % m;
    i = j;
  }
  return r;
}

/**
 * base^exp mod m. Odd moduli of 512 bits and more (every Paillier and ring-Pedersen modulus)
 * go through the native constant-time path; others through BigInt.
 *
 * @example
 * ```ts
 * const c = modPow(g, r, N2); // g^r mod N²
 * ```
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  return isNativeModulus(m) ? modPowNative(base, exp, m) : modPowBigInt(base, exp, m);
}

/**
 * base^exp mod (p·q) by the Chinese remainder theorem, for secret-holder fast paths
 * (e.g. Paillier decryption, proofs by the owner of N). p and q must be distinct primes.
 */
export function modPowCrt(base: bigint, exp: bigint, p: bigint, q: bigint, qInvP?: bigint): bigint {
  const n = p * q;
  if (exp < 0n) {
    base = modInv(base, n);
    exp = -exp;
  }
  if (exp === 0n) return 1n;
  // Fermat reduction of the exponent is only valid for units; a base ≡ 0 gives 0.
  const bp = mod(base, p);
  const bq = mod(base, q);
  const mp = bp === 0n ? 0n : modPow(bp, exp % (p - 1n), p);
  const mq = bq === 0n ? 0n : modPow(bq, exp % (q - 1n), q);
  const qi = qInvP ?? modInv(q, p);
  return mq + q * mod((mp - mq) * qi, p);
}

/** Disables the native path (tests and benchmarks compare both paths). Returns the old value. */
export function setNativeModPow(enabled: boolean): boolean {
  const old = nativeAvailable;
  nativeAvailable = enabled && typeof nodeCrypto.createDiffieHellman === 'function';
  return old;
}
