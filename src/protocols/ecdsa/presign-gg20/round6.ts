/**
 * Round 6 (GG20 phase 6): each S_j arrives with its ST proof against T_j and R (verified as it
 * arrives; T_j binds σ_j, so a valid S_j is unique and cannot be equivocated). Then the check
 * Σ S_j = y. If it holds, the presignature is complete: it is released by round 7, which has no
 * messages in that case. If it fails (blame mode `sigma`), or if an earlier check put us in blame
 * mode `delta`, we broadcast our reveal (blame.ts).
 * @module
 */
import { IDENTITY, pointFromBytes } from '../../../math/curve.js';
import type { RoundDef } from '../../../party/types.js';
import { need, posOf } from '../sign-gg18/state.js';
import { makeReveal } from './blame.js';
import { decodePresignR6, MSG, type PresignR6, verifyPresignR6 } from './messages.js';
import type { Presignature } from './presignature.js';
import { ctxOf, drop, type PresignState } from './state.js';

/** Round 6: S_j with ST proofs; Σ S_j = y; then the presignature, or the reveal. */
export const round6: RoundDef<PresignState, Presignature> = {
  messages: [{ type: MSG.r6, broadcast: true }],
  senders: (state, ctx) => (state.blame === undefined ? ctx.others : []),
  decode: (_type, payload) => decodePresignR6(payload),
  verify: (_type, msg, from, state) => {
    const T = need(need(state.Ts, 'Ts').get(from), 'T_j');
    const R = pointFromBytes(need(state.R, 'R'));
    verifyPresignR6(ctxOf(state), posOf(state, from), T, R, msg as PresignR6);
  },
  finalize: (state, inbox) => {
    if (state.blame !== undefined) {
      const { outgoing, own } = makeReveal(state, state.blame);
      return { state: { ...state, ownReveal: own }, outgoing };
    }
    const Ss = new Map(need(state.Ss, 'Ss'));
    for (const [from, msg] of inbox.all<PresignR6>(MSG.r6)) Ss.set(from, msg.S);
    let sum = IDENTITY;
    for (const S of Ss.values()) sum = sum.add(pointFromBytes(S));
    if (!sum.equals(pointFromBytes(state.publicKey))) {
      const { outgoing, own } = makeReveal(state, 'sigma');
      return { state: { ...state, Ss, blame: 'sigma', ownReveal: own }, outgoing };
    }
    const Rbars = need(state.Rbars, 'Rbars');
    const result: Presignature = {
      version: 1,
      id: state.id,
      keyId: state.keyId,
      ssid: state.ssid,
      self: state.self,
      signers: state.signers.map((s) => ({
        id: s.id,
        index: s.index,
        Rbar: need(Rbars.get(s.id), 'Rbar'),
        S: need(Ss.get(s.id), 'S'),
      })),
      publicKey: state.publicKey,
      ...(state.chainCode === undefined ? {} : { chainCode: state.chainCode }),
      R: need(state.R, 'R'),
      secret: { k: need(state.k, 'k'), sigma: need(state.sigma, 'sigma') },
    };
    // Everything but the presignature itself is dropped (Paillier nonce, MtA data, masks).
    const keep = drop(
      state,
      'k',
      'sigma',
      'l',
      'rho',
      'cA',
      'peerC',
      'recvMta',
      'sentDigests',
      'bobDigests',
      'deltas',
      'Ts',
      'Gammas',
      'delta',
      'paillierP',
      'paillierQ',
    );
    return { state: { ...keep, result } as PresignState, outgoing: [] };
  },
};
