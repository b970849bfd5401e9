/**
 * Feldman verifiable secret sharing over secp256k1 (tss-lib `crypto/vss`, with the later
 * "VSS length check" and the checks of SECURITY.md item 9).
 *
 * Terminology follows tss-lib: the **threshold** `t` is the polynomial degree, so `t + 1`
 * shares are needed to reconstruct (`t + 1 = minSigners`). A dealing has exactly `t + 1`
 * commitments V_k = a_k·G, one per coefficient of f(x) = a_0 + a_1·x + … + a_t·x^t, and share
 * f(x_i) for party index x_i.
 *
 * Error classes: thresholds, indices and secrets passed by the caller are local configuration
 * ({@link LocalError}); shares and commitments are untrusted peer data ({@link VerifyError}).
 * @module
 */
import { LocalError, VerifyError } from '../errors.js';
import { checkRange } from '../math/bigint.js';
import {
  CURVE_ORDER,
  CurvePoint,
  G,
  IDENTITY,
  invQ,
  modQ,
  mulG,
  type Point,
} from '../math/curve.js';
import { randomInRange } from '../math/random.js';
import { normalizeIndices } from './lagrange.js';

/** A Shamir share: the receiver's index x_i (reduced mod q) and the value f(x_i) ∈ [0, q). */
export interface VssShare {
  /** Party index x_i, reduced mod q, never 0. */
  index: bigint;
  /** Share value f(x_i) mod q. Secret. */
  value: bigint;
}

/** Output of {@link splitSecret}. */
export interface VssDealing {
  /** Feldman commitments V_0..V_t (exactly t + 1). V_0 = secret·G. Public. */
  commitments: Point[];
  /** One share per requested index, in the order given. Secret; send each to its owner only. */
  shares: VssShare[];
}

/** Upper bound on the threshold, so a bad config cannot make us allocate absurd vectors. */
const MAX_THRESHOLD = 1 << 16;

function checkThreshold(threshold: number): void {
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > MAX_THRESHOLD) {
    throw new LocalError('INVALID_ARGUMENT', '"threshold" must be an integer in [1, 65536]');
  }
}

/**
 * Splits `secret` into one share per index with a uniformly random polynomial of degree
 * `threshold` (exactly `threshold + 1` coefficients, a_0 = secret, a_1..a_t uniform in [1, q),
 * so no commitment is the identity).
 *
 * @param secret the value to share, in [1, q)
 * @param threshold polynomial degree t, with 1 ≤ t < n
 * @param indices the n receivers' indices (validated and reduced mod q, see
 *   {@link normalizeIndices})
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a bad secret, threshold or index list.
 * @example
 * ```ts
 * const { commitments, shares } = splitSecret(u, 1, [1n, 2n, 3n]); // 2-of-3
 * ```
 */
export function splitSecret(
  secret: bigint,
  threshold: number,
  indices: readonly bigint[],
): VssDealing {
  if (typeof secret !== 'bigint' || secret <= 0n || secret >= CURVE_ORDER) {
    throw new LocalError('INVALID_ARGUMENT', '"secret" must be in [1, q)');
  }
  checkThreshold(threshold);
  const xs = normalizeIndices(indices);
  if (threshold >= xs.length) {
    throw new LocalError('INVALID_ARGUMENT', '"threshold" must be smaller than the party count');
  }
  const coeffs: bigint[] = [secret];
  for (let k = 1; k <= threshold; k++) coeffs.push(randomInRange(1n, CURVE_ORDER));
  const commitments = coeffs.map((a) => mulG(a));
  const shares = xs.map((x) => ({ index: x, value: evalPoly(coeffs, x) }));
  coeffs.fill(0n);
  return { commitments, shares };
}

/** f(x) mod q by Horner's rule. */
function evalPoly(coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = modQ(acc * x + coeffs[k]!);
  return acc;
}

/** Throws unless `p` is a noble secp256k1 point that is on the curve and not the identity. */
function checkCommitmentPoint(p: unknown, k: number): Point {
  if (!(p instanceof CurvePoint)) {
    throw new VerifyError('MALFORMED', `commitment #${k} is not a curve point`);
  }
  if (p.is0()) throw new VerifyError('OUT_OF_RANGE', `commitment #${k} is the identity`);
  try {
    p.assertValidity();
  } catch (e) {
    throw new VerifyError('OUT_OF_RANGE', `commitment #${k} is not a valid secp256k1 point`, {
      cause: e,
    });
  }
  return p;
}

function checkCommitments(commitments: readonly Point[], expected?: number): Point[] {
  if (!Array.isArray(commitments)) {
    throw new VerifyError('MALFORMED', 'commitments must be an array');
  }
  if (expected !== undefined && commitments.length !== expected) {
    throw new VerifyError(
      'MALFORMED',
      `expected exactly ${expected} commitments (t + 1), got ${commitments.length}`,
    );
  }
  if (commitments.length === 0) throw new VerifyError('MALFORMED', 'commitments are empty');
  return commitments.map((p, k) => checkCommitmentPoint(p, k));
}

/** Σ_k V_k·x^k (Horner, variable-time: all inputs are public). */
function evalCommitments(vs: readonly Point[], x: bigint): Point {
  let acc = IDENTITY;
  for (let k = vs.length - 1; k >= 0; k--) acc = acc.multiplyUnsafe(x).add(vs[k]!);
  return acc;
}

/**
 * Evaluates a commitment vector at an index: Σ_k V_k·x^k, i.e. f(x)·G. Used to derive a party's
 * public share X_j from (summed) Feldman commitments.
 *
 * @throws {@link VerifyError} `MALFORMED` / `OUT_OF_RANGE` if a commitment is not a valid
 *   non-identity point; {@link LocalError} if `index` is invalid.
 */
export function evaluateCommitments(commitments: readonly Point[], index: bigint): Point {
  const vs = checkCommitments(commitments);
  const [x] = normalizeIndices([index]);
  return evalCommitments(vs, x!);
}

/**
 * Feldman check of a share received from a dealer: share·G = Σ_k V_k·index^k.
 *
 * Checks, in order: `threshold` and `index` are valid local values ({@link LocalError});
 * exactly `threshold + 1` commitments (`MALFORMED`); every commitment is a valid point and not
 * the identity (`OUT_OF_RANGE`); `share` ∈ [0, q) (`OUT_OF_RANGE`); the Feldman equation
 * (`SHARE_INVALID`).
 *
 * @param share the received value f(index), untrusted
 * @param index the receiver's own index (reduced mod q; 0 mod q is rejected)
 * @param commitments the dealer's V_0..V_t, untrusted
 * @param threshold polynomial degree t (local configuration)
 * @throws {@link VerifyError} on any failed check of peer data.
 * @example
 * ```ts
 * try {
 *   verifyShare(msg.share, myIndex, dealerCommitments, t);
 * } catch (e) {
 *   throw PeerError.from(e, dealerId, { round: 3 });
 * }
 * ```
 */
export function verifyShare(
  share: bigint,
  index: bigint,
  commitments: readonly Point[],
  threshold: number,
): void {
  checkThreshold(threshold);
  const [x] = normalizeIndices([index]);
  const vs = checkCommitments(commitments, threshold + 1);
  checkRange('share', share, 0n, CURVE_ORDER);
  const expected = evalCommitments(vs, x!);
  // share is secret: use the constant-time ladder (noble rejects 0, which maps to the identity).
  const actual = share === 0n ? IDENTITY : G.multiply(share);
  if (!actual.equals(expected)) {
    throw new VerifyError('SHARE_INVALID', 'share does not match the Feldman commitments');
  }
}

/** Lagrange interpolation at `at` through the points (xs[k], ys[k]); xs distinct, non-zero. */
function interpolateAt(xs: readonly bigint[], ys: readonly bigint[], at: bigint): bigint {
  let acc = 0n;
  for (let i = 0; i < xs.length; i++) {
    let num = 1n;
    let den = 1n;
    for (let j = 0; j < xs.length; j++) {
      if (j === i) continue;
      num = modQ(num * (at - xs[j]!));
      den = modQ(den * (xs[i]! - xs[j]!));
    }
    acc = modQ(acc + ys[i]! * num * invQ(den));
  }
  return acc;
}

/**
 * Reconstructs f(0) from at least `threshold + 1` shares. The first `threshold + 1` shares
 * define the polynomial; every further share must lie on it.
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT` on fewer than `threshold + 1` shares, invalid or
 *   duplicate indices, or share values outside [0, q).
 * @throws {@link VerifyError} `SHARE_INVALID` if an extra share is inconsistent with the others.
 */
export function reconstructSecret(shares: readonly VssShare[], threshold: number): bigint {
  checkThreshold(threshold);
  if (!Array.isArray(shares) || shares.length < threshold + 1) {
    throw new LocalError('INVALID_ARGUMENT', `need at least ${threshold + 1} shares`);
  }
  const xs = normalizeIndices(shares.map((s) => s?.index as bigint));
  const ys = shares.map((s, k) => {
    const v = s.value;
    if (typeof v !== 'bigint' || v < 0n || v >= CURVE_ORDER) {
      throw new LocalError('INVALID_ARGUMENT', `share #${k} value must be in [0, q)`);
    }
    return v;
  });
  const baseX = xs.slice(0, threshold + 1);
  const baseY = ys.slice(0, threshold + 1);
  for (let k = threshold + 1; k < xs.length; k++) {
    if (interpolateAt(baseX, baseY, xs[k]!) !== ys[k]) {
      throw new VerifyError('SHARE_INVALID', `share #${k} is inconsistent with the others`);
    }
  }
  return interpolateAt(baseX, baseY, 0n);
}
