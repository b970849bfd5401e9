/**
 * GG18 signing checks that had no triggering test (SECURITY.md items 11 and 12):
 * - the Schnorr proof that comes with the Γ_j decommitment (round 4) is verified, and a bad one
 *   names its sender (the decommitment itself was covered, the proof was not);
 * - R ≠ identity: a rushing signer that knows the honest γ_i (read from their snapshots: a real
 *   one cannot, Γ_i are committed in round 1) commits to Γ_c = −Σ Γ_i and proves knowledge of its
 *   log, while using its real γ_c in the MtAs, so δ ≠ 0 but Σ Γ_j is the identity. Without the
 *   check R.toAffine() throws inside finalize and the abort is an INTERNAL error naming nobody;
 * - fresh k_i and γ_i every session: two parties with byte-identical inputs send different
 *   round-1 messages (GG18 and GG20 presigning).
 */
import { describe, expect, it } from 'vitest';
import { hashCommitPoints } from '../../src/hash/commitment.js';
import { CURVE_ORDER, modQ, mulG } from '../../src/math/curve.js';
import { decodeValue, encodeValue } from '../../src/party/codec.js';
import type { Party } from '../../src/party/types.js';
import { createPresignParty } from '../../src/protocols/ecdsa/presign-gg20/index.js';
import { createSignParty, restoreSignParty } from '../../src/protocols/ecdsa/sign-gg18/index.js';
import {
  commitContext,
  decodeSignRound1Message1,
  decodeSignRound1Message2,
  decodeSignRound4Message,
  LABEL,
  MSG,
  newSignRound1Message2,
  newSignRound4Message,
  type SignContext,
} from '../../src/protocols/ecdsa/sign-gg18/messages.js';
import type { SignState } from '../../src/protocols/ecdsa/sign-gg18/state.js';
import type { Signature } from '../../src/protocols/ecdsa/signature.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/wire/envelope.js';
import { MESSAGE_HASH, makeParties, newSessionId } from '../protocols/ecdsa/sign-gg18/helpers.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import { simulate } from '../support/simulate.js';
import { expectNamed } from './support.js';

const q = CURVE_ORDER;
const shares = makeKeyShares({ n: 3, minSigners: 2 });
const ALL = ['P1', 'P2', 'P3'];
const CULPRIT = 'P2';
const HONEST = ['P1', 'P3'];
/** What must never appear in an honest party's error: key shares and Paillier factors. */
const SECRETS = shares.flatMap((s) => [s.secret.xi, s.secret.paillier.p, s.secret.paillier.q]);

type Snapshot = { state: unknown; sent: string[] };

function stateOf(p: Party<Signature>): SignState {
  return decodeValue((JSON.parse(p.snapshot()) as Snapshot).state) as SignState;
}

/** Resumes `p` with its state (and optionally its sent envelopes) rewritten. */
function edited(
  p: Party<Signature>,
  editState: (s: Record<string, unknown>) => void,
  editSent: (bytes: Uint8Array) => Uint8Array = (b) => b,
): Party<Signature> {
  const snap = JSON.parse(p.snapshot()) as Snapshot;
  const state = decodeValue(snap.state) as Record<string, unknown>;
  editState(state);
  snap.state = encodeValue(state);
  snap.sent = snap.sent.map((b64) =>
    Buffer.from(editSent(new Uint8Array(Buffer.from(b64, 'base64')))).toString('base64'),
  );
  return restoreSignParty(JSON.stringify(snap));
}

describe('GG18: the Γ_j opening and R (item 11)', () => {
  it('a bad Schnorr proof of γ_j in round 4 names its sender', () => {
    const res = simulate(makeParties({ shares, signers: ALL }), {
      order: 'fifo',
      tamper: (env) => {
        if (env.from !== CULPRIT || env.type !== MSG.r4) return undefined;
        const m = decodeSignRound4Message(env.payload);
        const proof = { ...m.proof, t: (m.proof.t + 1n) % q };
        return { ...env, payload: newSignRound4Message(m.decommitment, proof) };
      },
    });
    expectNamed(res.steps, HONEST, CULPRIT, {
      code: 'PROOF_INVALID',
      exact: true,
      secrets: SECRETS,
    });
    for (const id of HONEST) expect(res.steps.get(id)!.error!.round).toBe(4);
  });

  it('Σ Γ_j = identity (rushing, δ ≠ 0): every honest signer aborts with a PeerError, no s_i', () => {
    const parties = makeParties({ shares, signers: ALL });
    for (const p of parties) p.start();
    const byId = new Map(parties.map((p) => [p.self, p]));
    const gammaC = modQ(-HONEST.reduce((acc, id) => acc + stateOf(byId.get(id)!).gamma!, 0n));
    const culprit = byId.get(CULPRIT)!;
    const st = stateOf(culprit);
    const ctx = { profile: st.profile, ssid: st.ssid } as SignContext;
    const cmt = hashCommitPoints(commitContext(ctx, st.pos, LABEL.gamma), [mulG(gammaC)]);
    // Commit to Γ_c = −Σ Γ_i in round 1 (state and sent envelope agree, so echoes match)...
    const committed = edited(
      culprit,
      (s) => {
        s.gammaDecommit = cmt.decommitment;
        s.gammaPoint = mulG(gammaC).toBytes(true);
      },
      (bytes) => {
        const env = decodeEnvelope(bytes);
        if (env.type !== MSG.r1bc) return bytes;
        return encodeEnvelope({ ...env, payload: newSignRound1Message2(cmt.commitment) });
      },
    );
    byId.set(CULPRIT, committed);
    // ...keep the real γ_c for the MtAs and δ_c, and swap in γ_c' for the round-3 proof.
    let swapped = false;
    const res = simulate([...byId.values()], {
      order: 'fifo',
      restore: (p, id) => {
        if (id !== CULPRIT || swapped || p.round !== 3 || p.status !== 'waiting') return p;
        swapped = true;
        return edited(p, (s) => {
          s.gamma = gammaC;
        });
      },
    });
    expect(swapped).toBe(true);
    expectNamed(res.steps, HONEST, CULPRIT, {
      code: 'CONSISTENCY_CHECK_FAILED',
      secrets: SECRETS,
    });
    for (const id of HONEST) {
      expect(res.steps.get(id)!.error!.message).toMatch(/identity/);
      expect(res.steps.get(id)!.error!.round).toBe(4);
    }
    for (const id of HONEST) {
      expect(
        res.parties
          .get(id)!
          .sent()
          .some((e) => e.type === MSG.r9),
      ).toBe(false);
    }
  });
});

describe('fresh k_i and γ_i every session (item 12)', () => {
  it('GG18: byte-identical inputs give different round-1 commitments and ciphertexts', () => {
    const opts = {
      self: 'P1',
      signers: ['P1', 'P2'],
      keyShare: shares[0]!,
      messageHash: MESSAGE_HASH,
      sessionId: newSessionId(),
    };
    const [a, b] = [createSignParty(opts), createSignParty(opts)].map((p) => p.start().outgoing);
    const pick = (out: typeof a, type: string) => out!.find((e) => e.type === type)!.payload;
    expect(decodeSignRound1Message2(pick(a, MSG.r1bc)).commitment).not.toBe(
      decodeSignRound1Message2(pick(b, MSG.r1bc)).commitment,
    );
    expect(decodeSignRound1Message1(pick(a, MSG.r1p2p)).c).not.toBe(
      decodeSignRound1Message1(pick(b, MSG.r1p2p)).c,
    );
  });

  it('GG20 presigning: byte-identical inputs give different round-1 messages', () => {
    const opts = {
      self: 'P1',
      signers: ['P1', 'P2'],
      keyShare: shares[0]!,
      sessionId: newSessionId(),
    };
    const [a, b] = [createPresignParty(opts), createPresignParty(opts)].map(
      (p) => p.start().outgoing,
    );
    expect(a!.length).toBe(b!.length);
    a!.forEach((env, i) => {
      expect(env.type).toBe(b![i]!.type);
      expect(Buffer.from(env.payload).equals(Buffer.from(b![i]!.payload))).toBe(false);
    });
  });
});
