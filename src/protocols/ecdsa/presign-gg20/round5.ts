/**
 * Round 5 (GG20 phases 5 and 6): each R̄_j arrives broadcast and, p2p, with its PDL proof under
 * our Ñ against the c_j it sent us (verified as it arrives; the two copies of R̄_j must agree).
 * Then the check Σ R̄_j = G (i.e. R = k⁻¹·G for the k_j of the MtAs). If it fails, some δ_j was
 * wrong: blame mode `delta`, and nothing tied to σ_i is sent. Otherwise S_i = σ_i·R is broadcast
 * with the ST proof tying it to T_i (`gg20/r6`).
 * @module
 */
import { PeerError, VerifyError } from '../../../errors.js';
import { bytesEqual } from '../../../math/bigint.js';
import { G, pointFromBytes } from '../../../math/curve.js';
import type { RoundDef } from '../../../party/types.js';
import { proveSt } from '../../../zk/st.js';
import { need, posOf } from '../sign-gg18/state.js';
import {
  decodePresignR5,
  decodePresignR5Pdl,
  LABEL,
  MSG,
  newPresignR6,
  type PresignR5Pdl,
  proofContext,
  verifyPresignR5Pdl,
} from './messages.js';
import type { Presignature } from './presignature.js';
import { ctxOf, type PresignState } from './state.js';

/** Round 5: R̄_j with PDL proofs; Σ R̄_j = G; then S_i. */
export const round5: RoundDef<PresignState, Presignature> = {
  messages: [
    { type: MSG.r5, broadcast: true },
    { type: MSG.r5pdl, broadcast: false },
  ],
  senders: (state, ctx) => (state.blame === undefined ? ctx.others : []),
  decode: (type, payload) =>
    type === MSG.r5 ? decodePresignR5(payload) : decodePresignR5Pdl(payload),
  verify: (type, msg, from, state) => {
    if (type !== MSG.r5pdl) return;
    const cFrom = need(need(state.peerC, 'peerC').get(from), 'peerC[from]');
    const R = pointFromBytes(need(state.R, 'R'));
    verifyPresignR5Pdl(ctxOf(state), posOf(state, from), state.pos, cFrom, R, msg as PresignR5Pdl);
  },
  finalize: (state, inbox, rctx) => {
    if (state.blame !== undefined) return { state, outgoing: [] };
    const Rbars = new Map(need(state.Rbars, 'Rbars'));
    let sum = pointFromBytes(need(Rbars.get(state.self), 'own Rbar'));
    for (const from of inbox.senders) {
      const bc = inbox.get<{ Rbar: Uint8Array }>(MSG.r5, from);
      const p2p = inbox.get<PresignR5Pdl>(MSG.r5pdl, from);
      if (!bytesEqual(bc.Rbar, p2p.Rbar)) {
        throw PeerError.from(
          new VerifyError('CONSISTENCY_CHECK_FAILED', 'broadcast R̄_j differs from the proven one'),
          from,
          { round: rctx.round, sessionId: rctx.sessionId },
        );
      }
      Rbars.set(from, bc.Rbar);
      sum = sum.add(pointFromBytes(bc.Rbar));
    }
    if (!sum.equals(G)) return { state: { ...state, Rbars, blame: 'delta' }, outgoing: [] };
    const R = pointFromBytes(need(state.R, 'R'));
    const sigma = need(state.sigma, 'sigma');
    const S = R.multiply(sigma);
    const proof = proveSt(
      proofContext(ctxOf(state), state.pos, LABEL.S),
      R,
      sigma,
      need(state.l, 'l'),
      {
        T: pointFromBytes(need(state.T, 'T')),
        S,
      },
    );
    return {
      state: { ...state, Rbars, Ss: new Map([[state.self, S.toBytes(true)]]) },
      outgoing: [{ type: MSG.r6, payload: newPresignR6(S, proof) }],
    };
  },
};
