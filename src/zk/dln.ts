/**
 * DLN proof: knowledge of x with h2 = h1^x mod Ñ (GG18 §6 / tss-lib `crypto/dlnproof`).
 *
 * Why: a peer's ring-Pedersen parameters are only safe to commit under if h1 and h2 generate
 * the same group; the owner shows it with two of these proofs, one per direction
 * (h2 = h1^α and h1 = h2^β), see {@link proveDlnPair} / {@link verifyDlnPair}.
 *
 * Protocol (128 parallel iterations, binary challenges; soundness error 2⁻¹²⁸):
 * the prover samples aᵢ ∈ [1, pq), sends αᵢ = h1^{aᵢ}; the challenge bits cᵢ come from a hash;
 * the prover answers tᵢ = aᵢ + cᵢ·x mod pq; the verifier checks h1^{tᵢ} = αᵢ·h2^{cᵢ} (mod Ñ).
 *
 * Profiles:
 * - `tss-lib`: c = SHA512_256i(h1, h2, Ñ, α₀, …, α₁₂₇) and cᵢ is bit i of c (LSB first), byte
 *   for byte as tss-lib; no session binding (tss-lib has none here), so `ctx.ssid`/`ctx.prover`
 *   are ignored.
 * - `native`: the 128 bits are squeezed from a {@link Transcript} bound to the ssid, the prover
 *   index, the tag `mpc-tss/zk/dln/v1`, (Ñ, h1, h2) in order (so the two directions differ),
 *   and every αᵢ.
 *
 * The verifier runs every check of SECURITY.md item 4 in both profiles: the statement passes
 * `verifyRingPedersenParams`, exactly 128 pairs, αᵢ ∈ (1, Ñ−1) and coprime to Ñ, tᵢ ∈ [0, Ñ).
 * Bigint inputs are range-checked before any arithmetic; {@link dlnProofFromBytes} caps byte
 * lengths before converting.
 *
 * The prover knows the factorization of its own Ñ and computes h1^{aᵢ} by CRT over the safe
 * primes with the native constant-time modexp.
 * @module
 */
import { requireThat, VerifyError, verifyThat } from '../errors.js';
import { tssSha512_256i } from '../hash/tss-lib.js';
import { bigintToBytes, decodeBigInt } from '../math/bigint.js';
import { modPow, modPowCrt } from '../math/modexp.js';
import { randomInRange } from '../math/random.js';
import {
  checkAllUnits,
  checkBigintArray,
  checkProofContext,
  type ProofContext,
  proofTranscript,
  RING_PEDERSEN_BYTES,
  type RingPedersenKeyPair,
  type RingPedersenPublic,
  type RingPedersenSecret,
  safePrimesOf,
  verifyRingPedersenParams,
} from './ring-pedersen.js';

/** Number of binary-challenge iterations (tss-lib `dlnproof.Iterations`). */
export const DLN_ITERATIONS = 128;

/** Native transcript tag. */
export const DLN_TAG = 'mpc-tss/zk/dln/v1';

/** A DLN proof: 128 commitments αᵢ and 128 responses tᵢ (tss-lib `Alpha`, `T`). */
export interface DlnProof {
  /** αᵢ = h1^{aᵢ} mod Ñ. */
  readonly alpha: readonly bigint[];
  /** tᵢ = aᵢ + cᵢ·x mod pq. */
  readonly t: readonly bigint[];
}

/**
 * Both DLN proofs a party publishes with its parameters (tss-lib `dlnproof_1`, `dlnproof_2`).
 */
export interface DlnProofPair {
  /** Proves h2 = h1^α (statement `{ntilde, h1, h2}`). */
  readonly proof1: DlnProof;
  /** Proves h1 = h2^β (statement `{ntilde, h1: h2, h2: h1}`). */
  readonly proof2: DlnProof;
}

function challengeBits(ctx: ProofContext, stmt: RingPedersenPublic, alpha: readonly bigint[]) {
  if (ctx.profile === 'tss-lib') {
    const c = tssSha512_256i(stmt.h1, stmt.h2, stmt.ntilde, ...alpha);
    return Array.from({ length: DLN_ITERATIONS }, (_, i) => ((c >> BigInt(i)) & 1n) === 1n);
  }
  return proofTranscript(DLN_TAG, ctx)
    .append('ntilde', stmt.ntilde)
    .append('h1', stmt.h1)
    .append('h2', stmt.h2)
    .appendList('alpha', alpha)
    .challengeBits('c', DLN_ITERATIONS);
}

/**
 * Proves knowledge of x with `stmt.h2 = stmt.h1^x mod stmt.ntilde`, for the owner of Ñ.
 * `secret` holds the Sophie Germain primes p, q of Ñ = (2p+1)(2q+1).
 * Throws LocalError if the statement does not hold for these secrets.
 *
 * @example
 * ```ts
 * const proof = proveDln(ctx, params.pub, params.secret.alpha, params.secret);
 * verifyDln(ctx, params.pub, proof);
 * ```
 */
export function proveDln(
  ctx: ProofContext,
  stmt: RingPedersenPublic,
  x: bigint,
  secret: Pick<RingPedersenSecret, 'p' | 'q'>,
): DlnProof {
  checkProofContext(ctx);
  requireThat(typeof x === 'bigint' && x >= 0n, 'DLN witness must be a non-negative bigint');
  const { P, Q, qInvP } = safePrimesOf(secret);
  requireThat(P * Q === stmt.ntilde, 'secret primes do not match Ñ');
  requireThat(modPowCrt(stmt.h1, x, P, Q, qInvP) === stmt.h2, 'DLN statement does not hold');
  const pq = secret.p * secret.q;
  const a = Array.from({ length: DLN_ITERATIONS }, () => randomInRange(1n, pq));
  const alpha = a.map((ai) => modPowCrt(stmt.h1, ai, P, Q, qInvP));
  const c = challengeBits(ctx, stmt, alpha);
  const xr = x % pq;
  const t = a.map((ai, i) => (c[i] ? (ai + xr) % pq : ai));
  a.fill(0n);
  return { alpha, t };
}

/**
 * Verifies a DLN proof that `stmt.h2 ∈ ⟨stmt.h1⟩` mod `stmt.ntilde`. Returns nothing; throws
 * VerifyError: `MALFORMED` (shape, not exactly 128 pairs), `OUT_OF_RANGE` (statement, αᵢ or tᵢ
 * out of range or not coprime), `PROOF_INVALID` (an iteration fails).
 */
export function verifyDln(ctx: ProofContext, stmt: RingPedersenPublic, proof: DlnProof): void {
  checkProofContext(ctx);
  verifyRingPedersenParams(stmt);
  const { ntilde, h1, h2 } = stmt;
  verifyThat(typeof proof === 'object' && proof !== null, 'MALFORMED', 'DLN proof is missing');
  checkBigintArray('alpha', proof.alpha, DLN_ITERATIONS);
  checkBigintArray('t', proof.t, DLN_ITERATIONS);
  for (const a of proof.alpha) {
    verifyThat(a > 1n && a < ntilde - 1n, 'OUT_OF_RANGE', '"alpha" is out of range');
  }
  for (const t of proof.t) {
    verifyThat(t >= 0n && t < ntilde, 'OUT_OF_RANGE', '"t" is out of range');
  }
  checkAllUnits('alpha', proof.alpha, ntilde);
  const c = challengeBits(ctx, stmt, proof.alpha);
  for (let i = 0; i < DLN_ITERATIONS; i++) {
    const lhs = modPow(h1, proof.t[i]!, ntilde);
    const rhs = c[i] ? (proof.alpha[i]! * h2) % ntilde : proof.alpha[i]!;
    if (lhs !== rhs) throw new VerifyError('PROOF_INVALID', `DLN proof: iteration ${i} fails`);
  }
}

/**
 * The two DLN proofs for one's own parameters: h2 = h1^α and h1 = h2^β (tss-lib keygen round 1
 * `dlnProof1`, `dlnProof2`).
 */
export function proveDlnPair(ctx: ProofContext, params: RingPedersenKeyPair): DlnProofPair {
  const { pub, secret } = params;
  return {
    proof1: proveDln(ctx, pub, secret.alpha, secret),
    proof2: proveDln(ctx, { ntilde: pub.ntilde, h1: pub.h2, h2: pub.h1 }, secret.beta, secret),
  };
}

/** Verifies both DLN proofs of a peer's parameters (tss-lib keygen round 2). */
export function verifyDlnPair(
  ctx: ProofContext,
  pub: RingPedersenPublic,
  pair: DlnProofPair,
): void {
  verifyThat(typeof pair === 'object' && pair !== null, 'MALFORMED', 'DLN proofs are missing');
  verifyDln(ctx, pub, pair.proof1);
  verifyDln(ctx, { ntilde: pub.ntilde, h1: pub.h2, h2: pub.h1 }, pair.proof2);
}

// ---------------------------------------------------------------------------------------------
// Byte layout (tss-lib `Serialize` / `UnmarshalDLNProof`)
// ---------------------------------------------------------------------------------------------

/** Number of byte parts of an encoded DLN proof: [128, α₀…α₁₂₇, 128, t₀…t₁₂₇]. */
export const DLN_PROOF_PARTS = 2 * (DLN_ITERATIONS + 1);

const LEN_PREFIX = bigintToBytes(BigInt(DLN_ITERATIONS));

/**
 * tss-lib's layout of a DLN proof (the `repeated bytes dlnproof_1/2` fields): two
 * length-prefixed parts, each integer as Go's `big.Int.Bytes()`.
 */
export function dlnProofToBytes(proof: DlnProof): Uint8Array[] {
  return [
    LEN_PREFIX,
    ...proof.alpha.map((x) => bigintToBytes(x)),
    LEN_PREFIX,
    ...proof.t.map((x) => bigintToBytes(x)),
  ];
}

/**
 * Decodes tss-lib's DLN proof layout strictly: exactly 258 parts, both length prefixes equal to
 * 128, every integer non-empty, minimally encoded and at most 256 bytes (checked before
 * conversion). Throws VerifyError `MALFORMED` / `OVERSIZED`.
 */
export function dlnProofFromBytes(parts: readonly Uint8Array[]): DlnProof {
  verifyThat(
    Array.isArray(parts) && parts.length === DLN_PROOF_PARTS,
    'MALFORMED',
    `DLN proof must have exactly ${DLN_PROOF_PARTS} parts`,
  );
  const prefixOk = (b: Uint8Array | undefined) =>
    b instanceof Uint8Array && b.length === 1 && b[0] === LEN_PREFIX[0];
  verifyThat(
    prefixOk(parts[0]) && prefixOk(parts[DLN_ITERATIONS + 1]),
    'MALFORMED',
    'DLN proof length prefixes must be 128',
  );
  const read = (title: string, b: Uint8Array) => {
    verifyThat(b instanceof Uint8Array && b.length > 0, 'MALFORMED', `"${title}" is empty`);
    return decodeBigInt(b, RING_PEDERSEN_BYTES, title);
  };
  return {
    alpha: parts.slice(1, DLN_ITERATIONS + 1).map((b) => read('alpha', b)),
    t: parts.slice(DLN_ITERATIONS + 2).map((b) => read('t', b)),
  };
}
