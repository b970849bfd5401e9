/**
 * Π^mod: N is a Paillier–Blum modulus (CGGMP21 fig. 16; tss-lib `crypto/modproof`).
 *
 * Why: a Paillier modulus with many small factors lets its owner extract the peers' secret
 * shares during MtA (BitForge, CVE-2023-33241). Π^mod proves N = p^i·q^j with p ≡ q ≡ 3 (mod 4)
 * and gcd(N, φ(N)) = 1; together with Π^fac (`fac.ts`, no small factor) it pins N down to the
 * product of two large Blum primes.
 *
 * Protocol (80 iterations): the prover sends w with Jacobi(w, N) = −1. For challenges yᵢ it
 * sends zᵢ = yᵢ^{N⁻¹ mod φ(N)} (so zᵢ^N = yᵢ) and a fourth root xᵢ of (−1)^{aᵢ}·w^{bᵢ}·yᵢ for
 * the unique bits (aᵢ, bᵢ) that make it a quadratic residue mod both primes. The bits are packed
 * as in tss-lib: A = 2⁸⁰ + Σ aᵢ·2ⁱ, B = 2⁸⁰ + Σ bᵢ·2ⁱ (bit length exactly 81).
 *
 * Profiles:
 * - `tss-lib`: yᵢ = SHA512_256i_TAGGED(session, w, N, y₀, …, y_{i−1}) mod N with session =
 *   ssid ‖ bytes(prover). These yᵢ are only 256 bits wide (a tss-lib property we must accept to
 *   interoperate).
 * - `native`: the yᵢ are expanded to full width mod N with SHAKE256 from a transcript bound to
 *   the ssid, prover index, tag, N and w, and the verifier requires them pairwise distinct.
 *
 * The verifier runs every check of SECURITY.md item 2 in both profiles: bitlen(N) = 2048, N odd
 * and not prime, Jacobi(w, N) = −1 exactly (Jacobi 0 allowed the multi-prime forgery with
 * w ≡ 0 mod a factor), gcd(w, N) = 1 (tss-lib master's added check), w, xᵢ, zᵢ ∈ [1, N) and
 * coprime to N, exactly 80 responses, zᵢ^N ≡ yᵢ and xᵢ⁴ ≡ (−1)^{aᵢ}·w^{bᵢ}·yᵢ (mod N).
 *
 * The prover works mod p and mod q with the native constant-time modexp (square roots
 * u^{(p+1)/4} for the residuosity bits, exponent ((p+1)/4)² for fourth roots) and combines by
 * CRT.
 * @module
 */
import { LocalError, requireThat, VerifyError, verifyThat } from '../errors.js';
import { tssRejectionSample, tssSha512_256iTagged } from '../hash/tss-lib.js';
import { bigintToBytes, decodeBigInt, gcd, jacobi, modInv } from '../math/bigint.js';
import { modPow } from '../math/modexp.js';
import { isProbablePrime } from '../math/primes.js';
import { randomBelow } from '../math/random.js';
import {
  checkAllUnits,
  checkBigintArray,
  checkProofContext,
  type ProofContext,
  proofTranscript,
  tssLibSession,
} from './ring-pedersen.js';

/** Number of iterations (tss-lib `modproof.Iterations`). */
export const MOD_ITERATIONS = 80;

/** Bit length every Paillier modulus must have exactly (SECURITY.md item 1). */
export const PAILLIER_MODULUS_BITS = 2048;

/** Native transcript tag. */
export const MOD_TAG = 'mpc-tss/zk/mod/v1';

const N_MIN = 1n << BigInt(PAILLIER_MODULUS_BITS - 1);
const N_LIMIT = 1n << BigInt(PAILLIER_MODULUS_BITS);
const BITS_MIN = 1n << BigInt(MOD_ITERATIONS);
const BITS_LIMIT = 1n << BigInt(MOD_ITERATIONS + 1);

/** A Π^mod proof (tss-lib `ProofMod`: W, X[80], A, B, Z[80]). */
export interface ModProof {
  /** w ∈ Z*_N with Jacobi(w, N) = −1. */
  readonly w: bigint;
  /** Fourth roots xᵢ of (−1)^{aᵢ}·w^{bᵢ}·yᵢ. */
  readonly x: readonly bigint[];
  /** 2⁸⁰ + Σ aᵢ·2ⁱ. */
  readonly a: bigint;
  /** 2⁸⁰ + Σ bᵢ·2ⁱ. */
  readonly b: bigint;
  /** N-th roots zᵢ of yᵢ. */
  readonly z: readonly bigint[];
}

/** The 80 challenges yᵢ for (N, w) under the context's profile. */
function challenges(ctx: ProofContext, N: bigint, w: bigint): bigint[] {
  if (ctx.profile === 'tss-lib') {
    const session = tssLibSession(ctx);
    const ys: bigint[] = [];
    for (let i = 0; i < MOD_ITERATIONS; i++) {
      ys.push(tssRejectionSample(N, tssSha512_256iTagged(session, w, N, ...ys)));
    }
    return ys;
  }
  return proofTranscript(MOD_TAG, ctx)
    .append('N', N)
    .append('w', w)
    .challengesMod('y', N, MOD_ITERATIONS);
}

function allDistinct(xs: readonly bigint[]): boolean {
  return new Set(xs).size === xs.length;
}

/** A random w ∈ [1, N) with Jacobi(w, N) = −1 (exactly one of (w/p), (w/q) is −1). */
function sampleW(N: bigint): bigint {
  for (;;) {
    const w = randomBelow(N);
    if (w !== 0n && jacobi(w, N) === -1) return w;
  }
}

/**
 * Legendre symbol of a unit u ∈ [1, p) mod a Blum prime p: s = u^{(p+1)/4} (constant-time
 * path) satisfies s² = (u/p)·u.
 */
function legendre(u: bigint, p: bigint): 1 | -1 {
  const s = modPow(u, (p + 1n) >> 2n, p);
  return (s * s) % p === u ? 1 : -1;
}

/**
 * Proves that N = p·q is a Paillier–Blum modulus. `p` and `q` are the owner's distinct primes,
 * both ≡ 3 (mod 4), with gcd(N, φ(N)) = 1. Throws LocalError on inconsistent inputs.
 *
 * @example
 * ```ts
 * const proof = proveMod({ profile: 'native', ssid, prover: myIndex }, N, p, q);
 * ```
 */
export function proveMod(ctx: ProofContext, N: bigint, p: bigint, q: bigint): ModProof {
  checkProofContext(ctx);
  requireThat(
    typeof N === 'bigint' && typeof p === 'bigint' && typeof q === 'bigint',
    'N, p and q must be bigints',
  );
  requireThat(p !== q && p > 3n && q > 3n && p * q === N, 'N must be p·q with distinct p, q');
  requireThat(p % 4n === 3n && q % 4n === 3n, 'p and q must be Blum primes (≡ 3 mod 4)');
  requireThat(N >= N_MIN && N < N_LIMIT, 'N must have exactly 2048 bits');
  const phi = (p - 1n) * (q - 1n);
  requireThat(gcd(N, phi) === 1n, 'gcd(N, φ(N)) must be 1');

  // Per-prime exponents: N-th root and fourth root of quadratic residues.
  const nInvP = modInv(N % (p - 1n), p - 1n);
  const nInvQ = modInv(N % (q - 1n), q - 1n);
  const e4p = ((p + 1n) >> 2n) ** 2n % (p - 1n);
  const e4q = ((q + 1n) >> 2n) ** 2n % (q - 1n);
  const qInvP = modPow(q, p - 2n, p);
  const crt = (vp: bigint, vq: bigint) => vq + q * (((((vp - vq) % p) + p) * qInvP) % p);

  for (let attempt = 0; attempt < 64; attempt++) {
    const w = sampleW(N);
    const ys = challenges(ctx, N, w);
    const yOk = ys.every((y) => y % p !== 0n && y % q !== 0n);
    if (!yOk || (ctx.profile === 'native' && !allDistinct(ys))) continue;
    const lwp = legendre(w % p, p);
    const x: bigint[] = [];
    const z: bigint[] = [];
    let a = BITS_MIN;
    let b = BITS_MIN;
    for (let i = 0; i < MOD_ITERATIONS; i++) {
      const y = ys[i]!;
      const yp = y % p;
      const yq = y % q;
      const lp = legendre(yp, p);
      const lq = legendre(yq, q);
      // Multiplying by −1 flips both symbols (−1 is a non-residue mod Blum primes); by w flips
      // exactly one. Pick the unique (ai, bi) that makes both symbols +1.
      const bi = lp === lq ? 0 : 1;
      const sp = bi ? lp * lwp : lp;
      const ai = sp === 1 ? 0 : 1;
      let u = y;
      if (bi) u = (u * w) % N;
      if (ai) u = N - u;
      x.push(crt(modPow(u % p, e4p, p), modPow(u % q, e4q, q)));
      z.push(crt(modPow(yp, nInvP, p), modPow(yq, nInvQ, q)));
      if (ai) a |= 1n << BigInt(i);
      if (bi) b |= 1n << BigInt(i);
    }
    return { w, x, a, b, z };
  }
  throw new LocalError('INTERNAL', 'Π^mod prover could not find usable challenges');
}

/**
 * Verifies a Π^mod proof for the Paillier modulus N. Returns nothing; throws VerifyError:
 * `MALFORMED` (shape, not exactly 80 responses), `OUT_OF_RANGE` (N, w, xᵢ, zᵢ, A, B out of
 * range or not coprime), `PROOF_INVALID` (N prime, Jacobi(w, N) ≠ −1, repeated native
 * challenges, a failed equation).
 */
export function verifyMod(ctx: ProofContext, N: bigint, proof: ModProof): void {
  checkProofContext(ctx);
  verifyThat(typeof N === 'bigint', 'MALFORMED', '"N" must be a bigint');
  verifyThat(N >= N_MIN && N < N_LIMIT, 'OUT_OF_RANGE', '"N" must have exactly 2048 bits');
  verifyThat((N & 1n) === 1n, 'OUT_OF_RANGE', '"N" must be odd');
  verifyThat(typeof proof === 'object' && proof !== null, 'MALFORMED', 'Π^mod proof is missing');
  const { w, a, b } = proof;
  verifyThat(
    typeof w === 'bigint' && typeof a === 'bigint' && typeof b === 'bigint',
    'MALFORMED',
    'Π^mod "w", "a", "b" must be bigints',
  );
  checkBigintArray('x', proof.x, MOD_ITERATIONS);
  checkBigintArray('z', proof.z, MOD_ITERATIONS);
  verifyThat(w >= 1n && w < N, 'OUT_OF_RANGE', '"w" is out of range');
  for (const x of proof.x) verifyThat(x >= 1n && x < N, 'OUT_OF_RANGE', '"x" is out of range');
  for (const z of proof.z) verifyThat(z >= 1n && z < N, 'OUT_OF_RANGE', '"z" is out of range');
  verifyThat(a >= BITS_MIN && a < BITS_LIMIT, 'OUT_OF_RANGE', '"a" must have exactly 81 bits');
  verifyThat(b >= BITS_MIN && b < BITS_LIMIT, 'OUT_OF_RANGE', '"b" must have exactly 81 bits');

  verifyThat(jacobi(w, N) === -1, 'PROOF_INVALID', 'Π^mod: Jacobi(w, N) must be −1');
  verifyThat(gcd(w, N) === 1n, 'OUT_OF_RANGE', '"w" is not coprime to N');
  checkAllUnits('x', proof.x, N);
  checkAllUnits('z', proof.z, N);
  verifyThat(!isProbablePrime(N), 'PROOF_INVALID', 'Π^mod: N is prime');

  const ys = challenges(ctx, N, w);
  if (ctx.profile === 'native') {
    verifyThat(allDistinct(ys), 'PROOF_INVALID', 'Π^mod: challenges are not pairwise distinct');
  }
  // Cheap fourth-power checks first, then the N-th powers.
  for (let i = 0; i < MOD_ITERATIONS; i++) {
    const xi = proof.x[i]!;
    const x2 = (xi * xi) % N;
    let rhs = ys[i]!;
    if ((b >> BigInt(i)) & 1n) rhs = (rhs * w) % N;
    if ((a >> BigInt(i)) & 1n) rhs = rhs === 0n ? 0n : N - rhs;
    if ((x2 * x2) % N !== rhs) {
      throw new VerifyError('PROOF_INVALID', `Π^mod: fourth-root check ${i} fails`);
    }
  }
  for (let i = 0; i < MOD_ITERATIONS; i++) {
    if (modPow(proof.z[i]!, N, N) !== ys[i]) {
      throw new VerifyError('PROOF_INVALID', `Π^mod: N-th root check ${i} fails`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Byte layout (tss-lib `ProofMod.Bytes` / `NewProofFromBytes`)
// ---------------------------------------------------------------------------------------------

/** Number of byte parts of an encoded Π^mod proof: [W, X₀…X₇₉, A, B, Z₀…Z₇₉]. */
export const MOD_PROOF_PARTS = 2 * MOD_ITERATIONS + 3;

/** Byte cap of W, Xᵢ, Zᵢ (values mod a 2048-bit N). */
export const MOD_VALUE_BYTES = PAILLIER_MODULUS_BITS / 8;

/** Byte cap of A and B (81-bit integers). */
export const MOD_BITS_BYTES = Math.ceil((MOD_ITERATIONS + 1) / 8);

/** tss-lib's layout of a Π^mod proof (`repeated bytes modProof`). */
export function modProofToBytes(proof: ModProof): Uint8Array[] {
  return [
    bigintToBytes(proof.w),
    ...proof.x.map((v) => bigintToBytes(v)),
    bigintToBytes(proof.a),
    bigintToBytes(proof.b),
    ...proof.z.map((v) => bigintToBytes(v)),
  ];
}

/**
 * Decodes tss-lib's Π^mod layout strictly: exactly 163 non-empty, minimally encoded parts;
 * W, Xᵢ, Zᵢ at most 256 bytes, A and B at most 11 bytes, checked before conversion.
 * Throws VerifyError `MALFORMED` / `OVERSIZED`.
 */
export function modProofFromBytes(parts: readonly Uint8Array[]): ModProof {
  verifyThat(
    Array.isArray(parts) && parts.length === MOD_PROOF_PARTS,
    'MALFORMED',
    `Π^mod proof must have exactly ${MOD_PROOF_PARTS} parts`,
  );
  const read = (title: string, bz: Uint8Array | undefined, cap: number) => {
    verifyThat(bz instanceof Uint8Array && bz.length > 0, 'MALFORMED', `"${title}" is empty`);
    return decodeBigInt(bz, cap, title);
  };
  const k = MOD_ITERATIONS;
  return {
    w: read('w', parts[0], MOD_VALUE_BYTES),
    x: parts.slice(1, k + 1).map((bz) => read('x', bz, MOD_VALUE_BYTES)),
    a: read('a', parts[k + 1], MOD_BITS_BYTES),
    b: read('b', parts[k + 2], MOD_BITS_BYTES),
    z: parts.slice(k + 3).map((bz) => read('z', bz, MOD_VALUE_BYTES)),
  };
}
