import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../../src/errors.js';
import { G, mulG } from '../../../src/math/curve.js';
import { randomBelow } from '../../../src/math/random.js';
import { PROFILES } from '../../../src/profile.js';
import { Q } from '../../../src/zk/mta/common.js';
import {
  type MtaContext,
  mtaAliceEnd,
  mtaAliceEndWC,
  mtaAliceInit,
  mtaBobMid,
  mtaBobMidPair,
  mtaBobMidWC,
  type ProofBobWC,
} from '../../../src/zk/mta/index.js';
import {
  fixturePaillier,
  fixtureRingPedersen,
  forgeBob,
  forgeRangeAlice,
  publicParams,
  testSsid,
} from './support.js';

const skA = fixturePaillier(0);
const pkA = skA.publicKey;
const aliceParams = publicParams(fixtureRingPedersen(0));
const bobParams = publicParams(fixtureRingPedersen(1));

function verifyCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    return (e as VerifyError).code;
  }
  throw new Error('expected a VerifyError');
}

describe.each(PROFILES)('MtA share protocol (%s profile)', (profile) => {
  const ctx: MtaContext = { profile, ssid: testSsid(`mta-${profile}`), alice: 0, bob: 1 };

  it('MtA: α + β ≡ a·b (mod q)', () => {
    for (const [a, b] of [
      [randomBelow(Q), randomBelow(Q)],
      [0n, randomBelow(Q)],
      [Q - 1n, Q - 1n],
      [1n, 0n],
    ] as const) {
      const msg = mtaAliceInit(ctx, { pkA, a, bobParams });
      // Bob knows only N (Alice's own key object would give him her CRT fast path).
      const bob = mtaBobMid(ctx, { pkA: { n: pkA.n }, aliceParams, bobParams, msg, b });
      expect(bob.beta >= 0n && bob.beta < Q).toBe(true);
      const alpha = mtaAliceEnd(ctx, { skA, aliceParams, cA: msg.c, cB: bob.cB, proof: bob.proof });
      expect(alpha >= 0n && alpha < Q).toBe(true);
      expect((alpha + bob.beta) % Q).toBe((a * b) % Q);
    }
  });

  it('MtAwc: α + β ≡ a·b (mod q) and X = b·G', () => {
    const a = randomBelow(Q);
    const b = randomBelow(Q - 1n) + 1n;
    const msg = mtaAliceInit(ctx, { pkA, a, bobParams });
    const bob = mtaBobMidWC(ctx, { pkA, aliceParams, bobParams, msg, b });
    expect(bob.X.equals(mulG(b))).toBe(true);
    const alpha = mtaAliceEndWC(ctx, {
      skA,
      aliceParams,
      cA: msg.c,
      cB: bob.cB,
      proof: bob.proof,
      X: mulG(b),
    });
    expect((alpha + bob.beta) % Q).toBe((a * b) % Q);
  });

  it('GG18 pair: one c_A feeds an MtA (γ) and an MtAwc (w); both shares are correct', () => {
    const k = randomBelow(Q);
    const gamma = randomBelow(Q);
    const w = randomBelow(Q - 1n) + 1n;
    const msg = mtaAliceInit(ctx, { pkA, a: k, bobParams });
    const { mta, mtaWC } = mtaBobMidPair(ctx, {
      pkA,
      aliceParams,
      bobParams,
      msg,
      b: gamma,
      bWC: w,
    });
    const alpha = mtaAliceEnd(ctx, { skA, aliceParams, cA: msg.c, cB: mta.cB, proof: mta.proof });
    const mu = mtaAliceEndWC(ctx, {
      skA,
      aliceParams,
      cA: msg.c,
      cB: mtaWC.cB,
      proof: mtaWC.proof,
      X: mulG(w),
    });
    expect((alpha + mta.beta) % Q).toBe((k * gamma) % Q);
    expect((mu + mtaWC.beta) % Q).toBe((k * w) % Q);
    expect(() =>
      mtaBobMidPair(ctx, { pkA, aliceParams, bobParams, msg, b: gamma, bWC: 0n }),
    ).toThrow(LocalError);
  });

  it('Bob rejects a cheating Alice (m > q³) before computing anything', () => {
    const pc = { profile, ssid: ctx.ssid, prover: ctx.alice };
    const forged = forgeRangeAlice(pc, pkA, bobParams, Q ** 4n);
    const msg = { c: forged.c, proof: forged.proof };
    expect(verifyCode(() => mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg, b: 5n }))).toBe(
      'OUT_OF_RANGE',
    );
    expect(verifyCode(() => mtaBobMidWC(ctx, { pkA, aliceParams, bobParams, msg, b: 5n }))).toBe(
      'OUT_OF_RANGE',
    );
    expect(
      verifyCode(() => mtaBobMidPair(ctx, { pkA, aliceParams, bobParams, msg, b: 5n, bWC: 6n })),
    ).toBe('OUT_OF_RANGE');
  });

  it('Bob rejects a range proof made for another verifier or another ciphertext', () => {
    const msg = mtaAliceInit(ctx, { pkA, a: 7n, bobParams: aliceParams });
    expect(['PROOF_INVALID', 'OUT_OF_RANGE']).toContain(
      verifyCode(() => mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg, b: 5n })),
    );
    const good = mtaAliceInit(ctx, { pkA, a: 7n, bobParams });
    const swapped = { c: mtaAliceInit(ctx, { pkA, a: 7n, bobParams }).c, proof: good.proof };
    expect(
      verifyCode(() => mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg: swapped, b: 5n })),
    ).toBe('PROOF_INVALID');
  });

  it('Alice rejects a Bob whose β′ is out of range', () => {
    const msg = mtaAliceInit(ctx, { pkA, a: randomBelow(Q), bobParams });
    const pc = { profile, ssid: ctx.ssid, prover: ctx.bob };
    for (const y of [Q ** 7n + 1n, pkA.n - 1n]) {
      const forged = forgeBob(pc, pkA, aliceParams, msg.c, 3n, y);
      expect(
        verifyCode(() =>
          mtaAliceEnd(ctx, { skA, aliceParams, cA: msg.c, cB: forged.c2, proof: forged.proof }),
        ),
      ).toBe('OUT_OF_RANGE');
    }
  });

  it('Alice rejects MtAwc against the wrong X, and a swapped c_B', () => {
    const msg = mtaAliceInit(ctx, { pkA, a: randomBelow(Q), bobParams });
    const b = randomBelow(Q - 1n) + 1n;
    const bob = mtaBobMidWC(ctx, { pkA, aliceParams, bobParams, msg, b });
    const args = { skA, aliceParams, cA: msg.c, cB: bob.cB, proof: bob.proof };
    expect(verifyCode(() => mtaAliceEndWC(ctx, { ...args, X: mulG(b).add(G) }))).toBe(
      'PROOF_INVALID',
    );
    const other = mtaBobMidWC(ctx, { pkA, aliceParams, bobParams, msg, b });
    expect(verifyCode(() => mtaAliceEndWC(ctx, { ...args, cB: other.cB, X: mulG(b) }))).toBe(
      'PROOF_INVALID',
    );
    // A proof with check for the right X but the wrong multiplier.
    const pc = { profile, ssid: ctx.ssid, prover: ctx.bob };
    const forged = forgeBob(pc, pkA, aliceParams, msg.c, b + 1n, 9n, mulG(b));
    expect(
      verifyCode(() =>
        mtaAliceEndWC(ctx, {
          ...args,
          cB: forged.c2,
          proof: forged.proof as ProofBobWC,
          X: mulG(b),
        }),
      ),
    ).toBe('PROOF_INVALID');
  });

  it('Alice validates c_B before decrypting', () => {
    const msg = mtaAliceInit(ctx, { pkA, a: 1n, bobParams });
    const bob = mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg, b: 2n });
    for (const cB of [0n, pkA.n * pkA.n, pkA.n]) {
      expect(
        verifyCode(() => mtaAliceEnd(ctx, { skA, aliceParams, cA: msg.c, cB, proof: bob.proof })),
      ).toBe('OUT_OF_RANGE');
    }
  });

  it('refuses misuse: equal indices, b = 0 in MtAwc, a ∉ [0, q)', () => {
    expect(() => mtaAliceInit({ ...ctx, bob: 0 }, { pkA, a: 1n, bobParams })).toThrow(LocalError);
    expect(() => mtaAliceInit(ctx, { pkA, a: Q, bobParams })).toThrow(LocalError);
    const msg = mtaAliceInit(ctx, { pkA, a: 1n, bobParams });
    expect(() => mtaBobMidWC(ctx, { pkA, aliceParams, bobParams, msg, b: 0n })).toThrow(LocalError);
    expect(() => mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg, b: Q })).toThrow(LocalError);
  });
});

describe('MtA session binding', () => {
  it('native: messages replayed into another session or with swapped roles are rejected', () => {
    const ctx: MtaContext = { profile: 'native', ssid: testSsid('s1'), alice: 0, bob: 1 };
    const msg = mtaAliceInit(ctx, { pkA, a: 11n, bobParams });
    const other: MtaContext = { ...ctx, ssid: testSsid('s2') };
    expect(verifyCode(() => mtaBobMid(other, { pkA, aliceParams, bobParams, msg, b: 5n }))).toBe(
      'PROOF_INVALID',
    );
    expect(
      verifyCode(() =>
        mtaBobMid({ ...ctx, alice: 2 }, { pkA, aliceParams, bobParams, msg, b: 5n }),
      ),
    ).toBe('PROOF_INVALID');
    const bob = mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg, b: 5n });
    const endArgs = { skA, aliceParams, cA: msg.c, cB: bob.cB, proof: bob.proof };
    expect(verifyCode(() => mtaAliceEnd(other, endArgs))).toBe('PROOF_INVALID');
    expect(verifyCode(() => mtaAliceEnd({ ...ctx, bob: 2 }, endArgs))).toBe('PROOF_INVALID');
    expect((mtaAliceEnd(ctx, endArgs) + bob.beta) % Q).toBe(55n);
  });
});
