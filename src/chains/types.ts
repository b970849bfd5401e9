/**
 * Shared ground for the chain helpers (`mpc-tss/bitcoin`, `mpc-tss/ethereum`).
 *
 * The chain layer never sees key material. It hashes what a chain wants signed and hands the
 * 32-byte digest to a {@link ThresholdSigner} callback, which runs the threshold protocol (or,
 * in tests and examples, a plain key). Whatever comes back is treated as untrusted: it is
 * range-checked, normalised to low-s, verified against the public key, and its recovery id is
 * recomputed by public-key recovery when missing or wrong. A chain helper therefore never emits
 * a signature that does not verify, whatever the callback returns.
 *
 * Optional peer libraries (bitcoinjs-lib, @ethereumjs/*) are loaded lazily through
 * {@link _loadPeer}, so importing a subpath never crashes when they are absent.
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { LocalError, VerifyError } from '../errors.js';
import { bytesToHex, hexToBytes } from '../math/bigint.js';
import { CURVE_ORDER, type Point, pointFromBytes } from '../math/curve.js';

/** An ECDSA recovery id: bit 0 is the parity of R.y, bit 1 says R.x overflowed the group order. */
export type RecoveryId = 0 | 1 | 2 | 3;

/** A secp256k1 ECDSA signature with its recovery id. */
export interface RecoverableSignature {
  /** r ∈ [1, n). */
  r: bigint;
  /** s ∈ [1, n); low-s (s ≤ n/2) once it has passed through the chain layer. */
  s: bigint;
  /** Recovery id. */
  recoveryId: RecoveryId;
}

/**
 * What a chain helper is about to sign, passed to the {@link ThresholdSigner} as a second
 * argument so a coordinator can apply a policy or write an audit event. A signer may ignore it.
 */
export type SigningContext =
  | {
      chain: 'bitcoin';
      kind: 'psbt-input';
      /** Index of the input in the PSBT, when signed through `signPsbt`. */
      inputIndex?: number;
      /** Sighash type of the input, when signed through `signPsbt`. */
      sighashType?: number;
    }
  | {
      chain: 'ethereum';
      kind: 'transaction' | 'personal_sign' | 'typed_data' | 'digest';
      /** EIP-155 chain id, when the payload is bound to one. */
      chainId?: bigint;
    };

/**
 * Produces a secp256k1 ECDSA signature over a 32-byte digest with the threshold key.
 *
 * The threshold protocol plugs in here. The callback should return a low-s signature with a
 * matching recovery id; the chain layer checks both and fixes what it can (it never trusts them).
 * A missing `recoveryId` is recomputed. Errors the callback throws (e.g. a `PeerError` naming a
 * culprit) propagate unchanged.
 */
export type ThresholdSigner = (
  digest: Uint8Array,
  context?: SigningContext,
) => Promise<{ r: bigint; s: bigint; recoveryId?: RecoveryId | undefined }>;

/**
 * A public key in any of the shapes the library hands out:
 * - SEC1 bytes, 33 (compressed) or 65 (uncompressed);
 * - the same as a hex string (with or without `0x`);
 * - an object with a `publicKey` in one of those forms, or `{ compressed }` as in a key share
 *   (`{ publicKey: { compressed: '02…' } }`), which also covers derived child keys.
 */
export type PublicKeyInput =
  | Uint8Array
  | string
  | { publicKey: Uint8Array | string | { compressed: Uint8Array | string } };

/** Chain scope used as a prefix in messages (`[bitcoin] …`). */
export type ChainScope = 'bitcoin' | 'ethereum';

const HALF_ORDER = CURVE_ORDER >> 1n;

function _keyBytes(input: PublicKeyInput, scope: ChainScope): Uint8Array {
  let v: unknown = input;
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'publicKey' in v) {
    v = (v as { publicKey: unknown }).publicKey;
    if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'compressed' in v) {
      v = (v as { compressed: unknown }).compressed;
    }
  }
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    const hex = v.startsWith('0x') || v.startsWith('0X') ? v.slice(2) : v;
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
      throw new LocalError('INVALID_ARGUMENT', `[${scope}] "publicKey" is not a hex string`);
    }
    return hexToBytes(hex);
  }
  throw new LocalError(
    'INVALID_ARGUMENT',
    `[${scope}] "publicKey" expected SEC1 bytes, hex, or { publicKey }, got ${v === null ? 'null' : typeof v}`,
  );
}

/**
 * Decodes a {@link PublicKeyInput} to a curve point, rejecting malformed encodings, off-curve
 * points and the identity with `INVALID_ARGUMENT`.
 * @internal
 */
export function _publicKeyPoint(input: PublicKeyInput, scope: ChainScope): Point {
  const bytes = _keyBytes(input, scope);
  try {
    return pointFromBytes(bytes, 'publicKey');
  } catch (e) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `[${scope}] "publicKey" expected a valid 33- or 65-byte secp256k1 key, got ${bytes.length} bytes`,
      { cause: e },
    );
  }
}

/** Throws `INVALID_ARGUMENT` unless `digest` is a 32-byte Uint8Array. @internal */
export function _checkDigest(digest: unknown, scope: ChainScope, title = 'digest'): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    const got = digest instanceof Uint8Array ? `length=${digest.length}` : `type ${typeof digest}`;
    throw new LocalError(
      'INVALID_ARGUMENT',
      `[${scope}] "${title}" expected Uint8Array of length 32, got ${got}`,
    );
  }
  return digest;
}

function _recovers(r: bigint, s: bigint, id: number, digest: Uint8Array, key: Point): boolean {
  try {
    return new secp256k1.Signature(r, s, id).recoverPublicKey(digest).equals(key);
  } catch {
    return false; // e.g. id ≥ 2 while r + n ≥ p: no such R
  }
}

/**
 * Checks a signature produced by a {@link ThresholdSigner} and brings it to canonical form:
 * 1. r and s must be bigints in [1, n);
 * 2. a high s is replaced by n − s (and the parity bit of the recovery id flipped);
 * 3. the low-s signature must verify against `publicKey` over `digest` (noble, no prehash);
 * 4. the recovery id is kept if it recovers `publicKey`, otherwise recomputed by trying all four.
 *
 * Throws `VerifyError` `SIGNATURE_INVALID` when any check fails; it never returns a signature
 * that does not verify.
 * @internal
 */
export function _normalizeSignature(
  raw: unknown,
  digest: Uint8Array,
  publicKey: Point,
  scope: ChainScope,
): RecoverableSignature {
  if (typeof raw !== 'object' || raw === null) {
    throw new VerifyError('SIGNATURE_INVALID', `[${scope}] signer returned no signature object`);
  }
  const { r, s: s0, recoveryId } = raw as { r?: unknown; s?: unknown; recoveryId?: unknown };
  if (typeof r !== 'bigint' || typeof s0 !== 'bigint') {
    throw new VerifyError('SIGNATURE_INVALID', `[${scope}] signer returned non-bigint r or s`);
  }
  if (r <= 0n || r >= CURVE_ORDER || s0 <= 0n || s0 >= CURVE_ORDER) {
    throw new VerifyError('SIGNATURE_INVALID', `[${scope}] signature r or s is not in [1, n)`);
  }
  const high = s0 > HALF_ORDER;
  const s = high ? CURVE_ORDER - s0 : s0;
  const sig = new secp256k1.Signature(r, s);
  const ok = secp256k1.verify(sig.toBytes('compact'), digest, publicKey.toBytes(true), {
    prehash: false,
    lowS: true,
  });
  if (!ok) {
    throw new VerifyError(
      'SIGNATURE_INVALID',
      `[${scope}] signature does not verify against the public key`,
    );
  }
  let hint: number | undefined;
  if (typeof recoveryId === 'number' && Number.isInteger(recoveryId)) {
    if (recoveryId >= 0 && recoveryId <= 3) hint = high ? recoveryId ^ 1 : recoveryId;
  }
  if (hint !== undefined && _recovers(r, s, hint, digest, publicKey)) {
    return { r, s, recoveryId: hint as RecoveryId };
  }
  for (const id of [0, 1, 2, 3] as const) {
    if (id !== hint && _recovers(r, s, id, digest, publicKey)) return { r, s, recoveryId: id };
  }
  // Unreachable for a signature that verifies; kept so a noble regression cannot slip through.
  throw new VerifyError(
    'SIGNATURE_INVALID',
    `[${scope}] no recovery id recovers the public key from the signature`,
  );
}

/**
 * Runs `signer` over `digest` and returns a checked, low-s signature with a correct recovery id
 * (see {@link _normalizeSignature}).
 * @internal
 */
export async function _signChecked(
  signer: ThresholdSigner,
  digest: Uint8Array,
  publicKey: Point,
  scope: ChainScope,
  context?: SigningContext,
): Promise<RecoverableSignature> {
  _checkDigest(digest, scope);
  // The signer gets its own copy: a callback that mutates its input cannot change what we verify.
  const raw = await signer(Uint8Array.from(digest), context);
  return _normalizeSignature(raw, digest, publicKey, scope);
}

/** Encodes r ‖ s as 64 big-endian bytes. @internal */
export function _compact(sig: { r: bigint; s: bigint }): Uint8Array {
  return new secp256k1.Signature(sig.r, sig.s).toBytes('compact');
}

/** `0x`-prefixed lowercase hex. @internal */
export function _toHex(b: Uint8Array): `0x${string}` {
  return `0x${bytesToHex(b)}`;
}

/**
 * Imports an optional peer dependency, turning "module not found" into a `LocalError`
 * `MISSING_DEPENDENCY` that says what to install. Other load failures propagate unchanged.
 * `importer` is a thunk with a literal specifier, so bundlers can see it.
 * @internal
 */
export async function _loadPeer<T>(
  scope: ChainScope,
  pkg: string,
  importer: () => Promise<T>,
): Promise<T> {
  try {
    return await importer();
  } catch (e) {
    if (_isModuleNotFound(e, pkg)) {
      throw new LocalError('MISSING_DEPENDENCY', `[${scope}] install ${pkg}`, { cause: e });
    }
    throw e;
  }
}

function _isModuleNotFound(e: unknown, pkg: string): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  const message = String((e as { message?: unknown }).message ?? '');
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)|Failed to (load|resolve)/i.test(message);
  // The quoted name must be the missing one: a package that is present but misses one of its own
  // dependencies mentions our package only in a path ("imported from …/bitcoinjs-lib/…").
  return notFound && (message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`));
}
