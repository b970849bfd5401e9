import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../src/errors.js';
import { decodeValue, encodeValue, MAX_VALUE_DEPTH } from '../../src/party/codec.js';

const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.bigInt(),
  fc.bigInt({ min: -(1n << 4096n), max: 1n << 4096n }),
  fc.uint8Array({ maxLength: 40 }),
);

const key = fc.oneof(fc.string(), fc.constantFrom('$b', '$$x', '$u8', '__proto__', 'toString'));

const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4, noNullPrototype: true }),
    fc
      .array(fc.tuple(fc.oneof(fc.string(), fc.bigInt(), fc.integer()), tie('tree')), {
        maxLength: 3,
      })
      .map((e) => new Map(e)),
    fc.uniqueArray(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }).map((e) => new Set(e)),
  ),
}));

function roundTrip(v: unknown): unknown {
  return decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));
}

describe('value codec', () => {
  it('round-trips value trees exactly (through JSON)', () => {
    fc.assert(
      fc.property(tree, (v) => {
        expect(roundTrip(v)).toStrictEqual(v);
        expect(encodeValue(roundTrip(v))).toStrictEqual(encodeValue(v));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps special numbers, bytes and $-keys', () => {
    const v = {
      neg: -0,
      nan: Number.NaN,
      inf: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      b: -255n,
      u: new Uint8Array([0, 255]),
      buf: Buffer.from([1, 2]),
      $b: 'not a bigint',
      $$x: 1,
      undef: undefined,
    };
    const back = roundTrip(v) as Record<string, unknown>;
    expect(Object.is(back.neg, -0)).toBe(true);
    expect(back.nan).toBeNaN();
    expect(back.b).toBe(-255n);
    expect(back.u).toEqual(new Uint8Array([0, 255]));
    expect(back.buf).toEqual(new Uint8Array([1, 2]));
    expect(back.$b).toBe('not a bigint');
    expect(back.$$x).toBe(1);
    expect('undef' in back).toBe(true);
    expect(JSON.stringify(encodeValue({ x: 5n }))).toBe('{"x":{"$b":"5"}}');
    const c = roundTrip({ constructor: 1n }) as Record<string, unknown>;
    expect(Object.hasOwn(c, 'constructor')).toBe(true);
    expect(c.constructor as unknown).toBe(1n);
  });

  it('does not let a __proto__ key change the prototype', () => {
    const back = decodeValue(JSON.parse('{"__proto__": {"polluted": 1}}')) as object;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what it cannot encode', () => {
    class Point {
      x = 1n;
    }
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    let deep: unknown = 1;
    for (let i = 0; i < MAX_VALUE_DEPTH + 2; i++) deep = [deep];
    for (const v of [
      new Point(),
      () => 1,
      Symbol('s'),
      cyc,
      deep,
      new Date(0),
      new Uint16Array(2),
    ]) {
      expect(() => encodeValue(v)).toThrow(LocalError);
    }
    // Shared (non-cyclic) references are fine.
    const shared = { a: 1n };
    expect(roundTrip({ p: shared, q: shared })).toEqual({ p: { a: 1n }, q: { a: 1n } });
  });

  it('refuses corrupt data with STORE_CORRUPT', () => {
    const bad = [
      { $b: 'xyz' },
      { $b: '00' },
      { $b: '-0' },
      { $b: 5 },
      { $u8: 'not base64!' },
      { $n: 'two' },
      { $undef: 2 },
      { $map: [[1]] },
      { $set: 1 },
      { $b: '1', extra: 1 },
      { $what: 1 },
      Number.POSITIVE_INFINITY,
    ];
    for (const d of bad) expect(() => decodeValue(d)).toThrow(/STORE_CORRUPT/);
  });
});
