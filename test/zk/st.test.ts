/**
 * The GG20 ST proof (src/zk/st.ts): completeness, soundness against the obvious forgeries
 * (another σ, another R, another session), degenerate fields, and the codec.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { CURVE_ORDER, G, mulG } from '../../src/math/curve.js';
import { randomInRange } from '../../src/math/random.js';
import {
  PEDERSEN_H,
  pedersenCommit,
  proveSt,
  proveTOpening,
  ST_PROOF_BYTES,
  type StContext,
  type StProof,
  stProofFromBytes,
  stProofToBytes,
  verifySt,
  verifyTOpening,
} from '../../src/zk/st.js';

const q = CURVE_ORDER;
const ctx: StContext = { ssid: new Uint8Array(32).fill(3), prover: 2, label: 'gg20/S' };
const rnd = () => randomInRange(1n, q);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerifyError) return `VerifyError:${e.code}`;
    if (e instanceof LocalError) return `LocalError:${e.code}`;
    return `other:${(e as Error).name}`;
  }
  return undefined;
}

function fixture() {
  const R = mulG(rnd());
  const sigma = rnd();
  const l = rnd();
  const T = pedersenCommit(sigma, l);
  const S = R.multiply(sigma);
  return { R, sigma, l, T, S, proof: proveSt(ctx, R, sigma, l) };
}

describe('ST proof', () => {
  it('H is a fixed valid point, not G', () => {
    expect(PEDERSEN_H.is0()).toBe(false);
    expect(PEDERSEN_H.equals(G)).toBe(false);
    PEDERSEN_H.assertValidity();
  });

  it('an honest proof verifies (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: q - 1n }),
        fc.bigInt({ min: 0n, max: q - 1n }),
        (s, l) => {
          const R = mulG(rnd());
          const proof = proveSt(ctx, R, s, l);
          verifySt(ctx, pedersenCommit(s, l), R.multiply(s), R, proof);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('rejects another σ in S, another R, another T', () => {
    const f = fixture();
    expect(codeOf(() => verifySt(ctx, f.T, f.R.multiply(f.sigma + 1n), f.R, f.proof))).toBe(
      'VerifyError:PROOF_INVALID',
    );
    expect(codeOf(() => verifySt(ctx, f.T, f.S, mulG(rnd()), f.proof))).toBe(
      'VerifyError:PROOF_INVALID',
    );
    expect(codeOf(() => verifySt(ctx, pedersenCommit(f.sigma, f.l + 1n), f.S, f.R, f.proof))).toBe(
      'VerifyError:PROOF_INVALID',
    );
  });

  it('is bound to the ssid, the prover and the label', () => {
    const f = fixture();
    for (const other of [
      { ...ctx, ssid: new Uint8Array(32).fill(4) },
      { ...ctx, prover: 3 },
      { ...ctx, label: 'other' },
    ]) {
      expect(codeOf(() => verifySt(other, f.T, f.S, f.R, f.proof))).toBe(
        'VerifyError:PROOF_INVALID',
      );
    }
  });

  it('rejects degenerate fields', () => {
    const f = fixture();
    const bad: [string, Partial<StProof>][] = [
      ['VerifyError:OUT_OF_RANGE', { z1: q }],
      ['VerifyError:OUT_OF_RANGE', { z2: -1n }],
      ['VerifyError:MALFORMED', { z1: 1 as unknown as bigint }],
      ['VerifyError:MALFORMED', { A1: new Uint8Array(5) }],
      ['VerifyError:OUT_OF_RANGE', { A2: new Uint8Array(33) }],
    ];
    for (const [code, over] of bad) {
      expect(codeOf(() => verifySt(ctx, f.T, f.S, f.R, { ...f.proof, ...over }))).toBe(code);
    }
    expect(codeOf(() => verifySt(ctx, f.T, f.S, f.R, null as unknown as StProof))).toBe(
      'VerifyError:MALFORMED',
    );
  });

  it('the prover refuses bad witnesses', () => {
    const R = mulG(rnd());
    expect(codeOf(() => proveSt(ctx, R, 0n, 1n))).toBe('LocalError:INVALID_ARGUMENT');
    expect(codeOf(() => proveSt(ctx, R, q, 1n))).toBe('LocalError:INVALID_ARGUMENT');
    expect(codeOf(() => proveSt({ ...ctx, ssid: new Uint8Array(4) }, R, 1n, 1n))).toBe(
      'LocalError:INVALID_ARGUMENT',
    );
  });

  it('round-trips the 130-byte codec and rejects other lengths', () => {
    const f = fixture();
    const b = stProofToBytes(f.proof);
    expect(b.length).toBe(ST_PROOF_BYTES);
    verifySt(ctx, f.T, f.S, f.R, stProofFromBytes(b));
    expect(codeOf(() => stProofFromBytes(b.subarray(1)))).toBe('VerifyError:MALFORMED');
  });

  it('T-opening proof (phase 3) verifies and is bound to T', () => {
    const f = fixture();
    const pf = proveTOpening(ctx, f.sigma, f.l);
    verifyTOpening(ctx, f.T, pf);
    expect(codeOf(() => verifyTOpening(ctx, pedersenCommit(f.sigma + 1n, f.l), pf))).toBe(
      'VerifyError:PROOF_INVALID',
    );
  });
});
