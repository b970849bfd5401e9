/**
 * Adversarial GG18 signing: one malicious signer per check (SECURITY.md items 6, 7, 8, 11, 13,
 * 14). Every honest party must abort with a PeerError naming the culprit (exactly, where GG18
 * can attribute the failure; as one of the suspects where it cannot) and never output a
 * signature.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { AnySchema, anyPack } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { PeerError } from '../../../../src/errors.js';
import { SignRound8MessageSchema } from '../../../../src/gen/binance/tsslib/ecdsa/signing/signing_pb.js';
import { bigintToBytes } from '../../../../src/math/bigint.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import type { Party } from '../../../../src/party/types.js';
import type { Profile } from '../../../../src/profile.js';
import { restoreSignParty } from '../../../../src/protocols/ecdsa/sign-gg18/index.js';
import {
  decodeSignRound1Message1,
  decodeSignRound1Message2,
  decodeSignRound2Message,
  decodeSignRound3Message,
  decodeSignRound4Message,
  decodeSignRound9Message,
  MSG,
  newSignRound1Message1,
  newSignRound1Message2,
  newSignRound2Message,
  newSignRound3Message,
  newSignRound4Message,
  newSignRound9Message,
} from '../../../../src/protocols/ecdsa/sign-gg18/messages.js';
import type { Signature } from '../../../../src/protocols/ecdsa/signature.js';
import { type Envelope, encodeEnvelope } from '../../../../src/wire/envelope.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import { type NetOptions, type NetResult, runSign, withPayload } from './helpers.js';

/** Plays a malicious party: edits its (encoded) state and resumes it. */
function corruptState(
  snapshot: string,
  edit: (state: Record<string, unknown>) => void,
): Party<Signature> {
  const snap = JSON.parse(snapshot) as { state: Record<string, unknown> };
  edit(snap.state);
  return restoreSignParty(JSON.stringify(snap));
}

const q = CURVE_ORDER;
const shares = makeKeyShares({ n: 3, minSigners: 2 });
const ALL = ['P1', 'P2', 'P3'];
const CULPRIT = 'P2';

/**
 * Runs a session with FIFO delivery. (With FIFO no round-r message overtakes a round-(r−1)
 * one, so no honest party aborts while it still holds unsent messages: the engine drops those,
 * which would leave the remaining honest parties waiting instead of aborting.)
 */
function sign(opts: NetOptions, profile: Profile = 'native', signers = ALL) {
  return runSign({ shares, signers, profile }, { choose: () => 0, ...opts });
}

/** A tamper hook rewriting the culprit's `type` payloads. */
function rewrite(type: string, f: (payload: Uint8Array, to: string) => Uint8Array): NetOptions {
  return {
    tamper: (env, to, bytes) =>
      env.from === CULPRIT && env.type === type
        ? [withPayload(bytes, f(env.payload, to))]
        : [bytes],
  };
}

/** Every honest signer aborted with `code`, naming the culprit (only it, when `exact`). */
function expectBlamed(res: NetResult, code: string, exact: boolean, culprit = CULPRIT): void {
  for (const [id, step] of res.steps) {
    if (id === culprit) continue;
    expect(step.status, `${id}: ${step.error?.message ?? 'no error'}`).toBe('aborted');
    expect(step.output).toBeUndefined();
    expect(step.error).toBeInstanceOf(PeerError);
    expect(step.error!.code).toBe(code);
    expect(step.error!.culprits).toContain(culprit);
    expect(step.error!.culprits).not.toContain(id);
    if (exact) expect(step.error!.culprits).toEqual([culprit]);
  }
}

/** No honest signer ever released its s_i. */
function expectNoShareReleased(res: NetResult, culprit = CULPRIT): void {
  expect(res.sent.filter((e) => e.from !== culprit && e.type === MSG.r9)).toEqual([]);
}

describe('GG18 signing: a malicious signer is caught and named', () => {
  it('bad range proof (round 1): PROOF_INVALID', () => {
    const res = sign(
      rewrite(MSG.r1p2p, (p) => {
        const m = decodeSignRound1Message1(p);
        return newSignRound1Message1(m.c, { ...m.proof, s1: m.proof.s1 + 1n });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', true);
  });

  it('range proof for another ciphertext (round 1): PROOF_INVALID', () => {
    const res = sign(
      rewrite(MSG.r1p2p, (p) => {
        const m = decodeSignRound1Message1(p);
        // Enc(k + 1): a valid ciphertext, but not the one the proof is about.
        const N = shares[0]!.parties.find((x) => x.id === CULPRIT)!.paillierN;
        return newSignRound1Message1((m.c * (N + 1n)) % (N * N), m.proof);
      }),
      'tss-lib',
    );
    expectBlamed(res, 'PROOF_INVALID', true);
  });

  it('bad Bob proof with check (round 2): PROOF_INVALID', () => {
    const res = sign(
      rewrite(MSG.r2, (p) => {
        const m = decodeSignRound2Message(p);
        return newSignRound2Message({
          ...m,
          proofBobWC: { ...m.proofBobWC, t1: m.proofBobWC.t1 + 1n },
        });
      }),
    );
    expectBlamed(res, 'PROOF_INVALID', true);
  });

  it('wrong Γ decommitment (round 4): COMMITMENT_INVALID', () => {
    const res = sign(
      rewrite(MSG.r4, (p) => {
        const m = decodeSignRound4Message(p);
        const d = [...m.decommitment];
        d[0] = d[0]! ^ 1n;
        return newSignRound4Message(d, m.proof);
      }),
    );
    expectBlamed(res, 'COMMITMENT_INVALID', true);
  });

  for (const [profile, signers] of [
    ['native', ALL],
    ['tss-lib', ['P1', 'P2']],
  ] as const) {
    it(`a rushing signer forcing δ = 0 (round 3, ${profile}, ${signers.length} signers): no crash, suspects named`, () => {
      // The culprit waits for every honest δ_i, then sends δ_c = −Σ δ_i.
      const honest = signers.filter((s) => s !== CULPRIT);
      const deltas = new Map<string, bigint>();
      const held: { to: string; env: Envelope; bytes: Uint8Array }[] = [];
      const res = sign(
        {
          tamper: (env, to, bytes, net) => {
            if (env.type !== MSG.r3) return [bytes];
            if (env.from !== CULPRIT) {
              deltas.set(env.from, decodeSignRound3Message(env.payload).theta);
              if (deltas.size === honest.length) {
                let sum = 0n;
                for (const d of deltas.values()) sum += d;
                const forced = newSignRound3Message((q - (sum % q)) % q);
                for (const h of held.splice(0))
                  net.inject(CULPRIT, h.to, withPayload(h.bytes, forced));
              }
              return [bytes];
            }
            if (deltas.size === honest.length) {
              let sum = 0n;
              for (const d of deltas.values()) sum += d;
              return [withPayload(bytes, newSignRound3Message((q - (sum % q)) % q))];
            }
            held.push({ to, env, bytes });
            return [];
          },
        },
        profile,
        [...signers],
      );
      expect(held).toEqual([]);
      expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', signers.length === 2);
      expectNoShareReleased(res);
    });
  }

  it('a signer using another k than it encrypted fails the phase-5 check; no s_i is revealed', () => {
    // A really malicious party (its own engine sends the bad δ_c and σ_c consistently, so the
    // echo checks pass): right after round 1 it swaps k for k + 1.
    let corrupted = false;
    const res = sign({
      afterStep: (p) => {
        if (p.self !== CULPRIT || corrupted) return undefined;
        corrupted = true;
        return corruptState(p.snapshot(), (st) => {
          const k = BigInt(`0x${(st.k as { $b: string }).$b}`);
          st.k = { $b: ((k + 1n) % q).toString(16) };
        });
      },
    });
    expect(corrupted).toBe(true);
    expectBlamed(res, 'CONSISTENCY_CHECK_FAILED', false);
    for (const [id, step] of res.steps) if (id !== CULPRIT) expect(step.error!.round).toBe(8);
    expectNoShareReleased(res);
  });

  it('wrong s_i (round 9, native): SIGNATURE_INVALID naming exactly the culprit', () => {
    const res = sign(
      rewrite(MSG.r9, (p) => newSignRound9Message((decodeSignRound9Message(p).s % (q - 1n)) + 1n)),
    );
    expectBlamed(res, 'SIGNATURE_INVALID', true);
  });

  it('wrong s_i (round 9, tss-lib): caught before output; exact with two signers', () => {
    const bump = rewrite(MSG.r9, (p) =>
      newSignRound9Message((decodeSignRound9Message(p).s % (q - 1n)) + 1n),
    );
    expectBlamed(sign(bump, 'tss-lib', ['P2', 'P3']), 'SIGNATURE_INVALID', true);
    // Three signers: not attributable without l_j; every honest party that finishes round 9
    // aborts naming both others (a party that aborts before sending its own s_i leaves the
    // others waiting for it).
    const res = sign(bump, 'tss-lib', ALL);
    let aborted = 0;
    for (const [id, step] of res.steps) {
      if (id === CULPRIT) continue;
      expect(step.output).toBeUndefined();
      if (step.status === 'waiting') continue;
      aborted++;
      expect(step.error!.code).toBe('SIGNATURE_INVALID');
      expect([...step.error!.culprits].sort()).toEqual(ALL.filter((x) => x !== id));
    }
    expect(aborted).toBeGreaterThan(0);
  });

  it('equivocation (two different round-1 broadcasts): EQUIVOCATION', () => {
    const res = sign({
      tamper: (env, _to, bytes) => {
        if (env.from !== CULPRIT || env.type !== MSG.r1bc) return [bytes];
        const c = decodeSignRound1Message2(env.payload).commitment;
        return [bytes, withPayload(bytes, newSignRound1Message2(c ^ 1n))];
      },
    });
    expectBlamed(res, 'EQUIVOCATION', true);
  });

  it('split-view broadcast (different commitments to different peers): everybody aborts', () => {
    const res = sign({
      tamper: (env, to, bytes) => {
        if (env.from !== CULPRIT || env.type !== MSG.r1bc || to !== 'P3') return [bytes];
        const c = decodeSignRound1Message2(env.payload).commitment;
        return [withPayload(bytes, newSignRound1Message2(c ^ 1n))];
      },
    });
    // The echo check catches it one round later and blames the peer whose view differs, which
    // (with one honest party misled) may be an honest party; a party that aborts while its
    // round-2 messages are still unsent leaves peers waiting (a runner times them out). What
    // matters: nobody signs, nobody blames itself, and someone detects it.
    let aborted = 0;
    for (const [id, step] of res.steps) {
      if (id === CULPRIT) continue;
      expect(step.output).toBeUndefined();
      expect(['aborted', 'waiting']).toContain(step.status);
      if (step.status === 'aborted') {
        aborted++;
        expect(step.error!.code).toBe('CONSISTENCY_CHECK_FAILED');
        expect(step.error!.culprits).not.toContain(id);
      }
    }
    expect(aborted).toBeGreaterThan(0);
  });

  it('a round-1 message replayed from another session (native): PROOF_INVALID', () => {
    const old = sign({}, 'native');
    const res = sign({
      tamper: (env, to, bytes) => {
        if (env.from !== CULPRIT || env.type !== MSG.r1p2p) return [bytes];
        const prev = old.sent.find(
          (e) => e.from === CULPRIT && e.type === MSG.r1p2p && e.to[0] === to,
        )!;
        return [withPayload(bytes, prev.payload)];
      },
    });
    expectBlamed(res, 'PROOF_INVALID', true);
  });

  it('envelopes of another session are dropped, and the session completes', () => {
    const old = sign({}, 'native', ['P1', 'P2']);
    const stale = old.sent.filter((e) => e.from === CULPRIT);
    let injected = false;
    const res = sign(
      {
        tamper: (env, to, bytes, net) => {
          if (!injected && env.from === CULPRIT) {
            injected = true;
            for (const e of stale) {
              if (e.to.length === 0 || e.to[0] === to) net.inject(CULPRIT, to, encodeEnvelope(e));
            }
          }
          return [bytes];
        },
      },
      'native',
      ['P1', 'P2'],
    );
    expect(res.rejected.length).toBeGreaterThan(0);
    expect(new Set(res.rejected.map((r) => r.code))).toEqual(new Set(['WRONG_SESSION']));
    for (const step of res.steps.values()) expect(step.status).toBe('done');
  });

  it('a short round-8 decommitment (tss-lib panics here): MALFORMED, no crash', () => {
    const res = sign(
      rewrite(MSG.r8, () =>
        toBinary(
          AnySchema,
          anyPack(
            SignRound8MessageSchema,
            create(SignRound8MessageSchema, {
              deCommitment: [bigintToBytes(5n), bigintToBytes(7n)],
            }),
          ),
        ),
      ),
      'tss-lib',
    );
    expectBlamed(res, 'MALFORMED', true);
  });

  it('a silent signer is reported in waitingFor and nobody signs', () => {
    const res = sign({
      tamper: (env, _to, bytes) => (env.from === CULPRIT && env.round >= 2 ? [] : [bytes]),
    });
    for (const [id, step] of res.steps) {
      if (id === CULPRIT) continue;
      expect(step.status).toBe('waiting');
      expect(step.waitingFor).toContain(CULPRIT);
      expect(step.waitingFor).not.toContain(id);
      expect(step.output).toBeUndefined();
    }
  });
});
