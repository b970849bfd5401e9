import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { CURVE_ORDER, modQ } from '../../src/math/curve.js';
import {
  lagrangeCoefficient,
  lagrangeCoefficients,
  normalizeIndices,
  verifyIndices,
} from '../../src/vss/lagrange.js';

const q = CURVE_ORDER;

function errOf(fn: () => unknown): { cls: string; code: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerifyError) return { cls: 'VerifyError', code: e.code };
    if (e instanceof LocalError) return { cls: 'LocalError', code: e.code };
    return { cls: (e as Error)?.name ?? typeof e, code: '' };
  }
  return undefined;
}

const distinctIndices = (min: number, max: number) =>
  fc
    .uniqueArray(fc.bigInt({ min: 1n, max: q - 1n }), { minLength: min, maxLength: max })
    .filter((xs) => new Set(xs.map((x) => x % q)).size === xs.length);

function evalPoly(coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = modQ(acc * x + coeffs[k]!);
  return acc;
}

describe('index validation (SECURITY.md item 10)', () => {
  const bad: [string, bigint[], string][] = [
    ['index 0', [1n, 0n, 3n], 'OUT_OF_RANGE'],
    ['index q', [1n, q, 3n], 'OUT_OF_RANGE'],
    ['index 2q', [2n * q], 'OUT_OF_RANGE'],
    ['indices i and i + q', [5n, 2n, 5n + q], 'DUPLICATE_PARAMETER'],
    ['plain duplicate', [7n, 7n], 'DUPLICATE_PARAMETER'],
    ['negative index', [1n, -1n], 'MALFORMED'],
    ['empty list', [], 'MALFORMED'],
    ['non-bigint', [1n, 2 as unknown as bigint], 'MALFORMED'],
  ];

  it.each(bad)('local config: %s → LocalError', (_n, xs) => {
    expect(errOf(() => normalizeIndices(xs))).toEqual({
      cls: 'LocalError',
      code: 'INVALID_ARGUMENT',
    });
  });

  it.each(bad)('peer data: %s → VerifyError', (_n, xs, code) => {
    expect(errOf(() => verifyIndices(xs))).toEqual({ cls: 'VerifyError', code });
  });

  it('reduces mod q and keeps the order', () => {
    expect(normalizeIndices([3n, q + 1n, 2n])).toEqual([3n, 1n, 2n]);
    verifyIndices([3n, q + 1n, 2n]);
  });

  it('Lagrange refuses bad indices and an index outside the set', () => {
    expect(errOf(() => lagrangeCoefficient(1n, [1n, 1n + q]))?.cls).toBe('LocalError');
    expect(errOf(() => lagrangeCoefficient(1n, [1n, q]))?.cls).toBe('LocalError');
    expect(errOf(() => lagrangeCoefficient(4n, [1n, 2n]))?.cls).toBe('LocalError');
    expect(errOf(() => lagrangeCoefficients([0n, 1n]))?.cls).toBe('LocalError');
    // i + q names the same party as i
    expect(lagrangeCoefficient(1n + q, [1n, 2n])).toBe(lagrangeCoefficient(1n, [1n, 2n]));
  });
});

describe('Lagrange coefficients at 0', () => {
  it('small known values: {1, 2} → λ1 = 2, λ2 = −1', () => {
    expect(lagrangeCoefficients([1n, 2n])).toEqual([2n, q - 1n]);
    expect(lagrangeCoefficient(2n, [1n, 2n])).toBe(q - 1n);
  });

  it('Σ λ_i·f(x_i) = f(0) for every polynomial of degree < |S| (property)', () => {
    fc.assert(
      fc.property(
        distinctIndices(1, 7),
        fc.array(fc.bigInt({ min: 0n, max: q - 1n }), { minLength: 7, maxLength: 7 }),
        (xs, allCoeffs) => {
          const coeffs = allCoeffs.slice(0, xs.length);
          const lambdas = lagrangeCoefficients(xs);
          let sum = 0n;
          xs.forEach((x, i) => {
            sum = modQ(sum + lambdas[i]! * evalPoly(coeffs, x));
            expect(lagrangeCoefficient(x, xs)).toBe(lambdas[i]);
          });
          expect(sum).toBe(coeffs[0]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('Σ λ_i = 1 and Σ λ_i·x_i^k = 0 for 1 ≤ k < |S| (property)', () => {
    fc.assert(
      fc.property(distinctIndices(2, 6), (xs) => {
        const lambdas = lagrangeCoefficients(xs);
        for (let k = 0; k < xs.length; k++) {
          let s = 0n;
          xs.forEach((x, i) => {
            s = modQ(s + lambdas[i]! * modQ(x ** BigInt(k)));
          });
          expect(s).toBe(k === 0 ? 1n : 0n);
        }
      }),
      { numRuns: 100 },
    );
  });
});
