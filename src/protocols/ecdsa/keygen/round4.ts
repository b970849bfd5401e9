/**
 * Keygen round 4 (tss-lib `round_4.go`): check every peer's round-3 proofs and save the key
 * share.
 *
 * Checks, as each message arrives: the Paillier-key proof of the sender's N, bound to its party
 * key and the group public key; in the native profile, the Schnorr proof of knowledge of u_j for
 * the sender's V_0, bound to the ssid and its position (SECURITY.md item 9).
 *
 * The output is validated once more as a whole ({@link validateKeyShare}) before it is released;
 * the engine's confirmation round then makes every party wait until all parties have reached
 * this point with the same view of the round-3 broadcasts.
 * @module
 */
import { VerifyError } from '../../../errors.js';
import {
  KEY_SHARE_VERSION,
  type KeyShare,
  type KeyShareParty,
  validateKeyShare,
} from '../../../keyshare.js';
import { bytesToHex } from '../../../math/bigint.js';
import { type Point, pointFromBytes } from '../../../math/curve.js';
import type { MessageSpec, RoundDef } from '../../../party/types.js';
import type { SchnorrProof } from '../../../zk/schnorr.js';
import {
  decodeRound3,
  decodeSchnorr,
  type Round3Message,
  verifyRound3,
  verifySchnorrMessage,
} from './messages.js';
import { type KeygenState, MSG, paillierCtx, positionOf, schnorrCtx } from './types.js';

function pubOf(state: KeygenState): Point {
  if (state.pub === undefined) throw new VerifyError('UNEXPECTED_MESSAGE', 'round-2 data missing');
  return pointFromBytes(state.pub, 'public key');
}

/** Builds and validates this party's {@link KeyShare} from the final state. */
export function buildKeyShare(state: KeygenState): KeyShare {
  const { ids, keys, me, params, bigX, pub, xi, pre } = state;
  if (params === undefined || bigX === undefined || pub === undefined || xi === undefined) {
    throw new VerifyError('UNEXPECTED_MESSAGE', 'keygen state is incomplete');
  }
  const y = pointFromBytes(pub, 'public key');
  const parties: KeyShareParty[] = ids.map((id, j) => ({
    id,
    index: keys[j]!,
    publicShare: bytesToHex(bigX[j]!),
    paillierN: params[j]!.paillierN,
    ntilde: params[j]!.ntilde,
    h1: params[j]!.h1,
    h2: params[j]!.h2,
  }));
  parties.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const share: KeyShare = {
    version: KEY_SHARE_VERSION,
    curve: 'secp256k1',
    minSigners: state.t + 1,
    self: ids[me]!,
    parties,
    publicKey: {
      compressed: bytesToHex(y.toBytes(true)),
      uncompressed: bytesToHex(y.toBytes(false)),
    },
    secret: {
      xi,
      paillier: { p: pre.paillierP, q: pre.paillierQ },
      ntilde: {
        sophieGermainP: pre.sophieGermainP,
        sophieGermainQ: pre.sophieGermainQ,
        alpha: pre.alpha,
        beta: pre.beta,
      },
    },
  };
  validateKeyShare(share);
  return share;
}

/** Round-3 RoundDef shared by both profiles; `messages` differs. */
function round3(messages: readonly MessageSpec[]): RoundDef<KeygenState, KeyShare> {
  return {
    messages,
    decode(type, payload) {
      return type === MSG.r3 ? decodeRound3(payload) : decodeSchnorr(payload);
    },
    verify(type, msg, from, state) {
      const j = positionOf(state, from);
      if (type === MSG.r3) {
        const N = state.params?.[j]?.paillierN;
        if (N === undefined) throw new VerifyError('UNEXPECTED_MESSAGE', 'round-1 data missing');
        verifyRound3(paillierCtx(state, j), N, pubOf(state), msg as Round3Message);
      } else {
        const v0 = state.v0?.[j];
        if (v0 === undefined) throw new VerifyError('UNEXPECTED_MESSAGE', 'round-2 data missing');
        verifySchnorrMessage(schnorrCtx(state, j), pointFromBytes(v0, 'V_0'), msg as SchnorrProof);
      }
    },
    finalize(state) {
      return { state, output: buildKeyShare(state) };
    },
  };
}

/** Round 3 of the `tss-lib` profile: `KGRound3Message` only. */
export const keygenRound3TssLib = round3([{ type: MSG.r3, broadcast: true }]);

/** Round 3 of the `native` profile: `KGRound3Message` and `KGRound3Schnorr`. */
export const keygenRound3Native = round3([
  { type: MSG.r3, broadcast: true },
  { type: MSG.r3Schnorr, broadcast: true },
]);
