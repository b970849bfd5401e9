/**
 * PDL with slack (src/zk/pdl.ts): completeness, soundness against mismatched statements, the
 * slack bound, SECURITY.md item 8 degenerate values, session binding and the codec caps.
 */
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { bigintToBytes } from '../../src/math/bigint.js';
import { CURVE_ORDER, mulG } from '../../src/math/curve.js';
import { randomInRange } from '../../src/math/random.js';
import { encrypt, nSquare } from '../../src/paillier/paillier.js';
import { Q3 } from '../../src/zk/mta/common.js';
import {
  type PdlContext,
  type PdlProof,
  pdlProofFromBytes,
  pdlProofToBytes,
  provePdl,
  verifyPdl,
} from '../../src/zk/pdl.js';
import { fixturePaillier, fixtureRingPedersen } from './mta/support.js';

const q = CURVE_ORDER;
const ctx: PdlContext = { ssid: new Uint8Array(32).fill(9), prover: 1, label: 'gg20/Rbar' };
const sk = fixturePaillier(0);
const pk = sk.publicKey;
const pub = { n: pk.n };
const verifier = fixtureRingPedersen(1);

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
  const x = randomInRange(1n, q);
  const { c, r } = encrypt(pk, x);
  const R = mulG(randomInRange(1n, q));
  const X = R.multiply(x);
  return { x, c, r, R, X, proof: provePdl(ctx, pk, verifier, c, R, X, x, r) };
}

const f = fixture();

describe('PDL with slack', () => {
  it('an honest proof verifies (by a verifier holding only N)', () => {
    verifyPdl(ctx, f.proof, pub, verifier, f.c, f.R, f.X);
    const g = fixture();
    verifyPdl(ctx, g.proof, pub, verifier, g.c, g.R, g.X);
  });

  it('rejects another point, another base, another ciphertext', () => {
    expect(
      codeOf(() => verifyPdl(ctx, f.proof, pub, verifier, f.c, f.R, f.R.multiply(f.x + 1n))),
    ).toBe('VerifyError:PROOF_INVALID');
    expect(codeOf(() => verifyPdl(ctx, f.proof, pub, verifier, f.c, mulG(5n), f.X))).toBe(
      'VerifyError:PROOF_INVALID',
    );
    const other = encrypt(pk, f.x).c;
    expect(codeOf(() => verifyPdl(ctx, f.proof, pub, verifier, other, f.R, f.X))).toBe(
      'VerifyError:PROOF_INVALID',
    );
  });

  it('is bound to the verifier parameters, ssid, prover and label', () => {
    // Under another verifier's Ñ the proof fails (PROOF_INVALID, or OUT_OF_RANGE when z ≥ Ñ').
    expect(
      codeOf(() => verifyPdl(ctx, f.proof, pub, fixtureRingPedersen(2), f.c, f.R, f.X)),
    ).toMatch(/^VerifyError:(PROOF_INVALID|OUT_OF_RANGE)$/);
    for (const other of [
      { ...ctx, ssid: new Uint8Array(32).fill(8) },
      { ...ctx, prover: 2 },
      { ...ctx, label: 'x' },
    ]) {
      expect(codeOf(() => verifyPdl(other, f.proof, pub, verifier, f.c, f.R, f.X))).toBe(
        'VerifyError:PROOF_INVALID',
      );
    }
  });

  it('rejects degenerate and out-of-range fields (SECURITY.md item 8)', () => {
    const n2 = nSquare(pk);
    const nt = verifier.nTilde;
    const cases: [keyof PdlProof, bigint, string][] = [
      ['z', 0n, 'OUT_OF_RANGE'],
      ['z', 1n, 'OUT_OF_RANGE'],
      ['z', nt, 'OUT_OF_RANGE'],
      ['z', verifier.P, 'OUT_OF_RANGE'],
      ['u3', 0n, 'OUT_OF_RANGE'],
      ['u3', nt - 1n + 1n, 'OUT_OF_RANGE'],
      ['u2', 0n, 'OUT_OF_RANGE'],
      ['u2', n2, 'OUT_OF_RANGE'],
      ['u2', sk.p, 'OUT_OF_RANGE'],
      ['s2', 0n, 'OUT_OF_RANGE'],
      ['s2', 1n, 'OUT_OF_RANGE'],
      ['s2', pk.n, 'OUT_OF_RANGE'],
      ['s2', sk.q, 'OUT_OF_RANGE'],
      ['s1', Q3 + 1n, 'OUT_OF_RANGE'],
      ['s1', -1n, 'OUT_OF_RANGE'],
      ['s3', -1n, 'OUT_OF_RANGE'],
      ['s3', (Q3 + q * q) * nt, 'OUT_OF_RANGE'],
      ['z', f.proof.z + 1n, 'PROOF_INVALID'],
    ];
    for (const [field, v, code] of cases) {
      expect(
        codeOf(() => verifyPdl(ctx, { ...f.proof, [field]: v }, pub, verifier, f.c, f.R, f.X)),
        `${field}=${v}`,
      ).toBe(`VerifyError:${code}`);
    }
    expect(
      codeOf(() =>
        verifyPdl(ctx, { ...f.proof, u1: new Uint8Array(33) }, pub, verifier, f.c, f.R, f.X),
      ),
    ).toBe('VerifyError:OUT_OF_RANGE');
    expect(codeOf(() => verifyPdl(ctx, f.proof, pub, verifier, 0n, f.R, f.X))).toBe(
      'VerifyError:OUT_OF_RANGE',
    );
  });

  it('a proof made for a false statement does not verify; bad witnesses are refused', () => {
    const X = mulG(3n);
    const pf = provePdl(ctx, pk, verifier, f.c, f.R, X, f.x, f.r);
    expect(codeOf(() => verifyPdl(ctx, pf, pub, verifier, f.c, f.R, X))).toBe(
      'VerifyError:PROOF_INVALID',
    );
    expect(codeOf(() => provePdl(ctx, pk, verifier, f.c, f.R, f.X, 0n, f.r))).toBe(
      'LocalError:INVALID_ARGUMENT',
    );
    expect(codeOf(() => provePdl(ctx, pk, verifier, f.c, f.R, f.X, f.x, pk.n))).toBe(
      'LocalError:INVALID_ARGUMENT',
    );
  });

  it('round-trips the codec; caps every part before arithmetic', () => {
    const parts = pdlProofToBytes(f.proof);
    verifyPdl(ctx, pdlProofFromBytes(parts), pub, verifier, f.c, f.R, f.X);
    expect(codeOf(() => pdlProofFromBytes(parts.slice(1)))).toBe('VerifyError:MALFORMED');
    const huge = [...parts];
    huge[0] = new Uint8Array(10 * 1024 * 1024).fill(1);
    expect(codeOf(() => pdlProofFromBytes(huge))).toBe('VerifyError:OVERSIZED');
    const badPoint = [...parts];
    badPoint[1] = bigintToBytes(5n);
    expect(codeOf(() => pdlProofFromBytes(badPoint))).toBe('VerifyError:MALFORMED');
  });
});
