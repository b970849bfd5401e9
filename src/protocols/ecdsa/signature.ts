/**
 * ECDSA signature output: normalisation (low-s, recovery id), verification and encodings.
 *
 * Every signing protocol ends here: {@link finishSignature} turns the aggregated (R, s) into a
 * {@link Signature}, normalising s to the lower half of [1, q) (BIP-62 / EIP-2 "low-s") and
 * flipping the recovery id to match, then verifies it against the (possibly derived) public key
 * with `@noble/curves` before anyone sees it (SECURITY.md item 11).
 *
 * Encodings:
 * - `compact`: r ‖ s, 32 bytes each, big-endian (Bitcoin "compact" without the header byte,
 *   tss-lib `SignatureData.Signature`).
 * - `der`: ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` (Bitcoin scripts, X.509, JWS ES256K
 *   uses compact).
 * - `recoveryId`: bit 0 = parity of R.y, bit 1 = R.x ≥ q (never set in practice); Ethereum's
 *   `v` is `27 + recoveryId` (legacy) or `recoveryId` (typed transactions).
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { LocalError, VerifyError } from '../../errors.js';
import { bigintToBytes, bytesToBigint, bytesToHex, concatBytes } from '../../math/bigint.js';
import { CURVE_ORDER, type Point, pointFromBytes } from '../../math/curve.js';

/** A finished ECDSA signature over secp256k1. */
export interface Signature {
  /** r = R.x mod q, in [1, q). */
  readonly r: bigint;
  /** s in [1, q/2] (low-s). */
  readonly s: bigint;
  /** Recovery id 0..3 matching the low-s signature: bit 0 = R.y odd, bit 1 = R.x ≥ q. */
  readonly recoveryId: number;
  /** r ‖ s, 64 bytes. */
  readonly compact: Uint8Array;
  /** ASN.1 DER encoding (70–72 bytes). */
  readonly der: Uint8Array;
  /** The key the signature was verified against (compressed SEC1, 33 bytes). */
  readonly publicKey: Uint8Array;
  /** The 32-byte message hash that was signed. */
  readonly messageHash: Uint8Array;
}

/** {@link Signature} with every field as lowercase hex (for JSON, logs and APIs). */
export interface SignatureHex {
  /** r, 64 hex chars. */
  r: string;
  /** s, 64 hex chars. */
  s: string;
  /** Recovery id 0..3. */
  recoveryId: number;
  /** r ‖ s, 128 hex chars. */
  compact: string;
  /** r ‖ s ‖ recoveryId, 130 hex chars (the "65-byte" form used by many wallets). */
  recoverable: string;
  /** DER, hex. */
  der: string;
  /** Compressed public key, 66 hex chars. */
  publicKey: string;
  /** Message hash, 64 hex chars. */
  messageHash: string;
}

const HALF_Q = CURVE_ORDER >> 1n;

/** Minimal DER INTEGER content of a positive bigint (leading 0x00 when the top bit is set). */
function derInt(x: bigint): Uint8Array {
  const b = bigintToBytes(x);
  return (b[0] as number) & 0x80 ? concatBytes(new Uint8Array([0]), b) : b;
}

/**
 * ASN.1 DER encoding `30 len 02 len(r) r 02 len(s) s` of r, s ∈ [1, q).
 * @throws {@link LocalError} `INVALID_ARGUMENT` when r or s is out of range.
 */
export function encodeDerSignature(r: bigint, s: bigint): Uint8Array {
  for (const [name, v] of [
    ['r', r],
    ['s', s],
  ] as const) {
    if (typeof v !== 'bigint' || v < 1n || v >= CURVE_ORDER) {
      throw new LocalError('INVALID_ARGUMENT', `"${name}" must be in [1, q)`);
    }
  }
  const rb = derInt(r);
  const sb = derInt(s);
  const body = concatBytes(
    new Uint8Array([0x02, rb.length]),
    rb,
    new Uint8Array([0x02, sb.length]),
    sb,
  );
  return concatBytes(new Uint8Array([0x30, body.length]), body);
}

/**
 * Strict DER decoding (minimal lengths and integers, nothing trailing), the inverse of
 * {@link encodeDerSignature}.
 * @throws {@link VerifyError} `MALFORMED` on anything else, `OUT_OF_RANGE` for r, s ∉ [1, q).
 */
export function decodeDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  const bad = (why: string): never => {
    throw new VerifyError('MALFORMED', `DER signature: ${why}`);
  };
  if (!(der instanceof Uint8Array) || der.length < 8 || der.length > 72) bad('bad length');
  if (der[0] !== 0x30 || der[1] !== der.length - 2) bad('bad sequence header');
  let off = 2;
  const readInt = (): bigint => {
    if (der[off] !== 0x02) bad('expected an INTEGER');
    const len = der[off + 1] as number;
    if (len === 0 || len > 33 || off + 2 + len > der.length) bad('bad INTEGER length');
    const v = der.subarray(off + 2, off + 2 + len);
    if ((v[0] as number) & 0x80) bad('negative INTEGER');
    if (v[0] === 0 && (len === 1 || !((v[1] as number) & 0x80))) bad('non-minimal INTEGER');
    off += 2 + len;
    return bytesToBigint(v);
  };
  const r = readInt();
  const s = readInt();
  if (off !== der.length) bad('trailing bytes');
  if (r < 1n || r >= CURVE_ORDER || s < 1n || s >= CURVE_ORDER) {
    throw new VerifyError('OUT_OF_RANGE', 'DER signature: r or s not in [1, q)');
  }
  return { r, s };
}

/**
 * Whether (r, s) is a valid ECDSA signature of the 32-byte `messageHash` (used as is, not hashed
 * again) under `publicKey`, checked by `@noble/curves`. Accepts high-s too when `lowS` is false.
 */
export function verifySignature(
  r: bigint,
  s: bigint,
  messageHash: Uint8Array,
  publicKey: Point | Uint8Array,
  opts: { lowS?: boolean } = {},
): boolean {
  if (r < 1n || r >= CURVE_ORDER || s < 1n || s >= CURVE_ORDER) return false;
  try {
    const pub = publicKey instanceof Uint8Array ? publicKey : publicKey.toBytes(true);
    const compact = concatBytes(bigintToBytes(r, 32), bigintToBytes(s, 32));
    return secp256k1.verify(compact, messageHash, pub, {
      prehash: false,
      lowS: opts.lowS ?? true,
      format: 'compact',
    });
  } catch {
    return false;
  }
}

/**
 * Builds the final signature from the signing nonce point R and the aggregated s: r = R.x mod q,
 * low-s normalisation with the recovery id flipped to match, then verification against
 * `publicKey` with `@noble/curves`.
 *
 * @returns the signature, or `undefined` when r = 0, s = 0 or verification fails (the caller
 *   decides whom to blame).
 */
export function finishSignature(
  R: Point,
  sum: bigint,
  messageHash: Uint8Array,
  publicKey: Point,
): Signature | undefined {
  if (R.is0()) return undefined;
  const { x, y } = R.toAffine();
  const r = x % CURVE_ORDER;
  let s = sum % CURVE_ORDER;
  if (r === 0n || s === 0n) return undefined;
  let recoveryId = (y & 1n ? 1 : 0) | (x >= CURVE_ORDER ? 2 : 0);
  if (s > HALF_Q) {
    s = CURVE_ORDER - s;
    recoveryId ^= 1;
  }
  const pub = publicKey.toBytes(true);
  if (!verifySignature(r, s, messageHash, pub)) return undefined;
  return {
    r,
    s,
    recoveryId,
    compact: concatBytes(bigintToBytes(r, 32), bigintToBytes(s, 32)),
    der: encodeDerSignature(r, s),
    publicKey: pub,
    messageHash: Uint8Array.from(messageHash),
  };
}

/**
 * Recovers the public key from a signature and its recovery id (e.g. to check an Ethereum `v`).
 * @throws {@link VerifyError} `SIGNATURE_INVALID` when no key can be recovered.
 */
export function recoverPublicKey(
  sig: Pick<Signature, 'r' | 's' | 'recoveryId'>,
  messageHash: Uint8Array,
): Point {
  try {
    const recovered = concatBytes(
      new Uint8Array([sig.recoveryId]),
      bigintToBytes(sig.r, 32),
      bigintToBytes(sig.s, 32),
    );
    const pub = secp256k1.recoverPublicKey(recovered, messageHash, { prehash: false });
    return pointFromBytes(pub, 'recovered public key');
  } catch (e) {
    throw new VerifyError('SIGNATURE_INVALID', 'no public key can be recovered', { cause: e });
  }
}

/**
 * Every field of a {@link Signature} as lowercase hex, plus the 65-byte `r ‖ s ‖ v` form.
 *
 * @example
 * ```ts
 * const { r, s, recoveryId, der } = signatureToHex(step.output!);
 * ```
 */
export function signatureToHex(sig: Signature): SignatureHex {
  return {
    r: bytesToHex(bigintToBytes(sig.r, 32)),
    s: bytesToHex(bigintToBytes(sig.s, 32)),
    recoveryId: sig.recoveryId,
    compact: bytesToHex(sig.compact),
    recoverable: bytesToHex(concatBytes(sig.compact, new Uint8Array([sig.recoveryId]))),
    der: bytesToHex(sig.der),
    publicKey: bytesToHex(sig.publicKey),
    messageHash: bytesToHex(sig.messageHash),
  };
}
