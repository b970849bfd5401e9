/**
 * secp256k1 helpers over @noble/curves: scalar field arithmetic and strict point decoding.
 * Every decoded point is on the curve and not the identity (SECURITY.md item 9).
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { VerifyError } from '../errors.js';
import { mod, modInv } from './bigint.js';

/** A secp256k1 point (noble's projective point). */
export type Point = InstanceType<typeof secp256k1.Point>;

/** The noble point class for secp256k1. */
export const CurvePoint = secp256k1.Point;
/** Group order q of secp256k1. */
export const CURVE_ORDER: bigint = secp256k1.Point.Fn.ORDER;
/** Field prime p of secp256k1. */
export const FIELD_PRIME: bigint = secp256k1.Point.Fp.ORDER;
/** Generator G. */
export const G: Point = secp256k1.Point.BASE;
/** The identity (point at infinity). */
export const IDENTITY: Point = secp256k1.Point.ZERO;

/** x mod q. */
export function modQ(x: bigint): bigint {
  return mod(x, CURVE_ORDER);
}

/** x⁻¹ mod q (throws `OUT_OF_RANGE` for x ≡ 0). */
export function invQ(x: bigint): bigint {
  return modInv(x, CURVE_ORDER);
}

/** k·G for k ∈ [1, q). Constant-time in noble. */
export function mulG(k: bigint): Point {
  return G.multiply(modQ(k));
}

/**
 * k·P that tolerates k ≡ 0 (returns the identity). Uses the constant-time ladder for
 * non-zero k.
 */
export function mulPoint(p: Point, k: bigint): Point {
  const kk = modQ(k);
  return kk === 0n ? IDENTITY : p.multiply(kk);
}

/** Builds a point from affine coordinates, rejecting off-curve points and the identity. */
export function pointFromCoords(x: bigint, y: bigint, title = 'point'): Point {
  let p: Point;
  try {
    p = secp256k1.Point.fromAffine({ x, y });
    p.assertValidity();
  } catch (e) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not a valid secp256k1 point`, {
      cause: e,
    });
  }
  if (p.is0()) throw new VerifyError('OUT_OF_RANGE', `"${title}" is the identity`);
  return p;
}

/** Decodes SEC1 (33 or 65 bytes), rejecting invalid points and the identity. */
export function pointFromBytes(b: Uint8Array, title = 'point'): Point {
  if (!(b instanceof Uint8Array) || (b.length !== 33 && b.length !== 65)) {
    throw new VerifyError('MALFORMED', `"${title}" expected 33 or 65 bytes`);
  }
  let p: Point;
  try {
    p = secp256k1.Point.fromBytes(b);
    p.assertValidity();
  } catch (e) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not a valid secp256k1 point`, {
      cause: e,
    });
  }
  if (p.is0()) throw new VerifyError('OUT_OF_RANGE', `"${title}" is the identity`);
  return p;
}

/** Compressed SEC1 encoding (33 bytes). */
export function pointToBytes(p: Point, compressed = true): Uint8Array {
  return p.toBytes(compressed);
}

/** Affine coordinates of a non-identity point. */
export function pointCoords(p: Point): { x: bigint; y: bigint } {
  return p.toAffine();
}
