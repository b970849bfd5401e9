/**
 * Round 4 (GG20 phases 4 and 5): each Γ_j opening is checked against its round-1 commitment,
 * with its Schnorr proof (GG18's validator), as it arrives. Then R = δ⁻¹·Σ Γ_j (R ≠ identity,
 * r ≠ 0), and R̄_i = k_i·R, broadcast (`gg20/r5`) and sent to each peer with a PDL-with-slack
 * proof, under that peer's Ñ, that R̄_i hides the k_i of our round-1 ciphertext (`gg20/r5-pdl`).
 * In blame mode (δ = 0) nothing is sent until the reveal.
 * @module
 */
import { CURVE_ORDER, pointFromBytes } from '../../../math/curve.js';
import type { OutMsg, RoundDef } from '../../../party/types.js';
import { provePdl } from '../../../zk/pdl.js';
import {
  decodeSignRound4Message,
  decommittedPoints,
  type SignR4,
  verifySignRound4Message,
} from '../sign-gg18/messages.js';
import { need, ownPaillierKey, posOf } from '../sign-gg18/state.js';
import { LABEL, MSG, newPresignR5, newPresignR5Pdl, proofContext } from './messages.js';
import type { Presignature } from './presignature.js';
import { ctxOf, drop, type PresignState, suspects } from './state.js';

const q = CURVE_ORDER;

/** Round 4: Γ_j openings; then R, R̄_i and the PDL proofs. */
export const round4: RoundDef<PresignState, Presignature> = {
  messages: [{ type: MSG.r4, broadcast: true }],
  decode: (_type, payload) => decodeSignRound4Message(payload),
  verify: (_type, msg, from, state) => {
    const commitment = need(need(state.gammaCommits, 'gammaCommits').get(from), 'commitment');
    verifySignRound4Message(ctxOf(state), posOf(state, from), commitment, msg as SignR4);
  },
  finalize: (state, inbox, rctx) => {
    const own = pointFromBytes(need(state.gammaPoint, 'gammaPoint'));
    const Gammas = new Map<string, Uint8Array>([[state.self, own.toBytes(true)]]);
    let Gamma = own;
    for (const [from, msg] of inbox.all<SignR4>(MSG.r4)) {
      const G = decommittedPoints(msg.decommitment, 1, 'Gamma')[0]!;
      Gammas.set(from, G.toBytes(true));
      Gamma = Gamma.add(G);
    }
    const next = { ...drop(state, 'gammaCommits', 'gammaPoint'), Gammas };
    if (state.blame !== undefined) return { state: next, outgoing: [] };
    if (Gamma.is0()) throw suspects(rctx, 'Σ Γ_j is the identity');
    const R = Gamma.multiplyUnsafe(need(state.deltaInv, 'deltaInv')); // δ is public
    if (R.toAffine().x % q === 0n) throw suspects(rctx, 'r = R.x mod q is 0');
    const k = need(state.k, 'k');
    const Rbar = R.multiply(k);
    const ctx = ctxOf(state);
    const pk = ownPaillierKey(state).publicKey;
    const cA = need(state.cA, 'cA');
    const rho = need(state.rho, 'rho');
    const outgoing: OutMsg[] = [{ type: MSG.r5, payload: newPresignR5(Rbar) }];
    ctx.signers.forEach((peer, j) => {
      if (j === state.pos) return;
      const proof = provePdl(
        proofContext(ctx, state.pos, LABEL.Rbar),
        pk,
        peer.ringPedersen,
        cA,
        R,
        Rbar,
        k,
        rho,
      );
      outgoing.push({ type: MSG.r5pdl, to: peer.id, payload: newPresignR5Pdl(Rbar, proof) });
    });
    return {
      state: {
        ...drop(next, 'deltaInv'),
        R: R.toBytes(true),
        Rbars: new Map([[state.self, Rbar.toBytes(true)]]),
      },
      outgoing,
    };
  },
};
