/**
 * Round 7: release or blame. In the normal case nobody sends anything (no expected senders) and
 * the presignature built in round 6 is output. In blame mode every peer's reveal is checked as
 * it arrives (a bad reveal names its sender), and once all are in, the culprits are computed
 * (blame.ts) and the party aborts with a {@link PeerError} naming them.
 * @module
 */
import { PeerError } from '../../../errors.js';
import type { RoundDef } from '../../../party/types.js';
import { need } from '../sign-gg18/state.js';
import { culprits, verifyReveal } from './blame.js';
import { decodePresignReveal, MSG, type PresignReveal } from './messages.js';
import type { Presignature } from './presignature.js';
import { type PresignState, suspects } from './state.js';

/** Round 7: the presignature, or the blame. */
export const round7: RoundDef<PresignState, Presignature> = {
  messages: [{ type: MSG.r7, broadcast: true }],
  senders: (state, ctx) => (state.blame === undefined ? [] : ctx.others),
  decode: (_type, payload, _from, state) => decodePresignReveal(payload, state.signers.length - 1),
  verify: (_type, msg, from, state) => verifyReveal(state, from, msg as PresignReveal),
  finalize: (state, inbox, rctx) => {
    if (state.blame === undefined) return { state, output: need(state.result, 'result') };
    const found = culprits(state, inbox.all<PresignReveal>(MSG.r7));
    const what =
      state.blame === 'delta'
        ? 'Σ R̄_j ≠ G (or δ = 0): δ_j inconsistent with the revealed MtA values'
        : 'Σ S_j ≠ y: σ_j inconsistent with the revealed MtAwc values';
    if (found.length === 0) throw suspects(rctx, `${what}; no single signer could be blamed`);
    throw new PeerError({
      code: 'CONSISTENCY_CHECK_FAILED',
      message: what,
      culprits: found,
      round: rctx.round,
      sessionId: rctx.sessionId,
    });
  },
};
