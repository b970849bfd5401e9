/**
 * A JSON value codec for protocol state in party snapshots.
 *
 * `JSON.stringify` loses bigints, bytes, maps, `undefined` and `-0`. {@link encodeValue} turns a
 * value tree into plain JSON data and {@link decodeValue} restores it exactly:
 *
 * | value                              | encoded as                          |
 * | ---------------------------------- | ----------------------------------- |
 * | `null`, boolean, string            | itself                              |
 * | finite number (not `-0`)           | itself                              |
 * | `-0`, `NaN`, `±Infinity`           | `{"$n": "-0" \| "NaN" \| ...}`      |
 * | bigint                             | `{"$b": "-1f"}` (signed hex)        |
 * | `Uint8Array` (and `Buffer`)        | `{"$u8": "<base64>"}`               |
 * | `undefined`                        | `{"$undef": 1}`                     |
 * | array                              | array (holes become `undefined`)    |
 * | `Map`                              | `{"$map": [[k, v], ...]}`           |
 * | `Set`                              | `{"$set": [v, ...]}`                |
 * | plain object                       | object; a key starting with `$` gets one more `$` |
 *
 * Anything else (class instances such as curve points, functions, symbols, cycles) is refused
 * with a {@link LocalError} `INVALID_ARGUMENT`: convert it to bytes or bigints first, or give the
 * protocol a `stateCodec`. Decoding refuses anything {@link encodeValue} cannot produce, with
 * `STORE_CORRUPT`.
 *
 * Snapshots contain secret state; callers must encrypt them at rest.
 * @module
 */
import { LocalError } from '../errors.js';

/** Plain JSON data, as produced by {@link encodeValue}. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Nesting depth above which encoding and decoding refuse (guards against cycles and bombs). */
export const MAX_VALUE_DEPTH = 64;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function bytesToBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64ToBytes(s: string): Uint8Array {
  if (!B64_RE.test(s)) corrupt('invalid base64');
  const buf = Buffer.from(s, 'base64');
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function corrupt(msg: string): never {
  throw new LocalError('STORE_CORRUPT', `snapshot value: ${msg}`);
}

function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so a "__proto__" key stays an own data property.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Encodes a value tree into JSON-safe data (see the module table).
 *
 * @example
 * ```ts
 * const json = JSON.stringify(encodeValue({ x: 5n, r: new Uint8Array([1]) }));
 * // '{"x":{"$b":"5"},"r":{"$u8":"AQ=="}}'
 * ```
 */
export function encodeValue(value: unknown): JsonValue {
  return enc(value, 0, new Set());
}

function enc(v: unknown, depth: number, stack: Set<object>): JsonValue {
  if (depth > MAX_VALUE_DEPTH) {
    throw new LocalError('INVALID_ARGUMENT', `value nests deeper than ${MAX_VALUE_DEPTH}`);
  }
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (Object.is(v, -0)) return { $n: '-0' };
      if (Number.isNaN(v)) return { $n: 'NaN' };
      if (v === Number.POSITIVE_INFINITY) return { $n: 'Infinity' };
      if (v === Number.NEGATIVE_INFINITY) return { $n: '-Infinity' };
      return v;
    case 'bigint':
      return { $b: v < 0n ? `-${(-v).toString(16)}` : v.toString(16) };
    case 'undefined':
      return { $undef: 1 };
    case 'object': {
      if (v === null) return null;
      if (v instanceof Uint8Array) return { $u8: bytesToBase64(v) };
      if (stack.has(v)) throw new LocalError('INVALID_ARGUMENT', 'value has a cycle');
      stack.add(v);
      try {
        if (Array.isArray(v)) {
          const out: JsonValue[] = [];
          for (let i = 0; i < v.length; i++) out.push(enc(v[i], depth + 1, stack));
          return out;
        }
        if (v instanceof Map) {
          const out: JsonValue[] = [];
          for (const [k, x] of v) out.push([enc(k, depth + 2, stack), enc(x, depth + 2, stack)]);
          return { $map: out };
        }
        if (v instanceof Set) {
          const out: JsonValue[] = [];
          for (const x of v) out.push(enc(x, depth + 1, stack));
          return { $set: out };
        }
        if (!isPlainObject(v)) {
          const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
          throw new LocalError(
            'INVALID_ARGUMENT',
            `cannot encode an instance of ${typeof name === 'string' ? name : 'a class'}; convert it to plain data`,
          );
        }
        const out: { [k: string]: JsonValue } = {};
        for (const k of Object.keys(v)) {
          defineKey(
            out,
            k.startsWith('$') ? `$${k}` : k,
            enc((v as Record<string, unknown>)[k], depth + 1, stack),
          );
        }
        return out;
      } finally {
        stack.delete(v);
      }
    }
    default:
      throw new LocalError('INVALID_ARGUMENT', `cannot encode a ${typeof v}`);
  }
}

const HEX_RE = /^-?(?:0|[1-9a-f][0-9a-f]*)$/;

/**
 * Decodes data produced by {@link encodeValue}. Throws {@link LocalError} `STORE_CORRUPT` on
 * anything else.
 *
 * @example
 * ```ts
 * decodeValue(JSON.parse('{"$b":"ff"}')); // 255n
 * ```
 */
export function decodeValue(data: unknown): unknown {
  return dec(data, 0);
}

function dec(d: unknown, depth: number): unknown {
  if (depth > MAX_VALUE_DEPTH) corrupt(`nests deeper than ${MAX_VALUE_DEPTH}`);
  if (d === null || typeof d === 'string' || typeof d === 'boolean') return d;
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || Object.is(d, -0)) corrupt('non-canonical number');
    return d;
  }
  if (typeof d !== 'object') return corrupt(`unexpected ${typeof d}`);
  if (Array.isArray(d)) return d.map((x) => dec(x, depth + 1));
  if (!isPlainObject(d)) corrupt('unexpected object');
  const keys = Object.keys(d);
  const tag = keys.find((k) => k.startsWith('$') && !k.startsWith('$$'));
  const rec = d as Record<string, unknown>;
  if (tag !== undefined) {
    if (keys.length !== 1) corrupt(`tag ${tag} must be the only key`);
    const x = rec[tag];
    switch (tag) {
      case '$b': {
        if (typeof x !== 'string' || !HEX_RE.test(x) || x === '-0') corrupt('bad bigint');
        return x.startsWith('-') ? -BigInt(`0x${x.slice(1)}`) : BigInt(`0x${x}`);
      }
      case '$u8':
        if (typeof x !== 'string') corrupt('bad bytes');
        return base64ToBytes(x);
      case '$n':
        if (x === '-0') return -0;
        if (x === 'NaN') return Number.NaN;
        if (x === 'Infinity') return Number.POSITIVE_INFINITY;
        if (x === '-Infinity') return Number.NEGATIVE_INFINITY;
        return corrupt('bad number');
      case '$undef':
        if (x !== 1) corrupt('bad undefined');
        return undefined;
      case '$map': {
        if (!Array.isArray(x)) corrupt('bad map');
        const m = new Map<unknown, unknown>();
        for (const e of x) {
          if (!Array.isArray(e) || e.length !== 2) corrupt('bad map entry');
          m.set(dec(e[0], depth + 2), dec(e[1], depth + 2));
        }
        return m;
      }
      case '$set': {
        if (!Array.isArray(x)) corrupt('bad set');
        return new Set(x.map((e) => dec(e, depth + 1)));
      }
      default:
        return corrupt(`unknown tag ${tag}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) defineKey(out, k.startsWith('$$') ? k.slice(1) : k, dec(rec[k], depth + 1));
  return out;
}
