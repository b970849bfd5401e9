/**
 * Round 4 (tss-lib `round_5.go`): each Γ_j decommitment is checked against its round-1
 * commitment, with its Schnorr proof (SECURITY.md item 11), as it arrives. Then
 * R = δ⁻¹·Σ Γ_j, r = R.x mod q (R ≠ identity, r ≠ 0), our share s_i = m·k_i + r·σ_i, and the
 * phase-5 masks: V_i = s_i·R + l_i·G, A_i = ρ_i·G, committed (SignRound5Message). k_i, w_i and
 * σ_i are dropped from the state here.
 * @module
 */
import { hashCommitPoints } from '../../../hash/commitment.js';
import { CURVE_ORDER, G, mulG, pointFromBytes } from '../../../math/curve.js';
import { randomInRange } from '../../../math/random.js';
import type { RoundDef } from '../../../party/types.js';
import type { Signature } from '../signature.js';
import {
  commitContext,
  decodeSignRound4Message,
  decommittedPoints,
  LABEL,
  MSG,
  newSignRound5Message,
  type SignR4,
  verifySignRound4Message,
} from './messages.js';
import { contextOf, need, posOf, type SignState, suspectsError, without } from './state.js';

const q = CURVE_ORDER;

/** Round 4: Γ_j openings; then R, s_i and the commitment to (V_i, A_i). */
export const round4: RoundDef<SignState, Signature> = {
  messages: [{ type: MSG.r4, broadcast: true }],
  decode: (_type, payload) => decodeSignRound4Message(payload),
  verify: (_type, msg, from, state) => {
    const commitment = need(need(state.gammaCommits, 'gammaCommits').get(from), 'commitment');
    verifySignRound4Message(contextOf(state), posOf(state, from), commitment, msg as SignR4);
  },
  finalize: (state, inbox, rctx) => {
    const ctx = contextOf(state);
    let Gamma = pointFromBytes(need(state.gammaPoint, 'gammaPoint'));
    for (const msg of inbox.all<SignR4>(MSG.r4).values()) {
      Gamma = Gamma.add(decommittedPoints(msg.decommitment, 1, 'Gamma')[0]!);
    }
    if (Gamma.is0()) throw suspectsError(rctx, 'Σ Γ_j is the identity');
    const R = Gamma.multiplyUnsafe(need(state.deltaInv, 'deltaInv'));
    const r = R.toAffine().x % q;
    if (r === 0n) throw suspectsError(rctx, 'r = R.x mod q is 0');
    const si = (ctx.m * need(state.k, 'k') + r * need(state.sigma, 'sigma')) % q;
    const li = randomInRange(1n, q);
    const rhoi = randomInRange(1n, q);
    const Vi = si === 0n ? mulG(li) : R.multiply(si).add(G.multiply(li));
    const Ai = mulG(rhoi);
    const cmt = hashCommitPoints(commitContext(ctx, state.pos, LABEL.va), [Vi, Ai]);
    return {
      state: {
        ...without(state, 'k', 'w', 'sigma', 'deltaInv', 'gammaCommits', 'gammaPoint'),
        R: R.toBytes(true),
        r,
        si,
        li,
        rhoi,
        vaDecommit: cmt.decommitment,
      },
      outgoing: [{ type: MSG.r5, payload: newSignRound5Message(cmt.commitment) }],
    };
  },
};
