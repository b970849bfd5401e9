import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeItems, hashItems, Transcript } from '../../src/hash/transcript.js';
import { tssSha512_256i, tssSha512_256iTagged } from '../../src/hash/tss-lib.js';
import { bytesToHex } from '../../src/math/bigint.js';

describe('native transcript encoding (SECURITY.md item 5)', () => {
  it('never collides for different splits of the same bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (bytes, cutsA, cutsB) => {
          const split = (cuts: number[]) => {
            const pts = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
            const parts: Uint8Array[] = [];
            let prev = 0;
            for (const p of [...pts, bytes.length]) {
              parts.push(bytes.slice(prev, p));
              prev = p;
            }
            return parts;
          };
          const a = split(cutsA);
          const b = split(cutsB);
          const sameSplit =
            a.length === b.length && a.every((x, i) => bytesToHex(x) === bytesToHex(b[i]!));
          const ea = bytesToHex(encodeItems(a.map((x) => ['v', x] as const)));
          const eb = bytesToHex(encodeItems(b.map((x) => ['v', x] as const)));
          expect(ea === eb).toBe(sameSplit);
        },
      ),
    );
  });

  it('separates labels, kinds and domains', () => {
    expect(bytesToHex(hashItems('a', [['x', 1n]]))).not.toBe(
      bytesToHex(hashItems('b', [['x', 1n]])),
    );
    expect(bytesToHex(hashItems('a', [['x', 1n]]))).not.toBe(
      bytesToHex(hashItems('a', [['y', 1n]])),
    );
    expect(bytesToHex(hashItems('a', [['x', 1n]]))).not.toBe(
      bytesToHex(hashItems('a', [['x', new Uint8Array([1])]])),
    );
    expect(() => encodeItems([['x', -1n]])).toThrow(/non-negative/);
  });

  it('challenges are deterministic, label-bound and do not mutate the transcript', () => {
    const q = (1n << 255n) - 19n;
    const t = new Transcript('test').append('a', 1n);
    const e1 = t.challengeMod('e', q);
    expect(t.challengeMod('e', q)).toBe(e1);
    expect(t.challengeMod('f', q)).not.toBe(e1);
    expect(new Transcript('test').append('a', 2n).challengeMod('e', q)).not.toBe(e1);
    expect(t.challengeBytes('wide', 512).length).toBe(512);
    const es = t.challengesMod('y', q, 80);
    expect(new Set(es).size).toBe(80);
  });
});

describe('tss-lib hashing framing', () => {
  it('matches a hand-built frame', async () => {
    const { sha512_256 } = await import('@noble/hashes/sha2.js');
    // SHA512_256i(1, 256): LE64(2) ‖ 01 ‖ '$' ‖ LE64(1) ‖ 0100 ‖ '$' ‖ LE64(2)
    const frame = new Uint8Array([
      2, 0, 0, 0, 0, 0, 0, 0, 1, 0x24, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x24, 2, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(tssSha512_256i(1n, 256n)).toBe(BigInt(`0x${bytesToHex(sha512_256(frame))}`));
    expect(tssSha512_256iTagged(new Uint8Array([1]), 1n)).not.toBe(tssSha512_256i(1n));
  });
});
