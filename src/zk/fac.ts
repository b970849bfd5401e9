/**
 * Π^fac: the Paillier modulus N0 has no small factor (CGGMP21 fig. 28; tss-lib
 * `crypto/facproof`), with ℓ = 256 and ε = 512 (2^ℓ ≈ q, 2^{ℓ+ε} ≈ q³ for the secp256k1
 * order q).
 *
 * Why: Π^mod alone accepts N0 = p·q with a tiny p; BitForge-style attacks need small factors.
 * Π^fac proves N0 = p·q with |p|, |q| ≲ 2^ℓ·√N0, hence both ≳ 2^{−ℓ}·√N0 ≈ 2^{768}.
 *
 * It is a commitment-based proof under the *verifier's* ring-Pedersen parameters (Ñ, s = h1,
 * t = h2): the prover cannot know their trapdoor, and only the owner of Ñ knows it is a product
 * of safe primes. So the prover makes one proof per verifier (sent p2p), and a verifier checks
 * only proofs made under its own Ñ ({@link verifyFac} takes the verifier's own parameters).
 *
 * Prover: α, β ← [0, q³√N0), μ, ν ← [0, q·Ñ), σ ← [0, q·N0·Ñ), r ← [0, q³·N0·Ñ),
 * x, y ← [0, q³·Ñ); P = s^p t^μ, Q = s^q t^ν, A = s^α t^x, B = s^β t^y, T = Q^α t^r (mod Ñ);
 * e = H(…) mod q; z1 = α + e·p, z2 = β + e·q, w1 = x + e·μ, w2 = y + e·ν, v = r + e·(σ − ν·p).
 * (CGGMP21 samples symmetric ranges of the same widths; non-negative ranges keep tss-lib's
 * encoding, where `big.Int.Bytes()` drops the sign. The prover retries in the negligible cases
 * where z1, z2 would leave the range or v would be negative.)
 *
 * Challenge: e = H(N0, Ñ, s, t, P, Q, A, B, T, σ) mod q, hashing the full statement and every
 * first message (SECURITY.md item 3; hashing fewer lets a prover fix e first and solve for
 * A, B, T). `tss-lib`: SHA512_256i_TAGGED(ssid ‖ bytes(prover), …) as tss-lib. `native`: a
 * {@link Transcript} also bound to the ssid, prover index and the tag `mpc-tss/zk/fac/v1`.
 *
 * Verifier (both profiles): bitlen(N0) = 2048 and N0 odd; one's own parameters pass
 * `verifyRingPedersenParams`; P, Q, A, B, T ∈ (1, Ñ−1) and coprime to Ñ; z1, z2 ∈ [0, q³·√N0)
 * with √N0 = isqrt(N0) (exactly tss-lib's bound `IsInInterval(z, q³·Sqrt(N0))`, which is also
 * SECURITY.md's, so nothing differs between profiles); σ, w1, w2, v non-negative and below
 * their honest maxima q·N0·Ñ, 2q³·Ñ, 2q³·Ñ, 2q³·N0·Ñ (pure DoS caps on exponents; every honest
 * tss-lib proof satisfies them); then the three equations
 * s^{z1}t^{w1} = A·P^e, s^{z2}t^{w2} = B·Q^e, Q^{z1}t^{v} = T·R^e with R = s^{N0}t^{σ} (mod Ñ).
 * @module
 */
import { LocalError, requireThat, VerifyError, verifyThat } from '../errors.js';
import { tssRejectionSample, tssSha512_256iTagged } from '../hash/tss-lib.js';
import { bigintToBytes, decodeBigInt, isqrt } from '../math/bigint.js';
import { CURVE_ORDER } from '../math/curve.js';
import { modPow, modPowCrt } from '../math/modexp.js';
import { randomBelow } from '../math/random.js';
import { PAILLIER_MODULUS_BITS } from './mod.js';
import {
  checkAllUnits,
  checkProofContext,
  type ProofContext,
  proofTranscript,
  RING_PEDERSEN_BYTES,
  type RingPedersenKeyPair,
  type RingPedersenPublic,
  safePrimesOf,
  tssLibSession,
  verifyRingPedersenParams,
} from './ring-pedersen.js';

/** Native transcript tag. */
export const FAC_TAG = 'mpc-tss/zk/fac/v1';

/** Field order of tss-lib's encoding. */
const FIELDS = ['P', 'Q', 'A', 'B', 'T', 'sigma', 'z1', 'z2', 'w1', 'w2', 'v'] as const;

const N0_MIN = 1n << BigInt(PAILLIER_MODULUS_BITS - 1);
const N0_LIMIT = 1n << BigInt(PAILLIER_MODULUS_BITS);

/** A Π^fac proof (tss-lib `ProofFac`: P, Q, A, B, T, Sigma, Z1, Z2, W1, W2, V). */
export interface FacProof {
  /** s^p·t^μ mod Ñ. */
  readonly P: bigint;
  /** s^q·t^ν mod Ñ. */
  readonly Q: bigint;
  /** s^α·t^x mod Ñ. */
  readonly A: bigint;
  /** s^β·t^y mod Ñ. */
  readonly B: bigint;
  /** Q^α·t^r mod Ñ. */
  readonly T: bigint;
  /** σ ∈ [0, q·N0·Ñ). */
  readonly sigma: bigint;
  /** α + e·p ∈ [0, q³·√N0). */
  readonly z1: bigint;
  /** β + e·q ∈ [0, q³·√N0). */
  readonly z2: bigint;
  /** x + e·μ. */
  readonly w1: bigint;
  /** y + e·ν. */
  readonly w2: bigint;
  /** r + e·(σ − ν·p). */
  readonly v: bigint;
}

/** The ranges of Π^fac for a given N0 and Ñ (all upper bounds exclusive, lower bound 0). */
export interface FacBounds {
  /** q³·isqrt(N0): range of α, β, z1, z2. */
  readonly z: bigint;
  /** q·N0·Ñ: range of σ. */
  readonly sigma: bigint;
  /** 2·q³·Ñ: cap of w1, w2. */
  readonly w: bigint;
  /** 2·q³·N0·Ñ: cap of v. */
  readonly v: bigint;
}

/** Computes {@link FacBounds}. */
export function facBounds(N0: bigint, ntilde: bigint): FacBounds {
  const q = CURVE_ORDER;
  const q3 = q * q * q;
  return {
    z: q3 * isqrt(N0),
    sigma: q * N0 * ntilde,
    w: 2n * q3 * ntilde,
    v: 2n * q3 * N0 * ntilde,
  };
}

function challenge(
  ctx: ProofContext,
  N0: bigint,
  vp: RingPedersenPublic,
  first: Pick<FacProof, 'P' | 'Q' | 'A' | 'B' | 'T' | 'sigma'>,
): bigint {
  const { P, Q, A, B, T, sigma } = first;
  if (ctx.profile === 'tss-lib') {
    const h = tssSha512_256iTagged(
      tssLibSession(ctx),
      N0,
      vp.ntilde,
      vp.h1,
      vp.h2,
      P,
      Q,
      A,
      B,
      T,
      sigma,
    );
    return tssRejectionSample(CURVE_ORDER, h);
  }
  return proofTranscript(FAC_TAG, ctx)
    .append('N0', N0)
    .append('ntilde', vp.ntilde)
    .append('s', vp.h1)
    .append('t', vp.h2)
    .append('P', P)
    .append('Q', Q)
    .append('A', A)
    .append('B', B)
    .append('T', T)
    .append('sigma', sigma)
    .challengeMod('e', CURVE_ORDER);
}

/**
 * Proves that N0 = p·q has no small factor, under the verifier's parameters `verifier`
 * (s = h1, t = h2). Make one proof per verifier. `p`, `q` are the prover's Paillier primes.
 * Throws LocalError on inconsistent inputs, VerifyError if the verifier's parameters are
 * malformed.
 *
 * @example
 * ```ts
 * const proof = proveFac(ctx, paillier.N, paillier.p, paillier.q, peerRingPedersen);
 * ```
 */
export function proveFac(
  ctx: ProofContext,
  N0: bigint,
  p: bigint,
  q: bigint,
  verifier: RingPedersenPublic,
): FacProof {
  checkProofContext(ctx);
  verifyRingPedersenParams(verifier);
  requireThat(
    typeof N0 === 'bigint' && typeof p === 'bigint' && typeof q === 'bigint',
    'N0, p and q must be bigints',
  );
  requireThat(N0 >= N0_MIN && N0 < N0_LIMIT, 'N0 must have exactly 2048 bits');
  requireThat(p > 1n && q > 1n && p * q === N0, 'N0 must equal p·q');
  const bounds = facBounds(N0, verifier.ntilde);
  // |p|, |q| ≤ 2^ℓ·√N0 is what the proof shows; larger factors could never fit the range.
  const maxFactor = isqrt(N0) << 256n;
  requireThat(p <= maxFactor && q <= maxFactor, 'a factor of N0 is too large for Π^fac');

  const { ntilde: Nt, h1: s, h2: t } = verifier;
  const qc = CURVE_ORDER;
  const q3 = qc * qc * qc;
  const pow = (b: bigint, e: bigint) => modPow(b, e, Nt);
  for (let attempt = 0; attempt < 32; attempt++) {
    const alpha = randomBelow(bounds.z);
    const beta = randomBelow(bounds.z);
    const mu = randomBelow(qc * Nt);
    const nu = randomBelow(qc * Nt);
    const sigma = randomBelow(bounds.sigma);
    const r = randomBelow(q3 * N0 * Nt);
    const x = randomBelow(q3 * Nt);
    const y = randomBelow(q3 * Nt);
    const P = (pow(s, p) * pow(t, mu)) % Nt;
    const Q = (pow(s, q) * pow(t, nu)) % Nt;
    const A = (pow(s, alpha) * pow(t, x)) % Nt;
    const B = (pow(s, beta) * pow(t, y)) % Nt;
    const T = (pow(Q, alpha) * pow(t, r)) % Nt;
    const e = challenge(ctx, N0, verifier, { P, Q, A, B, T, sigma });
    const z1 = alpha + e * p;
    const z2 = beta + e * q;
    const w1 = x + e * mu;
    const w2 = y + e * nu;
    const v = r + e * (sigma - nu * p);
    if (z1 >= bounds.z || z2 >= bounds.z || v < 0n) continue;
    return { P, Q, A, B, T, sigma, z1, z2, w1, w2, v };
  }
  throw new LocalError('INTERNAL', 'Π^fac prover could not produce in-range responses');
}

/**
 * Verifies a Π^fac proof that N0 has no small factor, made under the verifier's OWN ring-Pedersen
 * parameters. Pass {@link RingPedersenKeyPair} (with the secret) to get CRT-accelerated
 * verification and a type-level guarantee that the parameters are one's own; the public part
 * alone is accepted too. Returns nothing; throws VerifyError: `MALFORMED`, `OUT_OF_RANGE`
 * (N0, a commitment, σ, z1, z2, w1, w2, v), `PROOF_INVALID` (an equation fails).
 */
export function verifyFac(
  ctx: ProofContext,
  N0: bigint,
  own: RingPedersenPublic | RingPedersenKeyPair,
  proof: FacProof,
): void {
  checkProofContext(ctx);
  requireThat(typeof own === 'object' && own !== null, 'own ring-Pedersen parameters required');
  const vp: RingPedersenPublic = 'pub' in own ? own.pub : own;
  verifyRingPedersenParams(vp);
  const { ntilde: Nt, h1: s, h2: t } = vp;
  let pow = (b: bigint, e: bigint) => modPow(b, e, Nt);
  if ('secret' in own) {
    const { P: Pp, Q: Qq, qInvP } = safePrimesOf(own.secret);
    if (Pp * Qq !== Nt) throw new LocalError('INVALID_KEY_SHARE', 'own Ñ secrets do not match');
    pow = (b, e) => modPowCrt(b, e, Pp, Qq, qInvP);
  }

  verifyThat(typeof N0 === 'bigint', 'MALFORMED', '"N0" must be a bigint');
  verifyThat(N0 >= N0_MIN && N0 < N0_LIMIT, 'OUT_OF_RANGE', '"N0" must have exactly 2048 bits');
  verifyThat((N0 & 1n) === 1n, 'OUT_OF_RANGE', '"N0" must be odd');
  verifyThat(typeof proof === 'object' && proof !== null, 'MALFORMED', 'Π^fac proof is missing');
  for (const k of FIELDS) {
    verifyThat(typeof proof[k] === 'bigint', 'MALFORMED', `Π^fac "${k}" must be a bigint`);
  }
  const { P, Q, A, B, T, sigma, z1, z2, w1, w2, v } = proof;
  for (const [k, x] of [
    ['P', P],
    ['Q', Q],
    ['A', A],
    ['B', B],
    ['T', T],
  ] as const) {
    verifyThat(x > 1n && x < Nt - 1n, 'OUT_OF_RANGE', `"${k}" is out of range`);
  }
  const bounds = facBounds(N0, Nt);
  const inRange = (k: string, x: bigint, max: bigint) =>
    verifyThat(x >= 0n && x < max, 'OUT_OF_RANGE', `"${k}" is out of range`);
  inRange('z1', z1, bounds.z);
  inRange('z2', z2, bounds.z);
  inRange('sigma', sigma, bounds.sigma);
  inRange('w1', w1, bounds.w);
  inRange('w2', w2, bounds.w);
  inRange('v', v, bounds.v);
  checkAllUnits('P, Q, A, B, T', [P, Q, A, B, T], Nt);

  const e = challenge(ctx, N0, vp, proof);
  const mul = (x: bigint, y: bigint) => (x * y) % Nt;
  if (mul(pow(s, z1), pow(t, w1)) !== mul(A, pow(P, e))) {
    throw new VerifyError('PROOF_INVALID', 'Π^fac: first equation fails');
  }
  if (mul(pow(s, z2), pow(t, w2)) !== mul(B, pow(Q, e))) {
    throw new VerifyError('PROOF_INVALID', 'Π^fac: second equation fails');
  }
  const R = mul(pow(s, N0), pow(t, sigma));
  if (mul(pow(Q, z1), pow(t, v)) !== mul(T, pow(R, e))) {
    throw new VerifyError('PROOF_INVALID', 'Π^fac: third equation fails');
  }
}

// ---------------------------------------------------------------------------------------------
// Byte layout (tss-lib `ProofFac.Bytes` / `NewProofFromBytes`)
// ---------------------------------------------------------------------------------------------

/** Number of byte parts of an encoded Π^fac proof. */
export const FAC_PROOF_PARTS = FIELDS.length;

/**
 * Byte caps per field for 2048-bit N0 and Ñ and the secp256k1 order (q < 2²⁵⁶): the byte length
 * of each honest maximum (see {@link FacBounds}).
 */
export const FAC_FIELD_BYTES: Readonly<Record<(typeof FIELDS)[number], number>> = {
  P: RING_PEDERSEN_BYTES,
  Q: RING_PEDERSEN_BYTES,
  A: RING_PEDERSEN_BYTES,
  B: RING_PEDERSEN_BYTES,
  T: RING_PEDERSEN_BYTES,
  sigma: (256 + 2048 + 2048) / 8, // q·N0·Ñ
  z1: (768 + 1024) / 8, // q³·√N0
  z2: (768 + 1024) / 8,
  w1: Math.ceil((1 + 768 + 2048) / 8), // 2q³·Ñ
  w2: Math.ceil((1 + 768 + 2048) / 8),
  v: Math.ceil((1 + 768 + 2048 + 2048) / 8), // 2q³·N0·Ñ
};

/** tss-lib's layout of a Π^fac proof (`repeated bytes facProof`). */
export function facProofToBytes(proof: FacProof): Uint8Array[] {
  return FIELDS.map((k) => bigintToBytes(proof[k]));
}

/**
 * Decodes tss-lib's Π^fac layout strictly: exactly 11 non-empty, minimally encoded parts, each
 * within {@link FAC_FIELD_BYTES} (checked before conversion). Throws VerifyError `MALFORMED` /
 * `OVERSIZED`.
 */
export function facProofFromBytes(parts: readonly Uint8Array[]): FacProof {
  verifyThat(
    Array.isArray(parts) && parts.length === FAC_PROOF_PARTS,
    'MALFORMED',
    `Π^fac proof must have exactly ${FAC_PROOF_PARTS} parts`,
  );
  const out = {} as Record<(typeof FIELDS)[number], bigint>;
  FIELDS.forEach((k, i) => {
    const bz = parts[i];
    verifyThat(bz instanceof Uint8Array && bz.length > 0, 'MALFORMED', `"${k}" is empty`);
    out[k] = decodeBigInt(bz, FAC_FIELD_BYTES[k], k);
  });
  return out;
}
