/**
 * A small strict binary codec for the GG20 messages that tss-lib has no layout for (GG20 is
 * native-only). Fields are written in a fixed order: fixed-size scalars (32 bytes) and
 * compressed points (33 bytes) as is, integers as `u16 length ‖ minimal big-endian`, byte lists
 * as `u16 count ‖ (u16 length ‖ bytes)…`.
 *
 * The reader is canonical and capped: every length is checked against its cap before any bytes
 * are converted (SECURITY.md item 14), integers must be minimal (no leading zero byte, 0 is the
 * empty string), counts must be exact, and trailing bytes are rejected. Every failure is a
 * {@link VerifyError} (`MALFORMED` or `OVERSIZED`), never a TypeError.
 * @module
 */
import { VerifyError } from '../../../errors.js';
import { bigintToBytes, bytesToBigint, concatBytes } from '../../../math/bigint.js';
import { CURVE_ORDER, type Point, pointFromBytes } from '../../../math/curve.js';

const MAX_U16 = 0xffff;

/** Builds a message. */
export class Writer {
  private readonly chunks: Uint8Array[] = [];

  /** Exactly `len` bytes. */
  fixed(b: Uint8Array, len: number): this {
    if (b.length !== len) throw new RangeError(`expected ${len} bytes, got ${b.length}`);
    this.chunks.push(b);
    return this;
  }

  /** A scalar in [0, 2^256) as 32 big-endian bytes. */
  scalar(x: bigint): this {
    return this.fixed(bigintToBytes(x, 32), 32);
  }

  /** A point, compressed (33 bytes). */
  point(p: Point | Uint8Array): this {
    return this.fixed(p instanceof Uint8Array ? p : p.toBytes(true), 33);
  }

  /** A non-negative integer: u16 length ‖ minimal big-endian (0 is empty). */
  int(x: bigint): this {
    return this.bytes(x === 0n ? new Uint8Array(0) : bigintToBytes(x));
  }

  /** Bytes: u16 length ‖ bytes. */
  bytes(b: Uint8Array): this {
    if (b.length > MAX_U16) throw new RangeError('field too long');
    this.chunks.push(u16(b.length), b);
    return this;
  }

  /** A count (u16). */
  count(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_U16) throw new RangeError('bad count');
    this.chunks.push(u16(n));
    return this;
  }

  /** The encoded message. */
  finish(): Uint8Array {
    return concatBytes(...this.chunks);
  }
}

function u16(n: number): Uint8Array {
  return new Uint8Array([n >> 8, n & 0xff]);
}

/** Reads a message written by {@link Writer}; throws {@link VerifyError}. */
export class Reader {
  private off = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly title: string,
  ) {
    if (!(buf instanceof Uint8Array)) throw new VerifyError('MALFORMED', `"${title}" is not bytes`);
  }

  private take(n: number, field: string): Uint8Array {
    if (this.off + n > this.buf.length) {
      throw new VerifyError('MALFORMED', `"${this.title}.${field}" is truncated`);
    }
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  private len(field: string): number {
    const b = this.take(2, field);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  /** Exactly `n` bytes (a copy). */
  fixed(n: number, field: string): Uint8Array {
    return this.take(n, field).slice();
  }

  /** A 32-byte scalar, required in [min, q). */
  scalar(field: string, min = 0n): bigint {
    const v = bytesToBigint(this.take(32, field));
    if (v < min || v >= CURVE_ORDER) {
      throw new VerifyError('OUT_OF_RANGE', `"${this.title}.${field}" is not in [${min}, q)`);
    }
    return v;
  }

  /** A compressed point (on the curve, not the identity). */
  point(field: string): Point {
    return pointFromBytes(this.take(33, field), `${this.title}.${field}`);
  }

  /** A 33-byte compressed point, returned as validated bytes. */
  pointBytes(field: string): Uint8Array {
    const b = this.take(33, field).slice();
    pointFromBytes(b, `${this.title}.${field}`);
    return b;
  }

  /** u16-prefixed bytes, at most `cap` of them (checked before copying). */
  bytes(cap: number, field: string): Uint8Array {
    const n = this.len(field);
    if (n > cap)
      throw new VerifyError('OVERSIZED', `"${this.title}.${field}" exceeds ${cap} bytes`);
    return this.take(n, field).slice();
  }

  /** A minimal non-negative integer of at most `capBytes` bytes. */
  int(capBytes: number, field: string): bigint {
    const b = this.bytes(capBytes, field);
    if (b.length > 0 && b[0] === 0) {
      throw new VerifyError('MALFORMED', `"${this.title}.${field}" is not minimally encoded`);
    }
    return b.length === 0 ? 0n : bytesToBigint(b);
  }

  /** A count that must equal `expected` exactly. */
  count(expected: number, field: string): number {
    const n = this.len(field);
    if (n !== expected) {
      throw new VerifyError(
        'MALFORMED',
        `"${this.title}.${field}" must have ${expected} items, got ${n}`,
      );
    }
    return n;
  }

  /** Requires that everything was read. */
  end(): void {
    if (this.off !== this.buf.length) {
      throw new VerifyError('MALFORMED', `"${this.title}" has trailing bytes`);
    }
  }
}
