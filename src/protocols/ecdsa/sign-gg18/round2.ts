/**
 * Round 2 (the Alice half of tss-lib `round_3.go`): Bob's proofs are verified as each reply
 * arrives; then we decrypt α_ij (MtA) and μ_ij (MtAwc) and compute
 * δ_i = k_i·γ_i + Σ_j (α_ij + β_ij) and σ_i = k_i·w_i + Σ_j (μ_ij + ν_ij) (mod q), and
 * broadcast δ_i (SignRound3Message).
 * @module
 */
import { CURVE_ORDER } from '../../../math/curve.js';
import { decrypt } from '../../../paillier/paillier.js';
import type { RoundDef } from '../../../party/types.js';
import type { Signature } from '../signature.js';
import {
  decodeSignRound2Message,
  MSG,
  newSignRound3Message,
  type SignR2,
  verifySignRound2Message,
} from './messages.js';
import { contextOf, need, ownPaillierKey, posOf, type SignState, without } from './state.js';

const q = CURVE_ORDER;

/** Round 2: Bob's replies; then δ_i. */
export const round2: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r2, broadcast: false }],
  decode: (_type, payload) => decodeSignRound2Message(payload),
  verify: (_type, msg, from, state) => {
    verifySignRound2Message(
      contextOf(state),
      posOf(state, from),
      state.pos,
      need(state.cA, 'cA'),
      msg as SignR2,
    );
  },
  finalize: (state, inbox) => {
    const k = need(state.k, 'k');
    const w = need(state.w, 'w');
    const betas = need(state.betas, 'betas');
    const nus = need(state.nus, 'nus');
    const sk = ownPaillierKey(state);
    let delta = (k * need(state.gamma, 'gamma')) % q;
    let sigma = (k * w) % q;
    for (const from of inbox.senders) {
      const msg = inbox.get<SignR2>(MSG.r2, from);
      const alpha = decrypt(sk, msg.c1, 'c1') % q;
      const mu = decrypt(sk, msg.c2, 'c2') % q;
      delta = (delta + alpha + need(betas.get(from), 'beta')) % q;
      sigma = (sigma + mu + need(nus.get(from), 'nu')) % q;
    }
    return {
      state: {
        ...without(state, 'betas', 'nus', 'cA', 'paillierP', 'paillierQ'),
        delta,
        sigma,
      },
      outgoing: [{ type: MSG.r3, payload: newSignRound3Message(delta) }],
    };
  },
};
