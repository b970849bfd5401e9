/**
 * GG18 signing: input preparation (validation, Lagrange weights, derivation, ssid), the
 * serializable party state, and the public {@link SignContext} rebuilt from it.
 *
 * The state holds only encodable values (bigint, bytes, strings, maps), so party snapshots need
 * no custom codec. It contains secrets (the Paillier factors, k_i, γ_i, w_i, σ_i, …): snapshots
 * must be encrypted at rest. Each round drops the secrets it no longer needs.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { LocalError, PeerError } from '../../../errors.js';
import type { KeyShare, KeyShareParty } from '../../../keyshare.js';
import { bitLength, bytesToBigint } from '../../../math/bigint.js';
import {
  CURVE_ORDER,
  IDENTITY,
  modQ,
  mulG,
  type Point,
  pointFromBytes,
} from '../../../math/curve.js';
import { type PaillierPrivateKey, paillierKeyFromPrimes } from '../../../paillier/paillier.js';
import type { RoundContext } from '../../../party/types.js';
import { PROFILES, type Profile } from '../../../profile.js';
import { lagrangeCoefficients } from '../../../vss/lagrange.js';
import { type DerivationPath, derivePublicKey } from '../derive.js';
import { nativeSigningSsid, tssLibSigningSsid } from '../ssid.js';
import type { SignContext, Signer } from './messages.js';

/** Derivation request of {@link SignPartyOptions}. */
export interface SignDerivation {
  /** Non-hardened path, e.g. `m/44/60/0/0/5` or `[44, 60, 0, 0, 5]`. */
  readonly path: DerivationPath;
  /** Chain code (32 bytes or 64 hex chars); default: the key share's `chainCode`. */
  readonly chainCode?: Uint8Array | string;
}

/** Public data of one signer, as kept in the state. */
export interface SignerState {
  readonly id: string;
  readonly index: bigint;
  readonly paillierN: bigint;
  readonly ntilde: bigint;
  readonly h1: bigint;
  readonly h2: bigint;
  /** W_j = λ_j·(X_j + delta·G), compressed. */
  readonly W: Uint8Array;
  /** X_j + delta·G, compressed (bound in the ssid). */
  readonly X: Uint8Array;
}

/**
 * The serializable state of a signing party. Round fields appear when produced and disappear
 * once no longer needed.
 */
export interface SignState {
  readonly profile: Profile;
  readonly ssid: Uint8Array;
  /** Our proof index (position in `signers`). */
  readonly pos: number;
  /** Signers sorted by Shamir index. */
  readonly signers: readonly SignerState[];
  /** The (derived) public key y, compressed. */
  readonly publicKey: Uint8Array;
  /** The 32-byte message hash. */
  readonly messageHash: Uint8Array;
  /** Our Paillier factors (secret; until round 2's decryptions). */
  readonly paillierP?: bigint;
  readonly paillierQ?: bigint;
  /** Our additive share w_i = λ_i·(x_i + delta) (secret; until round 4). */
  readonly w?: bigint;
  // round 1
  readonly k?: bigint;
  readonly gamma?: bigint;
  readonly cA?: bigint;
  readonly gammaPoint?: Uint8Array;
  readonly gammaDecommit?: bigint[];
  // round 1 received
  readonly gammaCommits?: ReadonlyMap<string, bigint>;
  // round 2 (Bob's masks)
  readonly betas?: ReadonlyMap<string, bigint>;
  readonly nus?: ReadonlyMap<string, bigint>;
  // round 3
  readonly delta?: bigint;
  readonly sigma?: bigint;
  // round 4
  readonly deltaInv?: bigint;
  // round 5
  readonly R?: Uint8Array;
  readonly r?: bigint;
  readonly si?: bigint;
  readonly li?: bigint;
  readonly rhoi?: bigint;
  readonly vaDecommit?: bigint[];
  // round 6 received
  readonly vaCommits?: ReadonlyMap<string, bigint>;
  // round 7
  readonly Vs?: ReadonlyMap<string, Uint8Array>;
  readonly utDecommit?: bigint[];
  // round 8 received
  readonly utCommits?: ReadonlyMap<string, bigint>;
}

/** What `start` receives: validated, derived, never snapshotted. */
export interface SignInput {
  readonly state: SignState;
  readonly context: SignContext;
}

/** Options of `createSignParty`. */
export interface SignPartyOptions {
  /** Our party id; must equal `keyShare.self`. */
  readonly self: string;
  /** The signing parties (ids of the key), at least `keyShare.minSigners`, including `self`. */
  readonly signers: readonly string[];
  /** Our key share. */
  readonly keyShare: KeyShare;
  /** The 32-byte message hash (used as is, not hashed again); must be < q as an integer. */
  readonly messageHash: Uint8Array;
  /**
   * Session id: fresh and unguessable for every signing (e.g. 16 random bytes in hex), agreed by
   * all signers. The native profile derives its session nonce from it (SHA-256).
   */
  readonly sessionId: string;
  /** `native` (default, hardened) or `tss-lib` (byte-compatible with tss-lib v2). */
  readonly profile?: Profile;
  /** Sign with a non-hardened BIP32 child key. */
  readonly derivation?: SignDerivation;
}

const q = CURVE_ORDER;

function bad(
  message: string,
  code: 'INVALID_ARGUMENT' | 'INVALID_KEY_SHARE' = 'INVALID_ARGUMENT',
): never {
  throw new LocalError(code, message);
}

function parsePoint(hex: unknown, field: string): Point {
  if (typeof hex !== 'string' || !/^[0-9a-f]{66}$/.test(hex))
    bad(`"${field}" must be compressed hex`, 'INVALID_KEY_SHARE');
  try {
    return pointFromBytes(Uint8Array.from(Buffer.from(hex, 'hex')), field);
  } catch (e) {
    throw new LocalError('INVALID_KEY_SHARE', `"${field}" is not a valid point`, { cause: e });
  }
}

/** The public inputs of a signing session (everything but our secrets). */
export interface SessionInput {
  readonly profile: Profile;
  /** Every party of the key (public data), e.g. `keyShare.parties`. */
  readonly parties: readonly KeyShareParty[];
  /** Ids of the signers. */
  readonly signers: readonly string[];
  /** Parties needed to sign. */
  readonly minSigners: number;
  /** The group public key, compressed hex (`keyShare.publicKey.compressed`). */
  readonly publicKey: string;
  /** The chain code, hex, when the key has one. */
  readonly chainCode?: string;
  readonly derivation?: SignDerivation;
  readonly messageHash: Uint8Array;
  readonly sessionId: string;
}

/** The public facts of a session, as {@link prepareSession} computes them. */
export interface Session {
  /** Signers sorted by index, with W_j and the derived X_j. */
  readonly signers: SignerState[];
  /** Lagrange coefficients, in `signers` order. */
  readonly lambdas: bigint[];
  /** The derivation tweak (0 without derivation). */
  readonly delta: bigint;
  /** The (derived) public key. */
  readonly publicKey: Point;
  readonly ssid: Uint8Array;
}

/**
 * Validates the public inputs and computes the signer set sorted by index, the Lagrange-weighted
 * points W_j = λ_j·(X_j + delta·G) (checking Σ W_j = y'), the derived key and the ssid.
 * @throws {@link LocalError} `INVALID_ARGUMENT`, `INVALID_KEY_SHARE` or `UNSUPPORTED`.
 */
export function prepareSession(inp: SessionInput): Session {
  const { signers, messageHash, profile } = inp;
  if (!PROFILES.includes(profile)) bad('"profile" must be "native" or "tss-lib"');
  if (!Array.isArray(inp.parties)) bad('"parties" must be a list', 'INVALID_KEY_SHARE');
  if (!Array.isArray(signers) || signers.some((s) => typeof s !== 'string')) {
    bad('"signers" must be a list of party ids');
  }
  if (new Set(signers).size !== signers.length) bad('"signers" holds a duplicate id');
  const byId = new Map(inp.parties.map((p) => [p.id, p]));
  for (const id of signers) if (!byId.has(id)) bad(`signer "${id}" is not a party of the key`);
  if (
    !Number.isSafeInteger(inp.minSigners) ||
    inp.minSigners < 2 ||
    signers.length < inp.minSigners
  ) {
    bad(`signing needs at least ${String(inp.minSigners)} signers`);
  }
  if (!(messageHash instanceof Uint8Array) || messageHash.length !== 32) {
    bad('"messageHash" must be 32 bytes');
  }
  if (bytesToBigint(messageHash) >= q) {
    bad('"messageHash" must be less than the curve order as an integer');
  }

  // Derivation.
  const y0 = parsePoint(inp.publicKey, 'publicKey.compressed');
  let delta = 0n;
  let y = y0;
  if (inp.derivation !== undefined) {
    const cc = inp.derivation.chainCode ?? inp.chainCode;
    if (cc === undefined) bad('derivation needs a chain code (none in the key share)');
    const d = derivePublicKey(y0, cc, inp.derivation.path);
    delta = d.delta;
    y = d.publicKey;
  }
  const dG = delta === 0n ? undefined : mulG(delta);

  // Signers, sorted by index; Lagrange weights over the signer set.
  const parties = signers.map((id) => byId.get(id)!);
  for (const p of parties) {
    if (typeof p.index !== 'bigint' || p.index < 1n || p.index >= q) {
      bad(`party "${p.id}" has an index outside [1, q)`, 'INVALID_KEY_SHARE');
    }
    for (const [f, v] of [
      ['paillierN', p.paillierN],
      ['ntilde', p.ntilde],
    ] as const) {
      if (typeof v !== 'bigint' || v % 2n === 0n || bitLength(v) !== 2048) {
        bad(`party "${p.id}" ${f} must be an odd 2048-bit integer`, 'INVALID_KEY_SHARE');
      }
    }
  }
  parties.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  let lambdas: bigint[];
  try {
    lambdas = lagrangeCoefficients(parties.map((p) => p.index));
  } catch (e) {
    throw new LocalError('INVALID_KEY_SHARE', 'signer indices are invalid or duplicated', {
      cause: e,
    });
  }
  let sumW = IDENTITY;
  const Xs: Point[] = [];
  const signerStates: SignerState[] = parties.map((p, j) => {
    let X = parsePoint(p.publicShare, `parties[${p.id}].publicShare`);
    if (dG) X = X.add(dG);
    if (X.is0()) bad('derived public share is the identity; use another path');
    Xs.push(X);
    const W = X.multiplyUnsafe(lambdas[j]!);
    sumW = sumW.add(W);
    return {
      id: p.id,
      index: p.index,
      paillierN: p.paillierN,
      ntilde: p.ntilde,
      h1: p.h1,
      h2: p.h2,
      W: W.toBytes(true),
      X: X.toBytes(true),
    };
  });
  if (!sumW.equals(y)) {
    bad("the signers' public shares do not interpolate to the public key", 'INVALID_KEY_SHARE');
  }

  const ssid =
    profile === 'tss-lib'
      ? tssLibSigningSsid(
          signerStates.map((s, j) => ({
            key: s.index,
            bigX: Xs[j]!,
            nTilde: s.ntilde,
            h1: s.h1,
            h2: s.h2,
          })),
        )
      : nativeSigningSsid({
          protocol: 'gg18',
          parties: signerStates.map((s, j) => ({
            id: s.id,
            index: s.index,
            X: Xs[j]!,
            paillierN: s.paillierN,
            nTilde: s.ntilde,
            h1: s.h1,
            h2: s.h2,
          })),
          threshold: inp.minSigners - 1,
          publicKey: y,
          messageHash,
          nonce: sessionNonce(inp.sessionId),
        });
  return { signers: signerStates, lambdas, delta, publicKey: y, ssid };
}

/**
 * Validates the options and computes everything about the session ({@link prepareSession}),
 * then our secret inputs: w_i = λ_i·(x_i + delta) and the Paillier factors.
 * @throws {@link LocalError} `INVALID_ARGUMENT`, `INVALID_KEY_SHARE` or `UNSUPPORTED`.
 */
export function prepareSign(opts: SignPartyOptions): SignInput {
  if (typeof opts !== 'object' || opts === null) bad('sign options must be an object');
  const { keyShare: ks, self } = opts;
  const profile = opts.profile ?? 'native';
  if (typeof ks !== 'object' || ks === null || !Array.isArray(ks.parties)) {
    bad('"keyShare" must be a key share', 'INVALID_KEY_SHARE');
  }
  if (ks.curve !== 'secp256k1') bad('"keyShare.curve" must be secp256k1', 'INVALID_KEY_SHARE');
  if (typeof self !== 'string' || self !== ks.self) bad('"self" must equal keyShare.self');
  if (!Array.isArray(opts.signers) || !opts.signers.includes(self)) {
    bad('"signers" must include "self"');
  }
  const session = prepareSession({
    profile,
    parties: ks.parties,
    signers: opts.signers,
    minSigners: ks.minSigners,
    publicKey: ks.publicKey?.compressed,
    ...(ks.chainCode === undefined ? {} : { chainCode: ks.chainCode }),
    ...(opts.derivation === undefined ? {} : { derivation: opts.derivation }),
    messageHash: opts.messageHash,
    sessionId: opts.sessionId,
  });
  const pos = session.signers.findIndex((s) => s.id === self);

  // Our secret share.
  const sec = ks.secret;
  if (typeof sec !== 'object' || sec === null) {
    bad('"keyShare.secret" is missing', 'INVALID_KEY_SHARE');
  }
  if (typeof sec.xi !== 'bigint' || sec.xi < 1n || sec.xi >= q) {
    bad('"secret.xi" must be in [1, q)', 'INVALID_KEY_SHARE');
  }
  const me = ks.parties.find((p) => p.id === self)!;
  if (!mulG(sec.xi).equals(parsePoint(me.publicShare, 'own publicShare'))) {
    bad('"secret.xi" does not match our public share', 'INVALID_KEY_SHARE');
  }
  const { p: pp, q: pq } = sec.paillier ?? {};
  if (typeof pp !== 'bigint' || typeof pq !== 'bigint' || pp * pq !== me.paillierN || pp === pq) {
    bad('"secret.paillier" does not factor our Paillier modulus', 'INVALID_KEY_SHARE');
  }
  const w = modQ(session.lambdas[pos]! * modQ(sec.xi + session.delta));
  if (w === 0n) bad('our weighted share is zero', 'INVALID_KEY_SHARE');

  const state: SignState = {
    profile,
    ssid: session.ssid,
    pos,
    signers: session.signers,
    publicKey: session.publicKey.toBytes(true),
    messageHash: Uint8Array.from(opts.messageHash),
    paillierP: pp,
    paillierQ: pq,
    w,
  };
  return { state, context: contextOf(state) };
}

/** The native session nonce: SHA-256 of the session id (which must be fresh and unguessable). */
export function sessionNonce(sessionId: string): Uint8Array {
  if (typeof sessionId !== 'string' || sessionId.length === 0)
    bad('"sessionId" must be a non-empty string');
  return sha256(new TextEncoder().encode(sessionId));
}

const contexts = new WeakMap<SignState, SignContext & { positions: Map<string, number> }>();

/** The public context of a state (cached per state object: points are decoded once). */
export function contextOf(state: SignState): SignContext & { positions: Map<string, number> } {
  let c = contexts.get(state);
  if (c !== undefined) return c;
  // Our own public-key object enables the owner's CRT path (until the factors are dropped).
  const own =
    state.paillierP === undefined
      ? Object.freeze({ n: state.signers[state.pos]!.paillierN })
      : ownPaillierKey(state).publicKey;
  const signers: Signer[] = state.signers.map((s, i) => ({
    id: s.id,
    index: s.index,
    paillier: i === state.pos ? own : Object.freeze({ n: s.paillierN }),
    ringPedersen: Object.freeze({ nTilde: s.ntilde, h1: s.h1, h2: s.h2 }),
    W: pointFromBytes(s.W, 'W'),
  }));
  c = {
    profile: state.profile,
    ssid: state.ssid,
    signers,
    publicKey: pointFromBytes(state.publicKey, 'publicKey'),
    m: bytesToBigint(state.messageHash),
    positions: new Map(signers.map((s, i) => [s.id, i])),
  };
  contexts.set(state, c);
  return c;
}

/**
 * Our Paillier private key. Built once per process and modulus by `paillierKeyFromPrimes`
 * (which re-checks the primes) and kept in a small LRU cache: its public-key object is what
 * enables the CRT fast path for our own mod-N² work (encrypting k_i, the range proofs' β^N,
 * verifying Bob's proofs about our ciphertexts). The cache holds secrets for as long as the
 * process signs with the key, as the key share itself does.
 */
export function ownPaillierKey(
  state: Pick<SignState, 'paillierP' | 'paillierQ'>,
): PaillierPrivateKey {
  const p = need(state.paillierP, 'paillierP');
  const qq = need(state.paillierQ, 'paillierQ');
  const n = p * qq;
  let sk = ownKeys.get(n);
  if (sk !== undefined) {
    ownKeys.delete(n);
  } else {
    try {
      sk = paillierKeyFromPrimes(p, qq);
    } catch (e) {
      throw new LocalError('INVALID_KEY_SHARE', '"secret.paillier" is not a valid Paillier key', {
        cause: e,
      });
    }
  }
  ownKeys.set(n, sk);
  if (ownKeys.size > OWN_KEYS_LIMIT) ownKeys.delete(ownKeys.keys().next().value as bigint);
  return sk;
}

const OWN_KEYS_LIMIT = 16;
const ownKeys = new Map<bigint, PaillierPrivateKey>();

/** A Paillier private key from trusted factors (no primality test: keygen did it). */
export function paillierKeyOf(p: bigint, qq: bigint): PaillierPrivateKey {
  const n = p * qq;
  const phiN = (p - 1n) * (qq - 1n);
  let a = p - 1n;
  let b = qq - 1n;
  while (b !== 0n) [a, b] = [b, a % b];
  return Object.freeze({ publicKey: Object.freeze({ n }), n, p, q: qq, lambdaN: phiN / a, phiN });
}

/** A required state field; its absence is a bug (LocalError `INTERNAL`). */
export function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new LocalError('INTERNAL', `sign-gg18 state is missing "${name}"`);
  return v;
}

/** Position of `from` in the signer list. */
export function posOf(state: SignState, from: string): number {
  const p = contextOf(state).positions.get(from);
  if (p === undefined) throw new LocalError('INTERNAL', `"${from}" is not a signer`);
  return p;
}

/**
 * A cross-party check failed and GG18 cannot tell who caused it (δ_j, σ_j and U_j/T_j are not
 * individually verifiable): every other signer is a suspect. See docs/signing.md.
 */
export function suspectsError(
  rctx: RoundContext,
  message: string,
  code: 'CONSISTENCY_CHECK_FAILED' | 'SIGNATURE_INVALID' = 'CONSISTENCY_CHECK_FAILED',
): PeerError {
  return new PeerError({
    code,
    message,
    culprits: rctx.others,
    round: rctx.round,
    sessionId: rctx.sessionId,
  });
}

/** Copy of `state` without the listed fields (drops secrets that are no longer needed). */
export function without<K extends keyof SignState>(state: SignState, ...keys: K[]): SignState {
  const out: Record<string, unknown> = { ...state };
  for (const k of keys) delete out[k as string];
  return out as unknown as SignState;
}
