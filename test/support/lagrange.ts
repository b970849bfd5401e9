/**
 * Test-only Shamir helpers: Lagrange interpolation at 0 over secp256k1's scalar field.
 * Never exported from src: reconstructing a key in one place defeats threshold signing.
 */
import { mod, modInv } from '../../src/math/bigint.js';
import { CURVE_ORDER } from '../../src/math/curve.js';

/** One Shamir share: x-coordinate (index) and value f(index). */
export interface ShamirShare {
  index: bigint;
  value: bigint;
}

/** f(0) mod q for the polynomial of degree < shares.length through the shares. */
export function interpolateAtZero(shares: readonly ShamirShare[]): bigint {
  const q = CURVE_ORDER;
  let acc = 0n;
  for (const [j, sj] of shares.entries()) {
    let num = 1n;
    let den = 1n;
    for (const [m, sm] of shares.entries()) {
      if (m === j) continue;
      num = mod(num * sm.index, q);
      den = mod(den * (sm.index - sj.index), q);
    }
    acc = mod(acc + sj.value * num * modInv(den, q), q);
  }
  return acc;
}

/** Every k-element subset of `items`, in lexicographic order of positions. */
export function subsets<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const pick = (start: number, chosen: T[]): void => {
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i <= items.length - (k - chosen.length); i++) {
      chosen.push(items[i]!);
      pick(i + 1, chosen);
      chosen.pop();
    }
  };
  pick(0, []);
  return out;
}
