/**
 * The key share: one party's output of ECDSA keygen and its input to signing.
 *
 * In memory it is a plain, explicit object of bigints and hex strings ({@link KeyShare}).
 * {@link serializeKeyShare} writes versioned JSON with every integer as a lowercase hex string;
 * {@link parseKeyShare} reads it back and validates everything ({@link validateKeyShare}).
 *
 * Vocabulary: `minSigners` is the number of parties needed to sign (tss-lib's `threshold` + 1,
 * the polynomial degree + 1). This API never says "threshold".
 *
 * The share contains secrets: store it encrypted (see `KeyShareStore`), never log it.
 * @module
 */
import { LocalError, MpcError } from './errors.js';
import {
  type JsonObject,
  type JsonValue,
  parseLosslessJson,
  stringifyLosslessJson,
} from './interop/tss-lib/json.js';
import { bitLength, bytesToHex, gcd, hexToBytes, mod, modInv } from './math/bigint.js';
import {
  CURVE_ORDER,
  IDENTITY,
  mulG,
  type Point,
  pointFromBytes,
  pointToBytes,
} from './math/curve.js';
import { modPowCrt } from './math/modexp.js';
import { randomBelow } from './math/random.js';

/** Version written by {@link serializeKeyShare} and required by {@link parseKeyShare}. */
export const KEY_SHARE_VERSION = 1;
/** Most parties a key share may have. */
export const KEY_SHARE_MAX_PARTIES = 32;
/** Bit length required of every Paillier modulus N (as in tss-lib v2). */
export const PAILLIER_MODULUS_BITS = 2048;
/** Bit length required of every ring-Pedersen modulus Ñ (as in tss-lib v2). */
export const NTILDE_BITS = 2048;

/** Public data about one party of the key. */
export interface KeyShareParty {
  /** Party id, unique within the key. */
  readonly id: string;
  /** Shamir x-coordinate, in [1, q). For tss-lib keys it is the party key (`Ks[j]`). */
  readonly index: bigint;
  /** Public share X_j = x_j·G, compressed SEC1 hex (66 chars); tss-lib's `BigXj[j]`. */
  readonly publicShare: string;
  /** Paillier modulus N_j (2048 bits). */
  readonly paillierN: bigint;
  /** Ring-Pedersen modulus Ñ_j (2048 bits). */
  readonly ntilde: bigint;
  /** Ring-Pedersen base h1_j ∈ Z*_Ñ. */
  readonly h1: bigint;
  /** Ring-Pedersen base h2_j = h1_j^α mod Ñ_j. */
  readonly h2: bigint;
}

/** The ring-Pedersen trapdoor of our own Ñ (tss-lib's `P`, `Q`, `Alpha`, `Beta`). */
export interface KeyShareNtildeSecret {
  /** Sophie Germain prime p: Ñ = (2p+1)(2q+1). tss-lib's top-level `P`. */
  readonly sophieGermainP: bigint;
  /** Sophie Germain prime q. tss-lib's top-level `Q`. */
  readonly sophieGermainQ: bigint;
  /** α ∈ [1, Ñ) with h2 = h1^α mod Ñ (tss-lib draws it from Z*_Ñ, not reduced mod p·q). */
  readonly alpha: bigint;
  /** β = α⁻¹ mod p·q, so h1 = h2^β mod Ñ. */
  readonly beta: bigint;
}

/** Our secrets. */
export interface KeyShareSecret {
  /** Our Shamir share x_i ∈ [1, q). */
  readonly xi: bigint;
  /** Factors of our Paillier modulus: N = p·q. */
  readonly paillier: { readonly p: bigint; readonly q: bigint };
  /**
   * Trapdoor of our Ñ. Absent only for keys imported from old tss-lib files that did not save
   * it; such keys can sign but should be reshared.
   */
  readonly ntilde?: KeyShareNtildeSecret;
}

/** The group public key, hex encoded. */
export interface KeySharePublicKey {
  /** Compressed SEC1 (33 bytes, 66 hex chars). */
  readonly compressed: string;
  /** Uncompressed SEC1 (65 bytes, 130 hex chars, starting with `04`). */
  readonly uncompressed: string;
}

/**
 * One party's share of a threshold ECDSA key (secp256k1).
 *
 * @example
 * ```ts
 * const share: KeyShare = parseKeyShare(text);
 * share.minSigners; // e.g. 2 for a 2-of-3 key
 * share.parties.map((p) => p.id);
 * ```
 */
export interface KeyShare {
  /** Format version, {@link KEY_SHARE_VERSION}. */
  readonly version: 1;
  /** Curve. */
  readonly curve: 'secp256k1';
  /** Parties needed to sign (tss-lib threshold + 1); 2 ≤ minSigners ≤ parties.length. */
  readonly minSigners: number;
  /** Our party id (one of `parties[].id`). */
  readonly self: string;
  /** Every party of the key, sorted by id (JS string order), ids and indices distinct. */
  readonly parties: readonly KeyShareParty[];
  /** The group public key. */
  readonly publicKey: KeySharePublicKey;
  /** BIP32 chain code (32 bytes, lowercase hex), when the key supports derivation. */
  readonly chainCode?: string;
  /** Our secrets. */
  readonly secret: KeyShareSecret;
}

const q = CURVE_ORDER;
const HEX_RE = /^[0-9a-f]*$/;
const MAX_ID_LENGTH = 256;
/** Largest hex integer accepted when parsing (4096 bits). */
const MAX_HEX_CHARS = 1024;
const KIND = 'mpc-tss/key-share';

function invalid(field: string, what: string, cause?: unknown): never {
  throw new LocalError(
    'INVALID_KEY_SHARE',
    `"${field}" ${what}`,
    cause === undefined ? {} : { cause },
  );
}

/** Runs `f`, turning any failure into an `INVALID_KEY_SHARE` naming `field`. */
function guard<T>(field: string, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LocalError && e.code === 'INVALID_KEY_SHARE') throw e;
    return invalid(field, what, e);
  }
}

function isBigint(v: unknown): v is bigint {
  return typeof v === 'bigint';
}

/** Decodes a compressed-hex public point (on the curve, not the identity). */
function pointFromHex(h: unknown, field: string, length = 66): Point {
  if (typeof h !== 'string' || h.length !== length || !HEX_RE.test(h)) {
    invalid(field, `must be ${length} lowercase hex characters`);
  }
  return guard(field, 'is not a valid secp256k1 point', () => pointFromBytes(hexToBytes(h), field));
}

/**
 * Compressed (or uncompressed) SEC1 hex of a point, as stored in a {@link KeyShare}.
 * @internal
 */
export function pointToHex(p: Point, compressed = true): string {
  return bytesToHex(pointToBytes(p, compressed));
}

/** Σ_j c_j·P_j for public scalars and points (variable time). */
function linearCombination(points: readonly Point[], scalars: readonly bigint[]): Point {
  let acc = IDENTITY;
  for (let j = 0; j < points.length; j++) {
    const s = mod(scalars[j]!, q);
    if (s !== 0n) acc = acc.add(points[j]!.multiplyUnsafe(s));
  }
  return acc;
}

/**
 * Whether the points (x_j, P_j), x_j distinct mod q, lie on one polynomial of degree ≤ d in
 * the exponent. Test: the vector (P_j) is in the Reed–Solomon code of dimension d+1 iff it is
 * orthogonal to its dual, whose vectors are (v_j·f(x_j)) with v_j = 1/∏_{i≠j}(x_j − x_i) and
 * deg f ≤ len − d − 2. One random dual vector errs with probability 1/q.
 */
function onPolynomialOfDegree(xs: readonly bigint[], ps: readonly Point[], d: number): boolean {
  const len = xs.length;
  const fDeg = len - d - 2;
  if (fDeg < 0) return true;
  const coeffs = Array.from({ length: fDeg + 1 }, () => randomBelow(q));
  const scalars = xs.map((xj, j) => {
    let den = 1n;
    for (let i = 0; i < len; i++) if (i !== j) den = mod(den * (xj - xs[i]!), q);
    let f = 0n;
    for (let k = coeffs.length - 1; k >= 0; k--) f = mod(f * xj + coeffs[k]!, q);
    return mod(f * modInv(den, q), q);
  });
  return linearCombination(ps, scalars).is0();
}

/**
 * Degree + 1 of the polynomial through (0, Y) and the public shares, i.e. the number of
 * signers the shares imply; `undefined` when they are inconsistent with Y (no polynomial of
 * degree < n through all n + 1 points).
 */
function impliedSigners(
  indices: readonly bigint[],
  shares: readonly Point[],
  pub: Point,
): number | undefined {
  const xs = [0n, ...indices];
  const ps = [pub, ...shares];
  const n = indices.length;
  if (!onPolynomialOfDegree(xs, ps, n - 1)) return undefined;
  // Smallest d with degree ≤ d; "degree ≤ d" is monotone in d, so binary search.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (onPolynomialOfDegree(xs, ps, mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/**
 * Infers `minSigners` from public data: the public shares X_j (at x = index_j) and the public
 * key Y (at x = 0) lie on a polynomial in the exponent whose degree is tss-lib's threshold.
 * The lowest-degree polynomial through them is unique, and for honestly generated keys its
 * degree is the threshold except with probability about 1/q.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` when the shares do not match the public key, or
 * imply fewer than 2 signers.
 * @internal
 */
export function inferMinSigners(
  parties: readonly Pick<KeyShareParty, 'index' | 'publicShare'>[],
  publicKey: string,
): number {
  const pub = pointFromHex(publicKey, 'publicKey.compressed');
  const shares = parties.map((p, j) => pointFromHex(p.publicShare, `parties[${j}].publicShare`));
  const m = impliedSigners(
    parties.map((p) => p.index),
    shares,
    pub,
  );
  if (m === undefined) invalid('parties', 'public shares are inconsistent with the public key');
  if (m < 2) invalid('parties', 'public shares imply a single signer (every share is the key)');
  return m;
}

function checkModulus(field: string, v: unknown, bits: number): bigint {
  if (!isBigint(v)) invalid(field, 'must be a bigint');
  if (bitLength(v) !== bits || v % 2n === 0n) invalid(field, `must be an odd ${bits}-bit integer`);
  return v;
}

function checkBase(field: string, h: unknown, ntilde: bigint): bigint {
  if (!isBigint(h)) invalid(field, 'must be a bigint');
  if (h <= 1n || h >= ntilde) invalid(field, 'must be in (1, Ñ)');
  if (gcd(h, ntilde) !== 1n) invalid(field, 'must be coprime to Ñ');
  return h;
}

/** A nontrivial factor: an odd bigint > 2. (Primality is not re-tested: it costs ~12 ms per
 * prime, and the product checks already catch corruption.) */
function checkFactor(field: string, p: unknown): bigint {
  if (!isBigint(p) || p < 3n || p % 2n === 0n) invalid(field, 'must be an odd bigint > 2');
  return p;
}

/**
 * Validates a key share completely; throws on the first failure. Public checks: version and
 * curve; 2 ≤ minSigners ≤ n ≤ {@link KEY_SHARE_MAX_PARTIES}; ids non-empty, distinct, sorted;
 * indices in [1, q) and distinct; public shares and public key valid points (not the
 * identity), both encodings of the key agree; the public shares lie on a polynomial of degree
 * exactly minSigners − 1 whose value at 0 is the public key; every N and Ñ an odd 2048-bit
 * integer, none reused across parties; h1, h2 in (1, Ñ), coprime to Ñ and distinct.
 * Secret checks: xi ∈ [1, q) and xi·G is our public share; N = p·q with p ≠ q odd; with the
 * Ñ trapdoor, Ñ = (2p′+1)(2q′+1) with p′ ≠ q′ odd, α ∈ [1, Ñ), β ∈ [1, p′q′),
 * h2 = h1^α and h1 = h2^β mod Ñ.
 *
 * Errors name the field, never a value.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE`.
 * @example
 * ```ts
 * validateKeyShare(share); // after keygen, before storing
 * ```
 */
export function validateKeyShare(share: KeyShare): void {
  if (typeof share !== 'object' || share === null) invalid('(root)', 'must be an object');
  if (share.version !== KEY_SHARE_VERSION) invalid('version', `must be ${KEY_SHARE_VERSION}`);
  if (share.curve !== 'secp256k1') invalid('curve', 'must be "secp256k1"');
  const parties = share.parties;
  if (!Array.isArray(parties)) invalid('parties', 'must be a list');
  const n = parties.length;
  if (n < 2 || n > KEY_SHARE_MAX_PARTIES) {
    invalid('parties', `must have between 2 and ${KEY_SHARE_MAX_PARTIES} entries`);
  }
  const m = share.minSigners;
  if (!Number.isSafeInteger(m) || m < 2 || m > n) {
    invalid('minSigners', 'must be an integer in [2, number of parties]');
  }

  const indices = new Set<bigint>();
  const moduli = new Set<bigint>();
  const shares: Point[] = [];
  let selfIdx = -1;
  parties.forEach((p, j) => {
    const f = `parties[${j}]`;
    if (typeof p !== 'object' || p === null) invalid(f, 'must be an object');
    if (typeof p.id !== 'string' || p.id.length === 0 || p.id.length > MAX_ID_LENGTH) {
      invalid(`${f}.id`, `must be a string of 1 to ${MAX_ID_LENGTH} characters`);
    }
    if (j > 0 && !(parties[j - 1]!.id < p.id)) {
      invalid(`${f}.id`, 'parties must be sorted by id, ids distinct');
    }
    if (p.id === share.self) selfIdx = j;
    if (!isBigint(p.index) || p.index < 1n || p.index >= q)
      invalid(`${f}.index`, 'must be in [1, q)');
    if (indices.has(p.index)) invalid(`${f}.index`, 'is not distinct');
    indices.add(p.index);
    shares.push(pointFromHex(p.publicShare, `${f}.publicShare`));
    const N = checkModulus(`${f}.paillierN`, p.paillierN, PAILLIER_MODULUS_BITS);
    const nt = checkModulus(`${f}.ntilde`, p.ntilde, NTILDE_BITS);
    if (moduli.has(N)) invalid(`${f}.paillierN`, 'is reused');
    moduli.add(N);
    if (moduli.has(nt)) invalid(`${f}.ntilde`, 'is reused');
    moduli.add(nt);
    const h1 = checkBase(`${f}.h1`, p.h1, nt);
    const h2 = checkBase(`${f}.h2`, p.h2, nt);
    if (h1 === h2) invalid(`${f}.h2`, 'must differ from h1');
  });
  if (typeof share.self !== 'string' || selfIdx < 0) invalid('self', 'must be the id of a party');

  const pk = share.publicKey;
  if (typeof pk !== 'object' || pk === null) invalid('publicKey', 'must be an object');
  const pub = pointFromHex(pk.compressed, 'publicKey.compressed');
  const pubU = pointFromHex(pk.uncompressed, 'publicKey.uncompressed', 130);
  if (!pub.equals(pubU)) invalid('publicKey.uncompressed', 'does not match publicKey.compressed');
  if (share.chainCode !== undefined) {
    if (
      typeof share.chainCode !== 'string' ||
      share.chainCode.length !== 64 ||
      !HEX_RE.test(share.chainCode)
    ) {
      invalid('chainCode', 'must be 64 lowercase hex characters');
    }
  }

  // Public shares: degree exactly m − 1, value Y at 0.
  const xs = [0n, ...parties.map((p) => p.index)];
  const ps = [pub, ...shares];
  if (!onPolynomialOfDegree(xs, ps, m - 1)) {
    invalid(
      'parties',
      `public shares do not lie on a degree-${m - 1} polynomial through the public key`,
    );
  }
  if (onPolynomialOfDegree(xs, ps, m - 2)) {
    invalid('minSigners', 'public shares imply fewer signers than minSigners');
  }

  // Secrets.
  const me = parties[selfIdx]!;
  const sec = share.secret;
  if (typeof sec !== 'object' || sec === null) invalid('secret', 'must be an object');
  if (!isBigint(sec.xi) || sec.xi < 1n || sec.xi >= q) invalid('secret.xi', 'must be in [1, q)');
  if (!mulG(sec.xi).equals(shares[selfIdx]!)) {
    invalid('secret.xi', `does not match parties[${selfIdx}].publicShare`);
  }
  const pl = sec.paillier;
  if (typeof pl !== 'object' || pl === null) invalid('secret.paillier', 'must be an object');
  checkFactor('secret.paillier.p', pl.p);
  checkFactor('secret.paillier.q', pl.q);
  if (pl.p * pl.q !== me.paillierN) {
    invalid('secret.paillier', `p·q must equal parties[${selfIdx}].paillierN`);
  }
  if (pl.p === pl.q) invalid('secret.paillier.q', 'must differ from p');

  const nt = sec.ntilde;
  if (nt !== undefined) {
    if (typeof nt !== 'object' || nt === null) invalid('secret.ntilde', 'must be an object');
    const { sophieGermainP: sp, sophieGermainQ: sq, alpha, beta } = nt;
    checkFactor('secret.ntilde.sophieGermainP', sp);
    checkFactor('secret.ntilde.sophieGermainQ', sq);
    const P = 2n * sp + 1n;
    const Q = 2n * sq + 1n;
    if (P * Q !== me.ntilde) {
      invalid('secret.ntilde', `(2p+1)(2q+1) must equal parties[${selfIdx}].ntilde`);
    }
    if (sp === sq) invalid('secret.ntilde.sophieGermainQ', 'must differ from sophieGermainP');
    const order = sp * sq;
    if (!isBigint(alpha) || alpha < 1n || alpha >= me.ntilde) {
      invalid('secret.ntilde.alpha', 'must be in [1, Ñ)');
    }
    if (!isBigint(beta) || beta < 1n || beta >= order) {
      invalid('secret.ntilde.beta', 'must be in [1, p·q)');
    }
    if (modPowCrt(me.h1, alpha, P, Q) !== me.h2) {
      invalid('secret.ntilde.alpha', `h1^alpha must equal parties[${selfIdx}].h2`);
    }
    if (modPowCrt(me.h2, beta, P, Q) !== me.h1) {
      invalid('secret.ntilde.beta', `h2^beta must equal parties[${selfIdx}].h1`);
    }
  }
}

/**
 * Our own entry of `share.parties`.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` when `self` names no party.
 * @example
 * ```ts
 * const me = keyShareSelf(share);
 * me.index; // our Shamir x-coordinate
 * ```
 */
export function keyShareSelf(share: KeyShare): KeyShareParty {
  const p = share.parties.find((x) => x.id === share.self);
  if (!p) throw new LocalError('INVALID_KEY_SHARE', '"self" must be the id of a party');
  return p;
}

function hexInt(v: bigint, field: string): string {
  if (!isBigint(v) || v < 0n) invalid(field, 'must be a non-negative bigint');
  return v.toString(16);
}

/**
 * Serializes a key share as versioned JSON (integers as lowercase hex strings, points and the
 * chain code as hex). Lossless: `parseKeyShare(serializeKeyShare(s))` deep-equals `s`.
 * Checks the shape (types) only; run {@link validateKeyShare} for the mathematics.
 *
 * The output contains secrets.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` when a field has the wrong type.
 * @example
 * ```ts
 * const text = serializeKeyShare(share);
 * await store.put(keyId, share.self, encrypt(text));
 * ```
 */
export function serializeKeyShare(share: KeyShare): string {
  if (typeof share !== 'object' || share === null) invalid('(root)', 'must be an object');
  if (!Array.isArray(share.parties)) invalid('parties', 'must be a list');
  const sec = share.secret;
  if (typeof sec !== 'object' || sec === null) invalid('secret', 'must be an object');
  if (typeof sec.paillier !== 'object' || sec.paillier === null) {
    invalid('secret.paillier', 'must be an object');
  }
  const str = (v: unknown, field: string): string => {
    if (typeof v !== 'string') invalid(field, 'must be a string');
    return v;
  };
  if (typeof share.version !== 'number') invalid('version', 'must be a number');
  if (typeof share.minSigners !== 'number') invalid('minSigners', 'must be a number');
  const out: JsonObject = {
    kind: KIND,
    version: share.version,
    curve: str(share.curve, 'curve'),
    minSigners: share.minSigners,
    self: str(share.self, 'self'),
    publicKey: {
      compressed: str(share.publicKey?.compressed, 'publicKey.compressed'),
      uncompressed: str(share.publicKey?.uncompressed, 'publicKey.uncompressed'),
    },
  };
  if (share.chainCode !== undefined) out.chainCode = str(share.chainCode, 'chainCode');
  out.parties = share.parties.map((p, j) => {
    const f = `parties[${j}]`;
    if (typeof p !== 'object' || p === null) invalid(f, 'must be an object');
    return {
      id: str(p.id, `${f}.id`),
      index: hexInt(p.index, `${f}.index`),
      publicShare: str(p.publicShare, `${f}.publicShare`),
      paillierN: hexInt(p.paillierN, `${f}.paillierN`),
      ntilde: hexInt(p.ntilde, `${f}.ntilde`),
      h1: hexInt(p.h1, `${f}.h1`),
      h2: hexInt(p.h2, `${f}.h2`),
    };
  });
  const secret: JsonObject = {
    xi: hexInt(sec.xi, 'secret.xi'),
    paillier: {
      p: hexInt(sec.paillier.p, 'secret.paillier.p'),
      q: hexInt(sec.paillier.q, 'secret.paillier.q'),
    },
  };
  if (sec.ntilde !== undefined) {
    const nt = sec.ntilde;
    secret.ntilde = {
      sophieGermainP: hexInt(nt.sophieGermainP, 'secret.ntilde.sophieGermainP'),
      sophieGermainQ: hexInt(nt.sophieGermainQ, 'secret.ntilde.sophieGermainQ'),
      alpha: hexInt(nt.alpha, 'secret.ntilde.alpha'),
      beta: hexInt(nt.beta, 'secret.ntilde.beta'),
    };
  }
  out.secret = secret;
  return stringifyLosslessJson(out);
}

// --- parsing ---

function obj(
  v: JsonValue | undefined,
  field: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(field, 'must be an object');
  for (const k of Object.keys(v)) {
    if (!keys.includes(k))
      invalid(field === '(root)' ? k : `${field}.${k}`, 'is not a known field');
  }
  for (const k of keys) {
    if (v[k] === undefined && !optional.includes(k)) {
      invalid(field === '(root)' ? k : `${field}.${k}`, 'is missing');
    }
  }
  return v;
}

function parseHexInt(v: JsonValue | undefined, field: string): bigint {
  if (typeof v !== 'string') invalid(field, 'must be a hex string');
  if (v.length === 0 || v.length > MAX_HEX_CHARS)
    invalid(field, `must have 1 to ${MAX_HEX_CHARS} hex digits`);
  if (!HEX_RE.test(v) || (v.length > 1 && v[0] === '0')) {
    invalid(field, 'must be minimal lowercase hex');
  }
  return BigInt(`0x${v}`);
}

function parseStr(v: JsonValue | undefined, field: string): string {
  if (typeof v !== 'string') invalid(field, 'must be a string');
  return v;
}

/**
 * Parses and fully validates a key share written by {@link serializeKeyShare}. Strict: unknown
 * or missing fields, non-canonical hex, and any {@link validateKeyShare} failure are rejected.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` naming the field (never a secret value).
 * @example
 * ```ts
 * const share = parseKeyShare(decrypt(await store.get(keyId, partyId)));
 * ```
 */
export function parseKeyShare(json: string): KeyShare {
  let root: JsonValue;
  try {
    root = parseLosslessJson(json, {
      integers: 'auto',
      maxLength: 1024 * 1024,
      maxDepth: 8,
      maxNumberLength: 20,
      maxStringLength: 4096,
    });
  } catch (e) {
    const detail = e instanceof MpcError ? e.shortMessage : 'invalid JSON';
    throw new LocalError('INVALID_KEY_SHARE', `key share: ${detail}`, { cause: e });
  }
  const o = obj(
    root,
    '(root)',
    [
      'kind',
      'version',
      'curve',
      'minSigners',
      'self',
      'publicKey',
      'chainCode',
      'parties',
      'secret',
    ],
    ['chainCode'],
  );
  if (o.kind !== KIND) invalid('kind', `must be "${KIND}"`);
  if (o.version !== KEY_SHARE_VERSION) {
    invalid('version', `is not supported (this library reads version ${KEY_SHARE_VERSION})`);
  }
  if (typeof o.minSigners !== 'number') invalid('minSigners', 'must be a number');
  const pk = obj(o.publicKey, 'publicKey', ['compressed', 'uncompressed']);
  const partiesJson = o.parties;
  if (!Array.isArray(partiesJson)) invalid('parties', 'must be a list');
  if (partiesJson.length > KEY_SHARE_MAX_PARTIES) {
    invalid('parties', `must have at most ${KEY_SHARE_MAX_PARTIES} entries`);
  }
  const parties = partiesJson.map((pv, j): KeyShareParty => {
    const f = `parties[${j}]`;
    const p = obj(pv, f, ['id', 'index', 'publicShare', 'paillierN', 'ntilde', 'h1', 'h2']);
    return {
      id: parseStr(p.id, `${f}.id`),
      index: parseHexInt(p.index, `${f}.index`),
      publicShare: parseStr(p.publicShare, `${f}.publicShare`),
      paillierN: parseHexInt(p.paillierN, `${f}.paillierN`),
      ntilde: parseHexInt(p.ntilde, `${f}.ntilde`),
      h1: parseHexInt(p.h1, `${f}.h1`),
      h2: parseHexInt(p.h2, `${f}.h2`),
    };
  });
  const s = obj(o.secret, 'secret', ['xi', 'paillier', 'ntilde'], ['ntilde']);
  const pl = obj(s.paillier, 'secret.paillier', ['p', 'q']);
  let ntilde: KeyShareNtildeSecret | undefined;
  if (s.ntilde !== undefined) {
    const nt = obj(s.ntilde, 'secret.ntilde', [
      'sophieGermainP',
      'sophieGermainQ',
      'alpha',
      'beta',
    ]);
    ntilde = {
      sophieGermainP: parseHexInt(nt.sophieGermainP, 'secret.ntilde.sophieGermainP'),
      sophieGermainQ: parseHexInt(nt.sophieGermainQ, 'secret.ntilde.sophieGermainQ'),
      alpha: parseHexInt(nt.alpha, 'secret.ntilde.alpha'),
      beta: parseHexInt(nt.beta, 'secret.ntilde.beta'),
    };
  }
  const share: KeyShare = {
    version: KEY_SHARE_VERSION,
    curve: parseStr(o.curve, 'curve') as 'secp256k1',
    minSigners: o.minSigners,
    self: parseStr(o.self, 'self'),
    parties,
    publicKey: {
      compressed: parseStr(pk.compressed, 'publicKey.compressed'),
      uncompressed: parseStr(pk.uncompressed, 'publicKey.uncompressed'),
    },
    ...(o.chainCode === undefined ? {} : { chainCode: parseStr(o.chainCode, 'chainCode') }),
    secret: {
      xi: parseHexInt(s.xi, 'secret.xi'),
      paillier: {
        p: parseHexInt(pl.p, 'secret.paillier.p'),
        q: parseHexInt(pl.q, 'secret.paillier.q'),
      },
      ...(ntilde === undefined ? {} : { ntilde }),
    },
  };
  validateKeyShare(share);
  return share;
}
