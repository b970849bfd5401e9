/**
 * Hash commitments (SECURITY.md item 9) in two profiles.
 *
 * - `tss-lib`: tss-lib `crypto/commitments.HashCommitment`: C = SHA512_256i(r, s_1, …, s_k) with
 *   r a fresh 256-bit integer; the decommitment is the list [r, s_1, …, s_k]. It carries no
 *   session context (tss-lib binds none), so `ssid`, `sender` and `label` are ignored.
 * - `native`: C = SHA-512/256 over the canonical, length-prefixed encoding of
 *   (domain tag, ssid, sender, label, r, k, s_1, …, s_k) via {@link hashItems}. A commitment
 *   opened under another session, sender or label does not verify.
 *
 * In both profiles the commitment is an integer in [0, 2^256) (tss-lib sends `C.Bytes()`), and
 * the decommitment is `[r, ...secrets]` with r ∈ [0, 2^256).
 *
 * {@link verifyDecommitment} never lets a malformed decommitment reach an index or a hash: a
 * short, long, sparse or non-integer list is `MALFORMED` (tss-lib signing round 9 indexes the
 * opened values without a length check and panics).
 *
 * The point helpers reproduce tss-lib `FlattenECPoints` (x_1, y_1, x_2, y_2, …) and a strict
 * `UnFlattenECPoints` that requires an exact count and rejects off-curve points and the identity.
 * @module
 */
import { LocalError, VerifyError } from '../errors.js';
import { bytesToBigint } from '../math/bigint.js';
import { CurvePoint, FIELD_PRIME, type Point, pointFromCoords } from '../math/curve.js';
import { randomBits } from '../math/random.js';
import type { Profile } from '../profile.js';
import { hashItems, type TranscriptValue } from './transcript.js';
import { tssSha512_256i } from './tss-lib.js';

/** Bit length of the commitment randomness r (tss-lib `HashLength`). */
export const COMMITMENT_RANDOMNESS_BITS = 256;

const BOUND_256 = 1n << 256n;
const NATIVE_TAG = 'mpc-tss/commitment/v1';
/** Upper bound on the number of committed values (keeps bad local config from hashing forever). */
const MAX_SECRETS = 1 << 16;

/** Who commits, and in which session. */
export interface CommitmentContext {
  /** Hashing profile. */
  profile: Profile;
  /** Session id. Bound in the `native` profile; ignored by `tss-lib` (which binds none). */
  ssid: Uint8Array;
  /** The committing party's index. Bound in `native`; ignored by `tss-lib`. */
  sender: number | bigint;
  /**
   * What is committed to (e.g. `'keygen/vss'`, `'sign/gamma'`), so a commitment from one step
   * cannot be opened in another. Bound in `native` (default `''`); ignored by `tss-lib`.
   */
  label?: string;
}

/** A commitment and its opening, exactly as tss-lib's `HashCommitDecommit{C, D}`. */
export interface HashCommitment {
  /** C ∈ [0, 2^256). Broadcast first. */
  commitment: bigint;
  /** D = [r, ...secrets]. Revealed later; r is secret until then. */
  decommitment: bigint[];
}

function checkContext(ctx: CommitmentContext): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new LocalError('INVALID_ARGUMENT', 'commitment context is required');
  }
  if (ctx.profile !== 'native' && ctx.profile !== 'tss-lib') {
    throw new LocalError('INVALID_ARGUMENT', '"profile" must be "native" or "tss-lib"');
  }
  if (ctx.profile === 'native') {
    if (!(ctx.ssid instanceof Uint8Array) || ctx.ssid.length === 0) {
      throw new LocalError('INVALID_ARGUMENT', '"ssid" must be non-empty bytes');
    }
    const s = ctx.sender;
    const ok =
      (typeof s === 'bigint' && s >= 0n) ||
      (typeof s === 'number' && Number.isSafeInteger(s) && s >= 0);
    if (!ok) throw new LocalError('INVALID_ARGUMENT', '"sender" must be a non-negative integer');
    if (ctx.label !== undefined && typeof ctx.label !== 'string') {
      throw new LocalError('INVALID_ARGUMENT', '"label" must be a string');
    }
  }
}

function checkSecretCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SECRETS) {
    throw new LocalError('INVALID_ARGUMENT', 'secret count must be an integer in [1, 65536]');
  }
}

/** The commitment value of an already-validated decommitment [r, ...secrets]. */
function computeCommitment(ctx: CommitmentContext, d: readonly bigint[]): bigint {
  if (ctx.profile === 'tss-lib') return tssSha512_256i(...d);
  const items: [string, TranscriptValue][] = [
    ['ssid', ctx.ssid],
    ['sender', ctx.sender],
    ['label', ctx.label ?? ''],
    ['r', d[0]!],
    ['secrets#len', d.length - 1],
  ];
  for (let i = 1; i < d.length; i++) items.push([`secrets[${i - 1}]`, d[i]!]);
  return bytesToBigint(hashItems(NATIVE_TAG, items));
}

/**
 * Commits to `secrets` with fresh 256-bit randomness.
 *
 * @param secrets non-negative integers, at least one
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad context or secret list.
 * @example
 * ```ts
 * const { commitment, decommitment } = hashCommit(ctx, [gamma.x, gamma.y]);
 * // round 1: broadcast commitment; round 4: broadcast decommitment
 * ```
 */
export function hashCommit(ctx: CommitmentContext, secrets: readonly bigint[]): HashCommitment {
  return hashCommitWithRandomness(ctx, randomBits(COMMITMENT_RANDOMNESS_BITS), secrets);
}

/**
 * Deterministic variant of {@link hashCommit} (tss-lib `NewHashCommitmentWithRandomness`), for
 * known-answer tests. `r` must be fresh and uniform in [0, 2^256) in real use.
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad context, `r` or secret list.
 */
export function hashCommitWithRandomness(
  ctx: CommitmentContext,
  r: bigint,
  secrets: readonly bigint[],
): HashCommitment {
  checkContext(ctx);
  if (typeof r !== 'bigint' || r < 0n || r >= BOUND_256) {
    throw new LocalError('INVALID_ARGUMENT', 'commitment randomness must be in [0, 2^256)');
  }
  if (!Array.isArray(secrets)) throw new LocalError('INVALID_ARGUMENT', 'secrets must be an array');
  checkSecretCount(secrets.length);
  const d: bigint[] = [r];
  for (let i = 0; i < secrets.length; i++) {
    const s = secrets[i];
    if (typeof s !== 'bigint' || s < 0n) {
      throw new LocalError('INVALID_ARGUMENT', `secret #${i} must be a non-negative bigint`);
    }
    d.push(s);
  }
  return { commitment: computeCommitment(ctx, d), decommitment: d };
}

/**
 * Checks that `decommitment` = [r, s_1, …, s_k] opens `commitment`, with k = `secretCount`
 * exactly.
 *
 * Never throws a TypeError on untrusted input: a non-array, a list of the wrong length, a hole,
 * a non-bigint or negative element, or r ≥ 2^256 is `MALFORMED`; a commitment outside
 * [0, 2^256) is `MALFORMED`; a hash mismatch is `COMMITMENT_INVALID`.
 *
 * @param secretCount number of committed values the protocol expects (local constant)
 * @throws {@link VerifyError} as above; {@link LocalError} on a bad context or `secretCount`.
 */
export function verifyDecommitment(
  ctx: CommitmentContext,
  commitment: bigint,
  decommitment: readonly bigint[],
  secretCount: number,
): void {
  checkContext(ctx);
  checkSecretCount(secretCount);
  if (typeof commitment !== 'bigint' || commitment < 0n || commitment >= BOUND_256) {
    throw new VerifyError('MALFORMED', 'commitment must be an integer in [0, 2^256)');
  }
  if (!Array.isArray(decommitment)) {
    throw new VerifyError('MALFORMED', 'decommitment must be a list');
  }
  if (decommitment.length !== secretCount + 1) {
    throw new VerifyError(
      'MALFORMED',
      `decommitment must have ${secretCount + 1} elements, got ${decommitment.length}`,
    );
  }
  for (let i = 0; i < decommitment.length; i++) {
    const v: unknown = decommitment[i];
    if (typeof v !== 'bigint' || v < 0n) {
      throw new VerifyError(
        'MALFORMED',
        `decommitment element #${i} is not a non-negative integer`,
      );
    }
  }
  if (decommitment[0]! >= BOUND_256) {
    throw new VerifyError('MALFORMED', 'decommitment randomness exceeds 256 bits');
  }
  if (computeCommitment(ctx, decommitment) !== commitment) {
    throw new VerifyError('COMMITMENT_INVALID', 'decommitment does not open the commitment');
  }
}

/**
 * {@link verifyDecommitment}, then returns the opened secrets (the decommitment without r),
 * like tss-lib `DeCommit`. Throws exactly what {@link verifyDecommitment} throws.
 */
export function openDecommitment(
  ctx: CommitmentContext,
  commitment: bigint,
  decommitment: readonly bigint[],
  secretCount: number,
): bigint[] {
  verifyDecommitment(ctx, commitment, decommitment, secretCount);
  return decommitment.slice(1);
}

/**
 * tss-lib `FlattenECPoints`: [x_1, y_1, x_2, y_2, …] (affine coordinates).
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a non-point or the identity.
 */
export function flattenPoints(points: readonly Point[]): bigint[] {
  if (!Array.isArray(points)) throw new LocalError('INVALID_ARGUMENT', 'points must be an array');
  const out: bigint[] = [];
  points.forEach((p, i) => {
    if (!(p instanceof CurvePoint) || p.is0()) {
      throw new LocalError('INVALID_ARGUMENT', `point #${i} must be a non-identity curve point`);
    }
    const { x, y } = p.toAffine();
    out.push(x, y);
  });
  return out;
}

/**
 * Strict inverse of {@link flattenPoints} for untrusted data: exactly `2 · count` coordinates,
 * each an integer in [0, p), every point on secp256k1 and not the identity.
 *
 * @param count the number of points the protocol expects (e.g. t + 1 VSS commitments)
 * @param title names the field in error messages
 * @throws {@link VerifyError} `MALFORMED` on a wrong length or a non-integer coordinate,
 *   `OUT_OF_RANGE` on an invalid point or the identity.
 */
export function unflattenPoints(flat: readonly bigint[], count: number, title = 'point'): Point[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SECRETS / 2) {
    throw new LocalError('INVALID_ARGUMENT', 'point count must be an integer in [1, 32768]');
  }
  if (!Array.isArray(flat)) throw new VerifyError('MALFORMED', `"${title}" list must be a list`);
  if (flat.length !== 2 * count) {
    throw new VerifyError(
      'MALFORMED',
      `"${title}" list must have ${2 * count} coordinates, got ${flat.length}`,
    );
  }
  const out: Point[] = [];
  for (let i = 0; i < count; i++) {
    const x: unknown = flat[2 * i];
    const y: unknown = flat[2 * i + 1];
    if (typeof x !== 'bigint' || typeof y !== 'bigint') {
      throw new VerifyError('MALFORMED', `"${title}" #${i} has a non-integer coordinate`);
    }
    if (x < 0n || y < 0n || x >= FIELD_PRIME || y >= FIELD_PRIME) {
      throw new VerifyError('OUT_OF_RANGE', `"${title}" #${i} has a coordinate outside [0, p)`);
    }
    out.push(pointFromCoords(x, y, `${title} #${i}`));
  }
  return out;
}

/**
 * Commits to a list of points (tss-lib: `NewHashCommitment(FlattenECPoints(points)...)`).
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad context or an invalid point.
 */
export function hashCommitPoints(ctx: CommitmentContext, points: readonly Point[]): HashCommitment {
  return hashCommit(ctx, flattenPoints(points));
}

/**
 * Verifies a decommitment to exactly `count` points and returns them, validated (on the curve,
 * not the identity).
 * @throws {@link VerifyError} as {@link verifyDecommitment} and {@link unflattenPoints}.
 */
export function openPointCommitment(
  ctx: CommitmentContext,
  commitment: bigint,
  decommitment: readonly bigint[],
  count: number,
  title = 'point',
): Point[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SECRETS / 2) {
    throw new LocalError('INVALID_ARGUMENT', 'point count must be an integer in [1, 32768]');
  }
  const flat = openDecommitment(ctx, commitment, decommitment, 2 * count);
  return unflattenPoints(flat, count, title);
}
