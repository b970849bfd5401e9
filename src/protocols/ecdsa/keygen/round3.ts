/**
 * Keygen round 3 (tss-lib `round_3.go`): check every peer's round-2 messages, compute our share
 * x_i, every public share X_j and the public key y, and broadcast the Paillier-key proof (plus,
 * in the native profile, the Schnorr proof of knowledge of u_i made in round 1).
 *
 * Checks, as each message arrives (SECURITY.md items 1–3, 9, 14):
 * - `KGRound2Message1`: Π^fac of the sender's N under our own Ñ (mandatory; a missing or short
 *   proof fails decoding); share ∈ [0, q).
 * - `KGRound2Message2`: the decommitment opens the sender's round-1 commitment to exactly t + 1
 *   points on the curve, none the identity; Π^mod for the sender's N (mandatory).
 * Once all have arrived: every share passes the Feldman check against its sender's commitments
 * (a bad share names its sender); no Paillier modulus or Ñ is shared by two parties; y and
 * every X_j are not the identity, x_i ≠ 0.
 * @module
 */
import { PeerError, VerifyError } from '../../../errors.js';
import type { KeyShare } from '../../../keyshare.js';
import { G, IDENTITY, modQ, type Point, pointFromCoords } from '../../../math/curve.js';
import type { Inbox, OutMsg, RoundDef } from '../../../party/types.js';
import { evaluateCommitments, verifyShare } from '../../../vss/feldman.js';
import {
  decodeRound2Decommit,
  decodeRound2Share,
  encodeRound3,
  openRound2Decommit,
  type Round2DecommitMessage,
  type Round2ShareMessage,
  verifyRound2Decommit,
  verifyRound2Share,
} from './messages.js';
import { provePaillierKey } from './paillier-proof.js';
import { commitCtx, type KeygenState, MSG, paillierCtx, positionOf, proofCtx } from './types.js';

function params(state: KeygenState) {
  const p = state.params;
  if (p === undefined) throw new VerifyError('UNEXPECTED_MESSAGE', 'round-1 data missing');
  return p;
}

/** Names every party whose Paillier modulus or Ñ equals another party's (SECURITY.md item 1). */
function checkModuliDistinct(state: KeygenState): void {
  const seen = new Map<bigint, number>();
  const culprits = new Set<string>();
  params(state).forEach((p, j) => {
    for (const v of [p.paillierN, p.ntilde]) {
      const prev = seen.get(v);
      if (prev !== undefined && prev !== j) {
        // Both proved knowledge of the factors (Π^mod, position-bound) or reused an Ñ.
        if (prev !== state.me) culprits.add(state.ids[prev]!);
        if (j !== state.me) culprits.add(state.ids[j]!);
      } else seen.set(v, j);
    }
  });
  if (culprits.size > 0) {
    throw new PeerError({
      code: 'DUPLICATE_PARAMETER',
      message: 'two parties announced the same Paillier modulus or Ñ',
      culprits: [...culprits].sort(),
      round: 2,
    });
  }
}

function consistencyFailure(state: KeygenState, what: string): PeerError {
  // Only possible if a hash commitment was broken: nobody can be singled out.
  return new PeerError({
    code: 'CONSISTENCY_CHECK_FAILED',
    message: what,
    culprits: state.ids.filter((_, j) => j !== state.me),
    round: 2,
  });
}

/** The round-2 RoundDef: receives `KGRound2Message1` and `KGRound2Message2`, produces round 3. */
export const keygenRound2: RoundDef<KeygenState, KeyShare> = {
  messages: [
    { type: MSG.r2Share, broadcast: false },
    { type: MSG.r2Decommit, broadcast: true },
  ],

  decode(type, payload, _from, state) {
    return type === MSG.r2Share
      ? decodeRound2Share(payload)
      : decodeRound2Decommit(payload, state.t);
  },

  verify(type, msg, from, state) {
    const j = positionOf(state, from);
    const peer = params(state)[j]!;
    const ctx = proofCtx(state, j);
    if (type === MSG.r2Share) {
      const pre = state.pre;
      verifyRound2Share(
        ctx,
        peer.paillierN,
        {
          pub: { ntilde: pre.ntilde, h1: pre.h1, h2: pre.h2 },
          secret: {
            p: pre.sophieGermainP,
            q: pre.sophieGermainQ,
            alpha: pre.alpha,
            beta: pre.beta,
          },
        },
        msg as Round2ShareMessage,
      );
    } else {
      verifyRound2Decommit(
        ctx,
        commitCtx(state, j),
        peer.commitment,
        peer.paillierN,
        state.t,
        msg as Round2DecommitMessage,
      );
    }
  },

  finalize(state: KeygenState, inbox: Inbox) {
    const { me, t, ids, keys } = state;
    const all = params(state);
    const myKey = keys[me]!;

    // Feldman check of every share; collect every culprit (tss-lib names them all).
    const vss: Point[][] = [];
    const culprits: string[] = [];
    let xi = state.shares[me]!;
    ids.forEach((id, j) => {
      if (j === me) return;
      const dm = inbox.get<Round2DecommitMessage>(MSG.r2Decommit, id);
      const vs = openRound2Decommit(commitCtx(state, j), all[j]!.commitment, t, dm);
      vss[j] = vs;
      const sm = inbox.get<Round2ShareMessage>(MSG.r2Share, id);
      try {
        verifyShare(sm.share, myKey, vs, t);
      } catch (e) {
        if (!(e instanceof VerifyError)) throw e;
        culprits.push(id);
      }
      xi = modQ(xi + sm.share);
    });
    if (culprits.length > 0) {
      throw new PeerError({
        code: 'SHARE_INVALID',
        message: 'share does not match the sender’s Feldman commitments',
        culprits,
        round: 2,
      });
    }
    checkModuliDistinct(state);

    // Our own commitments (we dealt them; recompute from the decommitment we sent).
    const own: Point[] = [];
    for (let k = 0; k <= t; k++) {
      own.push(pointFromCoords(state.decommit[1 + 2 * k]!, state.decommit[2 + 2 * k]!));
    }
    vss[me] = own;

    // Sum of commitments: Vc[k] = Σ_j V_j[k]; y = Vc[0]; X_j = Σ_k Vc[k]·key_j^k.
    const vc: Point[] = [];
    for (let k = 0; k <= t; k++) {
      let acc = IDENTITY;
      for (const vs of vss) acc = acc.add(vs![k]!);
      vc.push(acc);
    }
    const y = vc[0]!;
    if (y.is0()) throw consistencyFailure(state, 'the public key is the identity');
    if (xi === 0n) throw consistencyFailure(state, 'our share x_i is zero');
    if (vc.some((p) => p.is0())) {
      throw consistencyFailure(state, 'a summed Feldman commitment is the identity');
    }
    const bigX = keys.map((k) => {
      const X = evaluateCommitments(vc, k);
      if (X.is0()) throw consistencyFailure(state, 'a public share is the identity');
      return X;
    });
    if (!G.multiply(xi).equals(bigX[me]!)) {
      // Cannot happen once every Feldman check passed.
      throw consistencyFailure(state, 'our share does not match the public shares');
    }

    const outgoing: OutMsg[] = [
      {
        type: MSG.r3,
        payload: encodeRound3({
          proof: provePaillierKey(
            paillierCtx(state, me),
            state.pre.paillierN,
            state.pre.paillierP,
            state.pre.paillierQ,
            y,
          ),
        }),
      },
    ];
    if (state.schnorr !== undefined) outgoing.push({ type: MSG.r3Schnorr, payload: state.schnorr });

    const next: KeygenState = {
      ...state,
      shares: [],
      decommit: [],
      v0: vss.map((vs) => vs![0]!.toBytes(true)),
      xi,
      bigX: bigX.map((X) => X.toBytes(true)),
      pub: y.toBytes(true),
    };
    delete (next as { schnorr?: Uint8Array }).schnorr;
    return { state: next, outgoing };
  },
};
