/**
 * Keygen round 1 (tss-lib `round_1.go` `Start`): draw u_i, deal it with Feldman VSS, commit to
 * the Feldman commitments, and broadcast the commitment with N, Ñ, h1, h2 and the two DLN
 * proofs.
 *
 * Native profile: also prove knowledge of u_i now (Schnorr, bound to the ssid and our position),
 * so u_i itself is never stored; the proof is sent in round 3, once everyone's V_0 is known.
 * @module
 */
import { hashCommitPoints } from '../../../hash/commitment.js';
import { CURVE_ORDER } from '../../../math/curve.js';
import { randomInRange } from '../../../math/random.js';
import type { RoundContext, StartResult } from '../../../party/types.js';
import { splitSecret } from '../../../vss/feldman.js';
import { proveDlnPair } from '../../../zk/dln.js';
import { proveSchnorr } from '../../../zk/schnorr.js';
import { encodeRound1, encodeSchnorr } from './messages.js';
import type { KeygenSetup } from './setup.js';
import { commitCtx, type KeygenState, MSG, proofCtx, schnorrCtx } from './types.js';

/** Runs round 1 for this party and returns the initial state and the round-1 broadcast. */
export function startKeygen(setup: KeygenSetup, _ctx: RoundContext): StartResult<KeygenState> {
  const { profile, t, keys, me, ssid, pre } = setup;
  const base = { profile, ssid };

  // 1. u_i and its Feldman dealing over every party's key (exactly t + 1 commitments).
  let u: bigint | undefined = randomInRange(1n, CURVE_ORDER);
  const { commitments, shares } = splitSecret(u, t, keys);
  const schnorr =
    profile === 'native' ? encodeSchnorr(proveSchnorr(schnorrCtx(base, me), u)) : undefined;
  u = undefined; // u_i is not needed again (tss-lib also discards it here)

  // 2. Commit to the Feldman commitments.
  const cmt = hashCommitPoints(commitCtx(base, me), commitments);

  // 3. DLN proofs for our ring-Pedersen parameters, both directions (CRT with our safe primes).
  const dln = proveDlnPair(proofCtx(base, me), {
    pub: { ntilde: pre.ntilde, h1: pre.h1, h2: pre.h2 },
    secret: { p: pre.sophieGermainP, q: pre.sophieGermainQ, alpha: pre.alpha, beta: pre.beta },
  });

  const payload = encodeRound1({
    commitment: cmt.commitment,
    paillierN: pre.paillierN,
    ntilde: pre.ntilde,
    h1: pre.h1,
    h2: pre.h2,
    dln,
  });
  const state: KeygenState = {
    profile,
    t,
    ids: setup.ids,
    keys,
    me,
    ssid,
    pre,
    decommit: cmt.decommitment,
    shares: shares.map((s) => s.value),
    ...(schnorr ? { schnorr } : {}),
  };
  return { state, outgoing: [{ type: MSG.r1, payload }] };
}
