/**
 * Round 5 (tss-lib `round_6.go`): collect the (V_j, A_j) commitments; then open ours with a
 * Schnorr proof of ρ_i (A_i = ρ_i·G) and a proof of (s_i, l_i) with V_i = s_i·R + l_i·G
 * (SignRound6Message).
 * @module
 */
import { pointFromBytes } from '../../../math/curve.js';
import type { RoundDef } from '../../../party/types.js';
import { proveSchnorr, proveSchnorrV } from '../../../zk/schnorr.js';
import type { Signature } from '../signature.js';
import {
  decodeSignRound5Message,
  LABEL,
  MSG,
  newSignRound6Message,
  type SignCommitment,
  schnorrContext,
} from './messages.js';
import { contextOf, need, type SignState } from './state.js';

/** Round 5: the (V_j, A_j) commitments; then open (V_i, A_i) with proofs. */
export const round5: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r5, broadcast: true }],
  decode: (_type, payload) => decodeSignRound5Message(payload),
  finalize: (state, inbox) => {
    const ctx = contextOf(state);
    const vaCommits = new Map<string, bigint>();
    for (const [from, m] of inbox.all<SignCommitment>(MSG.r5)) vaCommits.set(from, m.commitment);
    const R = pointFromBytes(need(state.R, 'R'));
    const proofA = proveSchnorr(schnorrContext(ctx, state.pos, LABEL.a), need(state.rhoi, 'rhoi'));
    const proofV = proveSchnorrV(
      schnorrContext(ctx, state.pos, LABEL.v),
      R,
      need(state.si, 'si'),
      need(state.li, 'li'),
    );
    return {
      state: { ...state, vaCommits },
      outgoing: [
        {
          type: MSG.r6,
          payload: newSignRound6Message({
            decommitment: need(state.vaDecommit, 'vaDecommit'),
            proofA,
            proofV,
          }),
        },
      ],
    };
  },
};
