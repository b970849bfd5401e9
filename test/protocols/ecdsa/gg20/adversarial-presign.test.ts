/**
 * Adversarial GG20 presigning, part 1: a bad proof (or inconsistent value) in each round. The
 * malicious signer P2 sends it to everyone; every honest signer must abort naming exactly P2,
 * in the round where the check runs, and nobody may output a presignature.
 */
import { describe, expect, it } from 'vitest';
import { mulG, pointFromBytes } from '../../../../src/math/curve.js';
import { encrypt } from '../../../../src/paillier/paillier.js';
import {
  decodePresignR3,
  decodePresignR5Pdl,
  decodePresignR6,
  MSG,
  newPresignR3,
  newPresignR5,
  newPresignR5Pdl,
  newPresignR6,
} from '../../../../src/protocols/ecdsa/presign-gg20/messages.js';
import { preparePresign } from '../../../../src/protocols/ecdsa/presign-gg20/state.js';
import {
  decodeSignRound1Message1,
  decodeSignRound2Message,
  decodeSignRound4Message,
  newSignRound1Message1,
  newSignRound2Message,
  newSignRound4Message,
} from '../../../../src/protocols/ecdsa/sign-gg18/messages.js';
import { proveRangeAlice } from '../../../../src/zk/mta/index.js';
import { CULPRIT, expectBlamed, q, rewrite, runPresign, SIGNERS, shares } from './adversary.js';
import { newSessionId } from './helpers.js';

describe('GG20 presigning: a bad proof in each round names its sender', () => {
  it('round 1: range proof', () => {
    const res = runPresign(
      rewrite(MSG.r1p2p, (b) => {
        const m = decodeSignRound1Message1(b);
        return newSignRound1Message1(m.c, { ...m.proof, s1: m.proof.s1 + 1n });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', 1);
  });

  it('round 1: a valid ciphertext and range proof that differ from the broadcast digest', () => {
    // P2 sends P3 another encryption, with a valid range proof, than the one it digested.
    const sessionId = newSessionId();
    const keyShare = shares.find((s) => s.self === CULPRIT)!;
    const { state } = preparePresign({ self: CULPRIT, signers: SIGNERS, keyShare, sessionId });
    const p3 = keyShare.parties.find((p) => p.id === 'P3')!;
    const pk = { n: keyShare.parties.find((p) => p.id === CULPRIT)!.paillierN };
    const other = encrypt(pk, 5n);
    const proof = proveRangeAlice(
      { profile: 'native', ssid: state.ssid, prover: state.pos },
      pk,
      { nTilde: p3.ntilde, h1: p3.h1, h2: p3.h2 },
      other.c,
      5n,
      other.r,
    );
    const res = runPresign(
      (env, to) =>
        env.from === CULPRIT && env.type === MSG.r1p2p && to === 'P3'
          ? { ...env, payload: newSignRound1Message1(other.c, proof) }
          : undefined,
      undefined,
      sessionId,
    );
    expect(res.errors.get('P3')!.culprits).toEqual([CULPRIT]);
    expect(res.errors.get('P3')!.code).toBe('CONSISTENCY_CHECK_FAILED');
    expect(res.outputs.size).toBe(0);
  });

  it("round 2: Bob's MtA proof and Bob's MtAwc proof", () => {
    for (const field of ['proofBob', 'proofBobWC'] as const) {
      const res = runPresign(
        rewrite(MSG.r2, (b) => {
          const m = decodeSignRound2Message(b);
          return newSignRound2Message({ ...m, [field]: { ...m[field], s1: m[field].s1 + 1n } });
        }),
      );
      expectBlamed(res, 'PROOF_INVALID', 2);
    }
  });

  it('round 3: proof of the opening of T_i', () => {
    const res = runPresign(
      rewrite(MSG.r3, (b) => {
        const m = decodePresignR3(b, 2);
        return newPresignR3({ ...m, proof: { ...m.proof, t: (m.proof.t + 1n) % q } });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', 3);
  });

  it('round 3: an MtA digest that does not match what Bob sent', () => {
    const res = runPresign(
      rewrite(MSG.r3, (b) => {
        const m = decodePresignR3(b, 2);
        return newPresignR3({ ...m, digests: m.digests.map((d) => d.map((x) => x ^ 1)) });
      }),
    );
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', 3);
  });

  it('round 4: Schnorr proof of γ_i', () => {
    const res = runPresign(
      rewrite(MSG.r4, (b) => {
        const m = decodeSignRound4Message(b);
        return newSignRound4Message(m.decommitment, { ...m.proof, t: (m.proof.t + 1n) % q });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', 4);
  });

  it('round 5: PDL-with-slack proof of R̄_i', () => {
    const res = runPresign(
      rewrite(MSG.r5pdl, (b) => {
        const m = decodePresignR5Pdl(b);
        return newPresignR5Pdl(pointFromBytes(m.Rbar), { ...m.proof, s1: m.proof.s1 + 1n });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', 5);
  });

  it('round 5: a broadcast R̄_i other than the proven one', () => {
    const res = runPresign(rewrite(MSG.r5, () => newPresignR5(mulG(12345n))));
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', 5);
  });

  it('round 6: ST proof of S_i', () => {
    const res = runPresign(
      rewrite(MSG.r6, (b) => {
        const m = decodePresignR6(b);
        return newPresignR6(pointFromBytes(m.S), { ...m.proof, z1: (m.proof.z1 + 1n) % q });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', 6);
  });
});
