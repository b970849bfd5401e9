/**
 * Session identifiers (ssid) for ECDSA keygen and signing (SECURITY.md item 6).
 *
 * **tss-lib profile** (bnb-chain/tss-lib master c84c096, byte for byte):
 * - keygen (`ecdsa/keygen/rounds.go` `getSSID`, called in round 1):
 *   `SHA512_256i(P, N, Gx, Gy, k_1, …, k_n, 1, 0)`: curve field prime, order and generator
 *   (no `B`), the party keys sorted ascending, round number 1, nonce 0.
 * - signing (`ecdsa/signing/rounds.go` `getSSID`, called in round 1):
 *   `SHA512_256i(P, N, B, Gx, Gy, k_1…k_m, X_1.x, X_1.y, …, X_m.x, X_m.y, Ñ_1…Ñ_m, h1_1…h1_m,
 *   h2_1…h2_m, 1, 0)` over the m signers sorted ascending by key (tss-lib
 *   `BuildLocalSaveDataSubset`), with B = 7, round number 1, nonce 0.
 * - The ssid is the hash as Go's `big.Int.Bytes()`: minimal big-endian, so it is shorter than
 *   32 bytes when the hash has leading zero bytes. Per-proof contexts are
 *   `ssid ‖ bytes(index)` ({@link tssLibProofSession}).
 * - It has no fresh nonce and no message: two sessions of the same signers produce the same
 *   ssid. The session layer must reject reuse of a session id (`SESSION_REUSED`).
 *
 * **native profile**: `hashItems(tag, …)` (tagged, length-prefixed, count-bound, canonical
 * integers) over: protocol tag, curve name, t, the parties sorted by index (reduced mod q) with
 * each party's id and index and, where applicable, X_j, N_j, Ñ_j, h1_j, h2_j, the public key and
 * the message hash when signing, and a fresh 32-byte session nonce. See
 * {@link nativeKeygenSsid} and {@link nativeSigningSsid} for the exact item lists.
 * @module
 */
import { LocalError } from '../../errors.js';
import { hashItems, type TranscriptValue } from '../../hash/transcript.js';
import { tssSha512_256i } from '../../hash/tss-lib.js';
import { bigintToBytes, concatBytes } from '../../math/bigint.js';
import { CURVE_ORDER, CurvePoint, FIELD_PRIME, G, type Point } from '../../math/curve.js';
import { randomBytes } from '../../math/random.js';
import { normalizeIndices } from '../../vss/lagrange.js';

/** secp256k1 domain parameters as tss-lib hashes them (Go `elliptic.CurveParams`). */
export const SECP256K1_PARAMS: Readonly<{
  p: bigint;
  n: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
}> = Object.freeze({
  p: FIELD_PRIME,
  n: CURVE_ORDER,
  b: 7n,
  gx: G.toAffine().x,
  gy: G.toAffine().y,
});

/** The round number tss-lib's `getSSID` is called in (round 1, for keygen and signing). */
const TSS_SSID_ROUND = 1n;
/** tss-lib sets `ssidNonce = 0` in every round 1. */
const TSS_SSID_NONCE = 0n;

/** Length of the native session nonce. */
export const SESSION_NONCE_BYTES = 32;

const NATIVE_KEYGEN_TAG = 'mpc-tss/ecdsa/keygen/ssid/v1';
const NATIVE_SIGN_TAG = 'mpc-tss/ecdsa/sign/ssid/v1';
const CURVE_NAME = 'secp256k1';

function checkPositive(title: string, x: unknown): bigint {
  if (typeof x !== 'bigint' || x <= 0n) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a positive bigint`);
  }
  return x;
}

function checkPoint(title: string, p: unknown): Point {
  if (!(p instanceof CurvePoint) || p.is0()) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a non-identity curve point`);
  }
  try {
    p.assertValidity();
  } catch (e) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" is not a valid secp256k1 point`, {
      cause: e,
    });
  }
  return p;
}

function checkThreshold(threshold: unknown, n: number): number {
  if (typeof threshold !== 'number' || !Number.isSafeInteger(threshold)) {
    throw new LocalError('INVALID_ARGUMENT', '"threshold" must be an integer');
  }
  if (threshold < 1 || threshold >= n) {
    throw new LocalError('INVALID_ARGUMENT', '"threshold" must be in [1, n - 1]');
  }
  return threshold;
}

function checkNonce(nonce: unknown): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length !== SESSION_NONCE_BYTES) {
    throw new LocalError('INVALID_ARGUMENT', `"nonce" must be ${SESSION_NONCE_BYTES} bytes`);
  }
  if (nonce.every((b) => b === 0)) {
    throw new LocalError('INVALID_ARGUMENT', '"nonce" is all zero: it must be fresh randomness');
  }
  return nonce;
}

/** Sorts by tss-lib party key ascending (Go `SortPartyIDs`); rejects bad and duplicate keys. */
function sortKeys<T>(items: readonly T[], key: (t: T) => unknown, what: string): T[] {
  if (!Array.isArray(items) || items.length === 0) {
    throw new LocalError('INVALID_ARGUMENT', `${what} must be a non-empty array`);
  }
  const keyed = items.map((it) => ({ it, k: checkPositive('party key', key(it)) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]!.k === keyed[i - 1]!.k) {
      throw new LocalError('INVALID_ARGUMENT', `${what}: duplicate party key`);
    }
  }
  return keyed.map((e) => e.it);
}

/**
 * tss-lib keygen ssid: `SHA512_256i(P, N, Gx, Gy, sorted party keys…, 1, 0).Bytes()`.
 *
 * @param partyKeys every keygen party's `PartyID.Key` (any order; sorted ascending here)
 * @throws {@link LocalError} `INVALID_ARGUMENT` on an empty list, a non-positive key or a
 *   duplicate key.
 */
export function tssLibKeygenSsid(partyKeys: readonly bigint[]): Uint8Array {
  const keys = sortKeys(partyKeys, (k) => k, 'partyKeys');
  const { p, n, gx, gy } = SECP256K1_PARAMS;
  return bigintToBytes(tssSha512_256i(p, n, gx, gy, ...keys, TSS_SSID_ROUND, TSS_SSID_NONCE));
}

/** One signer's public data, as held in its tss-lib `LocalPartySaveData`. */
export interface TssLibSigner {
  /** `PartyID.Key` = the signer's Shamir index `Ks[j]`. */
  key: bigint;
  /** `BigXj[j]` = x_j·G. */
  bigX: Point;
  /** `NTildej[j]`. */
  nTilde: bigint;
  /** `H1j[j]`. */
  h1: bigint;
  /** `H2j[j]`. */
  h2: bigint;
}

/**
 * tss-lib signing ssid:
 * `SHA512_256i(P, N, B, Gx, Gy, keys…, X_j.x, X_j.y…, Ñ_j…, h1_j…, h2_j…, 1, 0).Bytes()`,
 * every list over the signers sorted ascending by key.
 *
 * @param signers the signing parties (any order; sorted by key here)
 * @throws {@link LocalError} `INVALID_ARGUMENT` on an empty list, a duplicate key, a
 *   non-positive integer or an invalid point.
 */
export function tssLibSigningSsid(signers: readonly TssLibSigner[]): Uint8Array {
  const sorted = sortKeys(signers, (s) => (s as TssLibSigner | undefined)?.key, 'signers');
  const { p, n, b, gx, gy } = SECP256K1_PARAMS;
  const list: bigint[] = [p, n, b, gx, gy];
  for (const s of sorted) list.push(s.key);
  for (const s of sorted) {
    const { x, y } = checkPoint('bigX', s.bigX).toAffine();
    list.push(x, y);
  }
  for (const s of sorted) list.push(checkPositive('nTilde', s.nTilde));
  for (const s of sorted) list.push(checkPositive('h1', s.h1));
  for (const s of sorted) list.push(checkPositive('h2', s.h2));
  list.push(TSS_SSID_ROUND, TSS_SSID_NONCE);
  return bigintToBytes(tssSha512_256i(...list));
}

/**
 * tss-lib per-proof session bytes: `ssid ‖ big.Int(index).Bytes()` (Go
 * `append(ssid, big.NewInt(i).Bytes()...)`). Nothing is appended for index 0.
 *
 * Note: this concatenation is not injective (a 31-byte ssid plus a 1-byte index can equal a
 * 32-byte ssid); the native profile does not use it.
 * @throws {@link LocalError} `INVALID_ARGUMENT` on a negative or non-integer index.
 */
export function tssLibProofSession(ssid: Uint8Array, index: number | bigint): Uint8Array {
  if (!(ssid instanceof Uint8Array)) {
    throw new LocalError('INVALID_ARGUMENT', '"ssid" must be bytes');
  }
  const i =
    typeof index === 'number' && Number.isSafeInteger(index) && index >= 0
      ? BigInt(index)
      : typeof index === 'bigint' && index >= 0n
        ? index
        : undefined;
  if (i === undefined) throw new LocalError('INVALID_ARGUMENT', '"index" must be non-negative');
  return concatBytes(ssid, bigintToBytes(i));
}

/** A fresh 32-byte session nonce from the CSPRNG (for the native ssid). */
export function newSessionNonce(): Uint8Array {
  return randomBytes(SESSION_NONCE_BYTES);
}

/** Public Paillier and ring-Pedersen parameters of one party (all or none in an ssid). */
export interface SsidPreParams {
  /** Paillier modulus N_j. */
  paillierN: bigint;
  /** Ring-Pedersen modulus Ñ_j. */
  nTilde: bigint;
  /** h1_j. */
  h1: bigint;
  /** h2_j. */
  h2: bigint;
}

/** One keygen party in a native ssid. */
export interface NativeKeygenParty {
  /** Authenticated party id (transport identity). */
  id: string;
  /** Shamir index (reduced mod q; 0 and duplicates rejected). */
  index: bigint;
  /**
   * Public pre-params, if the parties exchanged them before keygen. Either every party has
   * them or none does.
   */
  preParams?: SsidPreParams;
}

/** Inputs of {@link nativeKeygenSsid}. */
export interface NativeKeygenSsidInput {
  /** All n keygen parties (any order; sorted by index here). */
  parties: readonly NativeKeygenParty[];
  /** Polynomial degree t (t + 1 signers needed), 1 ≤ t < n. */
  threshold: number;
  /** Fresh 32-byte nonce agreed by all parties for this session. */
  nonce: Uint8Array;
}

/** One signer in a native signing ssid. */
export interface NativeSigningParty extends SsidPreParams {
  /** Authenticated party id (transport identity). */
  id: string;
  /** Shamir index (reduced mod q; 0 and duplicates rejected). */
  index: bigint;
  /** Public key share X_j = x_j·G. */
  X: Point;
}

/** Inputs of {@link nativeSigningSsid}. */
export interface NativeSigningSsidInput {
  /** Which signing protocol runs in this session; bound so a transcript cannot cross over. */
  protocol: 'gg18' | 'gg20';
  /** The signers (any order; sorted by index here). At least t + 1. */
  parties: readonly NativeSigningParty[];
  /** Polynomial degree t of the key. */
  threshold: number;
  /** The group public key y. */
  publicKey: Point;
  /**
   * The 32-byte message hash being signed. Omit only for a presigning session whose message is
   * not known yet (the ssid then binds "no message").
   */
  messageHash?: Uint8Array;
  /** Fresh 32-byte nonce agreed by all parties for this session. */
  nonce: Uint8Array;
}

interface SortedParty<P> {
  party: P;
  index: bigint;
}

function sortParties<P extends { id: string; index: bigint }>(
  parties: readonly P[],
): SortedParty<P>[] {
  if (!Array.isArray(parties) || parties.length < 2) {
    throw new LocalError('INVALID_ARGUMENT', '"parties" must list at least 2 parties');
  }
  const reduced = normalizeIndices(parties.map((p) => (p as P | undefined)?.index as bigint));
  const ids = new Set<string>();
  for (const p of parties) {
    if (typeof p.id !== 'string' || p.id.length === 0) {
      throw new LocalError('INVALID_ARGUMENT', 'party id must be a non-empty string');
    }
    if (ids.has(p.id)) throw new LocalError('INVALID_ARGUMENT', 'duplicate party id');
    ids.add(p.id);
  }
  return parties
    .map((party, k) => ({ party, index: reduced[k]! }))
    .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
}

function pushPreParams(items: [string, TranscriptValue][], k: number, pp: SsidPreParams): void {
  items.push(
    [`party[${k}].N`, checkPositive('paillierN', pp.paillierN)],
    [`party[${k}].NTilde`, checkPositive('nTilde', pp.nTilde)],
    [`party[${k}].h1`, checkPositive('h1', pp.h1)],
    [`party[${k}].h2`, checkPositive('h2', pp.h2)],
  );
}

/**
 * Native keygen ssid. Binds, in this order (each item labelled, length-prefixed):
 * domain `mpc-tss/ecdsa/keygen/ssid/v1`, `curve` = "secp256k1", `threshold` = t,
 * `parties#len` = n, `preParams` = 0/1, then for each party sorted by index:
 * `party[k].id`, `party[k].index` and, when pre-params were exchanged, `party[k].N`,
 * `party[k].NTilde`, `party[k].h1`, `party[k].h2`; finally `nonce`.
 *
 * Only data known before round 1 can be bound: X_j do not exist yet, and N_j, Ñ_j, h1_j, h2_j
 * only if the deployment exchanges pre-params before keygen. (Otherwise they are first sent in
 * keygen round 1, where each Π^mod / Π^fac / DLN transcript binds them as its statement.)
 *
 * @returns 32 bytes
 * @throws {@link LocalError} `INVALID_ARGUMENT` on invalid input (see the field docs).
 */
export function nativeKeygenSsid(input: NativeKeygenSsidInput): Uint8Array {
  const sorted = sortParties(input.parties);
  const t = checkThreshold(input.threshold, sorted.length);
  const nonce = checkNonce(input.nonce);
  const withPre = sorted.filter((s) => s.party.preParams !== undefined).length;
  if (withPre !== 0 && withPre !== sorted.length) {
    throw new LocalError('INVALID_ARGUMENT', 'pre-params must be given for every party or none');
  }
  const items: [string, TranscriptValue][] = [
    ['curve', CURVE_NAME],
    ['threshold', t],
    ['parties#len', sorted.length],
    ['preParams', withPre === 0 ? 0 : 1],
  ];
  sorted.forEach(({ party, index }, k) => {
    items.push([`party[${k}].id`, party.id], [`party[${k}].index`, index]);
    if (party.preParams !== undefined) pushPreParams(items, k, party.preParams);
  });
  items.push(['nonce', nonce]);
  return hashItems(NATIVE_KEYGEN_TAG, items);
}

/**
 * Native signing ssid. Binds, in this order (each item labelled, length-prefixed):
 * domain `mpc-tss/ecdsa/sign/ssid/v1`, `protocol` ("gg18" / "gg20"), `curve` = "secp256k1",
 * `threshold` = t, `publicKey` (compressed SEC1), `parties#len` = m, then for each signer sorted
 * by index: `party[k].id`, `party[k].index`, `party[k].X` (compressed SEC1), `party[k].N`,
 * `party[k].NTilde`, `party[k].h1`, `party[k].h2`; then `hasMessage` = 0/1 and, if 1,
 * `messageHash`; finally `nonce`.
 *
 * @returns 32 bytes
 * @throws {@link LocalError} `INVALID_ARGUMENT` on invalid input: fewer than t + 1 signers,
 *   bad or duplicate indices or ids, invalid points, non-positive moduli, a message hash that
 *   is not 32 bytes, a bad nonce.
 */
export function nativeSigningSsid(input: NativeSigningSsidInput): Uint8Array {
  if (input.protocol !== 'gg18' && input.protocol !== 'gg20') {
    throw new LocalError('INVALID_ARGUMENT', '"protocol" must be "gg18" or "gg20"');
  }
  const sorted = sortParties(input.parties);
  const t = input.threshold;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 1) {
    throw new LocalError('INVALID_ARGUMENT', '"threshold" must be a positive integer');
  }
  if (sorted.length < t + 1) {
    throw new LocalError('INVALID_ARGUMENT', 'signing needs at least t + 1 signers');
  }
  const y = checkPoint('publicKey', input.publicKey);
  const nonce = checkNonce(input.nonce);
  const m = input.messageHash;
  if (m !== undefined && (!(m instanceof Uint8Array) || m.length !== 32)) {
    throw new LocalError('INVALID_ARGUMENT', '"messageHash" must be 32 bytes');
  }
  const items: [string, TranscriptValue][] = [
    ['protocol', input.protocol],
    ['curve', CURVE_NAME],
    ['threshold', t],
    ['publicKey', y.toBytes(true)],
    ['parties#len', sorted.length],
  ];
  sorted.forEach(({ party, index }, k) => {
    items.push(
      [`party[${k}].id`, party.id],
      [`party[${k}].index`, index],
      [`party[${k}].X`, checkPoint('X', party.X).toBytes(true)],
    );
    pushPreParams(items, k, party);
  });
  items.push(['hasMessage', m === undefined ? 0 : 1]);
  if (m !== undefined) items.push(['messageHash', m]);
  items.push(['nonce', nonce]);
  return hashItems(NATIVE_SIGN_TAG, items);
}
