/**
 * Keygen round 2 (tss-lib `round_2.go`): check every peer's round-1 broadcast, then send each
 * peer its Feldman share with a Π^fac proof under that peer's Ñ, and broadcast the decommitment
 * with Π^mod.
 *
 * Checks on each round-1 message, as it arrives (SECURITY.md items 1 and 4): bitlen(N) = 2048,
 * N odd; bitlen(Ñ) = 2048; h1, h2 non-trivial units mod Ñ, h1 ≠ h2; both DLN proofs
 * (128 iterations each); and no value equal to one of ours (N, Ñ, h1, h2), which names the
 * sender exactly. Once all have arrived: no Ñ, h1 or h2 repeated between two peers.
 *
 * A Paillier modulus that two peers share is blamed only after round 2, where Π^mod, bound to
 * each prover's position, shows who does not know its factors (the copier); see `round3.ts`.
 * @module
 */
import { PeerError, VerifyError } from '../../../errors.js';
import type { KeyShare } from '../../../keyshare.js';
import type { Inbox, OutMsg, RoundDef } from '../../../party/types.js';
import { proveFac } from '../../../zk/fac.js';
import { proveMod } from '../../../zk/mod.js';
import {
  decodeRound1,
  encodeRound2Decommit,
  encodeRound2Share,
  type Round1Message,
  verifyRound1,
} from './messages.js';
import { type KeygenState, MSG, type PartyParams, positionOf, proofCtx } from './types.js';

/** Throws DUPLICATE_PARAMETER when a peer's round-1 values collide with ours. */
function checkAgainstOwn(state: KeygenState, m: Round1Message): void {
  const own = state.pre;
  const moduli = new Set([own.paillierN, own.ntilde]);
  if (moduli.has(m.paillierN)) {
    throw new VerifyError('DUPLICATE_PARAMETER', 'Paillier modulus N reuses one of ours');
  }
  if (moduli.has(m.ntilde)) throw new VerifyError('DUPLICATE_PARAMETER', 'Ñ reuses one of ours');
  const hs = new Set([own.h1, own.h2]);
  if (hs.has(m.h1) || hs.has(m.h2)) {
    throw new VerifyError('DUPLICATE_PARAMETER', 'h1/h2 reuses one of ours');
  }
}

/**
 * Cross-peer uniqueness of Ñ, h1, h2 (SECURITY.md item 4). Two peers with the same value are
 * both named: a third party cannot tell which copied (in the `tss-lib` profile the DLN proofs
 * carry no session binding and can be replayed; in `native` a copier already failed its DLN
 * check, so a surviving duplicate means both parties know the discrete logs).
 */
function checkPeersDistinct(state: KeygenState, params: readonly PartyParams[]): void {
  const culprits = new Set<string>();
  // Ñ values, then h1/h2 values (one pool: no h may repeat anywhere), peers only.
  for (const pick of [(p: PartyParams) => [p.ntilde], (p: PartyParams) => [p.h1, p.h2]]) {
    const owner = new Map<bigint, number>();
    params.forEach((p, j) => {
      if (j === state.me) return;
      for (const v of pick(p)) {
        const prev = owner.get(v);
        if (prev === undefined) owner.set(v, j);
        else if (prev !== j) culprits.add(state.ids[prev]!).add(state.ids[j]!);
      }
    });
  }
  if (culprits.size > 0) {
    throw new PeerError({
      code: 'DUPLICATE_PARAMETER',
      message: 'two parties announced the same Ñ, h1 or h2',
      culprits: [...culprits].sort(),
      round: 1,
    });
  }
}

/** The round-1 RoundDef: receives `KGRound1Message`, produces round 2. */
export const keygenRound1: RoundDef<KeygenState, KeyShare> = {
  messages: [{ type: MSG.r1, broadcast: true }],

  decode(_type, payload) {
    return decodeRound1(payload);
  },

  verify(_type, msg, from, state) {
    const j = positionOf(state, from);
    const m = msg as Round1Message;
    checkAgainstOwn(state, m);
    verifyRound1(proofCtx(state, j), m);
  },

  finalize(state: KeygenState, inbox: Inbox) {
    const { me, pre } = state;
    const params: PartyParams[] = state.ids.map((id, j) => {
      if (j === me) {
        return {
          paillierN: pre.paillierN,
          ntilde: pre.ntilde,
          h1: pre.h1,
          h2: pre.h2,
          commitment: 0n, // ours is never checked
        };
      }
      const m = inbox.get<Round1Message>(MSG.r1, id);
      return {
        paillierN: m.paillierN,
        ntilde: m.ntilde,
        h1: m.h1,
        h2: m.h2,
        commitment: m.commitment,
      };
    });
    checkPeersDistinct(state, params);

    // Round 2 messages: share + Π^fac to each peer (under its Ñ), decommitment + Π^mod to all.
    const pctx = proofCtx(state, me);
    const outgoing: OutMsg[] = [];
    state.ids.forEach((id, j) => {
      if (j === me) return;
      const peer = params[j]!;
      const fac = proveFac(pctx, pre.paillierN, pre.paillierP, pre.paillierQ, {
        ntilde: peer.ntilde,
        h1: peer.h1,
        h2: peer.h2,
      });
      outgoing.push({
        type: MSG.r2Share,
        to: id,
        payload: encodeRound2Share({ share: state.shares[j]!, fac }),
      });
    });
    const mod = proveMod(pctx, pre.paillierN, pre.paillierP, pre.paillierQ);
    outgoing.push({
      type: MSG.r2Decommit,
      payload: encodeRound2Decommit({ decommitment: state.decommit, mod }),
    });
    // Only our own share is needed from now on.
    const shares = state.shares.map((s, j) => (j === me ? s : 0n));
    return { state: { ...state, params, shares }, outgoing };
  },
};
