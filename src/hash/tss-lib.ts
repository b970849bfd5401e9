/**
 * tss-lib v2 hashing, byte for byte (bnb-chain/tss-lib master c84c096, `common/hash.go`).
 *
 * Framing of `SHA512_256i(x1..xk)`: `LE64(k) ‖ for each xi: bytes(xi) ‖ '$' ‖ LE64(len(bytes(xi)))`
 * where `bytes` is Go's `big.Int.Bytes()` (minimal big-endian, empty for 0, sign dropped).
 * The tagged variant first absorbs `t ‖ t` with `t = SHA512_256(tag)`.
 * Only the `tss-lib` profile uses these; the native profile uses {@link Transcript}.
 * @module
 */
import { LocalError } from '../errors.js';
import { bigintToBytes, bytesToBigint } from '../math/bigint.js';
import { createSha512_256, type Digest, sha512_256 } from './digest.js';

function le64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

const DELIM = new Uint8Array([0x24]); // '$'

function absBytes(x: bigint): Uint8Array {
  return bigintToBytes(x < 0n ? -x : x);
}

function frame(h: Digest, parts: Uint8Array[]): void {
  h.update(le64(parts.length));
  for (const p of parts) {
    h.update(p);
    h.update(DELIM);
    h.update(le64(p.length));
  }
}

/** tss-lib `SHA512_256(in ...[]byte)`: framed SHA-512/256 of byte strings. */
export function tssSha512_256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 0)
    throw new LocalError('INVALID_ARGUMENT', 'SHA512_256 needs at least one input');
  const h = createSha512_256();
  frame(h, parts);
  return h.digest();
}

/** tss-lib `SHA512_256i(in ...*big.Int)` as an integer. */
export function tssSha512_256i(...xs: bigint[]): bigint {
  if (xs.length === 0)
    throw new LocalError('INVALID_ARGUMENT', 'SHA512_256i needs at least one input');
  const h = createSha512_256();
  frame(h, xs.map(absBytes));
  return bytesToBigint(h.digest());
}

/** tss-lib `SHA512_256i_TAGGED(tag, in ...*big.Int)` as an integer. */
export function tssSha512_256iTagged(tag: Uint8Array, ...xs: bigint[]): bigint {
  if (xs.length === 0)
    throw new LocalError('INVALID_ARGUMENT', 'SHA512_256i_TAGGED needs at least one input');
  const t = tssSha512_256(tag);
  const h = createSha512_256();
  h.update(t);
  h.update(t);
  frame(h, xs.map(absBytes));
  return bytesToBigint(h.digest());
}

/** tss-lib `SHA512_256iOne(in)`: unframed SHA-512/256 of one integer's bytes. */
export function tssSha512_256iOne(x: bigint): bigint {
  return bytesToBigint(sha512_256(absBytes(x)));
}

/** tss-lib `RejectionSample(q, eHash)`: despite the name, just `eHash mod q`. */
export function tssRejectionSample(q: bigint, eHash: bigint): bigint {
  return eHash % q;
}
