/**
 * bnb-chain/tss-lib ECDSA key files: Go `encoding/json` of `keygen.LocalPartySaveData`.
 *
 * This layer is structural and lossless: it maps the JSON to typed bigints and back, in
 * tss-lib's field order, without checking any mathematics. `importTssLibKey` does the checks.
 *
 * Formats:
 * - `v2` (tss-lib ≥ 1.3, including v2.x): points are `{"Curve":"secp256k1","Coords":[x,y]}`.
 * - `v1` (older tss-lib): points are `{"Coords":[x,y]}`. Such files may also lack the Paillier
 *   factors (`PaillierSK.P/Q`) and the ring-Pedersen trapdoor (`Alpha`, `Beta`, `P`, `Q`).
 *
 * Go writes a nil `*big.Int` as `null`; optional fields accept `null` or absence.
 * @module
 */
import { LocalError, MpcError } from '../../errors.js';
import {
  type JsonObject,
  type JsonValue,
  parseLosslessJson,
  stringifyLosslessJson,
} from './json.js';

/** An affine secp256k1 point as tss-lib stores it (`crypto.ECPoint`). */
export interface TssLibPoint {
  /** `Coords[0]`. */
  readonly x: bigint;
  /** `Coords[1]`. */
  readonly y: bigint;
}

/** tss-lib's `paillier.PrivateKey`. */
export interface TssLibPaillierSecretKey {
  /** `N` = P·Q. */
  readonly n: bigint;
  /** `LambdaN` = lcm(P−1, Q−1). */
  readonly lambdaN: bigint;
  /** `PhiN` = (P−1)(Q−1). */
  readonly phiN: bigint;
  /** `P` (absent in v1 files). */
  readonly p?: bigint;
  /** `Q` (absent in v1 files). */
  readonly q?: bigint;
}

/**
 * tss-lib's `keygen.LocalPartySaveData`, field by field (Go names in the comments).
 * Array index j is the party's position in the keygen party list sorted by key.
 */
export interface TssLibSaveData {
  /** `v2` when points carry `"Curve"`, `v1` when they do not. */
  readonly format: 'v1' | 'v2';
  /** `PaillierSK`: our Paillier private key. */
  readonly paillierSK: TssLibPaillierSecretKey;
  /** `NTildei`: our Ñ. */
  readonly nTildei: bigint;
  /** `H1i`. */
  readonly h1i: bigint;
  /** `H2i` = H1i^Alpha mod Ñ. */
  readonly h2i: bigint;
  /** `Alpha` (optional). */
  readonly alpha?: bigint;
  /** `Beta` = Alpha⁻¹ mod P·Q (optional). */
  readonly beta?: bigint;
  /** `P`: Sophie Germain prime, Ñ = (2P+1)(2Q+1) (optional). */
  readonly p?: bigint;
  /** `Q`: Sophie Germain prime (optional). */
  readonly q?: bigint;
  /** `Xi`: our secret share. */
  readonly xi: bigint;
  /** `ShareID`: our Shamir x-coordinate (= our party key; one of `ks`). */
  readonly shareID: bigint;
  /** `Ks`: every party's Shamir x-coordinate (party key). */
  readonly ks: readonly bigint[];
  /** `NTildej`. */
  readonly nTildej: readonly bigint[];
  /** `H1j`. */
  readonly h1j: readonly bigint[];
  /** `H2j`. */
  readonly h2j: readonly bigint[];
  /** `BigXj`: public shares X_j = x_j·G. */
  readonly bigXj: readonly TssLibPoint[];
  /** `PaillierPKs[j].N`. */
  readonly paillierPKs: readonly bigint[];
  /** `ECDSAPub`: the group public key. */
  readonly ecdsaPub: TssLibPoint;
}

/** Options of {@link stringifyTssLibSaveData}. */
export interface TssLibWriteOptions {
  /** Indentation (see `stringifyLosslessJson`); omitted = compact, like Go's `json.Marshal`. */
  indent?: number;
}

/** Largest key file accepted (tss-lib files are ~15 kB for 3 parties, ~21 kB for 5). */
const MAX_FILE_CHARS = 4 * 1024 * 1024;
/** Largest party count accepted at this (structural) layer. */
const MAX_ENTRIES = 1024;
/** Largest integer: 8192 bits has 2467 decimal digits. */
const MAX_DIGITS = 2500;

const TOP_KEYS = [
  'PaillierSK',
  'NTildei',
  'H1i',
  'H2i',
  'Alpha',
  'Beta',
  'P',
  'Q',
  'Xi',
  'ShareID',
  'Ks',
  'NTildej',
  'H1j',
  'H2j',
  'BigXj',
  'PaillierPKs',
  'ECDSAPub',
] as const;
const OPTIONAL_TOP = new Set<string>(['Alpha', 'Beta', 'P', 'Q']);
const SK_KEYS = ['N', 'LambdaN', 'PhiN', 'P', 'Q'] as const;
const OPTIONAL_SK = new Set<string>(['P', 'Q']);

function bad(field: string, what: string): never {
  throw new LocalError('INVALID_KEY_SHARE', `tss-lib key file: "${field}" ${what}`);
}

function asObject(v: JsonValue | undefined, field: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, 'must be an object');
  return v;
}

function checkKeys(o: JsonObject, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) bad(field ? `${field}.${k}` : k, 'is not a known field');
  }
}

function asInt(v: JsonValue | undefined, field: string): bigint {
  if (v === undefined || v === null) bad(field, 'is missing');
  if (typeof v !== 'bigint') bad(field, 'must be an integer');
  if (v < 0n) bad(field, 'must not be negative');
  return v;
}

function optInt(v: JsonValue | undefined, field: string): bigint | undefined {
  return v === undefined || v === null ? undefined : asInt(v, field);
}

function asArray(v: JsonValue | undefined, field: string): JsonValue[] {
  if (!Array.isArray(v))
    bad(field, v === undefined || v === null ? 'is missing' : 'must be a list');
  if (v.length === 0) bad(field, 'is empty');
  if (v.length > MAX_ENTRIES) bad(field, `has more than ${MAX_ENTRIES} entries`);
  return v;
}

function asPoint(v: JsonValue | undefined, field: string): { p: TssLibPoint; curve: boolean } {
  const o = asObject(v, field);
  checkKeys(o, ['Curve', 'Coords'], field);
  let curve = false;
  if (o.Curve !== undefined) {
    if (o.Curve !== 'secp256k1') bad(`${field}.Curve`, 'must be "secp256k1"');
    curve = true;
  }
  const c = o.Coords;
  if (!Array.isArray(c) || c.length !== 2) bad(`${field}.Coords`, 'must be a list of 2 integers');
  return {
    p: { x: asInt(c[0], `${field}.Coords[0]`), y: asInt(c[1], `${field}.Coords[1]`) },
    curve,
  };
}

/**
 * Parses a tss-lib ECDSA key file losslessly. Structural only: types, presence, array lengths,
 * no unknown fields, non-negative integers, the curve name. No mathematical validation (use
 * `importTssLibKey` for that).
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` naming the offending field (never its value).
 * @example
 * ```ts
 * const data = parseTssLibSaveData(readFileSync('keygen_data_0.json', 'utf8'));
 * data.ks.length; // number of parties
 * data.bigXj[0].x; // bigint
 * ```
 */
export function parseTssLibSaveData(json: string): TssLibSaveData {
  let root: JsonValue;
  try {
    root = parseLosslessJson(json, {
      maxLength: MAX_FILE_CHARS,
      maxDepth: 8,
      maxNumberLength: MAX_DIGITS,
      maxStringLength: 64,
    });
  } catch (e) {
    const detail = e instanceof MpcError ? e.shortMessage : 'invalid JSON';
    throw new LocalError('INVALID_KEY_SHARE', `tss-lib key file: ${detail}`, { cause: e });
  }
  const o = asObject(root, '(root)');
  checkKeys(o, TOP_KEYS, '');
  for (const k of TOP_KEYS) {
    if (!OPTIONAL_TOP.has(k) && (o[k] === undefined || o[k] === null)) bad(k, 'is missing');
  }
  const sk = asObject(o.PaillierSK, 'PaillierSK');
  checkKeys(sk, SK_KEYS, 'PaillierSK');
  for (const k of SK_KEYS) {
    if (!OPTIONAL_SK.has(k) && (sk[k] === undefined || sk[k] === null)) {
      bad(`PaillierSK.${k}`, 'is missing');
    }
  }

  const ks = asArray(o.Ks, 'Ks').map((v, j) => asInt(v, `Ks[${j}]`));
  const n = ks.length;
  const list = (key: 'NTildej' | 'H1j' | 'H2j' | 'BigXj' | 'PaillierPKs'): JsonValue[] => {
    const a = asArray(o[key], key);
    if (a.length !== n) bad(key, `has ${a.length} entries, Ks has ${n}`);
    return a;
  };
  const curves: boolean[] = [];
  const point = (v: JsonValue | undefined, field: string): TssLibPoint => {
    const { p, curve } = asPoint(v, field);
    curves.push(curve);
    return p;
  };
  const bigXj = list('BigXj').map((v, j) => point(v, `BigXj[${j}]`));
  const ecdsaPub = point(o.ECDSAPub, 'ECDSAPub');
  const withCurve = curves.filter(Boolean).length;
  if (withCurve !== 0 && withCurve !== curves.length) {
    bad('BigXj', 'mixes points with and without "Curve"');
  }

  const alpha = optInt(o.Alpha, 'Alpha');
  const beta = optInt(o.Beta, 'Beta');
  const p = optInt(o.P, 'P');
  const q = optInt(o.Q, 'Q');
  const skP = optInt(sk.P, 'PaillierSK.P');
  const skQ = optInt(sk.Q, 'PaillierSK.Q');
  return {
    format: withCurve === 0 ? 'v1' : 'v2',
    paillierSK: {
      n: asInt(sk.N, 'PaillierSK.N'),
      lambdaN: asInt(sk.LambdaN, 'PaillierSK.LambdaN'),
      phiN: asInt(sk.PhiN, 'PaillierSK.PhiN'),
      ...(skP === undefined ? {} : { p: skP }),
      ...(skQ === undefined ? {} : { q: skQ }),
    },
    nTildei: asInt(o.NTildei, 'NTildei'),
    h1i: asInt(o.H1i, 'H1i'),
    h2i: asInt(o.H2i, 'H2i'),
    ...(alpha === undefined ? {} : { alpha }),
    ...(beta === undefined ? {} : { beta }),
    ...(p === undefined ? {} : { p }),
    ...(q === undefined ? {} : { q }),
    xi: asInt(o.Xi, 'Xi'),
    shareID: asInt(o.ShareID, 'ShareID'),
    ks,
    nTildej: list('NTildej').map((v, j) => asInt(v, `NTildej[${j}]`)),
    h1j: list('H1j').map((v, j) => asInt(v, `H1j[${j}]`)),
    h2j: list('H2j').map((v, j) => asInt(v, `H2j[${j}]`)),
    bigXj,
    paillierPKs: list('PaillierPKs').map((v, j) => {
      const pk = asObject(v, `PaillierPKs[${j}]`);
      checkKeys(pk, ['N'], `PaillierPKs[${j}]`);
      return asInt(pk.N, `PaillierPKs[${j}].N`);
    }),
    ecdsaPub,
  };
}

function nonNegative(v: unknown, field: string): bigint {
  if (typeof v !== 'bigint' || v < 0n) {
    throw new LocalError('INVALID_ARGUMENT', `"${field}" must be a non-negative bigint`);
  }
  return v;
}

/**
 * Writes a {@link TssLibSaveData} as a tss-lib key file, in Go's field order. `v2` writes
 * `"Curve":"secp256k1"` in every point and `null` for absent optional integers (as Go does for
 * nil `*big.Int`); `v1` writes bare `{"Coords":[x,y]}` points and omits absent optional fields.
 * Compact output of a file tss-lib wrote with `json.Marshal` is byte-identical to it.
 *
 * @throws {LocalError} `INVALID_ARGUMENT` for a negative or non-bigint value or mismatched list
 * lengths.
 * @example
 * ```ts
 * const text = stringifyTssLibSaveData(parseTssLibSaveData(original));
 * ```
 */
export function stringifyTssLibSaveData(
  data: TssLibSaveData,
  opts: TssLibWriteOptions = {},
): string {
  const v2 = data.format === 'v2';
  if (!v2 && data.format !== 'v1') {
    throw new LocalError('INVALID_ARGUMENT', '"format" must be "v1" or "v2"');
  }
  const n = data.ks.length;
  for (const key of ['nTildej', 'h1j', 'h2j', 'bigXj', 'paillierPKs'] as const) {
    if (data[key].length !== n) {
      throw new LocalError('INVALID_ARGUMENT', `"${key}" must have as many entries as "ks"`);
    }
  }
  const int = (v: bigint | undefined, field: string): bigint => nonNegative(v, field);
  const opt = (o: JsonObject, key: string, v: bigint | undefined, field: string): void => {
    if (v !== undefined) o[key] = int(v, field);
    else if (v2) o[key] = null;
  };
  const point = (p: TssLibPoint, field: string): JsonObject => {
    const coords = [int(p.x, `${field}.x`), int(p.y, `${field}.y`)];
    return v2 ? { Curve: 'secp256k1', Coords: coords } : { Coords: coords };
  };
  const sk: JsonObject = {
    N: int(data.paillierSK.n, 'paillierSK.n'),
    LambdaN: int(data.paillierSK.lambdaN, 'paillierSK.lambdaN'),
    PhiN: int(data.paillierSK.phiN, 'paillierSK.phiN'),
  };
  opt(sk, 'P', data.paillierSK.p, 'paillierSK.p');
  opt(sk, 'Q', data.paillierSK.q, 'paillierSK.q');
  const out: JsonObject = {
    PaillierSK: sk,
    NTildei: int(data.nTildei, 'nTildei'),
    H1i: int(data.h1i, 'h1i'),
    H2i: int(data.h2i, 'h2i'),
  };
  opt(out, 'Alpha', data.alpha, 'alpha');
  opt(out, 'Beta', data.beta, 'beta');
  opt(out, 'P', data.p, 'p');
  opt(out, 'Q', data.q, 'q');
  out.Xi = int(data.xi, 'xi');
  out.ShareID = int(data.shareID, 'shareID');
  out.Ks = data.ks.map((v, j) => int(v, `ks[${j}]`));
  out.NTildej = data.nTildej.map((v, j) => int(v, `nTildej[${j}]`));
  out.H1j = data.h1j.map((v, j) => int(v, `h1j[${j}]`));
  out.H2j = data.h2j.map((v, j) => int(v, `h2j[${j}]`));
  out.BigXj = data.bigXj.map((p, j) => point(p, `bigXj[${j}]`));
  out.PaillierPKs = data.paillierPKs.map((v, j) => ({ N: int(v, `paillierPKs[${j}]`) }));
  out.ECDSAPub = point(data.ecdsaPub, 'ecdsaPub');
  return stringifyLosslessJson(out, opts.indent ? { indent: opts.indent } : {});
}
