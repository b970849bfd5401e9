import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../../src/errors.js';
import {
  type JsonValue,
  parseLosslessJson,
  stringifyLosslessJson,
} from '../../../src/interop/tss-lib/json.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof VerifyError || e instanceof LocalError) return e.code;
    throw e;
  }
  return undefined;
}

/** Rounds bigints to numbers, as JSON.parse does (big integers differ from it by design). */
function toNumbers(v: JsonValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toNumbers);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, { value: toNumbers(x), enumerable: true, writable: true });
    }
    return out;
  }
  return v;
}

/** JSON values with bigints for integers and only non-integral doubles (so they round-trip). */
const losslessValue: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.bigInt({ min: -(1n << 2100n), max: 1n << 2100n }),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((d) => !Number.isInteger(d) && !Object.is(d, -0)),
    fc.string({ unit: 'binary' }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('parseLosslessJson / stringifyLosslessJson', () => {
  it('keeps 617-digit integers exact', () => {
    const n = 10n ** 616n + 12345678901234567890123n;
    const v = parseLosslessJson(`{"N":${n},"M":[-${n}, 0, 5]}`);
    expect(v).toEqual({ N: n, M: [-n, 0n, 5n] });
    expect(stringifyLosslessJson(v)).toBe(`{"N":${n},"M":[-${n},0,5]}`);
  });

  it('integers: "auto" returns numbers for safe integers only', () => {
    const big = BigInt(Number.MAX_SAFE_INTEGER) + 1n;
    expect(
      parseLosslessJson(`[1, -2, ${Number.MAX_SAFE_INTEGER}, ${big}, 1.5, 1e3]`, {
        integers: 'auto',
      }),
    ).toEqual([1, -2, Number.MAX_SAFE_INTEGER, big, 1.5, 1000]);
    expect(parseLosslessJson('[1, 1.5, 1e3, -0]')).toEqual([1n, 1.5, 1000, 0n]);
  });

  it('property: stringify → parse round-trips (bigints, doubles, strings, nesting)', () => {
    fc.assert(
      fc.property(losslessValue, fc.constantFrom(0, 2), (v, indent) => {
        const text = stringifyLosslessJson(v, { indent });
        expect(parseLosslessJson(text)).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('property: agrees with JSON.parse / JSON.stringify on ordinary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        expect(toNumbers(parseLosslessJson(text, { integers: 'auto' }))).toEqual(JSON.parse(text));
        // Our serializer matches JSON.stringify on values without bigints.
        const parsed = JSON.parse(text) as JsonValue;
        expect(stringifyLosslessJson(parsed, indent ? { indent } : {})).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('property: bigints are written as bare numbers and read back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 4096n), max: 1n << 4096n }), (n) => {
        expect(stringifyLosslessJson([n])).toBe(`[${n}]`);
        expect(parseLosslessJson(`[${n}]`)).toEqual([n]);
      }),
    );
  });

  it('property: accepts exactly what JSON.parse accepts (except duplicate keys, ±Infinity)', () => {
    const jsonish = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789-+.eEtrufalsn \\/\t\n'.split('')) }),
      fc
        .tuple(fc.jsonValue(), fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 }))
        .map(([v, pos, ins, del]) => {
          const t = JSON.stringify(v);
          const p = pos % (t.length + 1);
          return t.slice(0, p) + ins + t.slice(p + del);
        }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        let expected: unknown;
        let jsOk = true;
        try {
          expected = JSON.parse(text);
        } catch {
          jsOk = false;
        }
        let ours: JsonValue | undefined;
        let err: unknown;
        try {
          ours = parseLosslessJson(text, { integers: 'auto' });
        } catch (e) {
          err = e;
        }
        if (err !== undefined) {
          expect(err).toBeInstanceOf(VerifyError);
          // Where JSON.parse is laxer by design: duplicate keys, numbers that overflow to ±Infinity.
          if (jsOk)
            expect((err as VerifyError).message).toMatch(/duplicate key|out of double range/);
        } else {
          expect(jsOk).toBe(true);
          expect(toNumbers(ours as JsonValue)).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '  '],
    ['trailing comma (array)', '[1,]'],
    ['trailing comma (object)', '{"a":1,}'],
    ['leading zero', '01'],
    ['plus sign', '+1'],
    ['bare minus', '-'],
    ['dot without digits', '1.'],
    ['leading dot', '.5'],
    ['exponent without digits', '1e'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['single quotes', "'a'"],
    ['comment', '[1 /* c */]'],
    ['unquoted key', '{a:1}'],
    ['raw newline in string', '"a\nb"'],
    ['bad escape', '"\\x41"'],
    ['short unicode escape', '"\\u12"'],
    ['unterminated string', '"abc'],
    ['unterminated array', '[1, 2'],
    ['trailing data', '{} {}'],
    ['byte order mark', '\uFEFF{}'],
    ['duplicate key', '{"a":1,"a":2}'],
    ['missing colon', '{"a" 1}'],
    ['truncated literal', 'tru'],
  ])('rejects %s', (_name, text) => {
    expect(code(() => parseLosslessJson(text))).toBe('MALFORMED');
  });

  it('error messages give the position, not the content', () => {
    try {
      parseLosslessJson('{"secret": 12345, "x": tru}');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/position 23/);
      expect((e as Error).message).not.toContain('12345');
    }
  });

  it('enforces depth, length, number and string caps (OVERSIZED)', () => {
    const nest = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
    expect(parseLosslessJson(nest(64))).toBeDefined();
    expect(code(() => parseLosslessJson(nest(65)))).toBe('OVERSIZED');
    expect(code(() => parseLosslessJson(nest(10), { maxDepth: 5 }))).toBe('OVERSIZED');
    expect(code(() => parseLosslessJson('[1]', { maxLength: 2 }))).toBe('OVERSIZED');
    // A huge number is rejected before BigInt() sees it.
    const huge = '9'.repeat(10_000_000);
    const t = performance.now();
    expect(code(() => parseLosslessJson(huge, { maxNumberLength: 4096 }))).toBe('OVERSIZED');
    expect(performance.now() - t).toBeLessThan(500);
    expect(code(() => parseLosslessJson(`"${'a'.repeat(20)}"`, { maxStringLength: 10 }))).toBe(
      'OVERSIZED',
    );
    expect(code(() => parseLosslessJson(`"${'\\n'.repeat(20)}"`, { maxStringLength: 10 }))).toBe(
      'OVERSIZED',
    );
    expect(code(() => parseLosslessJson('1e400'))).toBe('OVERSIZED');
    expect(code(() => parseLosslessJson('[1]', { maxDepth: 0 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseLosslessJson('[1]', { maxDepth: 10_000 }))).toBe('INVALID_ARGUMENT');
    // At the ceiling, deep nesting is an error, never a stack overflow.
    expect(code(() => parseLosslessJson(nest(1001), { maxDepth: 1000 }))).toBe('OVERSIZED');
    expect(parseLosslessJson(nest(1000), { maxDepth: 1000 })).toBeDefined();
  });

  it('"__proto__" is an own property, never the prototype', () => {
    const v = parseLosslessJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(stringifyLosslessJson(v as JsonValue)).toBe('{"__proto__":{"polluted":1}}');
  });

  it('stringify rejects what JSON cannot carry', () => {
    const bad: unknown[] = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(0),
      new Map(),
      new Uint8Array(1),
      () => 1,
      Symbol('s'),
      [undefined],
    ];
    for (const v of bad) {
      expect(code(() => stringifyLosslessJson(v as JsonValue))).toBe('INVALID_ARGUMENT');
    }
    const cyclic: JsonValue[] = [];
    cyclic.push(cyclic);
    expect(code(() => stringifyLosslessJson(cyclic))).toBe('INVALID_ARGUMENT');
    expect(stringifyLosslessJson({ a: undefined, b: 1n } as unknown as JsonValue)).toBe('{"b":1}');
  });

  it('indentation matches Go json.MarshalIndent(v, "", "  ")', () => {
    expect(stringifyLosslessJson({ a: [1n, { b: [] }], c: {} }, { indent: 2 })).toBe(
      '{\n  "a": [\n    1,\n    {\n      "b": []\n    }\n  ],\n  "c": {}\n}',
    );
  });
});
