/**
 * GG20 presigning: input preparation and the serializable party state.
 *
 * Preparation reuses GG18's: `prepareSign` (sign-gg18/state.ts) validates the key share and the
 * signer set, sorts the signers by index, computes the Lagrange-weighted points W_j and our
 * additive share w_i. Two things differ for GG20 and are patched here (see the report on
 * `prepareSession`): there is no message yet, and the ssid must name the `gg20` protocol. We
 * call `prepareSign` with a placeholder message (never used by presigning) and replace its ssid
 * by the native GG20 presigning ssid ({@link nativeSigningSsid} with `protocol: 'gg20'` and no
 * message hash). The state type extends GG18's {@link SignState}, so GG18's context, key-cache
 * and message helpers apply to it unchanged.
 *
 * The state holds secrets (k_i, γ_i, w_i, σ_i, l_i, the Paillier factors and nonce): party
 * snapshots must be encrypted at rest. Each round drops what it no longer needs.
 * @module
 */
import { LocalError, PeerError } from '../../../errors.js';
import { hashItems } from '../../../hash/transcript.js';
import type { KeyShare } from '../../../keyshare.js';
import { hexToBytes } from '../../../math/bigint.js';
import { pointFromBytes } from '../../../math/curve.js';
import type { RoundContext } from '../../../party/types.js';
import { contextOf, prepareSign, type SignState, sessionNonce } from '../sign-gg18/state.js';
import { nativeSigningSsid } from '../ssid.js';
import type { Presignature } from './presignature.js';

/** Options of `createPresignParty`. */
export interface PresignPartyOptions {
  /** Our party id; must equal `keyShare.self`. */
  readonly self: string;
  /** The signers the presignature is for (at least `keyShare.minSigners`, including `self`). */
  readonly signers: readonly string[];
  /** Our key share. */
  readonly keyShare: KeyShare;
  /**
   * Session id: fresh and unguessable (e.g. 16 random bytes, hex), agreed by all signers. It
   * becomes the presignature's id; its SHA-256 is the ssid's session nonce.
   */
  readonly sessionId: string;
  /** Key id under which the presignature goes in the pool; default the compressed public key. */
  readonly keyId?: string;
}

/** Blame mode, once a consistency check failed (see blame.ts). */
export type BlameMode = 'delta' | 'sigma';

/** The serializable state of a presigning party (GG18's fields plus GG20's). */
export interface PresignState extends SignState {
  /** Our party id. */
  readonly self: string;
  /** Presignature id (the session id). */
  readonly id: string;
  readonly keyId: string;
  readonly chainCode?: Uint8Array;
  /** Paillier nonce of our c_i (secret; revealed only in a blame round). */
  readonly rho?: bigint;
  /** Every peer's c_j, as received (round 1). */
  readonly peerC?: ReadonlyMap<string, bigint>;
  /** Digest of the (c1, c2) we sent each Alice as Bob (round 1). */
  readonly sentDigests?: ReadonlyMap<string, Uint8Array>;
  /** The (c1, c2) each Bob sent us (round 2). */
  readonly recvMta?: ReadonlyMap<string, readonly [bigint, bigint]>;
  /** Pedersen mask l_i of T_i (secret). */
  readonly l?: bigint;
  /** Our T_i. */
  readonly T?: Uint8Array;
  /** Every peer's δ_j and T_j, and each Bob's digests per Alice (round 3). */
  readonly deltas?: ReadonlyMap<string, bigint>;
  readonly Ts?: ReadonlyMap<string, Uint8Array>;
  readonly bobDigests?: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;
  /** Every signer's Γ_j, ours included (round 4). */
  readonly Gammas?: ReadonlyMap<string, Uint8Array>;
  /** Every signer's R̄_j and S_j, ours included (rounds 5, 6). */
  readonly Rbars?: ReadonlyMap<string, Uint8Array>;
  readonly Ss?: ReadonlyMap<string, Uint8Array>;
  /** Set once a consistency check failed: the parties reveal and blame in round 7. */
  readonly blame?: BlameMode;
  /** Our own reveal's plaintexts mod q, by Bob (blame only). */
  readonly ownReveal?: ReadonlyMap<string, bigint>;
  /** The presignature, once Σ S_j = y (released by round 7). */
  readonly result?: Presignature;
}

/** What `start` receives. */
export interface PresignInput {
  readonly state: PresignState;
}

/** The placeholder message handed to GG18's `prepareSign` (presigning has no message). */
const NO_MESSAGE = new Uint8Array(32);

/**
 * Validates the options and builds the initial state.
 * @throws {@link LocalError} `INVALID_ARGUMENT` or `INVALID_KEY_SHARE` (from `prepareSign`).
 */
export function preparePresign(opts: PresignPartyOptions): PresignInput {
  if (typeof opts !== 'object' || opts === null) {
    throw new LocalError('INVALID_ARGUMENT', 'presign options must be an object');
  }
  if (
    (opts as { profile?: unknown }).profile !== undefined &&
    (opts as { profile?: unknown }).profile !== 'native'
  ) {
    throw new LocalError(
      'UNSUPPORTED',
      'GG20 runs in the native profile only (tss-lib has no GG20)',
    );
  }
  const { state } = prepareSign({
    self: opts.self,
    signers: opts.signers,
    keyShare: opts.keyShare,
    sessionId: opts.sessionId,
    messageHash: NO_MESSAGE,
    profile: 'native',
  });
  const ks = opts.keyShare;
  const ssid = nativeSigningSsid({
    protocol: 'gg20',
    parties: state.signers.map((s) => ({
      id: s.id,
      index: s.index,
      X: pointFromBytes(s.X),
      paillierN: s.paillierN,
      nTilde: s.ntilde,
      h1: s.h1,
      h2: s.h2,
    })),
    threshold: ks.minSigners - 1,
    publicKey: pointFromBytes(state.publicKey),
    nonce: sessionNonce(opts.sessionId),
  });
  const keyId = opts.keyId ?? ks.publicKey.compressed;
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 256) {
    throw new LocalError('INVALID_ARGUMENT', '"keyId" must be 1..256 characters');
  }
  return {
    state: {
      ...state,
      ssid,
      self: opts.self,
      id: opts.sessionId,
      keyId,
      ...(ks.chainCode === undefined ? {} : { chainCode: hexToBytes(ks.chainCode) }),
    },
  };
}

/** The GG18 context of a presign state (ssid, signers, keys), cached per state object. */
export function ctxOf(state: PresignState): ReturnType<typeof contextOf> {
  return contextOf(state);
}

/** Copy of `state` without the listed fields. */
export function drop<K extends keyof PresignState>(
  state: PresignState,
  ...keys: K[]
): PresignState {
  const out: Record<string, unknown> = { ...state };
  for (const k of keys) delete out[k as string];
  return out as unknown as PresignState;
}

/** Ids of the signers other than us, in signer (index) order. */
export function peersOf(state: PresignState): string[] {
  return state.signers.filter((_, j) => j !== state.pos).map((s) => s.id);
}

/**
 * Digest of the MtA ciphertexts Bob `bob` sent Alice `alice` (positions), broadcast by Bob in
 * round 3 so that everyone can later check Alice's reveal against what Bob really sent.
 */
export function mtaDigest(
  ssid: Uint8Array,
  bob: number,
  alice: number,
  c1: bigint,
  c2: bigint,
): Uint8Array {
  return hashItems('mpc-tss/ecdsa/presign-gg20/mta/v1', [
    ['ssid', ssid],
    ['bob', bob],
    ['alice', alice],
    ['c1', c1],
    ['c2', c2],
  ]);
}

/** Digest of a signer's round-1 ciphertext c_i, broadcast so every peer holds the same c_i. */
export function cDigest(ssid: Uint8Array, sender: number, c: bigint): Uint8Array {
  return hashItems('mpc-tss/ecdsa/presign-gg20/c/v1', [
    ['ssid', ssid],
    ['sender', sender],
    ['c', c],
  ]);
}

/** A check failed and cannot be attributed: every other signer is a suspect. */
export function suspects(rctx: RoundContext, message: string): PeerError {
  return new PeerError({
    code: 'CONSISTENCY_CHECK_FAILED',
    message,
    culprits: rctx.others,
    round: rctx.round,
    sessionId: rctx.sessionId,
  });
}
