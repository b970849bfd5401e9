/**
 * Conversion between tss-lib ECDSA key files and {@link KeyShare}.
 * @module
 */
import { LocalError } from '../../errors.js';
import {
  inferMinSigners,
  KEY_SHARE_MAX_PARTIES,
  KEY_SHARE_VERSION,
  type KeyShare,
  type KeyShareNtildeSecret,
  type KeyShareParty,
  pointToHex,
  validateKeyShare,
} from '../../keyshare.js';
import { gcd, hexToBytes, isqrt } from '../../math/bigint.js';
import {
  CURVE_ORDER,
  mulG,
  type Point,
  pointCoords,
  pointFromBytes,
  pointFromCoords,
} from '../../math/curve.js';
import {
  parseTssLibSaveData,
  stringifyTssLibSaveData,
  type TssLibPoint,
  type TssLibSaveData,
} from './keyfile.js';

/** Options of {@link importTssLibKey}. */
export interface TssLibImportOptions {
  /**
   * Parties needed to sign: tss-lib's `threshold` + 1 (tss-lib key files do not store it).
   * When omitted it is inferred from the public shares (see the function notes) and a warning
   * says so; pass it to have it checked instead.
   */
  minSigners?: number;
  /**
   * Party ids, in the order of the file's `Ks` (tss-lib's sorted party list). Default: the
   * decimal string of each `Ks[j]`, i.e. tss-lib's `PartyID.Key` as a decimal integer.
   */
  ids?: readonly string[];
}

/** Result of {@link importTssLibKey}. */
export interface TssLibImportResult {
  /** The validated key share. */
  share: KeyShare;
  /**
   * Things the caller should act on, e.g. "v1 key file: reshare" or "minSigners was
   * inferred". Empty for a complete tss-lib v2 file imported with `minSigners`.
   */
  warnings: string[];
}

/** Options of {@link exportTssLibKey}. */
export interface TssLibExportOptions {
  /** Indentation; omitted = compact, like Go's `json.Marshal`. */
  indent?: number;
}

function bad(field: string, what: string, cause?: unknown): never {
  throw new LocalError(
    'INVALID_KEY_SHARE',
    `tss-lib key file: "${field}" ${what}`,
    cause === undefined ? {} : { cause },
  );
}

function toPoint(p: TssLibPoint, field: string): Point {
  try {
    return pointFromCoords(p.x, p.y, field);
  } catch (e) {
    return bad(field, 'is not a valid secp256k1 point', e);
  }
}

/** Recovers p, q from N and φ(N) = N − (p + q) + 1. */
function factorFromPhi(n: bigint, phi: bigint): { p: bigint; q: bigint } | undefined {
  const s = n - phi + 1n; // p + q
  const disc = s * s - 4n * n; // (p − q)²
  if (s <= 0n || disc < 0n) return undefined;
  const r = isqrt(disc);
  if (r * r !== disc || (s + r) % 2n !== 0n) return undefined;
  const p = (s + r) / 2n;
  const q = (s - r) / 2n;
  return p * q === n && q > 1n ? { p, q } : undefined;
}

/**
 * Imports a tss-lib ECDSA key file (`LocalPartySaveData` JSON, v1 or v2) as a validated
 * {@link KeyShare}.
 *
 * Checks, on top of {@link validateKeyShare}: all lists have one entry per party;
 * `ShareID` is one of `Ks` and `Xi·G = BigXj[i]`; `NTildei/H1i/H2i` and `PaillierSK.N` are the
 * own entries of the lists; `PaillierSK.N = P·Q`, `PhiN = (P−1)(Q−1)`, `LambdaN =
 * lcm(P−1, Q−1)`; `ECDSAPub` and every `BigXj` are curve points.
 *
 * `minSigners`: tss-lib files do not store the threshold. When given, the public shares must
 * lie on a polynomial of degree exactly `minSigners − 1` through `ECDSAPub`. When omitted, it
 * is inferred as one more than the degree of the lowest-degree polynomial through them; that
 * polynomial is unique, and for an honestly generated key its degree is tss-lib's threshold
 * (except with probability about 1/q). Inconsistent shares throw.
 *
 * Warnings (returned, not thrown): v1 files (points without `"Curve"`, from tss-lib versions
 * without the 2023 security fixes) should be reshared; a missing Ñ trapdoor (`Alpha`, `Beta`,
 * `P`, `Q`) is reported, since the key can sign but cannot prove its Ñ again; missing Paillier
 * factors are recovered from `PhiN`; an inferred `minSigners` is reported.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` naming the field (never a secret value).
 * @example
 * ```ts
 * const { share, warnings } = importTssLibKey(readFileSync('keygen_data_0.json', 'utf8'), {
 *   minSigners: 3, // tss-lib threshold 2
 * });
 * for (const w of warnings) console.warn(w);
 * share.publicKey.compressed; // '02a89d4d…'
 * ```
 */
export function importTssLibKey(
  json: string | TssLibSaveData,
  opts: TssLibImportOptions = {},
): TssLibImportResult {
  const d = typeof json === 'string' ? parseTssLibSaveData(json) : json;
  const warnings: string[] = [];
  const n = d.ks.length;
  if (n < 2 || n > KEY_SHARE_MAX_PARTIES)
    bad('Ks', `must have 2 to ${KEY_SHARE_MAX_PARTIES} entries`);
  for (const key of ['nTildej', 'h1j', 'h2j', 'bigXj', 'paillierPKs'] as const) {
    if (d[key].length !== n) bad(key, 'must have one entry per party');
  }

  // Party ids.
  let ids: readonly string[];
  if (opts.ids !== undefined) {
    if (!Array.isArray(opts.ids) || opts.ids.length !== n) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `"ids" must list ${n} party ids, in the order of Ks`,
      );
    }
    if (opts.ids.some((id) => typeof id !== 'string' || id.length === 0)) {
      throw new LocalError('INVALID_ARGUMENT', '"ids" must be non-empty strings');
    }
    if (new Set(opts.ids).size !== n)
      throw new LocalError('INVALID_ARGUMENT', '"ids" must be distinct');
    ids = opts.ids;
  } else {
    ids = d.ks.map((k) => k.toString(10));
  }

  // Own position.
  const self = d.ks.indexOf(d.shareID);
  if (self < 0) bad('ShareID', 'is not one of Ks');
  d.ks.forEach((k, j) => {
    if (k < 1n || k >= CURVE_ORDER) bad(`Ks[${j}]`, 'must be in [1, q)');
  });
  if (new Set(d.ks).size !== n) bad('Ks', 'has duplicate entries');
  if (d.xi < 1n || d.xi >= CURVE_ORDER) bad('Xi', 'must be in [1, q)');
  const bigXj = d.bigXj.map((p, j) => toPoint(p, `BigXj[${j}]`));
  if (!mulG(d.xi).equals(bigXj[self]!)) bad('Xi', `Xi·G does not equal BigXj[${self}]`);
  const pub = toPoint(d.ecdsaPub, 'ECDSAPub');
  if (d.nTildei !== d.nTildej[self]) bad('NTildei', `does not equal NTildej[${self}]`);
  if (d.h1i !== d.h1j[self]) bad('H1i', `does not equal H1j[${self}]`);
  if (d.h2i !== d.h2j[self]) bad('H2i', `does not equal H2j[${self}]`);

  // Paillier secret key.
  const sk = d.paillierSK;
  if (sk.n !== d.paillierPKs[self]) bad('PaillierSK.N', `does not equal PaillierPKs[${self}].N`);
  let p: bigint;
  let q: bigint;
  if (sk.p !== undefined && sk.q !== undefined) {
    if (sk.p * sk.q !== sk.n) bad('PaillierSK', 'P·Q does not equal N');
    p = sk.p;
    q = sk.q;
  } else if (sk.p === undefined && sk.q === undefined) {
    const f = factorFromPhi(sk.n, sk.phiN);
    if (!f) bad('PaillierSK.PhiN', 'is not φ(N) of a product of two primes');
    ({ p, q } = f);
    warnings.push(
      'tss-lib key file has no Paillier factors (PaillierSK.P/Q); they were recovered from PhiN.',
    );
  } else {
    bad(
      sk.p === undefined ? 'PaillierSK.P' : 'PaillierSK.Q',
      'is missing while the other factor is present',
    );
  }
  const phi = (p - 1n) * (q - 1n);
  if (sk.phiN !== phi) bad('PaillierSK.PhiN', 'does not equal (P−1)(Q−1)');
  if (sk.lambdaN !== phi / gcd(p - 1n, q - 1n))
    bad('PaillierSK.LambdaN', 'does not equal lcm(P−1, Q−1)');

  // Ring-Pedersen trapdoor.
  const trap = [d.alpha, d.beta, d.p, d.q];
  let ntilde: KeyShareNtildeSecret | undefined;
  if (trap.every((v) => v !== undefined)) {
    ntilde = { sophieGermainP: d.p!, sophieGermainQ: d.q!, alpha: d.alpha!, beta: d.beta! };
  } else if (trap.every((v) => v === undefined)) {
    warnings.push(
      'tss-lib key file has no Ñ trapdoor (Alpha, Beta, P, Q): the key can sign, but reshare it to regenerate its pre-parameters.',
    );
  } else {
    bad('Alpha', 'Alpha, Beta, P and Q must be all present or all absent');
  }
  if (d.format === 'v1') {
    warnings.push(
      'tss-lib v1 key file (points without "Curve"): it comes from a tss-lib version without the v2 security fixes; reshare this key.',
    );
  }

  const parties: KeyShareParty[] = d.ks.map((index, j) => ({
    id: ids[j]!,
    index,
    publicShare: pointToHex(bigXj[j]!),
    paillierN: d.paillierPKs[j]!,
    ntilde: d.nTildej[j]!,
    h1: d.h1j[j]!,
    h2: d.h2j[j]!,
  }));
  parties.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const publicKey = { compressed: pointToHex(pub), uncompressed: pointToHex(pub, false) };

  let minSigners: number;
  if (opts.minSigners === undefined) {
    minSigners = inferMinSigners(parties, publicKey.compressed);
    warnings.push(
      `minSigners was inferred as ${minSigners} (tss-lib threshold ${minSigners - 1}) from the public shares; pass it explicitly to have it checked.`,
    );
  } else {
    if (!Number.isSafeInteger(opts.minSigners)) {
      throw new LocalError('INVALID_ARGUMENT', '"minSigners" must be an integer');
    }
    minSigners = opts.minSigners;
  }

  const share: KeyShare = {
    version: KEY_SHARE_VERSION,
    curve: 'secp256k1',
    minSigners,
    self: ids[self]!,
    parties,
    publicKey,
    secret: {
      xi: d.xi,
      paillier: { p, q },
      ...(ntilde === undefined ? {} : { ntilde }),
    },
  };
  validateKeyShare(share);
  return { share, warnings };
}

/**
 * Exports a key share as a tss-lib v2 ECDSA key file (`LocalPartySaveData` JSON), which
 * tss-lib's `json.Unmarshal` reads. Parties are written in tss-lib's order (ascending index,
 * as `SortPartyIDs` orders party keys), with `Ks[j]` = index; party ids are not part of the
 * format. A share without the Ñ trapdoor writes `null` for `Alpha`, `Beta`, `P`, `Q`.
 *
 * The share is validated first ({@link validateKeyShare}). The output contains secrets.
 *
 * @throws {LocalError} `INVALID_KEY_SHARE` when the share is invalid.
 * @example
 * ```ts
 * writeFileSync('keygen_data_0.json', exportTssLibKey(share), { mode: 0o600 });
 * ```
 */
export function exportTssLibKey(share: KeyShare, opts: TssLibExportOptions = {}): string {
  validateKeyShare(share);
  const parties = [...share.parties].sort((a, b) => (a.index < b.index ? -1 : 1));
  const me = parties.find((p) => p.id === share.self)!;
  const coords = (hex: string): TssLibPoint => {
    const { x, y } = pointCoords(pointFromBytes(hexToBytes(hex)));
    return { x, y };
  };
  const { p, q } = share.secret.paillier;
  const phi = (p - 1n) * (q - 1n);
  const nt = share.secret.ntilde;
  const data: TssLibSaveData = {
    format: 'v2',
    paillierSK: { n: p * q, lambdaN: phi / gcd(p - 1n, q - 1n), phiN: phi, p, q },
    nTildei: me.ntilde,
    h1i: me.h1,
    h2i: me.h2,
    ...(nt === undefined
      ? {}
      : { alpha: nt.alpha, beta: nt.beta, p: nt.sophieGermainP, q: nt.sophieGermainQ }),
    xi: share.secret.xi,
    shareID: me.index,
    ks: parties.map((x) => x.index),
    nTildej: parties.map((x) => x.ntilde),
    h1j: parties.map((x) => x.h1),
    h2j: parties.map((x) => x.h2),
    bigXj: parties.map((x) => coords(x.publicShare)),
    paillierPKs: parties.map((x) => x.paillierN),
    ecdsaPub: coords(share.publicKey.compressed),
  };
  return stringifyTssLibSaveData(data, opts.indent ? { indent: opts.indent } : {});
}
