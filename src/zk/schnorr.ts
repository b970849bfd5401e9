/**
 * Schnorr proofs over secp256k1 (tss-lib `crypto/schnorr`, GG18 figs. 16 and 17).
 *
 * - {@link proveSchnorr} / {@link verifySchnorr}: knowledge of x with X = x·G
 *   (tss-lib `ZKProof{Alpha, T}`; GG18 signing rounds 4 and 6, and the native keygen proof of
 *   knowledge of u_i required by SECURITY.md item 9).
 * - {@link proveSchnorrV} / {@link verifySchnorrV}: knowledge of s, l with V = s·R + l·G
 *   (tss-lib `ZKVProof{Alpha, T, U}`; GG18 signing round 6).
 *
 * Challenges:
 * - `tss-lib`: c = SHA512_256i_TAGGED(session, X.x, X.y, G.x, G.y, α.x, α.y) mod q, and for the
 *   V-proof c = SHA512_256i_TAGGED(session, V.x, V.y, R.x, R.y, G.x, G.y, α.x, α.y) mod q, with
 *   session = ssid ‖ bytes(prover index) ({@link tssLibProofSession}). The `label` is ignored:
 *   tss-lib has no such field (its rounds 4 and 6 use the same session bytes).
 * - `native`: a {@link Transcript} with domain `mpc-tss/zk/schnorr/v1` (resp.
 *   `mpc-tss/zk/schnorr-v/v1`) absorbing ssid, prover index, label, the statement points and α
 *   (compressed SEC1), then `challengeMod('e', q)`.
 *
 * Verifiers in both profiles reject a statement or α that is off-curve or the identity,
 * responses outside [0, q), and (through the challenge) proofs made under another ssid or by
 * another prover.
 * @module
 */
import { LocalError, VerifyError } from '../errors.js';
import { Transcript } from '../hash/transcript.js';
import { tssSha512_256iTagged } from '../hash/tss-lib.js';
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
import type { Profile } from '../profile.js';
import { tssLibProofSession } from '../protocols/ecdsa/ssid.js';

/** Who proves, in which session, and for what. */
export interface SchnorrContext {
  /** Hashing profile. */
  profile: Profile;
  /** Session id (tss-lib: the `getSSID` bytes, i.e. Go `big.Int.Bytes()`). */
  ssid: Uint8Array;
  /** The prover's index (tss-lib: its position in the sorted party list). */
  prover: number | bigint;
  /**
   * Purpose of the proof (e.g. `'sign/gamma'`, `'sign/A'`, `'keygen/u'`). Bound in `native`
   * (default `''`); ignored by `tss-lib`.
   */
  label?: string;
}

/** Proof of knowledge of x with X = x·G (tss-lib `ZKProof`). */
export interface SchnorrProof {
  /** α = a·G, SEC1 (the prover emits 33-byte compressed). */
  alpha: Uint8Array;
  /** t = a + c·x mod q. */
  t: bigint;
}

/** Proof of knowledge of s, l with V = s·R + l·G (tss-lib `ZKVProof`). */
export interface SchnorrVProof {
  /** α = a·R + b·G, SEC1 (the prover emits 33-byte compressed). */
  alpha: Uint8Array;
  /** t = a + c·s mod q. */
  t: bigint;
  /** u = b + c·l mod q. */
  u: bigint;
}

const TAG_DLOG = 'mpc-tss/zk/schnorr/v1';
const TAG_V = 'mpc-tss/zk/schnorr-v/v1';

function checkContext(ctx: SchnorrContext): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new LocalError('INVALID_ARGUMENT', 'proof context is required');
  }
  if (ctx.profile !== 'native' && ctx.profile !== 'tss-lib') {
    throw new LocalError('INVALID_ARGUMENT', '"profile" must be "native" or "tss-lib"');
  }
  if (!(ctx.ssid instanceof Uint8Array) || ctx.ssid.length === 0) {
    throw new LocalError('INVALID_ARGUMENT', '"ssid" must be non-empty bytes');
  }
  const p = ctx.prover;
  const ok =
    (typeof p === 'bigint' && p >= 0n) ||
    (typeof p === 'number' && Number.isSafeInteger(p) && p >= 0);
  if (!ok) throw new LocalError('INVALID_ARGUMENT', '"prover" must be a non-negative integer');
  if (ctx.label !== undefined && typeof ctx.label !== 'string') {
    throw new LocalError('INVALID_ARGUMENT', '"label" must be a string');
  }
}

/** A statement point given by the caller: a noble point or SEC1 bytes. Validated either way. */
function statementPoint(p: Point | Uint8Array, title: string): Point {
  if (p instanceof Uint8Array) return pointFromBytes(p, title);
  if (!(p instanceof CurvePoint)) throw new VerifyError('MALFORMED', `"${title}" is not a point`);
  if (p.is0()) throw new VerifyError('OUT_OF_RANGE', `"${title}" is the identity`);
  try {
    p.assertValidity();
  } catch (e) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not a valid secp256k1 point`, {
      cause: e,
    });
  }
  return p;
}

function localPoint(p: Point | Uint8Array, title: string): Point {
  try {
    return statementPoint(p, title);
  } catch (e) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a valid non-identity point`, {
      cause: e,
    });
  }
}

function checkResponse(title: string, v: unknown): bigint {
  if (typeof v !== 'bigint') throw new VerifyError('MALFORMED', `"${title}" is not an integer`);
  if (v < 0n || v >= CURVE_ORDER)
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not in [0, q)`);
  return v;
}

function checkProofObject(proof: unknown): asserts proof is Record<string, unknown> {
  if (typeof proof !== 'object' || proof === null) {
    throw new VerifyError('MALFORMED', 'proof is missing');
  }
}

function checkSecretScalar(title: string, v: unknown, allowZero: boolean): bigint {
  if (typeof v !== 'bigint' || v < (allowZero ? 0n : 1n) || v >= CURVE_ORDER) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be in [${allowZero ? 0 : 1}, q)`);
  }
  return v;
}

function challengeDlog(ctx: SchnorrContext, X: Point, alpha: Point): bigint {
  if (ctx.profile === 'tss-lib') {
    const x = X.toAffine();
    const g = G.toAffine();
    const a = alpha.toAffine();
    const session = tssLibProofSession(ctx.ssid, ctx.prover);
    return tssSha512_256iTagged(session, x.x, x.y, g.x, g.y, a.x, a.y) % CURVE_ORDER;
  }
  return new Transcript(TAG_DLOG)
    .append('ssid', ctx.ssid)
    .append('prover', ctx.prover)
    .append('label', ctx.label ?? '')
    .append('X', X.toBytes(true))
    .append('alpha', alpha.toBytes(true))
    .challengeMod('e', CURVE_ORDER);
}

function challengeV(ctx: SchnorrContext, V: Point, R: Point, alpha: Point): bigint {
  if (ctx.profile === 'tss-lib') {
    const v = V.toAffine();
    const r = R.toAffine();
    const g = G.toAffine();
    const a = alpha.toAffine();
    const session = tssLibProofSession(ctx.ssid, ctx.prover);
    return tssSha512_256iTagged(session, v.x, v.y, r.x, r.y, g.x, g.y, a.x, a.y) % CURVE_ORDER;
  }
  return new Transcript(TAG_V)
    .append('ssid', ctx.ssid)
    .append('prover', ctx.prover)
    .append('label', ctx.label ?? '')
    .append('V', V.toBytes(true))
    .append('R', R.toBytes(true))
    .append('alpha', alpha.toBytes(true))
    .challengeMod('e', CURVE_ORDER);
}

/**
 * Proves knowledge of `x` with X = x·G.
 *
 * @param x the secret, in [1, q)
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad context or `x`.
 * @example
 * ```ts
 * const proof = proveSchnorr({ profile: 'native', ssid, prover: myIndex, label: 'sign/gamma' }, gamma);
 * ```
 */
export function proveSchnorr(ctx: SchnorrContext, x: bigint): SchnorrProof {
  checkContext(ctx);
  checkSecretScalar('x', x, false);
  const X = mulG(x);
  const a = randomInRange(1n, CURVE_ORDER);
  const alpha = mulG(a);
  const c = challengeDlog(ctx, X, alpha);
  return { alpha: alpha.toBytes(true), t: modQ(a + c * x) };
}

/**
 * Verifies a {@link SchnorrProof} for the statement X: t·G = α + c·X.
 *
 * @param X the statement, untrusted (point or SEC1 bytes)
 * @throws {@link VerifyError} `MALFORMED` (missing or mistyped field), `OUT_OF_RANGE` (X or α
 *   off-curve or the identity, t ∉ [0, q)), `PROOF_INVALID` (equation fails, including a proof
 *   made for another point, ssid, prover or label); {@link LocalError} on a bad context.
 */
export function verifySchnorr(
  ctx: SchnorrContext,
  X: Point | Uint8Array,
  proof: SchnorrProof,
): void {
  checkContext(ctx);
  checkProofObject(proof);
  const stmt = statementPoint(X, 'X');
  if (!(proof.alpha instanceof Uint8Array)) {
    throw new VerifyError('MALFORMED', '"alpha" is not bytes');
  }
  const alpha = pointFromBytes(proof.alpha, 'alpha');
  const t = checkResponse('t', proof.t);
  const c = challengeDlog(ctx, stmt, alpha);
  const lhs = G.multiplyUnsafe(t);
  const rhs = alpha.add(stmt.multiplyUnsafe(c));
  if (!lhs.equals(rhs)) throw new VerifyError('PROOF_INVALID', 'Schnorr proof does not verify');
}

/**
 * Proves knowledge of `s`, `l` with V = s·R + l·G. V is computed here and must not be the
 * identity.
 *
 * @param R the base point (public)
 * @param s secret in [0, q)
 * @param l secret in [0, q)
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad context, `R`, `s`, `l`, or if V would
 *   be the identity.
 */
export function proveSchnorrV(
  ctx: SchnorrContext,
  R: Point | Uint8Array,
  s: bigint,
  l: bigint,
): SchnorrVProof {
  checkContext(ctx);
  const base = localPoint(R, 'R');
  checkSecretScalar('s', s, true);
  checkSecretScalar('l', l, true);
  const sR = s === 0n ? undefined : base.multiply(s);
  const lG = l === 0n ? undefined : mulG(l);
  const V = sR && lG ? sR.add(lG) : (sR ?? lG);
  if (V === undefined || V.is0()) {
    throw new LocalError('INVALID_ARGUMENT', 'V = s·R + l·G is the identity');
  }
  for (;;) {
    const a = randomInRange(1n, CURVE_ORDER);
    const b = randomInRange(1n, CURVE_ORDER);
    const alpha = base.multiply(a).add(mulG(b));
    if (alpha.is0()) continue; // probability ~2^-256; α must be encodable
    const c = challengeV(ctx, V, base, alpha);
    return { alpha: alpha.toBytes(true), t: modQ(a + c * s), u: modQ(b + c * l) };
  }
}

/**
 * Verifies a {@link SchnorrVProof} for V and R: t·R + u·G = α + c·V.
 *
 * @param V the statement, untrusted
 * @param R the base point, untrusted
 * @throws {@link VerifyError} `MALFORMED`, `OUT_OF_RANGE` (V, R or α off-curve or the identity,
 *   t or u ∉ [0, q)), `PROOF_INVALID`; {@link LocalError} on a bad context.
 */
export function verifySchnorrV(
  ctx: SchnorrContext,
  V: Point | Uint8Array,
  R: Point | Uint8Array,
  proof: SchnorrVProof,
): void {
  checkContext(ctx);
  checkProofObject(proof);
  const v = statementPoint(V, 'V');
  const r = statementPoint(R, 'R');
  if (!(proof.alpha instanceof Uint8Array)) {
    throw new VerifyError('MALFORMED', '"alpha" is not bytes');
  }
  const alpha = pointFromBytes(proof.alpha, 'alpha');
  const t = checkResponse('t', proof.t);
  const u = checkResponse('u', proof.u);
  const c = challengeV(ctx, v, r, alpha);
  const lhs = r.multiplyUnsafe(t).add(G.multiplyUnsafe(u));
  const rhs = alpha.add(v.multiplyUnsafe(c));
  if (!lhs.equals(rhs)) throw new VerifyError('PROOF_INVALID', 'Schnorr V-proof does not verify');
}
