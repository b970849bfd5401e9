/**
 * Round 2 (the Alice half of GG20 phase 2, and phase 3). This is GG18's round 2 (sign-gg18/
 * round2.ts), reused as is for receiving and checking Bob's replies and for computing
 * δ_i = k_i·γ_i + Σ_j (α_ij + β_ji) and σ_i = k_i·w_i + Σ_j (μ_ij + ν_ji) (mod q). GG20 then
 * differs in what it sends: σ_i is committed in T_i = σ_i·G + l_i·H (H with unknown log, see
 * zk/st.ts), and we broadcast δ_i, T_i with a proof of knowledge of its opening and, as Bob, one
 * digest per Alice of the ciphertexts we sent her (`gg20/r3`). We also keep the ciphertexts Bob
 * sent us (for a blame round). w_i is dropped here.
 * @module
 */

import { CURVE_ORDER } from '../../../math/curve.js';
import { randomInRange } from '../../../math/random.js';
import type { RoundDef } from '../../../party/types.js';
import { pedersenCommit, proveTOpening } from '../../../zk/st.js';
import type { SignR2 } from '../sign-gg18/messages.js';
import { round2 as gg18Round2 } from '../sign-gg18/round2.js';
import { need } from '../sign-gg18/state.js';
import { LABEL, MSG, newPresignR3, proofContext } from './messages.js';
import type { Presignature } from './presignature.js';
import { ctxOf, drop, type PresignState, peersOf } from './state.js';

/** Round 2: Bob's replies (GG18's checks and sums); then δ_i, T_i and our MtA digests. */
export const round2: RoundDef<PresignState, Presignature> = {
  messages: gg18Round2.messages,
  decode: gg18Round2.decode,
  ...(gg18Round2.verify === undefined ? {} : { verify: gg18Round2.verify }),
  finalize: (state, inbox, rctx) => {
    // GG18's finalize is pure: we take its δ_i and σ_i and send our own messages instead.
    const { delta, sigma } = gg18Round2.finalize(state, inbox, rctx).state;
    const recvMta = new Map<string, readonly [bigint, bigint]>();
    for (const from of inbox.senders) {
      const msg = inbox.get<SignR2>(MSG.r2, from);
      recvMta.set(from, [msg.c1, msg.c2]);
    }
    const s = need(sigma, 'sigma');
    const l = randomInRange(1n, CURVE_ORDER);
    const T = pedersenCommit(s, l).toBytes(true);
    const proof = proveTOpening(proofContext(ctxOf(state), state.pos, LABEL.T), s, l);
    const sent = need(state.sentDigests, 'sentDigests');
    const digests = peersOf(state).map((id) => need(sent.get(id), 'digest'));
    const d = need(delta, 'delta');
    return {
      state: { ...drop(state, 'betas', 'nus', 'w'), delta: d, sigma: s, l, T, recvMta },
      outgoing: [{ type: MSG.r3, payload: newPresignR3({ delta: d, T, proof, digests }) }],
    };
  },
};
