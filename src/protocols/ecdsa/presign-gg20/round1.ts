/**
 * Round 1 (GG20 phase 1 and the Bob half of phase 2): GG18's round 1 (sign-gg18/round1.ts),
 * reused as is, plus one GG20 check.
 *
 * `start` is GG18's: draw k_i, γ_i; commit to Γ_i (`SignRound1Message2`, broadcast); encrypt
 * k_i once, c_i = Enc(k_i; ρ_i), and send it to each signer with a range proof under that
 * signer's Ñ (`SignRound1Message1`, p2p). GG20 adds a broadcast digest of c_i (`gg20/r1-c`), so
 * that every peer provably holds the same c_i: R̄_i is later proven against it and the blame
 * round opens it. GG18 does not keep ρ_i, which GG20 needs (the PDL witness, the reveal), so we
 * recover it from c_i with our Paillier key.
 *
 * Receiving: range proofs are verified as they arrive (GG18's hook); then each peer's c_j must
 * match its digest, and GG18's finalize acts as Bob for every peer (MtA on γ_i, MtAwc on w_i,
 * with proofs, `SignRound2Message`, p2p). We keep a digest of each pair of ciphertexts we sent,
 * broadcast in round 3.
 * @module
 */
import { PeerError, VerifyError } from '../../../errors.js';
import { bytesEqual } from '../../../math/bigint.js';
import type { RoundContext, RoundDef, StartResult } from '../../../party/types.js';
import { decodeSignRound2Message, type SignR1P2P } from '../sign-gg18/messages.js';
import { round1 as gg18Round1, start as gg18Start } from '../sign-gg18/round1.js';
import { need, ownPaillierKey, posOf } from '../sign-gg18/state.js';
import { recoverNonce } from './blame.js';
import { decodePresignR1, MSG, newPresignR1, type PresignR1 } from './messages.js';
import type { Presignature } from './presignature.js';
import { cDigest, ctxOf, mtaDigest, type PresignInput, type PresignState } from './state.js';

/** GG18's start, plus the digest of c_i and its recovered nonce. */
export function start(input: PresignInput, rctx: RoundContext): StartResult<PresignState> {
  const res = gg18Start({ state: input.state, context: ctxOf(input.state) }, rctx);
  const state = res.state as PresignState; // GG18 spreads our state: the GG20 fields survive
  const c = need(state.cA, 'cA');
  const rho = recoverNonce(ownPaillierKey(state), c, need(state.k, 'k'));
  return {
    state: { ...state, rho },
    outgoing: [
      ...res.outgoing,
      { type: MSG.r1c, payload: newPresignR1({ cDigest: cDigest(state.ssid, state.pos, c) }) },
    ],
  };
}

/** Round 1: GG18's (range proofs, Γ commitments, Bob's replies) plus the c_j digest check. */
export const round1: RoundDef<PresignState, Presignature> = {
  messages: [...gg18Round1.messages, { type: MSG.r1c, broadcast: true }],
  decode: (type, payload, from, state, ctx) =>
    type === MSG.r1c
      ? decodePresignR1(payload)
      : gg18Round1.decode(type, payload, from, state, ctx),
  verify: (type, msg, from, state, ctx) => gg18Round1.verify?.(type, msg, from, state, ctx),
  finalize: (state, inbox, rctx) => {
    const peerC = new Map<string, bigint>();
    for (const from of inbox.senders) {
      const { c } = inbox.get<SignR1P2P>(MSG.r1p2p, from);
      if (
        !bytesEqual(
          inbox.get<PresignR1>(MSG.r1c, from).cDigest,
          cDigest(state.ssid, posOf(state, from), c),
        )
      ) {
        throw PeerError.from(
          new VerifyError(
            'CONSISTENCY_CHECK_FAILED',
            'ciphertext differs from its broadcast digest',
          ),
          from,
          { round: rctx.round, sessionId: rctx.sessionId },
        );
      }
      peerC.set(from, c);
    }
    const res = gg18Round1.finalize(state, inbox, rctx);
    const outgoing = res.outgoing ?? [];
    const sentDigests = new Map<string, Uint8Array>();
    for (const m of outgoing) {
      const { c1, c2 } = decodeSignRound2Message(m.payload);
      const to = need(m.to, 'to');
      sentDigests.set(to, mtaDigest(state.ssid, state.pos, posOf(state, to), c1, c2));
    }
    return { state: { ...(res.state as PresignState), peerC, sentDigests }, outgoing };
  },
};
