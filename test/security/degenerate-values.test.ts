/**
 * Degenerate proof fields (SECURITY.md item 8: "table-drive each proof field to 0, 1, N−1, N, and
 * a value with gcd > 1") for the setup proofs Π^mod, DLN and Π^fac, asserting *which* check
 * rejects them.
 *
 * The existing tables in test/zk/{mod,dln,fac}.test.ts only require "some VerifyError": a
 * tampered field also breaks the verification equations, so those rows still pass when the
 * range and unit checks are deleted (checked by removing them: the suites stay green). Here each
 * value that the range/unit checks must catch is required to fail with OUT_OF_RANGE, i.e. before
 * any equation runs, and in-range units (which only the equations can catch) with PROOF_INVALID.
 * The MtA proof tables (test/zk/mta) already pin their codes this way.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../src/math/random.js';
import { proveDln, verifyDln } from '../../src/zk/dln.js';
import { type FacProof, proveFac, verifyFac } from '../../src/zk/fac.js';
import { type ModProof, proveMod, verifyMod } from '../../src/zk/mod.js';
import type { ProofContext } from '../../src/zk/ring-pedersen.js';
import { primes, rejects, ringPedersen } from './support.js';

const ctx: ProofContext = { profile: 'native', ssid: randomBytes(32), prover: 2 };
const { p, q } = primes(0);
const N = p * q;
const own = ringPedersen(1);
const Nt = own.pub.ntilde;
const { P: Pt } = primes(1); // a factor of Ñ

describe('Π^mod: degenerate w, x_i, z_i are refused by the range/unit checks', () => {
  const proof = proveMod(ctx, N, p, q);
  const rows: [string, bigint, 'OUT_OF_RANGE' | 'PROOF_INVALID'][] = [
    ['0', 0n, 'OUT_OF_RANGE'],
    ['N', N, 'OUT_OF_RANGE'],
    ['N + 1', N + 1n, 'OUT_OF_RANGE'],
    ['p (gcd > 1)', p, 'OUT_OF_RANGE'],
    ['2q (gcd > 1)', 2n * q, 'OUT_OF_RANGE'],
    ['negative', -5n, 'OUT_OF_RANGE'],
    ['1 (a unit: equations only)', 1n, 'PROOF_INVALID'],
    ['N − 1 (a unit: equations only)', N - 1n, 'PROOF_INVALID'],
  ];
  it.each(rows)('x_i, z_i = %s → %s', (_name, v, code) => {
    for (const field of ['x', 'z'] as const) {
      for (const i of [0, 79]) {
        const arr = [...proof[field]];
        arr[i] = v;
        rejects(() => verifyMod(ctx, N, { ...proof, [field]: arr } as ModProof), code);
      }
    }
  });

  it('w = p (gcd > 1) or 0 is refused by the Jacobi/range checks, never reaches the equations', () => {
    // Jacobi(w, N) = −1 implies gcd(w, N) = 1, so the two checks overlap; either code is a
    // rejection before any equation.
    for (const w of [p, 0n, N]) {
      const err = rejects(() => verifyMod(ctx, N, { ...proof, w }));
      expect(['OUT_OF_RANGE', 'PROOF_INVALID']).toContain(err.code);
      if (err.code === 'PROOF_INVALID') expect(err.shortMessage).toMatch(/Jacobi/);
    }
  });
});

describe('DLN: degenerate α_i, t_i are refused by the range/unit checks', () => {
  const proof = proveDln(ctx, own.pub, own.secret.alpha, own.secret);
  const alphaRows: [string, bigint][] = [
    ['0', 0n],
    ['1', 1n],
    ['Ñ − 1', Nt - 1n],
    ['Ñ', Nt],
    ['P (gcd > 1)', Pt],
    ['3P (gcd > 1)', 3n * Pt],
    ['negative', -5n],
  ];
  it.each(alphaRows)('α_i = %s → OUT_OF_RANGE', (_name, v) => {
    for (const i of [0, 127]) {
      const alpha = [...proof.alpha];
      alpha[i] = v;
      rejects(() => verifyDln(ctx, own.pub, { ...proof, alpha }), 'OUT_OF_RANGE');
    }
  });

  it('t_i = Ñ or negative → OUT_OF_RANGE; t_i = 0 is in range (equations only)', () => {
    for (const [v, code] of [
      [Nt, 'OUT_OF_RANGE'],
      [-1n, 'OUT_OF_RANGE'],
      [0n, 'PROOF_INVALID'],
    ] as const) {
      const t = [...proof.t];
      t[5] = v;
      rejects(() => verifyDln(ctx, own.pub, { ...proof, t }), code);
    }
  });
});

describe('Π^fac: degenerate commitments are refused by the range/unit checks', () => {
  const proof = proveFac(ctx, N, p, q, own.pub);
  it.each([
    ['0', 0n],
    ['Ñ', Nt],
    ['P (gcd > 1 with Ñ)', Pt],
    ['negative', -5n],
  ])('P, Q, A, B, T = %s → OUT_OF_RANGE', (_name, v) => {
    for (const field of ['P', 'Q', 'A', 'B', 'T'] as const) {
      rejects(() => verifyFac(ctx, N, own, { ...proof, [field]: v } as FacProof), 'OUT_OF_RANGE');
    }
  });

  it('responses outside their ranges → OUT_OF_RANGE (negative, or at the exclusive bound)', () => {
    for (const field of ['z1', 'z2', 'sigma', 'w1', 'w2', 'v'] as const) {
      rejects(() => verifyFac(ctx, N, own, { ...proof, [field]: -1n }), 'OUT_OF_RANGE');
    }
  });
});
