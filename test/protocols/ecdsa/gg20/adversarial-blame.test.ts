/**
 * Adversarial GG20, part 2: the two product checks (Σ R̄_j = G, Σ S_j = y) failing with every
 * proof valid, which leads to the identifiable-abort round; a lying reveal; equivocation; and
 * the online round (a wrong s_i, a share for something else, two shares). Every honest signer
 * must abort naming exactly the malicious P2.
 */
import { describe, expect, it } from 'vitest';
import { bigintToBytes, bytesToBigint, concatBytes } from '../../../../src/math/bigint.js';
import { decrypt, paillierKeyFromPrimes } from '../../../../src/paillier/paillier.js';
import type { Envelope } from '../../../../src/party/index.js';
import {
  decodePresignR3,
  decodePresignReveal,
  MSG,
  newPresignR3,
  newPresignReveal,
} from '../../../../src/protocols/ecdsa/presign-gg20/messages.js';
import type { Signature } from '../../../../src/protocols/ecdsa/signature.js';
import { simulate, type TamperResult } from '../../../support/simulate.js';
import {
  bump,
  CULPRIT,
  corruptOnce,
  expectBlamed,
  HONEST,
  q,
  rewrite,
  runPresign,
  SIGNERS,
  shares,
} from './adversary.js';
import { addToPools, memoryStores, onlineParties, presign } from './helpers.js';

describe('GG20 presigning: identifiable abort for the product checks', () => {
  it('Σ R̄_j ≠ G (a wrong δ_i with every proof valid) → blame round names the culprit', () => {
    const res = runPresign(
      undefined,
      corruptOnce(2, (s) => bump(s.betas as Map<string, bigint>)),
    );
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', 7);
    // Nothing σ-related was sent: no S_i (round 6) was produced by anyone.
    for (const id of HONEST) expect(res.parties.get(id)!.sent({ round: 6 })).toEqual([]);
  });

  it('Σ S_j ≠ y (a wrong σ_i consistent with T_i and S_i) → blame round names the culprit', () => {
    const res = runPresign(
      undefined,
      corruptOnce(2, (s) => bump(s.nus as Map<string, bigint>)),
    );
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', 7);
  });

  it('the delta-mode reveal holds no MtAwc plaintext (nothing tied to w_i)', () => {
    const res = runPresign(
      undefined,
      corruptOnce(2, (s) => bump(s.betas as Map<string, bigint>)),
    );
    for (const id of HONEST) {
      const [env] = res.parties.get(id)!.sent({ round: 7 });
      const rv = decodePresignReveal(env!.payload, 2);
      expect(rv.mode).toBe('delta');
      const { p, q: qq } = shares.find((s) => s.self === id)!.secret.paillier;
      const sk = paillierKeyFromPrimes(p, qq);
      for (const e of rv.entries) {
        expect(e.m).toBe(decrypt(sk, e.c1)); // α (MtA on γ)
        expect(e.m).not.toBe(decrypt(sk, e.c2)); // never μ (MtAwc on w)
      }
    }
  });

  it('a lying reveal names its sender', () => {
    const res = runPresign(
      rewrite(MSG.r7, (b) => {
        const m = decodePresignReveal(b, 2);
        return newPresignReveal({ ...m, k: m.k === q - 1n ? 1n : m.k + 1n });
      }),
      corruptOnce(2, (s) => bump(s.betas as Map<string, bigint>)),
    );
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', 7);
  });
});

describe('GG20: equivocation', () => {
  it('two different round-3 broadcasts to the same party', () => {
    const res = runPresign((env) => {
      if (env.from !== CULPRIT || env.type !== MSG.r3) return undefined;
      const m = decodePresignR3(env.payload, 2);
      return [env, { ...env, payload: newPresignR3({ ...m, delta: (m.delta % (q - 1n)) + 1n }) }];
    });
    expectBlamed(res, 'EQUIVOCATION', 3);
  });
});

describe('GG20 online round', () => {
  async function online(tamper: (env: Envelope, to: string) => TamperResult) {
    const presigs = presign(shares, SIGNERS);
    const stores = memoryStores(SIGNERS);
    await addToPools(stores, [presigs]);
    const parties = await onlineParties(stores, presigs.get('P1')!.keyId, SIGNERS);
    return simulate<Signature>(parties, { order: 'fifo', tamper });
  }
  const share = (edit: (binding: Uint8Array, s: bigint) => Uint8Array) => (env: Envelope) =>
    env.from === CULPRIT
      ? {
          ...env,
          payload: edit(env.payload.subarray(0, 32), bytesToBigint(env.payload.subarray(32))),
        }
      : undefined;

  it('a wrong s_i names its sender', async () => {
    const res = await online(
      share((b, s) => concatBytes(b, bigintToBytes((s % (q - 1n)) + 1n, 32))),
    );
    expectBlamed(res, 'SIGNATURE_INVALID', 1);
  });

  it('a share for another message or presignature names its sender', async () => {
    const res = await online(
      share((b, s) =>
        concatBytes(
          b.map((x) => x ^ 0xff),
          bigintToBytes(s, 32),
        ),
      ),
    );
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', 1);
  });

  it('two different shares to the same party', async () => {
    const res = await online((env) =>
      env.from === CULPRIT
        ? [
            {
              ...env,
              payload: concatBytes(env.payload.subarray(0, 32), bigintToBytes(12345n, 32)),
            },
            env,
          ]
        : undefined,
    );
    // Named either for equivocating (both copies arrive while the round is open) or for the
    // invalid share (the round completed with the first copy).
    expectBlamed(res, undefined, 1);
    for (const id of HONEST) {
      expect(['EQUIVOCATION', 'SIGNATURE_INVALID']).toContain(res.errors.get(id)!.code);
    }
  });
});
