/**
 * Round 7 (tss-lib `round_8.go`): collect the (U_j, T_j) commitments; then open ours
 * (SignRound8Message).
 * @module
 */
import type { RoundDef } from '../../../party/types.js';
import type { Signature } from '../signature.js';
import {
  decodeSignRound7Message,
  MSG,
  newSignRound8Message,
  type SignCommitment,
} from './messages.js';
import { need, type SignState } from './state.js';

/** Round 7: the (U_j, T_j) commitments; then open (U_i, T_i). */
export const round7: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r7, broadcast: true }],
  decode: (_type, payload) => decodeSignRound7Message(payload),
  finalize: (state, inbox) => {
    const utCommits = new Map<string, bigint>();
    for (const [from, m] of inbox.all<SignCommitment>(MSG.r7)) utCommits.set(from, m.commitment);
    return {
      state: { ...state, utCommits },
      outgoing: [
        { type: MSG.r8, payload: newSignRound8Message(need(state.utDecommit, 'utDecommit')) },
      ],
    };
  },
};
