/**
 * Round 9 (tss-lib `finalize.go`): s = Σ s_j, normalised to low-s with the recovery id flipped
 * to match, and verified against the (derived) public key before it is returned.
 *
 * Native profile: each s_j arrives with its mask l_j and is checked against the V_j it was
 * committed in (s_j·R + l_j·G = V_j), so a wrong share is blamed on its sender. tss-lib sends
 * s_j alone, which cannot be checked on its own: an invalid final signature then names every
 * other signer as a suspect (exact with two signers).
 * @module
 */
import { PeerError } from '../../../errors.js';
import { CURVE_ORDER, pointFromBytes } from '../../../math/curve.js';
import type { MessageSpec, RoundDef } from '../../../party/types.js';
import type { Profile } from '../../../profile.js';
import { finishSignature, type Signature } from '../signature.js';
import {
  decodeSignRound9Message,
  decodeSignRound9Reveal,
  MSG,
  verifySignRound9Reveal,
} from './messages.js';
import { contextOf, need, type SignState, suspectsError } from './state.js';

const q = CURVE_ORDER;

/** Round 9 for a profile (native adds the l_j reveal). */
export function round9(profile: Profile): RoundDef<SignState, Signature> {
  const messages: MessageSpec[] = [{ type: MSG.r9, broadcast: true }];
  if (profile === 'native') messages.push({ type: MSG.r9reveal, broadcast: true });
  return {
    messages,
    decode: (type, payload) =>
      type === MSG.r9 ? decodeSignRound9Message(payload) : decodeSignRound9Reveal(payload),
    finalize: (state, inbox, rctx) => {
      const ctx = contextOf(state);
      const R = pointFromBytes(need(state.R, 'R'));
      const Vs = need(state.Vs, 'Vs');
      let s = need(state.si, 'si');
      const culprits: string[] = [];
      for (const [from, msg] of inbox.all<{ s: bigint }>(MSG.r9)) {
        if (state.profile === 'native') {
          const { l } = inbox.get<{ l: bigint }>(MSG.r9reveal, from);
          try {
            verifySignRound9Reveal(R, pointFromBytes(need(Vs.get(from), 'V_j')), msg.s, l);
          } catch {
            culprits.push(from);
          }
        }
        s = (s + msg.s) % q;
      }
      if (culprits.length > 0) {
        throw new PeerError({
          code: 'SIGNATURE_INVALID',
          message: 'signature share does not match its commitment V_j',
          culprits,
          round: rctx.round,
          sessionId: rctx.sessionId,
        });
      }
      const sig = finishSignature(R, s, state.messageHash, ctx.publicKey);
      if (sig === undefined) {
        throw suspectsError(rctx, 'the aggregated signature does not verify', 'SIGNATURE_INVALID');
      }
      return { state, output: sig };
    },
  };
}
