import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { openPointCommitment } from '../../src/hash/commitment.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import {
  CURVE_ORDER,
  G,
  IDENTITY,
  invQ,
  modQ,
  mulG,
  type Point,
  pointFromBytes,
  pointFromCoords,
} from '../../src/math/curve.js';
import { PROFILES, type Profile } from '../../src/profile.js';
import {
  proveSchnorr,
  proveSchnorrV,
  type SchnorrContext,
  type SchnorrProof,
  type SchnorrVProof,
  verifySchnorr,
  verifySchnorrV,
} from '../../src/zk/schnorr.js';
import { describeInterop, readInterop } from '../support/interop.js';
import { pbFields } from '../support/protobuf.js';

function codeOf(fn: () => unknown): { cls: string; code: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerifyError) return { cls: 'VerifyError', code: e.code };
    if (e instanceof LocalError) return { cls: 'LocalError', code: e.code };
    return { cls: (e as Error)?.name ?? typeof e, code: '' };
  }
  return undefined;
}

function expectVerify(fn: () => unknown, code: string): void {
  expect(codeOf(fn)).toEqual({ cls: 'VerifyError', code });
}

const SSID = hexToBytes('a5'.repeat(32));
const SSID2 = hexToBytes('5a'.repeat(32));
const ctxFor = (profile: Profile, over: Partial<SchnorrContext> = {}): SchnorrContext => ({
  profile,
  ssid: SSID,
  prover: 1,
  label: 'sign/gamma',
  ...over,
});

/** Re-encodes a proof's α as 65-byte SEC1 (verifiers accept both encodings). */
const uncompressed = (b: Uint8Array): Uint8Array => pointFromBytes(b).toBytes(false);

describe.each(PROFILES)('Schnorr proof of knowledge (%s)', (profile) => {
  const ctx = ctxFor(profile);

  it('completeness (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }), (x) => {
        const proof = proveSchnorr(ctx, x);
        expect(proof.alpha.length).toBe(33);
        verifySchnorr(ctx, mulG(x), proof);
        verifySchnorr(ctx, mulG(x).toBytes(true), proof);
        verifySchnorr(ctx, mulG(x), { ...proof, alpha: uncompressed(proof.alpha) });
      }),
      { numRuns: 20 },
    );
  });

  const x = 0x1234567890abcdefn;
  const X = mulG(x);
  const proof = proveSchnorr(ctx, x);

  it('rejects a proof for the wrong point', () => {
    expectVerify(() => verifySchnorr(ctx, mulG(x + 1n), proof), 'PROOF_INVALID');
  });

  it('rejects replay under another ssid', () => {
    expectVerify(() => verifySchnorr(ctxFor(profile, { ssid: SSID2 }), X, proof), 'PROOF_INVALID');
  });

  it('rejects replay under another prover index', () => {
    expectVerify(() => verifySchnorr(ctxFor(profile, { prover: 2 }), X, proof), 'PROOF_INVALID');
    expectVerify(() => verifySchnorr(ctxFor(profile, { prover: 0 }), X, proof), 'PROOF_INVALID');
  });

  it('rejects a tampered response or commitment', () => {
    expectVerify(() => verifySchnorr(ctx, X, { ...proof, t: modQ(proof.t + 1n) }), 'PROOF_INVALID');
    expectVerify(
      () => verifySchnorr(ctx, X, { ...proof, alpha: mulG(5n).toBytes(true) }),
      'PROOF_INVALID',
    );
  });

  it('rejects out-of-range responses (t ≥ q, t + q, negative)', () => {
    expectVerify(
      () => verifySchnorr(ctx, X, { ...proof, t: proof.t + CURVE_ORDER }),
      'OUT_OF_RANGE',
    );
    expectVerify(() => verifySchnorr(ctx, X, { ...proof, t: CURVE_ORDER }), 'OUT_OF_RANGE');
    expectVerify(() => verifySchnorr(ctx, X, { ...proof, t: -1n }), 'OUT_OF_RANGE');
  });

  it('rejects identity and off-curve points', () => {
    expectVerify(() => verifySchnorr(ctx, IDENTITY, proof), 'OUT_OF_RANGE');
    const bad = X.toBytes(true);
    bad[0] = 0x05;
    expectVerify(() => verifySchnorr(ctx, bad, proof), 'OUT_OF_RANGE');
    const offX = new Uint8Array(33);
    offX[0] = 2;
    offX[32] = 5; // x = 5: x^3 + 7 = 132 is not a square mod p
    expectVerify(() => verifySchnorr(ctx, offX, proof), 'OUT_OF_RANGE');
    expectVerify(() => verifySchnorr(ctx, X, { ...proof, alpha: offX }), 'OUT_OF_RANGE');
    expectVerify(
      () => verifySchnorr(ctx, X, { ...proof, alpha: new Uint8Array(33) }),
      'OUT_OF_RANGE',
    );
  });

  it('the trivial forgery α = identity, t = 0 is rejected', () => {
    // with α = O the equation t·G = c·X would need the discrete log; with t = 0 and α
    // encoded as the identity the decoder must refuse before any arithmetic.
    expectVerify(() => verifySchnorr(ctx, X, { alpha: new Uint8Array([0]), t: 0n }), 'MALFORMED');
  });

  it('malformed proofs are VerifyErrors, never TypeErrors', () => {
    const bads: unknown[] = [
      null,
      undefined,
      {},
      { alpha: proof.alpha },
      { t: proof.t },
      { alpha: 'x', t: proof.t },
      { alpha: proof.alpha, t: 1 },
      { alpha: proof.alpha, t: '1' },
      { alpha: proof.alpha.subarray(0, 32), t: proof.t },
    ];
    for (const b of bads) {
      expect(codeOf(() => verifySchnorr(ctx, X, b as SchnorrProof))?.cls).toBe('VerifyError');
    }
    fc.assert(
      fc.property(fc.anything(), (b) => {
        expect(codeOf(() => verifySchnorr(ctx, X, b as SchnorrProof))?.cls).toBe('VerifyError');
      }),
      { numRuns: 200 },
    );
  });

  it('prover rejects x = 0, x ≥ q and bad contexts (LocalError)', () => {
    expect(codeOf(() => proveSchnorr(ctx, 0n))?.cls).toBe('LocalError');
    expect(codeOf(() => proveSchnorr(ctx, CURVE_ORDER))?.cls).toBe('LocalError');
    expect(codeOf(() => proveSchnorr(ctxFor(profile, { ssid: new Uint8Array() }), 1n))?.cls).toBe(
      'LocalError',
    );
    expect(codeOf(() => proveSchnorr(ctxFor(profile, { prover: -1 }), 1n))?.cls).toBe('LocalError');
  });
});

describe('profile-specific binding', () => {
  it('native binds the label; tss-lib cannot (same session bytes in rounds 4 and 6)', () => {
    const x = 99n;
    const native = proveSchnorr(ctxFor('native'), x);
    expectVerify(
      () => verifySchnorr(ctxFor('native', { label: 'sign/A' }), mulG(x), native),
      'PROOF_INVALID',
    );
    const tss = proveSchnorr(ctxFor('tss-lib'), x);
    verifySchnorr(ctxFor('tss-lib', { label: 'sign/A' }), mulG(x), tss);
  });

  it('a proof from one profile does not verify in the other', () => {
    const x = 77n;
    expectVerify(
      () => verifySchnorr(ctxFor('tss-lib'), mulG(x), proveSchnorr(ctxFor('native'), x)),
      'PROOF_INVALID',
    );
    expectVerify(
      () => verifySchnorr(ctxFor('native'), mulG(x), proveSchnorr(ctxFor('tss-lib'), x)),
      'PROOF_INVALID',
    );
  });
});

describe.each(PROFILES)('Schnorr V-proof, V = s·R + l·G (%s)', (profile) => {
  const ctx = ctxFor(profile, { label: 'sign/V' });
  const R = mulG(0xdeadbeefn);
  const s = 0x1111n;
  const l = 0x2222n;
  const V = R.multiply(s).add(mulG(l));
  const proof = proveSchnorrV(ctx, R, s, l);

  it('completeness (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }),
        fc.bigInt({ min: 0n, max: CURVE_ORDER - 1n }),
        fc.bigInt({ min: 0n, max: CURVE_ORDER - 1n }),
        (r, s1, l1) => {
          const base = mulG(r);
          const v = (s1 === 0n ? IDENTITY : base.multiply(s1)).add(l1 === 0n ? IDENTITY : mulG(l1));
          if (v.is0()) return;
          verifySchnorrV(ctx, v, base, proveSchnorrV(ctx, base, s1, l1));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('accepts s = 0 or l = 0 when V is not the identity', () => {
    verifySchnorrV(ctx, mulG(l), R, proveSchnorrV(ctx, R, 0n, l));
    verifySchnorrV(ctx, R.multiply(s), R, proveSchnorrV(ctx, R, s, 0n));
  });

  it('rejects a wrong V, a wrong R, another ssid, another prover', () => {
    expectVerify(() => verifySchnorrV(ctx, V.add(G), R, proof), 'PROOF_INVALID');
    expectVerify(() => verifySchnorrV(ctx, V, R.add(G), proof), 'PROOF_INVALID');
    expectVerify(
      () => verifySchnorrV(ctxFor(profile, { label: 'sign/V', ssid: SSID2 }), V, R, proof),
      'PROOF_INVALID',
    );
    expectVerify(
      () => verifySchnorrV(ctxFor(profile, { label: 'sign/V', prover: 7 }), V, R, proof),
      'PROOF_INVALID',
    );
  });

  it('rejects tampered or out-of-range responses', () => {
    expectVerify(
      () => verifySchnorrV(ctx, V, R, { ...proof, t: modQ(proof.t + 1n) }),
      'PROOF_INVALID',
    );
    expectVerify(
      () => verifySchnorrV(ctx, V, R, { ...proof, u: modQ(proof.u + 1n) }),
      'PROOF_INVALID',
    );
    expectVerify(
      () => verifySchnorrV(ctx, V, R, { ...proof, t: proof.t + CURVE_ORDER }),
      'OUT_OF_RANGE',
    );
    expectVerify(
      () => verifySchnorrV(ctx, V, R, { ...proof, u: proof.u + CURVE_ORDER }),
      'OUT_OF_RANGE',
    );
    expectVerify(() => verifySchnorrV(ctx, V, R, { ...proof, u: -1n }), 'OUT_OF_RANGE');
  });

  it('rejects identity statements and malformed proofs', () => {
    expectVerify(() => verifySchnorrV(ctx, IDENTITY, R, proof), 'OUT_OF_RANGE');
    expectVerify(() => verifySchnorrV(ctx, V, IDENTITY, proof), 'OUT_OF_RANGE');
    expectVerify(
      () => verifySchnorrV(ctx, V, R, { ...proof, alpha: new Uint8Array(33) }),
      'OUT_OF_RANGE',
    );
    fc.assert(
      fc.property(fc.anything(), (b) => {
        expect(codeOf(() => verifySchnorrV(ctx, V, R, b as SchnorrVProof))?.cls).toBe(
          'VerifyError',
        );
      }),
      { numRuns: 100 },
    );
  });

  it('prover refuses V = identity and out-of-range secrets', () => {
    expect(codeOf(() => proveSchnorrV(ctx, R, 0n, 0n))?.cls).toBe('LocalError');
    // s·R + l·G = O with R = r·G: l = −s·r
    expect(codeOf(() => proveSchnorrV(ctx, R, 1n, modQ(-0xdeadbeefn)))?.cls).toBe('LocalError');
    expect(codeOf(() => proveSchnorrV(ctx, R, CURVE_ORDER, 1n))?.cls).toBe('LocalError');
    expect(codeOf(() => proveSchnorrV(ctx, IDENTITY, 1n, 1n))?.cls).toBe('LocalError');
  });
});

// ---- known answers from tss-lib v2 (golden signing transcript) ----

interface GoldenMessage {
  round: string;
  from: number;
  wireBytes: string;
}

describeInterop('tss-lib Schnorr / ZKV known answers (ecdsa-sign-transcript-2of3)', () => {
  const golden = JSON.parse(readInterop('golden/ecdsa-sign-transcript-2of3.json')) as {
    parties: { ssid: string }[];
    messages: GoldenMessage[];
  };
  const ssid = hexToBytes(golden.parties[0]!.ssid);
  const msg = (round: string, from: number) => {
    const m = golden.messages.find((x) => x.round.endsWith(`.${round}`) && x.from === from);
    if (!m) throw new Error(`missing ${round} from ${from}`);
    return pbFields(pbFields(hexToBytes(m.wireBytes)).get(2)![0]!);
  };
  const int = (f: Map<number, Uint8Array[]>, n: number) => bytesToBigint(f.get(n)![0]!);
  const ptBytes = (f: Map<number, Uint8Array[]>, nx: number, ny: number) =>
    pointFromCoords(int(f, nx), int(f, ny)).toBytes(true);
  const tss = { profile: 'tss-lib' as const, ssid };

  // Public data recomputed from the transcript.
  const gammas: Point[] = [];
  const vs: Point[] = [];
  const as: Point[] = [];
  let theta = 0n;
  for (const j of [0, 1]) {
    const r4 = msg('SignRound4Message', j);
    const c1 = int(msg('SignRound1Message2', j), 1);
    gammas.push(
      openPointCommitment({ ...tss, sender: j }, c1, r4.get(1)!.map(bytesToBigint), 1)[0]!,
    );
    const r6 = msg('SignRound6Message', j);
    const c5 = int(msg('SignRound5Message', j), 1);
    const [V, A] = openPointCommitment({ ...tss, sender: j }, c5, r6.get(1)!.map(bytesToBigint), 2);
    vs.push(V!);
    as.push(A!);
    theta += int(msg('SignRound3Message', j), 1);
  }
  const R = gammas[0]!.add(gammas[1]!).multiply(invQ(modQ(theta)));

  for (const j of [0, 1]) {
    const ctx = { ...tss, prover: j };
    const r4 = msg('SignRound4Message', j);
    const r6 = msg('SignRound6Message', j);
    const piGamma = { alpha: ptBytes(r4, 2, 3), t: int(r4, 4) };
    const piA = { alpha: ptBytes(r6, 2, 3), t: int(r6, 4) };
    const piV = { alpha: ptBytes(r6, 5, 6), t: int(r6, 7), u: int(r6, 8) };

    it(`round 4 proof of Γ_${j} verifies, and fails for the other prover / point / ssid`, () => {
      verifySchnorr(ctx, gammas[j]!, piGamma);
      expectVerify(
        () => verifySchnorr({ ...ctx, prover: 1 - j }, gammas[j]!, piGamma),
        'PROOF_INVALID',
      );
      expectVerify(() => verifySchnorr(ctx, gammas[1 - j]!, piGamma), 'PROOF_INVALID');
      const otherSsid = ssid.slice();
      otherSsid[0]! ^= 1;
      expectVerify(
        () => verifySchnorr({ ...ctx, ssid: otherSsid }, gammas[j]!, piGamma),
        'PROOF_INVALID',
      );
      expectVerify(
        () => verifySchnorr({ ...ctx, profile: 'native' }, gammas[j]!, piGamma),
        'PROOF_INVALID',
      );
    });

    it(`round 6 proofs of A_${j} and V_${j} verify`, () => {
      verifySchnorr(ctx, as[j]!, piA);
      verifySchnorrV(ctx, vs[j]!, R, piV);
      expectVerify(
        () => verifySchnorrV({ ...ctx, prover: 1 - j }, vs[j]!, R, piV),
        'PROOF_INVALID',
      );
      expectVerify(() => verifySchnorrV(ctx, vs[j]!, R.add(G), piV), 'PROOF_INVALID');
      // the round-4 proof cannot be replayed as the round-6 one (different points)
      expectVerify(() => verifySchnorr(ctx, as[j]!, piGamma), 'PROOF_INVALID');
    });

    it(`any flipped bit in party ${j}'s recorded proofs fails`, () => {
      for (let bit = 0; bit < 256; bit += 37) {
        const f = 1n << BigInt(bit);
        expect(
          codeOf(() => verifySchnorr(ctx, gammas[j]!, { ...piGamma, t: piGamma.t ^ f }))?.cls,
        ).toBe('VerifyError');
        expect(codeOf(() => verifySchnorrV(ctx, vs[j]!, R, { ...piV, u: piV.u ^ f }))?.cls).toBe(
          'VerifyError',
        );
        const a = piA.alpha.slice();
        a[1 + (bit % 32)]! ^= 1;
        expect(codeOf(() => verifySchnorr(ctx, as[j]!, { ...piA, alpha: a }))?.cls).toBe(
          'VerifyError',
        );
      }
    });
  }
});
