/**
 * GG20 message decoders (SECURITY.md item 14): canonical, capped, never a TypeError. Fuzzed with
 * random bytes and with mutations (truncation, extension, bit flips) of valid encodings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../../../src/errors.js';
import { CURVE_ORDER, mulG } from '../../../../src/math/curve.js';
import { Reader, Writer } from '../../../../src/protocols/ecdsa/presign-gg20/codec.js';
import {
  decodePresignR1,
  decodePresignR3,
  decodePresignR5,
  decodePresignR5Pdl,
  decodePresignR6,
  decodePresignReveal,
  newPresignR1,
  newPresignR3,
  newPresignR5,
  newPresignR6,
  newPresignReveal,
} from '../../../../src/protocols/ecdsa/presign-gg20/messages.js';
import { proveSt } from '../../../../src/zk/st.js';

const q = CURVE_ORDER;
const P = mulG(7n);

const valid: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
  ['r1-c', newPresignR1({ cDigest: new Uint8Array(32).fill(1) }), decodePresignR1],
  [
    'r3',
    newPresignR3({
      delta: 5n,
      T: P.toBytes(true),
      proof: { alpha: mulG(3n).toBytes(true), t: 1n, u: 2n },
      digests: [new Uint8Array(32), new Uint8Array(32).fill(9)],
    }),
    (b) => decodePresignR3(b, 2),
  ],
  ['r5', newPresignR5(P), decodePresignR5],
  [
    'r6',
    newPresignR6(P, proveSt({ ssid: new Uint8Array(32), prover: 0 }, mulG(11n), 3n, 4n)),
    decodePresignR6,
  ],
  [
    'r7',
    newPresignReveal({
      mode: 'sigma',
      k: 9n,
      rho: 123456789n,
      entries: [
        { c1: 1n << 4000n, c2: 3n, m: 0n, nonce: 17n },
        { c1: 5n, c2: 6n, m: 7n, nonce: 8n },
      ],
    }),
    (b) => decodePresignReveal(b, 2),
  ],
];

function onlyVerifyErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
  }
}

describe('GG20 message decoders', () => {
  it('decode what they encode', () => {
    for (const [, bytes, decode] of valid) decode(bytes);
    expect(decodePresignReveal(valid[4]![1], 2).entries[0]!.c1).toBe(1n << 4000n);
  });

  it('refuse truncation, trailing bytes and wrong counts', () => {
    for (const [name, bytes, decode] of valid) {
      expect(() => decode(bytes.subarray(0, bytes.length - 1)), name).toThrow(VerifyError);
      expect(() => decode(new Uint8Array([...bytes, 0])), name).toThrow(VerifyError);
    }
    expect(() => decodePresignR3(valid[1]![1], 3)).toThrow(VerifyError);
    expect(() => decodePresignReveal(valid[4]![1], 1)).toThrow(VerifyError);
  });

  it('refuse out-of-range scalars, non-minimal integers and oversized fields', () => {
    const w = new Writer()
      .fixed(new Uint8Array([2]), 1)
      .scalar(q)
      .int(1n)
      .count(0);
    expect(() => decodePresignReveal(w.finish(), 0)).toThrow(/not in/);
    const nonMinimal = new Writer()
      .fixed(new Uint8Array([1]), 1)
      .scalar(1n)
      .bytes(new Uint8Array([0, 1]))
      .count(0)
      .finish();
    expect(() => decodePresignReveal(nonMinimal, 0)).toThrow(/minimally/);
    const huge = new Writer()
      .fixed(new Uint8Array([1]), 1)
      .scalar(1n)
      .bytes(new Uint8Array(60_000).fill(1))
      .count(0)
      .finish();
    try {
      decodePresignReveal(huge, 0);
      expect.unreachable();
    } catch (e) {
      expect((e as VerifyError).code).toBe('OVERSIZED');
    }
    expect(() => new Reader(new Uint8Array([0, 5, 1]), 'x').bytes(10, 'f')).toThrow(/truncated/);
  });

  it('random bytes only ever raise VerifyError (fuzz)', () => {
    const decoders = [...valid.map(([, , d]) => d), decodePresignR5Pdl];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), fc.nat(decoders.length - 1), (b, i) => {
        onlyVerifyErrors(() => decoders[i]!(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid encodings only ever raise VerifyError (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.nat(valid.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (i, flips, cut) => {
          const [, bytes, decode] = valid[i]!;
          const b = bytes.slice(0, bytes.length - (cut % 3));
          for (const [pos, x] of flips) b[pos % b.length] = (b[pos % b.length] ?? 0) ^ x;
          onlyVerifyErrors(() => decode(b));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
