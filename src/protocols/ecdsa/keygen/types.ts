/**
 * Keygen state, message type names and per-party proof contexts shared by the round files.
 *
 * Positions: the n parties are sorted by party key / Shamir index (tss-lib `SortPartyIDs`), and
 * position j in that order is "party index j" in tss-lib's sense: it goes into every proof
 * context and every per-position array of the state.
 * @module
 */
import { VerifyError } from '../../../errors.js';
import type { CommitmentContext } from '../../../hash/commitment.js';
import type { Profile } from '../../../profile.js';
import type { ProofContext } from '../../../zk/ring-pedersen.js';
import type { SchnorrContext } from '../../../zk/schnorr.js';
import type { PaillierProofContext } from './paillier-proof.js';

/** Engine message types (the tss-lib message names, plus one native-only message). */
export const MSG = {
  /** Round 1, broadcast: VSS commitment hash, N, Ñ, h1, h2, two DLN proofs. */
  r1: 'KGRound1Message',
  /** Round 2, point-to-point: Feldman share and Π^fac under the recipient's Ñ. */
  r2Share: 'KGRound2Message1',
  /** Round 2, broadcast: decommitment of the Feldman commitments and Π^mod. */
  r2Decommit: 'KGRound2Message2',
  /** Round 3, broadcast: Paillier-key proof. */
  r3: 'KGRound3Message',
  /** Round 3, broadcast, native profile only: Schnorr proof of knowledge of u_i. */
  r3Schnorr: 'KGRound3Schnorr',
} as const;

/** Label binding the native Feldman-commitment hash commitment. */
export const COMMIT_LABEL = 'ecdsa/keygen/vss';
/** Label binding the native Schnorr proof of knowledge of u_i. */
export const SCHNORR_LABEL = 'ecdsa/keygen/u';

/** Public parameters of one party, as announced in round 1. */
export interface PartyParams {
  /** Paillier modulus N_j. */
  readonly paillierN: bigint;
  /** Ring-Pedersen modulus Ñ_j. */
  readonly ntilde: bigint;
  /** h1_j. */
  readonly h1: bigint;
  /** h2_j. */
  readonly h2: bigint;
  /** Hash commitment to party j's Feldman commitments. */
  readonly commitment: bigint;
}

/** Our own pre-params, as plain data in the state (secret). */
export interface OwnPreParams {
  readonly paillierN: bigint;
  readonly paillierP: bigint;
  readonly paillierQ: bigint;
  readonly ntilde: bigint;
  readonly h1: bigint;
  readonly h2: bigint;
  readonly alpha: bigint;
  readonly beta: bigint;
  readonly sophieGermainP: bigint;
  readonly sophieGermainQ: bigint;
}

/**
 * Keygen protocol state. Plain data only (bigints, byte arrays, arrays), so the engine snapshots
 * it as is. Contains secrets (shares, pre-params): snapshots must be encrypted at rest.
 */
export interface KeygenState {
  /** Hashing profile. */
  readonly profile: Profile;
  /** Polynomial degree t = minSigners − 1 (tss-lib `threshold`). */
  readonly t: number;
  /** Party ids by position. */
  readonly ids: readonly string[];
  /** Party keys = Shamir indices by position, in [1, q), ascending. */
  readonly keys: readonly bigint[];
  /** Our position. */
  readonly me: number;
  /** Session id bytes of the profile (tss-lib `getSSID` or the native keygen ssid). */
  readonly ssid: Uint8Array;
  /** Our pre-params. */
  readonly pre: OwnPreParams;
  /** Round 1 → 2: our decommitment [r, V_0.x, V_0.y, …] (public once sent in round 2). */
  readonly decommit: readonly bigint[];
  /**
   * Our Feldman shares f_i(k_j) by position (secret). After round 2 is sent, only our own
   * entry is kept; the others are set to 0.
   */
  readonly shares: readonly bigint[];
  /** Native only: the encoded round-3 Schnorr proof of u_i, made in round 1 (u_i is not kept). */
  readonly schnorr?: Uint8Array;
  /** Round 1 data of every party by position (ours included), set after round 1. */
  readonly params?: readonly PartyParams[];
  /** V_0 of every party (compressed SEC1) by position, set after round 2. */
  readonly v0?: readonly Uint8Array[];
  /** Our final share x_i, set after round 2. */
  readonly xi?: bigint;
  /** X_j = x_j·G by position (compressed SEC1), set after round 2. */
  readonly bigX?: readonly Uint8Array[];
  /** The group public key y (compressed SEC1), set after round 2. */
  readonly pub?: Uint8Array;
}

/** Proof context (DLN, Π^mod, Π^fac) of the prover at `index`. */
export function proofCtx(s: Pick<KeygenState, 'profile' | 'ssid'>, index: number): ProofContext {
  return { profile: s.profile, ssid: s.ssid, prover: index };
}

/** Hash-commitment context of the committer at `index`. */
export function commitCtx(
  s: Pick<KeygenState, 'profile' | 'ssid'>,
  index: number,
): CommitmentContext {
  return { profile: s.profile, ssid: s.ssid, sender: index, label: COMMIT_LABEL };
}

/** Schnorr context of the prover at `index`. */
export function schnorrCtx(
  s: Pick<KeygenState, 'profile' | 'ssid'>,
  index: number,
): SchnorrContext {
  return { profile: s.profile, ssid: s.ssid, prover: index, label: SCHNORR_LABEL };
}

/** Paillier-key proof context of the prover at `index`. */
export function paillierCtx(
  s: Pick<KeygenState, 'profile' | 'ssid' | 'keys'>,
  index: number,
): PaillierProofContext {
  return { profile: s.profile, ssid: s.ssid, prover: index, key: s.keys[index]! };
}

/** The position of peer `from` (the engine already checked membership; this is a guard). */
export function positionOf(state: Pick<KeygenState, 'ids' | 'me'>, from: string): number {
  const j = state.ids.indexOf(from);
  if (j < 0 || j === state.me) throw new VerifyError('UNEXPECTED_MESSAGE', 'unknown sender');
  return j;
}
