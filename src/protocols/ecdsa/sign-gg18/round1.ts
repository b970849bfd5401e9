/**
 * Round 1 (tss-lib `round_1.go`, and the Bob half of `round_2.go`).
 *
 * `start`: draw k_i, γ_i; commit to Γ_i = γ_i·G (SignRound1Message2, broadcast); encrypt k_i
 * once under our Paillier key and send it to each signer j with a range proof under j's Ñ
 * (SignRound1Message1, p2p). One ciphertext serves every peer (as in the GG18 paper; tss-lib
 * encrypts once per peer, which its verifiers do not distinguish).
 *
 * Receiving: each range proof is verified as it arrives (always: no fast path, SECURITY.md
 * item 7). Once all are in, we act as Bob for every peer: MtA on γ_i (β) and MtAwc on w_i (ν),
 * each with its proof (SignRound2Message, p2p). The range proofs are not verified a second time.
 * @module
 */
import { hashCommitPoints } from '../../../hash/commitment.js';
import { CURVE_ORDER, mulG } from '../../../math/curve.js';
import { randomBelow, randomInRange } from '../../../math/random.js';
import { add, encrypt, mulScalar } from '../../../paillier/paillier.js';
import type { OutMsg, RoundContext, RoundDef, StartResult } from '../../../party/types.js';
import { proveBob, proveBobWC, proveRangeAlice, Q5 } from '../../../zk/mta/index.js';
import type { Signature } from '../signature.js';
import {
  commitContext,
  decodeSignRound1Message1,
  decodeSignRound1Message2,
  LABEL,
  MSG,
  mtaContext,
  newSignRound1Message1,
  newSignRound1Message2,
  newSignRound2Message,
  type SignCommitment,
  type SignR1P2P,
  verifySignRound1Message1,
} from './messages.js';
import { contextOf, need, posOf, type SignInput, type SignState } from './state.js';

const q = CURVE_ORDER;

/** Draws the round-1 secrets and produces the round-1 messages. */
export function start(input: SignInput, _rctx: RoundContext): StartResult<SignState> {
  const { state, context: ctx } = input;
  const me = ctx.signers[state.pos]!;
  const k = randomInRange(1n, q);
  const gamma = randomInRange(1n, q);
  const Gamma = mulG(gamma);
  const cmt = hashCommitPoints(commitContext(ctx, state.pos, LABEL.gamma), [Gamma]);
  const { c, r } = encrypt(me.paillier, k);
  const outgoing: OutMsg[] = [];
  ctx.signers.forEach((peer, j) => {
    if (j === state.pos) return;
    const proof = proveRangeAlice(
      mtaContext(ctx, state.pos),
      me.paillier,
      peer.ringPedersen,
      c,
      k,
      r,
    );
    outgoing.push({ type: MSG.r1p2p, to: peer.id, payload: newSignRound1Message1(c, proof) });
  });
  outgoing.push({ type: MSG.r1bc, payload: newSignRound1Message2(cmt.commitment) });
  return {
    state: {
      ...state,
      k,
      gamma,
      cA: c,
      gammaPoint: Gamma.toBytes(true),
      gammaDecommit: cmt.decommitment,
    },
    outgoing,
  };
}

/** Round 1: Alice's ciphertexts (verified) and the Γ commitments; then Bob's MtA replies. */
export const round1: RoundDef<SignState, Signature> = {
  messages: [
    { type: MSG.r1p2p, broadcast: false },
    { type: MSG.r1bc, broadcast: true },
  ],
  decode: (type, payload) =>
    type === MSG.r1p2p ? decodeSignRound1Message1(payload) : decodeSignRound1Message2(payload),
  verify: (type, msg, from, state) => {
    if (type !== MSG.r1p2p) return;
    verifySignRound1Message1(contextOf(state), posOf(state, from), state.pos, msg as SignR1P2P);
  },
  finalize: (state, inbox) => {
    const ctx = contextOf(state);
    const gamma = need(state.gamma, 'gamma');
    const w = need(state.w, 'w');
    const betas = new Map<string, bigint>();
    const nus = new Map<string, bigint>();
    const gammaCommits = new Map<string, bigint>();
    const outgoing: OutMsg[] = [];
    const pc = mtaContext(ctx, state.pos);
    for (const from of inbox.senders) {
      const alice = ctx.signers[posOf(state, from)]!;
      const pk = alice.paillier;
      const cA = inbox.get<SignR1P2P>(MSG.r1p2p, from).c;
      gammaCommits.set(from, inbox.get<SignCommitment>(MSG.r1bc, from).commitment);
      // MtA (γ_i): c1 = cA^γ·Enc(β′), β = −β′.
      const b1 = randomBelow(Q5);
      const e1 = encrypt(pk, b1);
      const c1 = add(pk, mulScalar(pk, cA, gamma), e1.c);
      const proofBob = proveBob(pc, pk, alice.ringPedersen, cA, c1, gamma, b1, e1.r);
      // MtAwc (w_i): c2 = cA^w·Enc(ν′), ν = −ν′, checked against W_i.
      const b2 = randomBelow(Q5);
      const e2 = encrypt(pk, b2);
      const c2 = add(pk, mulScalar(pk, cA, w), e2.c);
      const proofBobWC = proveBobWC(pc, pk, alice.ringPedersen, cA, c2, w, b2, e2.r);
      betas.set(from, (q - (b1 % q)) % q);
      nus.set(from, (q - (b2 % q)) % q);
      outgoing.push({
        type: MSG.r2,
        to: from,
        payload: newSignRound2Message({ c1, c2, proofBob, proofBobWC }),
      });
    }
    return { state: { ...state, betas, nus, gammaCommits }, outgoing };
  },
};
