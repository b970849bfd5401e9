/**
 * The GG20 "ST" proof (Gennaro–Goldfeder 2020, phase 6): S = σ·R and T = σ·G + l·H hide the
 * same σ. Native profile only (tss-lib has no GG20).
 *
 * In GG20 presigning each signer commits to its share σ_i of k·x in a Pedersen commitment
 * T_i = σ_i·G + l_i·H *before* the nonce point R is known (phase 3), and later publishes
 * S_i = σ_i·R. The parties release their signature shares only if Σ S_i = y; this proof is what
 * makes a bad S_i attributable to its sender, and (with the binding of T_i) what makes S_i
 * unique, so an S_i cannot be equivocated.
 *
 * H is a second generator with unknown discrete logarithm to base G: RFC 9380 hash-to-curve
 * (secp256k1_XMD:SHA-256_SSWU_RO_) of a fixed string ({@link PEDERSEN_H}). Nobody knows
 * log_G(H), so T_i binds σ_i computationally and hides it perfectly.
 *
 * Sigma protocol (Fiat–Shamir, challenge from a native {@link Transcript} bound to the ssid,
 * the prover index, the label and the whole statement):
 *   prover:   a, b ←$ [1, q); A1 = a·G + b·H, A2 = a·R; e = H(…); z1 = a + e·σ, z2 = b + e·l
 *   verifier: z1·G + z2·H = A1 + e·T  and  z1·R = A2 + e·S
 *
 * The knowledge proof of T's opening alone (GG20 phase 3) needs no new code: it is
 * {@link proveSchnorrV} with base H (T = l·H + σ·G), see {@link proveTOpening}.
 * @module
 */
import { secp256k1_hasher } from '@noble/curves/secp256k1.js';
import { LocalError, VerifyError } from '../errors.js';
import { Transcript } from '../hash/transcript.js';
import { bigintToBytes, bytesToBigint, concatBytes } from '../math/bigint.js';
import {
  CURVE_ORDER,
  CurvePoint,
  G,
  modQ,
  mulG,
  type Point,
  pointFromBytes,
} from '../math/curve.js';
import { randomInRange } from '../math/random.js';
import { proveSchnorrV, type SchnorrVProof, verifySchnorrV } from './schnorr.js';

/** Domain separation tag of the hash-to-curve that defines H. */
export const PEDERSEN_H_DST = 'mpc-tss/zk/st/pedersen-h/v1';

/**
 * The Pedersen generator H = hash_to_curve("H", DST = {@link PEDERSEN_H_DST}); log_G(H) is
 * unknown to everyone.
 */
export const PEDERSEN_H: Point = (
  secp256k1_hasher.hashToCurve(new TextEncoder().encode('H'), { DST: PEDERSEN_H_DST }) as Point
).precompute(8); // lazy window tables: multiples of H cost what multiples of G cost

/** Native transcript tag of the ST proof. */
export const ST_TAG = 'mpc-tss/zk/st/v1';
/** Size of an encoded {@link StProof}: A1, A2 (33 bytes each), z1, z2 (32 bytes each). */
export const ST_PROOF_BYTES = 130;

/** Who proves, in which session and for what. Native profile only. */
export interface StContext {
  /** Session id (at least 16 bytes). */
  readonly ssid: Uint8Array;
  /** The prover's index. */
  readonly prover: number;
  /** Purpose of the proof, bound in the challenge (default `''`). */
  readonly label?: string;
}

/** A proof that S = σ·R and T = σ·G + l·H for the same σ. */
export interface StProof {
  /** A1 = a·G + b·H, compressed SEC1. */
  readonly A1: Uint8Array;
  /** A2 = a·R, compressed SEC1. */
  readonly A2: Uint8Array;
  /** z1 = a + e·σ mod q. */
  readonly z1: bigint;
  /** z2 = b + e·l mod q. */
  readonly z2: bigint;
}

function checkContext(ctx: StContext): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new LocalError('INVALID_ARGUMENT', 'proof context is required');
  }
  if (!(ctx.ssid instanceof Uint8Array) || ctx.ssid.length < 16) {
    throw new LocalError('INVALID_ARGUMENT', '"ssid" must have at least 16 bytes');
  }
  if (!Number.isSafeInteger(ctx.prover) || ctx.prover < 0) {
    throw new LocalError('INVALID_ARGUMENT', '"prover" must be a non-negative integer');
  }
  if (ctx.label !== undefined && typeof ctx.label !== 'string') {
    throw new LocalError('INVALID_ARGUMENT', '"label" must be a string');
  }
}

/**
 * A statement point given by the caller (a noble point or SEC1 bytes), validated: on the curve,
 * not the identity. Throws {@link VerifyError}.
 * @internal
 */
export function statementPoint(p: Point | Uint8Array, title: string): Point {
  if (p instanceof Uint8Array) return pointFromBytes(p, title);
  if (!(p instanceof CurvePoint)) throw new VerifyError('MALFORMED', `"${title}" is not a point`);
  if (p.is0()) throw new VerifyError('OUT_OF_RANGE', `"${title}" is the identity`);
  try {
    p.assertValidity();
  } catch (e) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not a valid point`, { cause: e });
  }
  return p;
}

function challenge(ctx: StContext, T: Point, S: Point, R: Point, A1: Point, A2: Point): bigint {
  return new Transcript(ST_TAG)
    .append('ssid', ctx.ssid)
    .append('prover', ctx.prover)
    .append('label', ctx.label ?? '')
    .append('H', PEDERSEN_H.toBytes(true))
    .append('T', T.toBytes(true))
    .append('S', S.toBytes(true))
    .append('R', R.toBytes(true))
    .append('A1', A1.toBytes(true))
    .append('A2', A2.toBytes(true))
    .challengeMod('e', CURVE_ORDER);
}

/** T = σ·G + l·H (σ, l ∈ [0, q), not both 0). */
export function pedersenCommit(sigma: bigint, l: bigint): Point {
  const parts = [
    sigma === 0n ? undefined : mulG(sigma),
    l === 0n ? undefined : PEDERSEN_H.multiply(l),
  ];
  const [a, b] = parts;
  const T = a && b ? a.add(b) : (a ?? b);
  if (T === undefined || T.is0()) throw new LocalError('INVALID_ARGUMENT', 'T is the identity');
  return T;
}

function checkScalar(title: string, v: unknown): bigint {
  if (typeof v !== 'bigint' || v < 0n || v >= CURVE_ORDER) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be in [0, q)`);
  }
  return v;
}

/**
 * Proves that S = σ·R and T = σ·G + l·H (both computed here from the witness).
 *
 * @param R the base of S (public; in GG20 the presignature's nonce point)
 * @param statement T and S when the caller already has them (must be computed from σ and l)
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad context or witness, or if S or T would
 *   be the identity.
 * @example
 * ```ts
 * const proof = proveSt({ ssid, prover: i, label: 'gg20/S' }, R, sigma, l);
 * ```
 */
export function proveSt(
  ctx: StContext,
  R: Point,
  sigma: bigint,
  l: bigint,
  statement?: { readonly T: Point; readonly S: Point },
): StProof {
  checkContext(ctx);
  checkScalar('sigma', sigma);
  checkScalar('l', l);
  const base = (() => {
    try {
      return statementPoint(R, 'R');
    } catch (e) {
      throw new LocalError('INVALID_ARGUMENT', '"R" must be a valid non-identity point', {
        cause: e,
      });
    }
  })();
  if (sigma === 0n) throw new LocalError('INVALID_ARGUMENT', 'S = σ·R is the identity');
  // The caller may pass T and S it already computed from the same witness (saves two scalar
  // multiplications); they enter only the challenge, so a wrong statement yields a proof that
  // does not verify, never one for something else.
  const T = statement?.T ?? pedersenCommit(sigma, l);
  const S = statement?.S ?? base.multiply(sigma);
  const a = randomInRange(1n, CURVE_ORDER);
  const b = randomInRange(1n, CURVE_ORDER);
  const A1 = mulG(a).add(PEDERSEN_H.multiply(b));
  const A2 = base.multiply(a);
  const e = challenge(ctx, T, S, base, A1, A2);
  return {
    A1: A1.toBytes(true),
    A2: A2.toBytes(true),
    z1: modQ(a + e * sigma),
    z2: modQ(b + e * l),
  };
}

/**
 * Verifies an {@link StProof} for the statement (T, S, R).
 *
 * @throws {@link VerifyError} `MALFORMED` (missing or mistyped field), `OUT_OF_RANGE` (a point
 *   off-curve or the identity, z1 or z2 ∉ [0, q)), `PROOF_INVALID` (either equation fails,
 *   including a proof made under another ssid, prover or label); {@link LocalError} on a bad
 *   context.
 */
export function verifySt(
  ctx: StContext,
  T: Point | Uint8Array,
  S: Point | Uint8Array,
  R: Point | Uint8Array,
  proof: StProof,
): void {
  checkContext(ctx);
  if (typeof proof !== 'object' || proof === null) {
    throw new VerifyError('MALFORMED', 'ST proof is missing');
  }
  const t = statementPoint(T, 'T');
  const s = statementPoint(S, 'S');
  const r = statementPoint(R, 'R');
  if (!(proof.A1 instanceof Uint8Array) || !(proof.A2 instanceof Uint8Array)) {
    throw new VerifyError('MALFORMED', 'ST proof commitments must be bytes');
  }
  const A1 = pointFromBytes(proof.A1, 'A1');
  const A2 = pointFromBytes(proof.A2, 'A2');
  for (const [name, v] of [
    ['z1', proof.z1],
    ['z2', proof.z2],
  ] as const) {
    if (typeof v !== 'bigint') throw new VerifyError('MALFORMED', `"${name}" is not an integer`);
    if (v < 0n || v >= CURVE_ORDER)
      throw new VerifyError('OUT_OF_RANGE', `"${name}" is not in [0, q)`);
  }
  const e = challenge(ctx, t, s, r, A1, A2);
  const lhs1 = G.multiplyUnsafe(proof.z1).add(PEDERSEN_H.multiplyUnsafe(proof.z2));
  if (!lhs1.equals(A1.add(t.multiplyUnsafe(e)))) {
    throw new VerifyError('PROOF_INVALID', 'ST proof: the commitment equation fails');
  }
  if (!r.multiplyUnsafe(proof.z1).equals(A2.add(s.multiplyUnsafe(e)))) {
    throw new VerifyError('PROOF_INVALID', 'ST proof: the S equation fails');
  }
}

/** Fixed 130-byte encoding A1 ‖ A2 ‖ z1 ‖ z2. */
export function stProofToBytes(proof: StProof): Uint8Array {
  if (proof.A1.length !== 33 || proof.A2.length !== 33) {
    throw new LocalError('INVALID_ARGUMENT', 'ST proof points must be compressed');
  }
  return concatBytes(proof.A1, proof.A2, bigintToBytes(proof.z1, 32), bigintToBytes(proof.z2, 32));
}

/**
 * Decodes {@link stProofToBytes} (exactly {@link ST_PROOF_BYTES} bytes; the points and ranges
 * are checked by {@link verifySt}). Throws {@link VerifyError} `MALFORMED`.
 */
export function stProofFromBytes(b: Uint8Array): StProof {
  if (!(b instanceof Uint8Array) || b.length !== ST_PROOF_BYTES) {
    throw new VerifyError('MALFORMED', `ST proof must be exactly ${ST_PROOF_BYTES} bytes`);
  }
  return {
    A1: b.slice(0, 33),
    A2: b.slice(33, 66),
    z1: bytesToBigint(b.subarray(66, 98)),
    z2: bytesToBigint(b.subarray(98, 130)),
  };
}

/**
 * GG20 phase 3: proves knowledge of (σ, l) with T = σ·G + l·H. This is the Schnorr V-proof
 * (`V = s·R + l·G`) with base H, s = l and l = σ; it exists so the call sites read as GG20.
 */
export function proveTOpening(ctx: StContext, sigma: bigint, l: bigint): SchnorrVProof {
  checkContext(ctx);
  return proveSchnorrV({ profile: 'native', ...ctx }, PEDERSEN_H, l, sigma);
}

/** Verifies {@link proveTOpening}. Throws {@link VerifyError} as {@link verifySchnorrV}. */
export function verifyTOpening(ctx: StContext, T: Point | Uint8Array, proof: SchnorrVProof): void {
  checkContext(ctx);
  verifySchnorrV({ profile: 'native', ...ctx }, T, PEDERSEN_H, proof);
}
