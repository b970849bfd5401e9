/**
 * Shamir party indices and Lagrange coefficients over the secp256k1 scalar field.
 *
 * Index rules (SECURITY.md item 10): an index is a non-negative integer, reduced mod q before
 * use; an index ≡ 0 (mod q) is rejected, and two indices that are equal mod q are duplicates
 * (so the index q, or the pair i and i + q, always fails).
 *
 * Two validators, because the same rule has two kinds of culprit:
 * - {@link normalizeIndices} is for local configuration (our own party list, signer subsets the
 *   caller picked): it throws {@link LocalError} `INVALID_ARGUMENT`.
 * - {@link verifyIndices} is for indices that arrived from a peer (e.g. a resharing committee
 *   announced by another party): it throws {@link VerifyError}, which the party engine turns
 *   into a `PeerError` naming the sender.
 *
 * Every other function here takes local inputs and validates them with {@link normalizeIndices}.
 * @module
 */
import { LocalError, VerifyError } from '../errors.js';
import { CURVE_ORDER, invQ, modQ } from '../math/curve.js';

type IndexProblem = 'type' | 'zero' | 'duplicate' | 'empty';

function findIndexProblem(
  indices: readonly bigint[],
): { problem: IndexProblem; position: number } | { reduced: bigint[] } {
  if (!Array.isArray(indices) || indices.length === 0) return { problem: 'empty', position: -1 };
  const reduced: bigint[] = [];
  const seen = new Set<bigint>();
  for (let k = 0; k < indices.length; k++) {
    const raw = indices[k];
    if (typeof raw !== 'bigint' || raw < 0n) return { problem: 'type', position: k };
    const r = raw % CURVE_ORDER;
    if (r === 0n) return { problem: 'zero', position: k };
    if (seen.has(r)) return { problem: 'duplicate', position: k };
    seen.add(r);
    reduced.push(r);
  }
  return { reduced };
}

function indexMessage(problem: IndexProblem, position: number): string {
  switch (problem) {
    case 'empty':
      return 'index list must be a non-empty array';
    case 'type':
      return `index #${position} must be a non-negative bigint`;
    case 'zero':
      return `index #${position} is 0 mod q`;
    case 'duplicate':
      return `index #${position} duplicates an earlier index mod q`;
  }
}

/**
 * Validates local party indices and returns them reduced mod q (same order).
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT` on an empty list, a non-bigint or negative entry,
 *   an index ≡ 0 (mod q), or two indices equal mod q.
 * @example
 * ```ts
 * normalizeIndices([1n, 2n, CURVE_ORDER + 3n]); // [1n, 2n, 3n]
 * normalizeIndices([1n, CURVE_ORDER + 1n]);     // throws: duplicate mod q
 * ```
 */
export function normalizeIndices(indices: readonly bigint[]): bigint[] {
  const res = findIndexProblem(indices);
  if ('reduced' in res) return res.reduced;
  throw new LocalError('INVALID_ARGUMENT', indexMessage(res.problem, res.position));
}

/**
 * Validates party indices received from a peer. Same rules as {@link normalizeIndices}.
 *
 * @throws {@link VerifyError} `MALFORMED` (empty list, non-bigint or negative entry),
 *   `OUT_OF_RANGE` (an index ≡ 0 mod q) or `DUPLICATE_PARAMETER` (two indices equal mod q).
 */
export function verifyIndices(indices: readonly bigint[]): void {
  const res = findIndexProblem(indices);
  if ('reduced' in res) return;
  const code =
    res.problem === 'zero'
      ? 'OUT_OF_RANGE'
      : res.problem === 'duplicate'
        ? 'DUPLICATE_PARAMETER'
        : 'MALFORMED';
  throw new VerifyError(code, indexMessage(res.problem, res.position));
}

/**
 * Lagrange coefficient at 0 of the party with index `i` within the signer set `indices`:
 * λ_i = ∏_{j ≠ i} x_j / (x_j − x_i) mod q, so that Σ λ_i·f(x_i) = f(0) for every polynomial f of
 * degree < |indices|.
 *
 * `i` and `indices` are reduced mod q first; `i` must be one of `indices` (mod q).
 * @throws {@link LocalError} `INVALID_ARGUMENT` if the indices are invalid (see
 *   {@link normalizeIndices}) or `i` is not among them.
 * @example
 * ```ts
 * const w0 = modQ(lagrangeCoefficient(1n, [1n, 3n]) * x1); // additive share of signer 1
 * ```
 */
export function lagrangeCoefficient(i: bigint, indices: readonly bigint[]): bigint {
  const xs = normalizeIndices(indices);
  if (typeof i !== 'bigint' || i < 0n) {
    throw new LocalError('INVALID_ARGUMENT', 'index must be a non-negative bigint');
  }
  const xi = i % CURVE_ORDER;
  if (!xs.includes(xi)) {
    throw new LocalError('INVALID_ARGUMENT', 'index is not in the signer set');
  }
  return coefficientAt(xi, xs);
}

/**
 * Lagrange coefficients at 0 for every member of `indices`, in the same order.
 * @throws {@link LocalError} `INVALID_ARGUMENT` if the indices are invalid.
 */
export function lagrangeCoefficients(indices: readonly bigint[]): bigint[] {
  const xs = normalizeIndices(indices);
  return xs.map((xi) => coefficientAt(xi, xs));
}

/** λ_i for already-normalized, distinct, non-zero indices. */
function coefficientAt(xi: bigint, xs: readonly bigint[]): bigint {
  let num = 1n;
  let den = 1n;
  for (const xj of xs) {
    if (xj === xi) continue;
    num = modQ(num * xj);
    den = modQ(den * (xj - xi));
  }
  // den ≠ 0: indices are distinct mod q and q is prime.
  return modQ(num * invQ(den));
}
