/**
 * Native Fiat–Shamir transcripts: unambiguous by construction (SECURITY.md item 5).
 *
 * Every absorbed item is `LE64(len(label)) ‖ label ‖ kind ‖ LE64(len(value)) ‖ value`, and a
 * challenge absorbs the item count before squeezing, so no two different item lists encode to
 * the same bytes. Integers are encoded canonically (minimal big-endian) and negatives are
 * rejected. The transcript starts with a domain tag. Challenges come from SHAKE256, so they can
 * be as wide as needed (Π^mod needs full-width challenges mod N).
 * @module
 */
import { shake256 } from '@noble/hashes/sha3.js';
import { LocalError } from '../errors.js';
import { bigintToBytes, bitLength, bytesToBigint } from '../math/bigint.js';
import { sha512_256 } from './digest.js';

const enc = new TextEncoder();

function le64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/** A value a transcript can absorb. */
export type TranscriptValue = Uint8Array | bigint | string | number;

const KIND_BYTES = 1;
const KIND_INT = 2;
const KIND_STR = 3;

function encodeValue(v: TranscriptValue): [number, Uint8Array] {
  if (v instanceof Uint8Array) return [KIND_BYTES, v];
  if (typeof v === 'bigint') {
    if (v < 0n)
      throw new LocalError('INVALID_ARGUMENT', 'transcript integers must be non-negative');
    return [KIND_INT, bigintToBytes(v)];
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new LocalError(
        'INVALID_ARGUMENT',
        'transcript numbers must be non-negative safe integers',
      );
    return [KIND_INT, bigintToBytes(BigInt(v))];
  }
  if (typeof v === 'string') return [KIND_STR, enc.encode(v)];
  throw new LocalError('INVALID_ARGUMENT', 'unsupported transcript value');
}

/**
 * Canonical, injective encoding of a labelled list (what {@link Transcript} absorbs).
 * Exposed for tests and for hashing lists outside a transcript.
 */
export function encodeItems(items: readonly (readonly [string, TranscriptValue])[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const [label, v] of items) {
    const l = enc.encode(label);
    const [kind, b] = encodeValue(v);
    chunks.push(le64(l.length), l, new Uint8Array([kind]), le64(b.length), b);
  }
  chunks.push(le64(items.length));
  let len = 0;
  for (const c of chunks) len += c.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** SHA-512/256 of a domain tag and a labelled list, canonically encoded. */
export function hashItems(
  tag: string,
  items: readonly (readonly [string, TranscriptValue])[],
): Uint8Array {
  return sha512_256(encodeItems([['mpc-tss/domain', tag], ...items]));
}

/**
 * An append-only Fiat–Shamir transcript.
 *
 * @example
 * ```ts
 * const t = new Transcript('mpc-tss/zk/schnorr/v1');
 * t.append('ssid', ssid).append('prover', 2).append('X', pointBytes);
 * const e = t.challengeMod('e', q);
 * ```
 */
export class Transcript {
  private readonly h: ReturnType<typeof shake256.create>;
  private count = 0;

  constructor(domain: string) {
    this.h = shake256.create({});
    this.append('mpc-tss/domain', domain);
  }

  /** Absorbs one labelled value. Returns `this` for chaining. */
  append(label: string, value: TranscriptValue): this {
    const l = enc.encode(label);
    const [kind, b] = encodeValue(value);
    this.h
      .update(le64(l.length))
      .update(l)
      .update(new Uint8Array([kind]))
      .update(le64(b.length))
      .update(b);
    this.count++;
    return this;
  }

  /** Absorbs a list of values under one label (the count is bound too). */
  appendList(label: string, values: readonly TranscriptValue[]): this {
    this.append(`${label}#len`, values.length);
    for (let i = 0; i < values.length; i++) this.append(`${label}[${i}]`, values[i]!);
    return this;
  }

  /** Independent copy (for deriving several challenges from one prefix). */
  clone(): Transcript {
    const t = Object.create(Transcript.prototype) as Transcript;
    (t as unknown as { h: unknown }).h = this.h.clone();
    (t as unknown as { count: number }).count = this.count;
    return t;
  }

  /** `n` challenge bytes bound to everything absorbed so far and to `label`. Does not mutate. */
  challengeBytes(label: string, n: number): Uint8Array {
    const t = this.clone();
    t.append('mpc-tss/challenge', label);
    t.h.update(le64(t.count));
    return t.h.xof(n);
  }

  /**
   * A challenge in [0, q), statistically uniform: 128 extra bits are squeezed before reducing.
   */
  challengeMod(label: string, q: bigint): bigint {
    if (q <= 0n) throw new LocalError('INVALID_ARGUMENT', 'challenge modulus must be positive');
    const bytes = Math.ceil((bitLength(q) + 128) / 8);
    return bytesToBigint(this.challengeBytes(label, bytes)) % q;
  }

  /** `k` independent challenges in [0, q) (label-indexed). */
  challengesMod(label: string, q: bigint, k: number): bigint[] {
    return Array.from({ length: k }, (_, i) => this.challengeMod(`${label}[${i}]`, q));
  }

  /** `k` challenge bits. */
  challengeBits(label: string, k: number): boolean[] {
    const b = this.challengeBytes(label, Math.ceil(k / 8));
    return Array.from({ length: k }, (_, i) => ((b[i >> 3]! >> (i & 7)) & 1) === 1);
  }
}
