/**
 * Paillier encryption with g = N + 1 (GG18 §2.4; tss-lib `crypto/paillier`).
 *
 * Why this shape:
 * - Keys are built from chosen primes ({@link paillierKeyFromPrimes}) or mapped from tss-lib's
 *   `PrivateKey {N, LambdaN, PhiN, P, Q}` ({@link paillierKeyFromTssLib}); prime generation and
 *   the Π^mod / Π^fac proofs that must accompany a published N live in keygen.
 * - With g = N + 1, g^m ≡ 1 + m·N (mod N²), so encryption costs one modexp (r^N) and every
 *   "Γ^x" in the MtA proofs is a multiplication.
 * - Decryption uses the CRT: m_p = L_p(c^{p−1} mod p²)·h_p mod p, likewise for q, then Garner.
 *   The secret exponents p−1, q−1 go through `modPow` (via {@link modPow}, which also
 *   accepts the results OpenSSL refuses), on the native constant-time path for the odd
 *   2048-bit moduli p² and q² (SECURITY.md item 16).
 * - Every operation that takes a ciphertext from outside calls {@link validateCiphertext} first
 *   (c ∈ [1, N²), gcd(c, N) = 1; SECURITY.md item 8), so degenerate ciphertexts surface as a
 *   {@link VerifyError} with code `OUT_OF_RANGE`, never as a wrong plaintext.
 *
 * JS BigInt values cannot be wiped, and this module handles secrets only as bigints; callers
 * that serialize a private key must zeroize the resulting buffers themselves.
 * @module
 */
import { LocalError, requireThat, VerifyError } from '../errors.js';
import { bitLength, checkRange, gcd, mod } from '../math/bigint.js';
import { modPow } from '../math/modexp.js';
import { isProbablePrime } from '../math/primes.js';
import { randomUnit } from '../math/random.js';

/** Bit length of every Paillier modulus N (tss-lib uses 2048; SECURITY.md item 1). */
export const PAILLIER_MODULUS_BITS = 2048;
/** Byte length of N: the cap for values modulo N (e.g. the proof field s). */
export const PAILLIER_MODULUS_BYTES = PAILLIER_MODULUS_BITS / 8;
/** Byte length of N²: the cap for ciphertexts and other values modulo N². */
export const PAILLIER_CIPHERTEXT_BYTES = 2 * PAILLIER_MODULUS_BYTES;
/**
 * Minimum bit length of |p − q|. Fermat factoring is fast only when |p − q| < 2·N^{1/4}
 * (≈ 2^513); this bound leaves 400 bits of margin and accepts random primes with probability
 * 1 − 2^−100 (tss-lib's generator asks for ≥ 1021 bits, which random pairs miss ~23% of the time).
 */
const MIN_PQ_DIFF_BITS = PAILLIER_MODULUS_BITS / 2 - 100;

/** A Paillier public key. Only N travels; g = N + 1 and N² are derived. */
export interface PaillierPublicKey {
  /** The modulus N = p·q (2048 bits). */
  readonly n: bigint;
}

/** A Paillier private key, with tss-lib's derived fields. */
export interface PaillierPrivateKey {
  /** The matching public key. */
  readonly publicKey: PaillierPublicKey;
  /** N = p·q (same as `publicKey.n`). */
  readonly n: bigint;
  /** First prime factor of N. */
  readonly p: bigint;
  /** Second prime factor of N. */
  readonly q: bigint;
  /** λ(N) = lcm(p − 1, q − 1) (tss-lib `LambdaN`). */
  readonly lambdaN: bigint;
  /** φ(N) = (p − 1)(q − 1) (tss-lib `PhiN`). */
  readonly phiN: bigint;
}

/** Field names of tss-lib's `paillier.PrivateKey` (Go JSON key file, `PaillierSK`). */
export interface TssLibPaillierPrivateKey {
  N: bigint;
  LambdaN: bigint;
  PhiN: bigint;
  P: bigint;
  Q: bigint;
}

/** A ciphertext with the nonce r used to make it (c = (1 + m·N)·r^N mod N²). */
export interface PaillierCiphertext {
  /** The ciphertext, in [1, N²). */
  readonly c: bigint;
  /** The nonce r ∈ Z*_N. Secret: the MtA range proofs use it as a witness. */
  readonly r: bigint;
}

// ---------------------------------------------------------------------------------------------
// Derived values, cached per key object.

const nSquareCache = new WeakMap<PaillierPublicKey, bigint>();

/** N² for `pk`, computed once per key object. */
export function nSquare(pk: PaillierPublicKey): bigint {
  let n2 = nSquareCache.get(pk);
  if (n2 === undefined) {
    n2 = pk.n * pk.n;
    nSquareCache.set(pk, n2);
  }
  return n2;
}

/** tss-lib's `Gamma()`: the generator g = N + 1. */
export function paillierGenerator(pk: PaillierPublicKey): bigint {
  return pk.n + 1n;
}

/**
 * g^x mod N² for g = N + 1 and x ≥ 0, i.e. 1 + (x mod N)·N. Used by the MtA proofs, where it
 * replaces a 4096-bit modexp by a multiplication.
 */
export function generatorPow(pk: PaillierPublicKey, x: bigint): bigint {
  requireThat(typeof x === 'bigint' && x >= 0n, 'generator exponent must be a non-negative bigint');
  return 1n + mod(x, pk.n) * pk.n;
}

/**
 * b^e mod N² for e ≥ 0. When `pk` belongs to a private key built in this process (the caller
 * owns N) and b is a unit, computes by the CRT on p² and q² with exponents reduced mod φ(p²),
 * φ(q²): about twice as fast. Otherwise one modexp mod N². Both go through the native
 * constant-time path ({@link modPow}). Used for encryption and by the MtA proofs.
 */
export function powModN2(pk: PaillierPublicKey, b: bigint, e: bigint): bigint {
  requireThat(typeof e === 'bigint' && e >= 0n, 'exponent must be a non-negative bigint');
  const n2 = nSquare(pk);
  const sk = ownerOf.get(pk);
  if (sk !== undefined) {
    const { p, q } = sk;
    const bp = b % p;
    const bq = b % q;
    if (b >= 0n && bp !== 0n && bq !== 0n) {
      const k = crtParams(sk);
      const xp = modPow(b % k.p2, e % k.phiP2, k.p2);
      const xq = modPow(b % k.q2, e % k.phiQ2, k.q2);
      return xq + k.q2 * mod((xp - xq) * k.q2InvP2, k.p2);
    }
  }
  return modPow(b, e, n2);
}

interface CrtParams {
  readonly p2: bigint;
  readonly q2: bigint;
  readonly pm1: bigint;
  readonly qm1: bigint;
  readonly hp: bigint;
  readonly hq: bigint;
  readonly qInvP: bigint;
  /** φ(p²) = p(p − 1) and φ(q²) = q(q − 1), for exponent reduction mod N². */
  readonly phiP2: bigint;
  readonly phiQ2: bigint;
  /** (q²)⁻¹ mod p², for Garner recombination mod N². */
  readonly q2InvP2: bigint;
}

const crtCache = new WeakMap<PaillierPrivateKey, CrtParams>();

/**
 * Public keys created by {@link paillierKeyFromPrimes}, mapped to their private key, so that
 * the key owner's own operations mod N² (encrypting under its own key, proving and verifying
 * the MtA proofs about its own ciphertexts) take the CRT fast path without any API change.
 */
const ownerOf = new WeakMap<PaillierPublicKey, PaillierPrivateKey>();

function crtParams(sk: PaillierPrivateKey): CrtParams {
  let c = crtCache.get(sk);
  if (c !== undefined) return c;
  const { p, q, n } = sk;
  if (p * q !== n || p === q) {
    throw new LocalError('INVALID_KEY_SHARE', 'Paillier private key is inconsistent');
  }
  const p2 = p * p;
  const q2 = q * q;
  const g = n + 1n;
  // h_p = L_p(g^{p−1} mod p²)^{-1} mod p (secret exponent: native path on the odd 2048-bit p²).
  const lp = (modPow(g % p2, p - 1n, p2) - 1n) / p;
  const lq = (modPow(g % q2, q - 1n, q2) - 1n) / q;
  c = {
    p2,
    q2,
    pm1: p - 1n,
    qm1: q - 1n,
    // Inverses of secret values by Fermat/Euler on the native constant-time path, not by the
    // variable-time extended Euclid: x⁻¹ = x^(p−2) mod p, and mod p², x^(φ(p²)−1).
    hp: modPow(lp, p - 2n, p),
    hq: modPow(lq, q - 2n, q),
    qInvP: modPow(q, p - 2n, p),
    phiP2: p * (p - 1n),
    phiQ2: q * (q - 1n),
    q2InvP2: modPow(q2, p * (p - 1n) - 1n, p2),
  };
  crtCache.set(sk, c);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Keys.

/**
 * Checks a peer's Paillier public key: N is odd and exactly {@link PAILLIER_MODULUS_BITS} bits.
 * (Π^mod and Π^fac, run in keygen, prove the rest.) Throws `OUT_OF_RANGE`.
 */
export function validatePaillierPublicKey(pk: PaillierPublicKey, title = 'N'): void {
  if (typeof pk !== 'object' || pk === null || typeof pk.n !== 'bigint') {
    throw new VerifyError('MALFORMED', `"${title}" is not a Paillier public key`);
  }
  if (pk.n % 2n === 0n || bitLength(pk.n) !== PAILLIER_MODULUS_BITS) {
    throw new VerifyError(
      'OUT_OF_RANGE',
      `"${title}" must be an odd ${PAILLIER_MODULUS_BITS}-bit modulus`,
    );
  }
}

/**
 * A public key from its modulus, validated as in {@link validatePaillierPublicKey}.
 *
 * @example
 * ```ts
 * const pkB = paillierPublicKey(bytesToBigint(nBytes));
 * ```
 */
export function paillierPublicKey(n: bigint): PaillierPublicKey {
  const pk = Object.freeze({ n });
  validatePaillierPublicKey(pk);
  return pk;
}

/**
 * A private key from two distinct primes p, q with N = p·q of exactly 2048 bits.
 * Checks primality (64 Miller–Rabin rounds each), that |p − q| is far from Fermat range, and
 * gcd(N, φ(N)) = 1. Throws {@link LocalError} `INVALID_ARGUMENT` otherwise.
 *
 * @example
 * ```ts
 * const sk = paillierKeyFromPrimes(p, q);
 * const { c } = encrypt(sk.publicKey, 42n);
 * decrypt(sk, c); // 42n
 * ```
 */
export function paillierKeyFromPrimes(p: bigint, q: bigint): PaillierPrivateKey {
  requireThat(typeof p === 'bigint' && typeof q === 'bigint', 'Paillier primes must be bigints');
  requireThat(p > 2n && q > 2n && p !== q, 'Paillier primes must be distinct odd primes');
  const n = p * q;
  requireThat(
    bitLength(n) === PAILLIER_MODULUS_BITS,
    `Paillier modulus must have exactly ${PAILLIER_MODULUS_BITS} bits`,
  );
  requireThat(
    bitLength(p > q ? p - q : q - p) >= MIN_PQ_DIFF_BITS,
    'Paillier primes are too close to each other',
  );
  requireThat(isProbablePrime(p) && isProbablePrime(q), 'Paillier factors must be prime');
  const pm1 = p - 1n;
  const qm1 = q - 1n;
  const phiN = pm1 * qm1;
  requireThat(gcd(n, phiN) === 1n, 'gcd(N, φ(N)) must be 1');
  const lambdaN = phiN / gcd(pm1, qm1);
  const publicKey = Object.freeze({ n });
  const sk: PaillierPrivateKey = Object.freeze({ publicKey, n, p, q, lambdaN, phiN });
  crtParams(sk);
  ownerOf.set(publicKey, sk);
  return sk;
}

/**
 * Maps tss-lib's `PaillierSK {N, LambdaN, PhiN, P, Q}` to a private key, checking that the
 * derived fields match the primes. Throws {@link LocalError} `INVALID_KEY_SHARE` on mismatch.
 */
export function paillierKeyFromTssLib(k: TssLibPaillierPrivateKey): PaillierPrivateKey {
  let sk: PaillierPrivateKey;
  try {
    sk = paillierKeyFromPrimes(k.P, k.Q);
  } catch (e) {
    throw new LocalError('INVALID_KEY_SHARE', 'tss-lib PaillierSK has invalid primes', {
      cause: e,
    });
  }
  if (k.N !== sk.n || k.PhiN !== sk.phiN || k.LambdaN !== sk.lambdaN) {
    throw new LocalError('INVALID_KEY_SHARE', 'tss-lib PaillierSK fields are inconsistent');
  }
  return sk;
}

/** tss-lib's `PaillierSK {N, LambdaN, PhiN, P, Q}` view of a private key (for key files). */
export function paillierKeyToTssLib(sk: PaillierPrivateKey): TssLibPaillierPrivateKey {
  return { N: sk.n, LambdaN: sk.lambdaN, PhiN: sk.phiN, P: sk.p, Q: sk.q };
}

// ---------------------------------------------------------------------------------------------
// Validation of untrusted ciphertexts.

/**
 * Checks an untrusted ciphertext: c ∈ [1, N²) and gcd(c, N) = 1 (SECURITY.md item 8).
 * Throws {@link VerifyError} `OUT_OF_RANGE` (or `MALFORMED` for a non-bigint) naming `title`.
 */
export function validateCiphertext(pk: PaillierPublicKey, c: bigint, title = 'ciphertext'): void {
  if (typeof c !== 'bigint') throw new VerifyError('MALFORMED', `"${title}" is not an integer`);
  checkRange(title, c, 1n, nSquare(pk));
  if (gcd(c, pk.n) !== 1n) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not coprime to N`);
  }
}

// ---------------------------------------------------------------------------------------------
// Encryption, decryption, homomorphic operations.

function checkPlaintext(pk: PaillierPublicKey, m: bigint): void {
  requireThat(typeof m === 'bigint' && m >= 0n && m < pk.n, 'plaintext must be in [0, N)');
}

/**
 * Enc(m; r) = (1 + m·N)·r^N mod N² for a caller-chosen nonce r ∈ Z*_N.
 * Deterministic: use only when r is fresh randomness or for known-answer tests.
 */
export function encryptWithNonce(pk: PaillierPublicKey, m: bigint, r: bigint): bigint {
  checkPlaintext(pk, m);
  requireThat(
    typeof r === 'bigint' && r > 0n && r < pk.n && gcd(r, pk.n) === 1n,
    'nonce must be in Z*_N',
  );
  const n2 = nSquare(pk);
  // r is secret: its power goes through the native constant-time path (N² is odd, 4096 bits).
  return (generatorPow(pk, m) * powModN2(pk, r, pk.n)) % n2;
}

/**
 * Encrypts m ∈ [0, N) with a fresh nonce r ←$ Z*_N and returns both (tss-lib
 * `EncryptAndReturnRandomness`).
 *
 * @example
 * ```ts
 * const { c, r } = encrypt(pk, k);
 * ```
 */
export function encrypt(pk: PaillierPublicKey, m: bigint): PaillierCiphertext {
  const r = randomUnit(pk.n);
  return { c: encryptWithNonce(pk, m, r), r };
}

/**
 * Decrypts with the CRT. Validates `c` first ({@link validateCiphertext}); returns m ∈ [0, N).
 */
export function decrypt(sk: PaillierPrivateKey, c: bigint, title = 'ciphertext'): bigint {
  validateCiphertext(sk.publicKey, c, title);
  const k = crtParams(sk);
  const { p, q } = sk;
  const mp = mod(((modPow(c % k.p2, k.pm1, k.p2) - 1n) / p) * k.hp, p);
  const mq = mod(((modPow(c % k.q2, k.qm1, k.q2) - 1n) / q) * k.hq, q);
  return mq + q * mod((mp - mq) * k.qInvP, p);
}

/**
 * Homomorphic addition: Enc(m1)·Enc(m2) = Enc(m1 + m2 mod N). Validates both inputs.
 */
export function add(pk: PaillierPublicKey, c1: bigint, c2: bigint): bigint {
  validateCiphertext(pk, c1, 'c1');
  validateCiphertext(pk, c2, 'c2');
  return (c1 * c2) % nSquare(pk);
}

/**
 * Homomorphic scalar multiplication: Enc(m)^k = Enc(k·m mod N) for k ∈ [0, N). Validates `c`.
 * `k` may be secret (MtA's b): the power goes through the native constant-time path.
 */
export function mulScalar(pk: PaillierPublicKey, c: bigint, k: bigint): bigint {
  validateCiphertext(pk, c, 'ciphertext');
  requireThat(typeof k === 'bigint' && k >= 0n && k < pk.n, 'scalar must be in [0, N)');
  return modPow(c, k, nSquare(pk));
}
