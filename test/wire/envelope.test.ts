import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMpcError, LocalError, VerifyError } from '../../src/errors.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  ENVELOPE_VERSION,
  type Envelope,
  encodeEnvelope,
  isBroadcast,
  MAX_RECIPIENTS,
} from '../../src/wire/envelope.js';

const base: Envelope = {
  version: ENVELOPE_VERSION,
  protocol: 'ecdsa-keygen',
  sessionId: 'sess-1',
  round: 2,
  type: 'KGRound2Message1',
  from: 'alice',
  to: ['bob'],
  payload: new Uint8Array([1, 2, 3]),
  echo: new Uint8Array(32).fill(9),
};

const idArb = fc.stringMatching(/^[\x21-\x7e]{1,20}$/);
const envArb: fc.Arbitrary<Envelope> = fc.record({
  version: fc.constant(ENVELOPE_VERSION),
  protocol: fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,20}$/),
  sessionId: idArb,
  round: fc.integer({ min: 1, max: 255 }),
  type: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,20}$/),
  from: idArb,
  to: fc.uniqueArray(idArb, { maxLength: 5 }),
  payload: fc.uint8Array({ maxLength: 200 }),
  echo: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
});

/** Writes fields by hand, in the given order, to craft non-canonical encodings. */
function raw(fields: [number, 'u32' | 'str' | 'bytes', unknown][]): Uint8Array {
  const w = new BinaryWriter();
  for (const [no, kind, v] of fields) {
    if (kind === 'u32') w.tag(no, 0).uint32(v as number);
    else if (kind === 'str') w.tag(no, 2).string(v as string);
    else w.tag(no, 2).bytes(v as Uint8Array);
  }
  return w.finish();
}

const good: [number, 'u32' | 'str' | 'bytes', unknown][] = [
  [1, 'u32', 1],
  [2, 'str', 'p'],
  [3, 'str', 's'],
  [4, 'u32', 1],
  [5, 'str', 't'],
  [6, 'str', 'a'],
  [8, 'bytes', new Uint8Array([1])],
];

function expectVerify(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    expect((e as VerifyError).code).toBe(code);
    return;
  }
  throw new Error('expected a VerifyError');
}

describe('envelope codec', () => {
  it('round-trips well-shaped envelopes', () => {
    fc.assert(
      fc.property(envArb, (env) => {
        const bytes = encodeEnvelope(env);
        const back = decodeEnvelope(bytes);
        expect(back).toEqual({ ...env, to: [...env.to], ...(env.echo ? {} : { echo: undefined }) });
        expect(encodeEnvelope(back)).toEqual(bytes);
        expect(isBroadcast(back)).toBe(env.to.length === 0);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts the hand-written canonical encoding', () => {
    expect(decodeEnvelope(raw(good)).from).toBe('a');
    expect(decodeEnvelope(encodeEnvelope(base)).echo).toEqual(base.echo);
  });

  it('rejects unknown fields and non-canonical encodings', () => {
    expectVerify(() => decodeEnvelope(raw([...good, [15, 'str', 'x']])), 'MALFORMED');
    // Fields out of order.
    expectVerify(() => decodeEnvelope(raw([good[1]!, good[0]!, ...good.slice(2)])), 'MALFORMED');
    // A scalar field repeated (last one wins in protobuf; we refuse).
    expectVerify(
      () => decodeEnvelope(raw([...good.slice(0, 6), [6, 'str', 'b'], good[6]!])),
      'MALFORMED',
    );
    // An explicitly encoded default value.
    expectVerify(
      () => decodeEnvelope(raw([...good, [9, 'bytes', new Uint8Array(0)]])),
      'MALFORMED',
    );
    // Invalid UTF-8 in a string field.
    const w = new BinaryWriter();
    w.tag(1, 0)
      .uint32(1)
      .tag(2, 2)
      .bytes(new Uint8Array([0xc3, 0x28]));
    expectVerify(() => decodeEnvelope(w.finish()), 'MALFORMED');
  });

  it('checks field shapes', () => {
    const bad: Partial<Envelope>[] = [
      { version: 2 },
      { protocol: '' },
      { protocol: 'Has Space' },
      { sessionId: '' },
      { sessionId: 'x'.repeat(129) },
      { round: 0 },
      { round: 256 },
      { type: '' },
      { from: '' },
      { from: 'é' },
      { to: ['bob', 'bob'] },
      { to: [''] },
      { to: Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `p${i}`) },
      { echo: new Uint8Array(31) },
    ];
    for (const b of bad) {
      // Bypass encodeEnvelope's own checks by writing the protobuf directly.
      const e = { ...base, ...b };
      const fields: [number, 'u32' | 'str' | 'bytes', unknown][] = [];
      if (e.version) fields.push([1, 'u32', e.version]);
      if (e.protocol) fields.push([2, 'str', e.protocol]);
      if (e.sessionId) fields.push([3, 'str', e.sessionId]);
      if (e.round) fields.push([4, 'u32', e.round]);
      if (e.type) fields.push([5, 'str', e.type]);
      if (e.from) fields.push([6, 'str', e.from]);
      for (const t of e.to) fields.push([7, 'str', t]);
      fields.push([8, 'bytes', e.payload]);
      if (e.echo?.length) fields.push([9, 'bytes', e.echo]);
      expectVerify(() => decodeEnvelope(raw(fields)), 'MALFORMED');
      expect(() => encodeEnvelope(e)).toThrow(LocalError);
    }
    expectVerify(() => decodeEnvelope(encodeEnvelope(base), { protocols: ['other'] }), 'MALFORMED');
    expect(decodeEnvelope(encodeEnvelope(base), { protocols: ['ecdsa-keygen'] }).round).toBe(2);
  });

  it('caps the total size before parsing', () => {
    const big = new Uint8Array(10 * 1024 * 1024);
    expectVerify(() => decodeEnvelope(big), 'OVERSIZED');
    expect(() => encodeEnvelope({ ...base, payload: big })).toThrow(LocalError);
    const small = encodeEnvelope(base);
    expectVerify(() => decodeEnvelope(small, { maxBytes: small.length - 1 }), 'OVERSIZED');
    expect(decodeEnvelope(small, { maxBytes: small.length }).from).toBe('alice');
    expect(DEFAULT_MAX_ENVELOPE_BYTES).toBe(4 * 1024 * 1024);
    expect(() => decodeEnvelope(small, { maxBytes: 0 })).toThrow(LocalError);
  });

  it('fuzz: random bytes only ever throw VerifyError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeEnvelope(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(VerifyError);
          expect(isMpcError(e)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('fuzz: mutated valid envelopes only ever throw VerifyError', () => {
    fc.assert(
      fc.property(
        envArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        (env, flips, cut) => {
          const bytes = encodeEnvelope(env).slice();
          for (const [i, v] of flips) bytes[i % bytes.length] = v;
          for (const input of [bytes, bytes.subarray(0, cut % (bytes.length + 1))]) {
            try {
              const d = decodeEnvelope(input);
              // Whatever decodes re-encodes to the same bytes (canonical).
              expect(encodeEnvelope(d)).toEqual(input);
            } catch (e) {
              expect(e).toBeInstanceOf(VerifyError);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('recipientsOf', () => {
  it('expands broadcasts to every other party', async () => {
    const { recipientsOf } = await import('../../src/wire/envelope.js');
    expect(recipientsOf({ from: 'a', to: [] }, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(recipientsOf({ from: 'a', to: ['c'] }, ['a', 'b', 'c'])).toEqual(['c']);
  });
});
