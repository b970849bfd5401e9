/**
 * Round 3 (GG20 phases 3 and 4): each δ_j arrives with T_j and the proof of its opening, and
 * with Bob j's digest of the MtA ciphertexts he sent us, which must match what we received
 * (checked as each message arrives). Then δ = Σ δ_j.
 *
 * δ = 0 means some δ_j is wrong (an honest run gives δ = k·γ ≠ 0); tss-lib would invert it and
 * crash. We do not stop here: we still open Γ_i (round 4), so that the blame round can check
 * every δ_j against k·Γ_j, and switch to blame mode (SECURITY.md item 11). Otherwise we open Γ_i
 * with a Schnorr proof of γ_i (GG18's `SignRound4Message`).
 * @module
 */
import { CURVE_ORDER, invQ } from '../../../math/curve.js';
import type { RoundDef } from '../../../party/types.js';
import { proveSchnorr } from '../../../zk/schnorr.js';
import {
  LABEL as GG18_LABEL,
  newSignRound4Message,
  schnorrContext,
} from '../sign-gg18/messages.js';
import { need, posOf } from '../sign-gg18/state.js';
import { decodePresignR3, MSG, type PresignR3, verifyPresignR3 } from './messages.js';
import type { Presignature } from './presignature.js';
import { ctxOf, drop, mtaDigest, type PresignState } from './state.js';

const q = CURVE_ORDER;

/** Round 3: δ_j, T_j and the MtA digests; then open Γ_i. */
export const round3: RoundDef<PresignState, Presignature> = {
  messages: [{ type: MSG.r3, broadcast: true }],
  decode: (_type, payload, _from, state) => decodePresignR3(payload, state.signers.length - 1),
  verify: (_type, msg, from, state) => {
    const received = need(need(state.recvMta, 'recvMta').get(from), 'recvMta[from]');
    verifyPresignR3(
      ctxOf(state),
      posOf(state, from),
      state.pos,
      msg as PresignR3,
      received,
      (b, a, c1, c2) => mtaDigest(state.ssid, b, a, c1, c2),
    );
  },
  finalize: (state, inbox) => {
    let delta = need(state.delta, 'delta');
    const deltas = new Map<string, bigint>();
    const Ts = new Map<string, Uint8Array>();
    const bobDigests = new Map<string, ReadonlyMap<string, Uint8Array>>();
    for (const [from, msg] of inbox.all<PresignR3>(MSG.r3)) {
      delta = (delta + msg.delta) % q;
      deltas.set(from, msg.delta);
      Ts.set(from, msg.T);
      const alices = state.signers.filter((s) => s.id !== from).map((s) => s.id);
      bobDigests.set(from, new Map(alices.map((a, i) => [a, msg.digests[i]!])));
    }
    const ctx = ctxOf(state);
    const proof = proveSchnorr(
      schnorrContext(ctx, state.pos, GG18_LABEL.gamma),
      need(state.gamma, 'gamma'),
    );
    const next = { ...drop(state, 'gamma', 'gammaDecommit'), deltas, Ts, bobDigests };
    return {
      state:
        delta === 0n ? { ...next, blame: 'delta' as const } : { ...next, deltaInv: invQ(delta) },
      outgoing: [
        {
          type: MSG.r4,
          payload: newSignRound4Message(need(state.gammaDecommit, 'gammaDecommit'), proof),
        },
      ],
    };
  },
};
