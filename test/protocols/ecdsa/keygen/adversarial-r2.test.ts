/**
 * Adversarial keygen, rounds 2 and 3: the malicious party (p-c) finishes round 1 honestly and
 * then rewrites its shares, decommitment, Π^mod, Π^fac, Paillier-key proof or Schnorr proof.
 * Every honest party aborts with a PeerError naming exactly it (SECURITY.md items 1–3, 9, 14).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hashCommitWithRandomness } from '../../../../src/hash/commitment.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import { CURVE_ORDER, FIELD_PRIME } from '../../../../src/math/curve.js';
import type { Party } from '../../../../src/party/types.js';
import type { Profile } from '../../../../src/profile.js';
import {
  decodeRound1,
  encodeRound1,
  KEYGEN_MESSAGE_TYPES as MSG,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { commitCtx } from '../../../../src/protocols/ecdsa/keygen/types.js';
import {
  expectBlamed,
  type MaliciousHooks,
  maliciousParty,
  partyIds,
  restore,
  run,
  type Session,
  startedSnapshots,
} from './harness.js';
import { bytes, editWire, int, mapType } from './tamper.js';

const sessions: Record<Profile, Session> = {
  native: { profile: 'native', ids: partyIds(3), minSigners: 2, sessionId: 'adv-r2' },
  'tss-lib': { profile: 'tss-lib', ids: partyIds(3), minSigners: 2, sessionId: 'adv-r2-tss' },
};
const snaps = new Map<Profile, Map<string, string>>();
const [A, B, M] = partyIds(3) as [string, string, string];
const HONEST = [A, B];

beforeAll(() => {
  snaps.set('native', startedSnapshots(sessions.native));
});

/** Honest A and B restored after round 1 was sent, and M (same snapshot) with `hooks`. */
function parties(hooks: MaliciousHooks, profile: Profile = 'native'): Party<KeyShare>[] {
  if (!snaps.has(profile)) snaps.set(profile, startedSnapshots(sessions[profile]));
  const sn = snaps.get(profile)!;
  return [restore(sn.get(A)!), restore(sn.get(B)!), restore(sn.get(M)!, hooks, profile)];
}

type Edit = (m: Record<string, Uint8Array | Uint8Array[]>, to?: string) => void;
const r2 = (type: string, edit: Edit, only?: string): MaliciousHooks => ({
  r2: (out) =>
    mapType(out, type, (p, to) =>
      only && to !== only ? p : editWire(type, p, (m) => edit(m, to)),
    ),
});
const r3 = (type: string, f: (p: Uint8Array) => Uint8Array): MaliciousHooks => ({
  r3: (out) => mapType(out, type, f),
});

describe('keygen round 2: shares and decommitments', () => {
  it('a bad Feldman share aborts naming its sender', () => {
    const res = run(
      parties(r2(MSG.r2Share, (m) => (m.share = bytes(int(m.share as Uint8Array) + 1n)))),
    );
    expectBlamed(res, HONEST, [M], 'SHARE_INVALID');
  });

  it('a bad share to one party: that party names the sender, the other is left waiting', () => {
    const res = run(
      parties(r2(MSG.r2Share, (m) => (m.share = bytes(int(m.share as Uint8Array) + 1n)), A)),
    );
    expectBlamed(res, [A], [M], 'SHARE_INVALID');
    // No complaint round (as in tss-lib): B waits for A's round-3 message and a runner's timeout
    // ends the session. B never outputs a key that A does not have.
    expect(res.steps.get(B)!.status).toBe('waiting');
    expect(res.steps.get(B)!.waitingFor).toContain(A);
  });

  it('a share ≥ q is rejected', () => {
    const res = run(parties(r2(MSG.r2Share, (m) => (m.share = bytes(CURVE_ORDER + 5n)))));
    expectBlamed(res, HONEST, [M], 'OUT_OF_RANGE');
  });

  it('a wrong decommitment is rejected', () => {
    const res = run(
      parties(
        r2(MSG.r2Decommit, (m) => {
          const d = m.deCommitment as Uint8Array[];
          d[0] = bytes(int(d[0]) ^ 1n);
        }),
      ),
    );
    expectBlamed(res, HONEST, [M], 'COMMITMENT_INVALID');
  });

  it('a short decommitment and one with an extra point are malformed, never a crash', () => {
    for (const edit of [
      (d: Uint8Array[]) => d.slice(0, 3),
      (d: Uint8Array[]) => [...d, d[1]!, d[2]!],
    ]) {
      const res = run(
        parties(
          r2(MSG.r2Decommit, (m) => {
            m.deCommitment = edit(m.deCommitment as Uint8Array[]);
          }),
        ),
      );
      expectBlamed(res, HONEST, [M], 'MALFORMED');
    }
  });

  it('a commitment to an off-curve point is rejected', () => {
    // M commits (round 1) and decommits (round 2) consistently to [V_0 + (0, 1), V_1].
    const S = sessions.native;
    const hooks: MaliciousHooks = {
      r1: (out, state) => {
        const d = [...state.decommit];
        d[2] = (d[2]! + 1n) % FIELD_PRIME;
        const c = hashCommitWithRandomness(commitCtx(state, state.me), d[0]!, d.slice(1));
        const m = decodeRound1(out[0]!.payload);
        const payload = encodeRound1({ ...m, commitment: c.commitment });
        return { out: [{ ...out[0]!, payload }], state: { ...state, decommit: c.decommitment } };
      },
    };
    const sn = snaps.get('native')!;
    const res = run([restore(sn.get(A)!), restore(sn.get(B)!), maliciousParty(S, M, hooks)]);
    expectBlamed(res, HONEST, [M], 'OUT_OF_RANGE');
  });
});

describe('keygen round 2: Π^mod and Π^fac are mandatory', () => {
  it('a missing or short Π^mod is rejected', () => {
    for (const keep of [0, 162]) {
      const res = run(
        parties(
          r2(MSG.r2Decommit, (m) => {
            m.modProof = (m.modProof as Uint8Array[]).slice(0, keep);
          }),
        ),
      );
      expectBlamed(res, HONEST, [M], 'MALFORMED');
    }
  });

  it('a missing or short Π^fac is rejected', () => {
    for (const keep of [0, 10]) {
      const res = run(
        parties(
          r2(MSG.r2Share, (m) => {
            m.facProof = (m.facProof as Uint8Array[]).slice(0, keep);
          }),
        ),
      );
      expectBlamed(res, HONEST, [M], 'MALFORMED');
    }
  });

  for (const profile of ['native', 'tss-lib'] as Profile[]) {
    it(`a wrong Π^mod response is rejected (${profile})`, () => {
      const res = run(
        parties(
          r2(MSG.r2Decommit, (m) => {
            const p = m.modProof as Uint8Array[];
            p[100] = bytes(int(p[100]) - 1n); // z_16
          }),
          profile,
        ),
      );
      expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
    });

    it(`a wrong Π^fac response is rejected (${profile})`, () => {
      const res = run(
        parties(
          r2(MSG.r2Share, (m) => {
            const p = m.facProof as Uint8Array[];
            p[6] = bytes(int(p[6]) + 1n); // z1
          }),
          profile,
        ),
      );
      expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
    });
  }

  it('a Π^fac made for another verifier is rejected (proofs are per verifier)', () => {
    const hooks: MaliciousHooks = {
      r2: (out) => {
        // Send A the proof made under B's Ñ.
        const forB = out.find((m) => m.to === B)!.payload;
        let facForB: Uint8Array[] = [];
        editWire(MSG.r2Share, forB, (mb) => {
          facForB = mb.facProof as Uint8Array[];
        });
        return mapType(out, MSG.r2Share, (p, to) =>
          to === A ? editWire(MSG.r2Share, p, (m) => (m.facProof = facForB)) : p,
        );
      },
    };
    const res = run(parties(hooks));
    expectBlamed(res, [A], [M], 'PROOF_INVALID');
  });
});

describe('keygen round 3', () => {
  it('a wrong Paillier-key proof is rejected', () => {
    const res = run(
      parties(
        r3(MSG.r3, (p) =>
          editWire(MSG.r3, p, (m) => {
            const y = m.paillierProof as Uint8Array[];
            y[5] = bytes(int(y[5]) + 1n);
          }),
        ),
      ),
    );
    expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
  });

  it('a Paillier-key proof with 12 values is malformed', () => {
    const res = run(
      parties(
        r3(MSG.r3, (p) =>
          editWire(MSG.r3, p, (m) => {
            m.paillierProof = (m.paillierProof as Uint8Array[]).slice(1);
          }),
        ),
      ),
    );
    expectBlamed(res, HONEST, [M], 'MALFORMED');
  });

  it('a wrong Schnorr proof of u_i is rejected (native)', () => {
    const res = run(
      parties(
        r3(MSG.r3Schnorr, (p) => {
          const q = p.slice();
          q[64]! ^= 1;
          return q;
        }),
      ),
    );
    expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
  });

  it('a truncated Schnorr message is malformed (native)', () => {
    const res = run(parties(r3(MSG.r3Schnorr, (p) => p.slice(0, 64))));
    expectBlamed(res, HONEST, [M], 'MALFORMED');
  });
});
