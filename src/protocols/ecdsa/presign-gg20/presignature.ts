/**
 * The GG20 presignature: what one signer keeps after presigning, to sign one message later in a
 * single round (`online-gg20`).
 *
 * It holds the nonce point R = k⁻¹·G, this signer's shares of k and of σ = k·x (**secret**), and
 * every signer's public check values R̄_j = k_j·R and S_j = σ_j·R, with which the online round
 * checks each signature share s_j on its own (so a bad share names its sender). A presignature
 * is bound to its key (the root public key), its exact signer set and its presigning session.
 *
 * **Use it at most once.** Two signature shares from one presignature on two different messages
 * reveal k_i (s − s′ = (m − m′)·k_i) and then σ_i; with the other signers' shares, the key.
 * Presignatures are therefore stored only in a {@link PresignaturePool} (encrypted at rest) and
 * handed to the online round only through `consumePresignature`, which durably marks them used
 * first (SECURITY.md item 12).
 *
 * Serialization is versioned JSON ({@link serializePresignature} / {@link parsePresignature});
 * `parsePresignature` re-validates everything, including that the secret shares match the
 * public check values, so a corrupted or tampered record is refused (`STORE_CORRUPT`).
 * @module
 */
import { LocalError } from '../../../errors.js';
import { bytesToHex, hexToBytes } from '../../../math/bigint.js';
import { CURVE_ORDER, G, IDENTITY, type Point, pointFromBytes } from '../../../math/curve.js';
import type { PresignatureInput } from '../../../stores/types.js';

/** `format` of a serialized presignature. */
export const PRESIGNATURE_FORMAT = 'mpc-tss/ecdsa-gg20-presignature';
/** Current layout version. */
export const PRESIGNATURE_VERSION = 1;

/** One signer's public part of a presignature. */
export interface PresignatureSigner {
  /** Party id. */
  readonly id: string;
  /** Shamir index. */
  readonly index: bigint;
  /** R̄_j = k_j·R, compressed SEC1. */
  readonly Rbar: Uint8Array;
  /** S_j = σ_j·R, compressed SEC1. */
  readonly S: Uint8Array;
}

/**
 * A GG20 presignature (one signer's view). Treat it as opaque: create it with
 * `createPresignParty`, store it with {@link serializePresignature}, and sign with it only
 * through `consumePresignature` → `createOnlineSignParty`.
 */
export interface Presignature {
  /** Layout version, {@link PRESIGNATURE_VERSION}. */
  readonly version: 1;
  /** Unique id: the presigning session id (equal at every signer). */
  readonly id: string;
  /** The key's id in the pool (default: the compressed public key, hex). */
  readonly keyId: string;
  /** The presigning session's ssid (32 bytes). */
  readonly ssid: Uint8Array;
  /** This signer's id. */
  readonly self: string;
  /** The signers, sorted by Shamir index, with their public check values. */
  readonly signers: readonly PresignatureSigner[];
  /** The (root) public key y, compressed. Derived keys are applied in the online round. */
  readonly publicKey: Uint8Array;
  /** The key's BIP32 chain code (32 bytes), when it has one. */
  readonly chainCode?: Uint8Array;
  /** The nonce point R, compressed. */
  readonly R: Uint8Array;
  /**
   * **Secret.** This signer's shares: k_i (of k, with R = k⁻¹·G) and σ_i (of k·x). Never log,
   * never send, never use twice.
   */
  readonly secret: { readonly k: bigint; readonly sigma: bigint };
}

interface PresignatureJson {
  format: string;
  v: number;
  id: string;
  keyId: string;
  ssid: string;
  self: string;
  signers: { id: string; index: string; Rbar: string; S: string }[];
  publicKey: string;
  chainCode?: string;
  R: string;
  secret: { k: string; sigma: string };
}

const corrupt = (what: string, cause?: unknown): never => {
  throw new LocalError(
    'STORE_CORRUPT',
    `presignature: ${what}`,
    cause === undefined ? {} : { cause },
  );
};

const scalarHex = (x: bigint) => x.toString(16).padStart(64, '0');

/**
 * Versioned JSON of a presignature. The result contains the secret shares: store it only
 * encrypted (every {@link PresignaturePool} implementation encrypts at rest).
 */
export function serializePresignature(p: Presignature): string {
  validatePresignature(p);
  const json: PresignatureJson = {
    format: PRESIGNATURE_FORMAT,
    v: PRESIGNATURE_VERSION,
    id: p.id,
    keyId: p.keyId,
    ssid: bytesToHex(p.ssid),
    self: p.self,
    signers: p.signers.map((s) => ({
      id: s.id,
      index: s.index.toString(16),
      Rbar: bytesToHex(s.Rbar),
      S: bytesToHex(s.S),
    })),
    publicKey: bytesToHex(p.publicKey),
    ...(p.chainCode === undefined ? {} : { chainCode: bytesToHex(p.chainCode) }),
    R: bytesToHex(p.R),
    secret: { k: scalarHex(p.secret.k), sigma: scalarHex(p.secret.sigma) },
  };
  return JSON.stringify(json);
}

function str(v: unknown, field: string, max = 256): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    corrupt(`"${field}" is not a string`);
  return v as string;
}

function hex(v: unknown, field: string, bytes?: number): Uint8Array {
  const s = str(v, field, 1024);
  if (!/^[0-9a-f]*$/.test(s) || s.length % 2 !== 0) corrupt(`"${field}" is not hex`);
  const b = hexToBytes(s);
  if (bytes !== undefined && b.length !== bytes) corrupt(`"${field}" must be ${bytes} bytes`);
  return b;
}

function big(v: unknown, field: string): bigint {
  const s = str(v, field, 64);
  if (!/^[0-9a-f]+$/.test(s)) corrupt(`"${field}" is not hex`);
  return BigInt(`0x${s}`);
}

/**
 * Parses and fully validates {@link serializePresignature} output (string or UTF-8 bytes).
 * @throws {@link LocalError} `STORE_CORRUPT` on any malformed or inconsistent field,
 *   `UNSUPPORTED` for another version.
 */
export function parsePresignature(data: string | Uint8Array): Presignature {
  let j: PresignatureJson;
  try {
    j = JSON.parse(
      typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data),
    );
  } catch (e) {
    return corrupt('not JSON', e);
  }
  if (typeof j !== 'object' || j === null || j.format !== PRESIGNATURE_FORMAT) {
    corrupt('not a GG20 presignature');
  }
  if (j.v !== PRESIGNATURE_VERSION) {
    throw new LocalError('UNSUPPORTED', `presignature version ${String(j.v)}`);
  }
  if (!Array.isArray(j.signers) || typeof j.secret !== 'object' || j.secret === null) {
    corrupt('missing fields');
  }
  const p: Presignature = {
    version: 1,
    id: str(j.id, 'id'),
    keyId: str(j.keyId, 'keyId'),
    ssid: hex(j.ssid, 'ssid', 32),
    self: str(j.self, 'self'),
    signers: j.signers.map((s, i) => ({
      id: str(s?.id, `signers[${i}].id`),
      index: big(s.index, `signers[${i}].index`),
      Rbar: hex(s.Rbar, `signers[${i}].Rbar`, 33),
      S: hex(s.S, `signers[${i}].S`, 33),
    })),
    publicKey: hex(j.publicKey, 'publicKey', 33),
    ...(j.chainCode === undefined ? {} : { chainCode: hex(j.chainCode, 'chainCode', 32) }),
    R: hex(j.R, 'R', 33),
    secret: { k: big(j.secret.k, 'secret.k'), sigma: big(j.secret.sigma, 'secret.sigma') },
  };
  validatePresignature(p);
  return p;
}

/** The decoded points of a validated presignature. */
export interface PresignaturePoints {
  readonly R: Point;
  readonly publicKey: Point;
  readonly Rbar: readonly Point[];
  readonly S: readonly Point[];
  /** Position of `self` in `signers`. */
  readonly pos: number;
}

/**
 * Checks a presignature's internal consistency: ids, indices sorted and distinct, every point
 * valid, Σ R̄_j = G and Σ S_j = y (what presigning established), and this signer's secret
 * shares matching its public check values (R̄_i = k_i·R, S_i = σ_i·R).
 * @throws {@link LocalError} `STORE_CORRUPT`.
 */
export function validatePresignature(p: Presignature): PresignaturePoints {
  if (typeof p !== 'object' || p === null || p.version !== 1) corrupt('not a presignature');
  const pt = (b: unknown, field: string): Point => {
    try {
      return pointFromBytes(b as Uint8Array, field);
    } catch (e) {
      return corrupt(`"${field}" is not a valid point`, e);
    }
  };
  if (!Array.isArray(p.signers) || p.signers.length < 2) corrupt('needs at least two signers');
  const ids = new Set<string>();
  let prev = 0n;
  for (const s of p.signers) {
    if (typeof s.id !== 'string' || ids.has(s.id)) corrupt('signer ids must be distinct strings');
    ids.add(s.id);
    if (typeof s.index !== 'bigint' || s.index <= prev || s.index >= CURVE_ORDER) {
      corrupt('signer indices must be sorted, distinct and in [1, q)');
    }
    prev = s.index;
  }
  const pos = p.signers.findIndex((s) => s.id === p.self);
  if (pos < 0) corrupt('"self" is not a signer');
  if (!(p.ssid instanceof Uint8Array) || p.ssid.length !== 32) corrupt('"ssid" must be 32 bytes');
  if (
    p.chainCode !== undefined &&
    (!(p.chainCode instanceof Uint8Array) || p.chainCode.length !== 32)
  ) {
    corrupt('"chainCode" must be 32 bytes');
  }
  const R = pt(p.R, 'R');
  const y = pt(p.publicKey, 'publicKey');
  const Rbar = p.signers.map((s, i) => pt(s.Rbar, `signers[${i}].Rbar`));
  const S = p.signers.map((s, i) => pt(s.S, `signers[${i}].S`));
  if (!Rbar.reduce((a, b) => a.add(b), IDENTITY).equals(G)) corrupt('Σ R̄_j ≠ G');
  if (!S.reduce((a, b) => a.add(b), IDENTITY).equals(y)) corrupt('Σ S_j ≠ y');
  const { k, sigma } = p.secret ?? ({} as Presignature['secret']);
  for (const [name, v] of [
    ['k', k],
    ['sigma', sigma],
  ] as const) {
    if (typeof v !== 'bigint' || v < 1n || v >= CURVE_ORDER)
      corrupt(`"secret.${name}" is not in [1, q)`);
  }
  if (!R.multiply(k).equals(Rbar[pos]!) || !R.multiply(sigma).equals(S[pos]!)) {
    corrupt('the secret shares do not match the public check values');
  }
  return { R, publicKey: y, Rbar, S, pos };
}

/**
 * The pool record of a presignature: `pool.add(p.keyId, [presignatureRecord(p)])`.
 * @example
 * ```ts
 * await sessionStore.presignatures.add(p.keyId, [presignatureRecord(p, { ttlMs: 86_400_000 })]);
 * ```
 */
export function presignatureRecord(
  p: Presignature,
  opts: { ttlMs?: number } = {},
): PresignatureInput {
  return {
    id: p.id,
    signers: p.signers.map((s) => s.id),
    data: serializePresignature(p),
    ...(opts.ttlMs === undefined ? {} : { ttlMs: opts.ttlMs }),
  };
}
