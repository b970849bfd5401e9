/**
 * Round 8 (tss-lib `round_9.go`): each (U_j, T_j) opening is checked as it arrives (exactly
 * two valid points: tss-lib indexes the opened list unchecked and can panic here). Then the
 * phase-5 check Σ U_j = Σ T_j, which holds exactly when Σ s_j is a valid signature share sum
 * for R; only after it passes do we reveal s_i (SignRound9Message) and, in the native profile,
 * the mask l_i (SignRound9Reveal) so that every s_j can be checked on its own.
 * @module
 */
import type { Point } from '../../../math/curve.js';
import type { OutMsg, RoundDef } from '../../../party/types.js';
import type { Signature } from '../signature.js';
import {
  decodeSignRound8Message,
  decommittedPoints,
  MSG,
  newSignRound9Message,
  newSignRound9Reveal,
  verifySignRound8Message,
} from './messages.js';
import { contextOf, need, posOf, type SignState, suspectsError, without } from './state.js';

/** Round 8: (U_j, T_j) openings; the phase-5 check; then s_i. */
export const round8: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r8, broadcast: true }],
  decode: (_type, payload) => decodeSignRound8Message(payload),
  verify: (_type, msg, from, state) => {
    const commitment = need(need(state.utCommits, 'utCommits').get(from), 'commitment');
    verifySignRound8Message(
      contextOf(state),
      posOf(state, from),
      commitment,
      msg as { decommitment: bigint[] },
    );
  },
  finalize: (state, inbox, rctx) => {
    let [U, T] = decommittedPoints(need(state.utDecommit, 'utDecommit'), 2, 'U-T') as [
      Point,
      Point,
    ];
    for (const msg of inbox.all<{ decommitment: bigint[] }>(MSG.r8).values()) {
      const [Uj, Tj] = decommittedPoints(msg.decommitment, 2, 'U-T');
      U = U.add(Uj!);
      T = T.add(Tj!);
    }
    if (!U.equals(T)) {
      throw suspectsError(rctx, 'phase-5 check failed: Σ U_j ≠ Σ T_j (s_i is not revealed)');
    }
    const outgoing: OutMsg[] = [
      { type: MSG.r9, payload: newSignRound9Message(need(state.si, 'si')) },
    ];
    if (state.profile === 'native') {
      outgoing.push({ type: MSG.r9reveal, payload: newSignRound9Reveal(need(state.li, 'li')) });
    }
    return { state: without(state, 'utCommits', 'utDecommit'), outgoing };
  },
};
