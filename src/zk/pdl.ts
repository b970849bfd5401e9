/**
 * PDL with slack (Gennaro–Goldfeder 2020, phase 5; after Lindell 2017): a Paillier ciphertext
 * c = Enc_N(x; ρ) and a curve point X = x·R hide the same x, with x in range up to a slack.
 * Native profile only (tss-lib has no GG20).
 *
 * In GG20 presigning, signer i publishes R̄_i = k_i·R, where k_i is the plaintext of the
 * ciphertext c_i it sent every peer in round 1 (the same c_i its MtA instances ran on). This
 * proof, made to each verifier under the *verifier's* ring-Pedersen parameters (Ñ, h1, h2), is
 * what lets the parties check Σ R̄_i = G (that R is consistent with the k_i used in the MtAs)
 * and blame the sender of a bad R̄_i.
 *
 * Statement: N (the prover's Paillier key), c, R, X; verifier's (Ñ, h1, h2).
 * Witness: x ∈ [0, q), ρ ∈ Z*_N with c = (1 + N)^x·ρ^N mod N² and X = x·R.
 *
 *   prover:   α ←$ [0, q³), β ←$ Z*_N, γ ←$ [0, q³·Ñ), μ ←$ [0, q·Ñ)
 *             z = h1^x·h2^μ (Ñ), U1 = α·R, u2 = (1 + N)^α·β^N (N²), u3 = h1^α·h2^γ (Ñ)
 *             e = H(ssid, prover, label, N, Ñ, h1, h2, c, R, X, z, U1, u2, u3) mod q
 *             s1 = e·x + α, s2 = ρ^e·β mod N, s3 = e·μ + γ
 *   verifier: s1 ≤ q³ (the slack: proves |x| ≤ q³, enough for GG20), s3 < (q³ + q²)·Ñ,
 *             s1·R = U1 + e·X, (1 + N)^{s1}·s2^N = u2·c^e (N²), h1^{s1}·h2^{s3} = u3·z^e (Ñ)
 *
 * The verifier applies the degenerate-value rules of SECURITY.md item 8 to every field (c, u2
 * units mod N²; z, u3 units mod Ñ; s2 a unit mod N; z ≠ 1, s2 ≠ 1; U1, R, X on the curve and
 * not the identity) and caps every field's byte length before any arithmetic.
 * @module
 */
import { LocalError, requireThat, VerifyError } from '../errors.js';
import { gcd } from '../math/bigint.js';
import { CURVE_ORDER, type Point, pointFromBytes } from '../math/curve.js';
import { modPow } from '../math/modexp.js';
import { randomBelow, randomUnit } from '../math/random.js';
import {
  generatorPow,
  nSquare,
  type PaillierPublicKey,
  powModN2,
  validateCiphertext,
  validatePaillierPublicKey,
} from '../paillier/paillier.js';
import {
  CAP_MOD_N,
  CAP_MOD_N2,
  CAP_S1,
  CAP_S2,
  checkBigintFields,
  checkContext as checkMtaContext,
  checkResidue,
  checkRingPedersen,
  decodeParts,
  encodeParts,
  nativeTranscript,
  Q3,
  type RingPedersenParams,
  s2Bound,
} from './mta/common.js';
import { statementPoint } from './st.js';

/** Native transcript tag of the PDL-with-slack proof. */
export const PDL_TAG = 'mpc-tss/zk/pdl-slack/v1';

/** Who proves, in which session and for what. Native profile only. */
export interface PdlContext {
  /** Session id (at least 16 bytes). */
  readonly ssid: Uint8Array;
  /** The prover's index. */
  readonly prover: number;
  /** Purpose, bound in the challenge (default `''`). */
  readonly label?: string;
}

/** A PDL-with-slack proof. */
export interface PdlProof {
  /** z = h1^x·h2^μ mod Ñ. */
  readonly z: bigint;
  /** U1 = α·R, compressed SEC1. */
  readonly u1: Uint8Array;
  /** u2 = (1 + N)^α·β^N mod N². */
  readonly u2: bigint;
  /** u3 = h1^α·h2^γ mod Ñ. */
  readonly u3: bigint;
  /** s1 = e·x + α (≤ q³). */
  readonly s1: bigint;
  /** s2 = ρ^e·β mod N. */
  readonly s2: bigint;
  /** s3 = e·μ + γ. */
  readonly s3: bigint;
}

const INT_FIELDS = ['z', 'u2', 'u3', 's1', 's2', 's3'] as const;

function mtaContext(ctx: PdlContext) {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new LocalError('INVALID_ARGUMENT', 'proof context is required');
  }
  if (ctx.label !== undefined && typeof ctx.label !== 'string') {
    throw new LocalError('INVALID_ARGUMENT', '"label" must be a string');
  }
  const pc = { profile: 'native' as const, ssid: ctx.ssid, prover: ctx.prover };
  checkMtaContext(pc);
  return pc;
}

function challenge(
  ctx: PdlContext,
  pk: PaillierPublicKey,
  v: RingPedersenParams,
  c: bigint,
  R: Point,
  X: Point,
  z: bigint,
  U1: Point,
  u2: bigint,
  u3: bigint,
): bigint {
  return nativeTranscript(PDL_TAG, mtaContext(ctx))
    .append('label', ctx.label ?? '')
    .append('N', pk.n)
    .append('NTilde', v.nTilde)
    .append('h1', v.h1)
    .append('h2', v.h2)
    .append('c', c)
    .append('R', R.toBytes(true))
    .append('X', X.toBytes(true))
    .append('z', z)
    .append('U1', U1.toBytes(true))
    .append('u2', u2)
    .append('u3', u3)
    .challengeMod('e', CURVE_ORDER);
}

/**
 * Proves that c = Enc_pk(x; rho) and X = x·R, under the verifier's ring-Pedersen parameters.
 * The prover should pass its own key object (from `paillierKeyFromPrimes`) so the mod-N² work
 * takes the CRT path.
 *
 * @param X must equal x·R (the caller's value is not re-checked; a wrong X only yields a proof
 *   that does not verify)
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad witness or context; {@link VerifyError}
 *   on bad verifier parameters.
 * @example
 * ```ts
 * const pf = provePdl({ ssid, prover: i, label: 'gg20/Rbar' }, pk, verifierParams, c, R, Rbar, k, rho);
 * ```
 */
export function provePdl(
  ctx: PdlContext,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c: bigint,
  R: Point,
  X: Point,
  x: bigint,
  rho: bigint,
): PdlProof {
  mtaContext(ctx);
  validatePaillierPublicKey(pk, 'N');
  checkRingPedersen(verifier, 'verifier');
  requireThat(typeof x === 'bigint' && x >= 1n && x < CURVE_ORDER, '"x" must be in [1, q)');
  requireThat(
    typeof rho === 'bigint' && rho > 0n && rho < pk.n && gcd(rho, pk.n) === 1n,
    'nonce must be in Z*_N',
  );
  validateCiphertext(pk, c, 'c');
  const base = statementPoint(R, 'R');
  statementPoint(X, 'X'); // must be x·R: the caller computed it (not re-checked: one scalar mult per proof)
  const { nTilde, h1, h2 } = verifier;
  const n2 = nSquare(pk);

  let alpha = randomBelow(Q3);
  while (alpha % CURVE_ORDER === 0n) alpha = randomBelow(Q3); // U1 must not be the identity
  const beta = randomUnit(pk.n);
  const gamma = randomBelow(Q3 * nTilde);
  const mu = randomBelow(CURVE_ORDER * nTilde);

  // Every exponent but N is secret: native constant-time modPow throughout.
  const z = (modPow(h1, x, nTilde) * modPow(h2, mu, nTilde)) % nTilde;
  const U1 = base.multiply(alpha % CURVE_ORDER);
  const u2 = (generatorPow(pk, alpha) * powModN2(pk, beta, pk.n)) % n2;
  const u3 = (modPow(h1, alpha, nTilde) * modPow(h2, gamma, nTilde)) % nTilde;
  const e = challenge(ctx, pk, verifier, c, base, X, z, U1, u2, u3);
  return {
    z,
    u1: U1.toBytes(true),
    u2,
    u3,
    s1: e * x + alpha,
    s2: (modPow(rho, e, pk.n) * beta) % pk.n,
    s3: e * mu + gamma,
  };
}

/**
 * Verifies a {@link PdlProof} for c (under the prover's key `pk`), R and X, with the verifier's
 * own ring-Pedersen parameters.
 *
 * @throws {@link VerifyError} `MALFORMED`, `OUT_OF_RANGE` (see the module notes) or
 *   `PROOF_INVALID`; {@link LocalError} on a bad context.
 */
export function verifyPdl(
  ctx: PdlContext,
  proof: PdlProof,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c: bigint,
  R: Point,
  X: Point,
): void {
  mtaContext(ctx);
  checkBigintFields(proof, INT_FIELDS, 'PdlProof');
  validatePaillierPublicKey(pk, 'N');
  checkRingPedersen(verifier, 'verifier');
  validateCiphertext(pk, c, 'c');
  const base = statementPoint(R, 'R');
  const stmt = statementPoint(X, 'X');
  if (!(proof.u1 instanceof Uint8Array))
    throw new VerifyError('MALFORMED', '"PdlProof.u1" is not bytes');
  const U1 = pointFromBytes(proof.u1, 'PdlProof.u1');
  const { nTilde, h1, h2 } = verifier;
  const n2 = nSquare(pk);
  const { z, u2, u3, s1, s2, s3 } = proof;

  checkResidue('PdlProof.z', z, nTilde);
  checkResidue('PdlProof.u2', u2, n2, pk.n);
  checkResidue('PdlProof.u3', u3, nTilde);
  checkResidue('PdlProof.s2', s2, pk.n);
  if (s1 < 0n || s1 > Q3) throw new VerifyError('OUT_OF_RANGE', '"PdlProof.s1" is out of range');
  if (s3 < 0n || s3 >= s2Bound(nTilde)) {
    throw new VerifyError('OUT_OF_RANGE', '"PdlProof.s3" is out of range');
  }
  if (z === 1n) throw new VerifyError('OUT_OF_RANGE', '"PdlProof.z" is 1');
  if (s2 === 1n) throw new VerifyError('OUT_OF_RANGE', '"PdlProof.s2" is 1');

  const e = challenge(ctx, pk, verifier, c, base, stmt, z, U1, u2, u3);

  const s1q = s1 % CURVE_ORDER;
  const lhsEc = s1q === 0n ? undefined : base.multiplyUnsafe(s1q);
  const rhsEc = e === 0n ? U1 : U1.add(stmt.multiplyUnsafe(e));
  if (lhsEc === undefined ? !rhsEc.is0() : !lhsEc.equals(rhsEc)) {
    throw new VerifyError('PROOF_INVALID', 'PdlProof: the curve equation fails');
  }
  const lhsN2 = (generatorPow(pk, s1) * powModN2(pk, s2, pk.n)) % n2;
  const rhsN2 = (u2 * powModN2(pk, c, e)) % n2;
  if (lhsN2 !== rhsN2)
    throw new VerifyError('PROOF_INVALID', 'PdlProof: the Paillier equation fails');
  const lhsNt = (modPow(h1, s1, nTilde) * modPow(h2, s3, nTilde)) % nTilde;
  const rhsNt = (u3 * modPow(z, e, nTilde)) % nTilde;
  if (lhsNt !== rhsNt) {
    throw new VerifyError('PROOF_INVALID', 'PdlProof: the ring-Pedersen equation fails');
  }
}

/** Wire form: seven parts z, U1 (33 bytes), u2, u3, s1, s2, s3 (minimal big-endian integers). */
export function pdlProofToBytes(proof: PdlProof): Uint8Array[] {
  checkBigintFields(proof, INT_FIELDS, 'PdlProof');
  if (INT_FIELDS.some((f) => proof[f] < 0n)) {
    throw new LocalError('INVALID_ARGUMENT', 'proof fields must be non-negative');
  }
  const [z, u2, u3, s1, s2, s3] = encodeParts(INT_FIELDS.map((f) => proof[f]));
  return [z!, Uint8Array.from(proof.u1), u2!, u3!, s1!, s2!, s3!];
}

/**
 * Decodes {@link pdlProofToBytes}: exactly seven non-empty parts, each capped (|Ñ|, 33, |N²|,
 * |Ñ|, |q³|, |N|, |(q³+q²)Ñ| bytes) before any conversion. Ranges are checked by
 * {@link verifyPdl}. Throws {@link VerifyError} `MALFORMED` or `OVERSIZED`.
 */
export function pdlProofFromBytes(parts: readonly Uint8Array[]): PdlProof {
  if (!Array.isArray(parts) || parts.length !== 7) {
    throw new VerifyError('MALFORMED', '"PdlProof" must have exactly 7 parts');
  }
  const u1 = parts[1];
  if (!(u1 instanceof Uint8Array) || u1.length !== 33) {
    throw new VerifyError('MALFORMED', '"PdlProof.u1" must be a 33-byte point');
  }
  const [z, u2, u3, s1, s2, s3] = decodeParts(
    [parts[0]!, parts[2]!, parts[3]!, parts[4]!, parts[5]!, parts[6]!],
    [
      ['z', CAP_MOD_N],
      ['u2', CAP_MOD_N2],
      ['u3', CAP_MOD_N],
      ['s1', CAP_S1],
      ['s2', CAP_MOD_N],
      ['s3', CAP_S2],
    ],
    'PdlProof',
  ) as [bigint, bigint, bigint, bigint, bigint, bigint];
  return { z, u1: Uint8Array.from(u1), u2, u3, s1, s2, s3 };
}
