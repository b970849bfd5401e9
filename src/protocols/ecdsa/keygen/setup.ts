/**
 * Keygen configuration: validates the caller's options and derives the per-session constants
 * (party order, Shamir indices, ssid) that every party computes identically.
 *
 * Threshold convention: the API says `minSigners` (parties needed to sign). tss-lib's
 * `threshold` is the polynomial degree t = minSigners − 1; the conversion happens here and
 * nowhere else.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { LocalError } from '../../../errors.js';
import { bytesToBigint, bytesToHex } from '../../../math/bigint.js';
import { CURVE_ORDER } from '../../../math/curve.js';
import { randomBytes } from '../../../math/random.js';
import { PROFILES, type Profile } from '../../../profile.js';
import { normalizeIndices } from '../../../vss/lagrange.js';
import { isValidId } from '../../../wire/envelope.js';
import { type PreParams, validatePreParams } from '../preparams.js';
import { nativeKeygenSsid, tssLibKeygenSsid } from '../ssid.js';
import type { OwnPreParams } from './types.js';

/** Most parties of a keygen (the key-share format's limit). */
export const KEYGEN_MAX_PARTIES = 32;

/** Options of `createKeygenParty`. */
export interface KeygenOptions {
  /** This party's id (its authenticated transport identity). */
  readonly self: string;
  /** Every party's id, 2 ≤ n ≤ 32, unique, printable ASCII. Order does not matter. */
  readonly parties: readonly string[];
  /** Parties needed to sign with the new key: 2 ≤ minSigners ≤ n (tss-lib threshold + 1). */
  readonly minSigners: number;
  /**
   * Session id, identical on every party, fresh and unguessable for every keygen (use
   * {@link newSessionId}). The native ssid binds SHA-256(sessionId) as its nonce; the session
   * layer must reject a reused id (in the `tss-lib` profile the ssid has no nonce at all).
   */
  readonly sessionId: string;
  /** This party's pre-params (a fresh set per key; see `generatePreParams`). */
  readonly preParams: PreParams;
  /** `native` (default: hardened hashing, session-bound proofs) or `tss-lib` (wire-compatible). */
  readonly profile?: Profile;
  /**
   * Shamir index (tss-lib party key) of every party, by id. Identical on every party.
   * Default: `native` uses 1..n by sorted id; `tss-lib` uses SHA-256(id) as a big-endian integer.
   * Indices are reduced mod q; 0 and duplicates (including i and i + q) are rejected. In the
   * `tss-lib` profile they must already be in [1, q) (tss-lib hashes the raw key).
   */
  readonly indices?: Readonly<Record<string, bigint>> | ReadonlyMap<string, bigint>;
}

/** What `start` receives: the validated, derived configuration. */
export interface KeygenSetup {
  readonly profile: Profile;
  readonly t: number;
  readonly ids: readonly string[];
  readonly keys: readonly bigint[];
  readonly me: number;
  readonly ssid: Uint8Array;
  readonly pre: OwnPreParams;
}

/**
 * A fresh session id: 32 random bytes as 64 lowercase hex characters. The coordinator draws one
 * per keygen and sends it to every party.
 */
export function newSessionId(): string {
  return bytesToHex(randomBytes(32));
}

/** tss-lib profile default party key: SHA-256(utf8(id)) as a big-endian integer. */
export function defaultTssLibKey(id: string): bigint {
  return bytesToBigint(sha256(new TextEncoder().encode(id)));
}

function bad(msg: string): never {
  throw new LocalError('INVALID_ARGUMENT', msg);
}

function sortedIds(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function lookup(indices: KeygenOptions['indices'], id: string): bigint | undefined {
  if (indices instanceof Map) return indices.get(id);
  const rec = indices as Readonly<Record<string, bigint>>;
  return Object.hasOwn(rec, id) ? rec[id] : undefined;
}

/**
 * Validates keygen options and derives the session constants. Throws {@link LocalError}
 * `INVALID_ARGUMENT` (or `INVALID_KEY_SHARE` for bad pre-params).
 */
export function resolveKeygenSetup(opts: KeygenOptions): KeygenSetup {
  if (typeof opts !== 'object' || opts === null) bad('keygen options must be an object');
  const profile = opts.profile ?? 'native';
  if (!PROFILES.includes(profile)) bad(`unknown profile "${String(profile)}"`);
  const parties = opts.parties;
  if (!Array.isArray(parties) || parties.length < 2 || parties.length > KEYGEN_MAX_PARTIES) {
    bad(`"parties" must list 2 to ${KEYGEN_MAX_PARTIES} parties`);
  }
  for (const p of parties) if (!isValidId(p)) bad('party ids must be 1..128 printable ASCII chars');
  if (new Set(parties).size !== parties.length) bad('"parties" holds a duplicate id');
  if (!parties.includes(opts.self)) bad('"self" must be one of "parties"');
  if (!isValidId(opts.sessionId)) bad('"sessionId" must be 1..128 printable ASCII chars');
  const n = parties.length;
  const m = opts.minSigners;
  if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 2 || m > n) {
    bad(`"minSigners" must be an integer in [2, ${n}] (1 ≤ t < n with t = minSigners − 1)`);
  }
  const t = m - 1;
  validatePreParams(opts.preParams);

  // Shamir indices / party keys.
  const byId = sortedIds(parties);
  let raw: bigint[];
  if (opts.indices !== undefined) {
    if (typeof opts.indices !== 'object' || opts.indices === null) {
      bad('"indices" must map every party id to a bigint');
    }
    raw = byId.map((id) => {
      const v = lookup(opts.indices, id);
      if (typeof v !== 'bigint') bad(`"indices" has no bigint for party "${id}"`);
      return v;
    });
  } else if (profile === 'native') {
    raw = byId.map((_, k) => BigInt(k + 1));
  } else {
    raw = byId.map(defaultTssLibKey);
  }
  if (profile === 'tss-lib') {
    for (const k of raw) {
      if (k >= CURVE_ORDER) bad('tss-lib party keys must be below the curve order q');
    }
  }
  // Reduce mod q; reject 0 and duplicates (i and i + q included).
  const reduced = normalizeIndices(raw);
  const order = byId.map((id, k) => ({ id, key: reduced[k]! }));
  order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const ids = order.map((o) => o.id);
  const keys = order.map((o) => o.key);
  const me = ids.indexOf(opts.self);

  const ssid =
    profile === 'tss-lib'
      ? tssLibKeygenSsid(keys)
      : nativeKeygenSsid({
          parties: ids.map((id, k) => ({ id, index: keys[k]! })),
          threshold: t,
          nonce: sha256(new TextEncoder().encode(opts.sessionId)),
        });
  const p = opts.preParams;
  const pre: OwnPreParams = {
    paillierN: p.paillierN,
    paillierP: p.paillierP,
    paillierQ: p.paillierQ,
    ntilde: p.ntilde,
    h1: p.h1,
    h2: p.h2,
    alpha: p.alpha,
    beta: p.beta,
    sophieGermainP: p.sophieGermainP,
    sophieGermainQ: p.sophieGermainQ,
  };
  return { profile, t, ids, keys, me, ssid, pre };
}
