/**
 * Round 6 (tss-lib `round_7.go`): each (V_j, A_j) opening and its two proofs are checked as it
 * arrives. Then V = −m·G − r·y + Σ V_j and A = Σ A_j, our U_i = ρ_i·V and T_i = l_i·A,
 * committed (SignRound7Message).
 * @module
 */
import { hashCommitPoints } from '../../../hash/commitment.js';
import { G, pointFromBytes } from '../../../math/curve.js';
import type { RoundDef } from '../../../party/types.js';
import type { Signature } from '../signature.js';
import {
  commitContext,
  decodeSignRound6Message,
  decommittedPoints,
  LABEL,
  MSG,
  newSignRound7Message,
  type SignR6,
  verifySignRound6Message,
} from './messages.js';
import { contextOf, need, posOf, type SignState, suspectsError, without } from './state.js';

/** Round 6: (V_j, A_j) openings with proofs; then the commitment to (U_i, T_i). */
export const round6: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r6, broadcast: true }],
  decode: (_type, payload) => decodeSignRound6Message(payload),
  verify: (_type, msg, from, state) => {
    const commitment = need(need(state.vaCommits, 'vaCommits').get(from), 'commitment');
    const R = pointFromBytes(need(state.R, 'R'));
    verifySignRound6Message(contextOf(state), posOf(state, from), commitment, R, msg as SignR6);
  },
  finalize: (state, inbox, rctx) => {
    const ctx = contextOf(state);
    const [Vi, Ai] = decommittedPoints(need(state.vaDecommit, 'vaDecommit'), 2, 'V-A');
    const Vs = new Map<string, Uint8Array>([[ctx.signers[state.pos]!.id, Vi!.toBytes(true)]]);
    let V = G.multiplyUnsafe(ctx.m)
      .add(ctx.publicKey.multiplyUnsafe(need(state.r, 'r')))
      .negate()
      .add(Vi!);
    let A = Ai!;
    for (const [from, msg] of inbox.all<SignR6>(MSG.r6)) {
      const [Vj, Aj] = decommittedPoints(msg.decommitment, 2, 'V-A');
      Vs.set(from, Vj!.toBytes(true));
      V = V.add(Vj!);
      A = A.add(Aj!);
    }
    if (V.is0() || A.is0()) throw suspectsError(rctx, 'V or A is the identity');
    const Ui = V.multiply(need(state.rhoi, 'rhoi'));
    const Ti = A.multiply(need(state.li, 'li'));
    const cmt = hashCommitPoints(commitContext(ctx, state.pos, LABEL.ut), [Ui, Ti]);
    return {
      state: {
        ...without(state, 'vaCommits', 'vaDecommit', 'rhoi'),
        Vs,
        utDecommit: cmt.decommitment,
      },
      outgoing: [{ type: MSG.r7, payload: newSignRound7Message(cmt.commitment) }],
    };
  },
};
