/**
 * Round 3 (tss-lib `round_4.go`): δ = Σ δ_j. We require δ ≠ 0 (SECURITY.md item 11): tss-lib
 * inverts it unchecked, so a signer that sends its δ_j last can choose it to cancel the others
 * and crash its peers. The δ_j are masked by the MtA shares and cannot be checked one by one, so
 * the abort names every other signer as a suspect (see docs/signing.md). Then we open Γ_i with a
 * Schnorr proof of γ_i (SignRound4Message).
 * @module
 */
import { CURVE_ORDER, invQ } from '../../../math/curve.js';
import type { RoundDef } from '../../../party/types.js';
import { proveSchnorr } from '../../../zk/schnorr.js';
import type { Signature } from '../signature.js';
import {
  decodeSignRound3Message,
  LABEL,
  MSG,
  newSignRound4Message,
  schnorrContext,
} from './messages.js';
import { contextOf, need, type SignState, suspectsError, without } from './state.js';

const q = CURVE_ORDER;

/** Round 3: the δ_j; then open Γ_i. */
export const round3: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r3, broadcast: true }],
  decode: (_type, payload) => decodeSignRound3Message(payload),
  finalize: (state, inbox, rctx) => {
    let delta = need(state.delta, 'delta');
    for (const theta of inbox.all<{ theta: bigint }>(MSG.r3).values())
      delta = (delta + theta.theta) % q;
    if (delta === 0n) {
      throw suspectsError(rctx, 'δ = Σ δ_j is 0: a signer chose its δ_j to cancel the others');
    }
    const ctx = contextOf(state);
    const proof = proveSchnorr(
      schnorrContext(ctx, state.pos, LABEL.gamma),
      need(state.gamma, 'gamma'),
    );
    return {
      state: { ...without(state, 'delta', 'gamma', 'gammaDecommit'), deltaInv: invQ(delta) },
      outgoing: [
        {
          type: MSG.r4,
          payload: newSignRound4Message(need(state.gammaDecommit, 'gammaDecommit'), proof),
        },
      ],
    };
  },
};
