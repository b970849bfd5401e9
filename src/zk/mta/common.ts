/**
 * Shared pieces of the MtA range proofs (GG18 Appendix A, tss-lib `crypto/mta`): bounds,
 * ring-Pedersen parameters, proof contexts (profiles), strict field checks and byte-part codecs.
 *
 * Why a separate module: the three proofs (Alice's range proof, Bob's proof and Bob's proof with
 * check) must apply the same degenerate-value rules (SECURITY.md items 7, 8, 14) and the same
 * session binding, so the rules are written once here.
 * @module
 */
import { LocalError, VerifyError } from '../../errors.js';
import { Transcript } from '../../hash/transcript.js';
import {
  bigintToBytes,
  bitLength,
  byteLength,
  checkRange,
  decodeBigInt,
  gcd,
} from '../../math/bigint.js';
import { CURVE_ORDER } from '../../math/curve.js';
import { PAILLIER_MODULUS_BITS } from '../../paillier/paillier.js';
import type { Profile } from '../../profile.js';

/** q, the secp256k1 group order. */
export const Q: bigint = CURVE_ORDER;
/** q³: Alice's plaintext bound in the range proof and the bound on s1. */
export const Q3: bigint = Q ** 3n;
/** q⁵: Bob's additive mask β′ is sampled from [0, q⁵). */
export const Q5: bigint = Q ** 5n;
/** q⁷: the mask γ of Bob's proof is sampled from [0, q⁷); bound on t1. */
export const Q7: bigint = Q ** 7n;

/** Bit length of every ring-Pedersen modulus Ñ (SECURITY.md item 4). */
export const NTILDE_BITS = 2048;
/** Byte length of Ñ: the cap for values modulo Ñ (z, z′, t, w). */
export const NTILDE_BYTES = NTILDE_BITS / 8;

/**
 * Ring-Pedersen (DLN) parameters of the verifier: Ñ = P·Q with safe primes, h1, h2 ∈ Z*_Ñ.
 * Same shape as tss-lib's `NTildej[j], H1j[j], H2j[j]`.
 */
export interface RingPedersenParams {
  /** Ñ (2048 bits). */
  readonly nTilde: bigint;
  /** h1 ∈ (1, Ñ), a quadratic residue. */
  readonly h1: bigint;
  /** h2 = h1^α ∈ (1, Ñ). */
  readonly h2: bigint;
}

/**
 * Who proves what in which session.
 * - `native`: the challenge is bound through {@link Transcript} to `ssid`, `prover` and the
 *   proof tag, plus the full statement (SECURITY.md item 6).
 * - `tss-lib`: byte-compatible with tss-lib master. Bob's proofs use the session
 *   `ssid ‖ bytes(prover)` (nothing appended for prover 0); Alice's range proof hashes no session.
 */
export interface MtaProofContext {
  /** Hashing profile. */
  readonly profile: Profile;
  /** Session id (tss-lib: the signing ssid bytes as tss-lib has them, minimal big-endian). */
  readonly ssid: Uint8Array;
  /** The prover's party index (tss-lib: its index in the sorted signer list). */
  readonly prover: number;
}

/** Minimum ssid length in the native profile (a 32-byte hash is expected). */
const NATIVE_MIN_SSID_BYTES = 16;

/** Validates a proof context supplied by the caller. */
export function checkContext(ctx: MtaProofContext): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new LocalError('INVALID_ARGUMENT', 'proof context is required');
  }
  if (ctx.profile !== 'native' && ctx.profile !== 'tss-lib') {
    throw new LocalError('INVALID_ARGUMENT', 'unknown profile');
  }
  if (!(ctx.ssid instanceof Uint8Array)) {
    throw new LocalError('INVALID_ARGUMENT', '"ssid" must be bytes');
  }
  if (ctx.profile === 'native' && ctx.ssid.length < NATIVE_MIN_SSID_BYTES) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `"ssid" must have at least ${NATIVE_MIN_SSID_BYTES} bytes`,
    );
  }
  if (!Number.isSafeInteger(ctx.prover) || ctx.prover < 0) {
    throw new LocalError('INVALID_ARGUMENT', '"prover" must be a non-negative integer');
  }
}

/** tss-lib's per-proof session: `ssid ‖ big.Int(index).Bytes()` (empty suffix for index 0). */
export function tssLibSession(ctx: MtaProofContext): Uint8Array {
  const idx = bigintToBytes(BigInt(ctx.prover));
  const out = new Uint8Array(ctx.ssid.length + idx.length);
  out.set(ctx.ssid, 0);
  out.set(idx, ctx.ssid.length);
  return out;
}

/** A native transcript opened with the proof tag, the ssid and the prover index. */
export function nativeTranscript(tag: string, ctx: MtaProofContext): Transcript {
  return new Transcript(tag).append('ssid', ctx.ssid).append('prover', ctx.prover);
}

/**
 * Checks ring-Pedersen parameters: Ñ odd with exactly {@link NTILDE_BITS} bits; h1, h2 in
 * (1, Ñ), coprime to Ñ and distinct. The DLN proofs of keygen prove the rest.
 * Throws {@link VerifyError} `OUT_OF_RANGE`.
 */
export function checkRingPedersen(params: RingPedersenParams, title: string): void {
  if (
    typeof params !== 'object' ||
    params === null ||
    typeof params.nTilde !== 'bigint' ||
    typeof params.h1 !== 'bigint' ||
    typeof params.h2 !== 'bigint'
  ) {
    throw new VerifyError('MALFORMED', `"${title}" are not ring-Pedersen parameters`);
  }
  const { nTilde, h1, h2 } = params;
  if (nTilde % 2n === 0n || bitLength(nTilde) !== NTILDE_BITS) {
    throw new VerifyError(
      'OUT_OF_RANGE',
      `"${title}.NTilde" must be an odd ${NTILDE_BITS}-bit modulus`,
    );
  }
  checkRange(`${title}.h1`, h1, 2n, nTilde);
  checkRange(`${title}.h2`, h2, 2n, nTilde);
  if (h1 === h2) throw new VerifyError('OUT_OF_RANGE', `"${title}" has h1 = h2`);
  if (gcd(h1, nTilde) !== 1n || gcd(h2, nTilde) !== 1n) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" has h1 or h2 not coprime to NTilde`);
  }
}

/** Throws `MALFORMED` unless every listed field of `obj` is a bigint. */
export function checkBigintFields(obj: unknown, fields: readonly string[], title: string): void {
  if (typeof obj !== 'object' || obj === null) {
    throw new VerifyError('MALFORMED', `"${title}" is missing`);
  }
  const rec = obj as Record<string, unknown>;
  for (const f of fields) {
    if (typeof rec[f] !== 'bigint') {
      throw new VerifyError('MALFORMED', `"${title}.${f}" is not an integer`);
    }
  }
}

/** Throws `OUT_OF_RANGE` unless x ∈ [1, m) and gcd(x, `unitOf`) = 1. */
export function checkResidue(title: string, x: bigint, m: bigint, unitOf: bigint = m): void {
  checkRange(title, x, 1n, m);
  if (gcd(x, unitOf) !== 1n) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not coprime to the modulus`);
  }
}

/**
 * Upper bound (exclusive) on s2 and t2: honest values are e·ρ + ρ′ < (q − 1)(q·Ñ − 1) + q³·Ñ,
 * so everything honest is below (q³ + q²)·Ñ. tss-lib does not bound them; we do, as a cap on
 * exponent size (SECURITY.md item 14).
 */
export function s2Bound(nTilde: bigint): bigint {
  return (Q3 + Q * Q) * nTilde;
}

// ---------------------------------------------------------------------------------------------
// Byte-part codecs (tss-lib carries each proof as `repeated bytes`, one minimal big-endian
// integer per part).

/** Byte cap of a value below the 2048-bit moduli (s, z, w, t, z′). */
export const CAP_MOD_N = Math.max(PAILLIER_MODULUS_BITS, NTILDE_BITS) / 8;
/** Byte cap of a value modulo N² (u, v, ciphertexts). */
export const CAP_MOD_N2 = (2 * PAILLIER_MODULUS_BITS) / 8;
/** Byte cap of s1 (≤ q³). */
export const CAP_S1: number = byteLength(Q3);
/** Byte cap of t1 (≤ q⁷). */
export const CAP_T1: number = byteLength(Q7);
/** Byte cap of s2 and t2 (< (q³ + q²)·Ñ for a 2048-bit Ñ). */
export const CAP_S2: number = byteLength(s2Bound((1n << BigInt(NTILDE_BITS)) - 1n));
/** Byte cap of a secp256k1 coordinate. */
export const CAP_COORD = 32;

/**
 * Decodes exactly `caps.length` non-empty, minimally encoded parts, each within its cap, before
 * any conversion to bigint. Throws `MALFORMED` or `OVERSIZED`.
 */
export function decodeParts(
  parts: readonly Uint8Array[],
  caps: readonly (readonly [string, number])[],
  title: string,
): bigint[] {
  if (!Array.isArray(parts) || parts.length !== caps.length) {
    throw new VerifyError('MALFORMED', `"${title}" must have exactly ${caps.length} parts`);
  }
  return caps.map(([name, cap], i) => {
    const b = parts[i];
    if (!(b instanceof Uint8Array) || b.length === 0) {
      throw new VerifyError('MALFORMED', `"${title}.${name}" is empty`);
    }
    return decodeBigInt(b, cap, `${title}.${name}`);
  });
}

/** Minimal big-endian encodings of `xs` (tss-lib `big.Int.Bytes()`). */
export function encodeParts(xs: readonly bigint[]): Uint8Array[] {
  return xs.map((x) => bigintToBytes(x));
}
