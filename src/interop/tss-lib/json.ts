/**
 * Lossless, strict JSON: a parser that keeps big integers exact and a serializer that writes
 * bigints as bare JSON numbers, the way Go's `encoding/json` writes `*big.Int`.
 *
 * Why: tss-lib key files hold 2048-bit integers as bare decimal numbers (up to 617 digits);
 * `JSON.parse` silently rounds them to doubles.
 *
 * Parsing rules (RFC 8259, strict):
 * - Integer literals (no fraction, no exponent) become `bigint` by default (`integers: 'bigint'`);
 *   with `integers: 'auto'` safe integers become `number` and only larger ones `bigint`.
 *   `-0` parses as `0n` (bigint has no negative zero), or as `-0` with `'auto'`.
 * - Literals with a fraction or exponent become `number` and must be finite.
 * - Duplicate object keys, trailing commas, comments, leading zeros, `NaN`/`Infinity`, raw
 *   control characters in strings, a byte-order mark and trailing data are rejected.
 * - Input length, nesting depth, digits per number and string length are capped, and the caps
 *   are checked before the work they guard (a 10 MB number never reaches `BigInt()`).
 * - Errors are {@link VerifyError}s (`MALFORMED`, or `OVERSIZED` for a cap) that give the
 *   position only, never the content: the input may be a secret key file.
 * - `"__proto__"` keys become ordinary own properties (no prototype pollution).
 * @module
 */
import { LocalError, VerifyError } from '../../errors.js';

/** A JSON value as returned by {@link parseLosslessJson}. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;

/** A JSON object (insertion-ordered keys). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Options of {@link parseLosslessJson}. */
export interface JsonParseOptions {
  /**
   * How integer literals are returned: `'bigint'` (default) always as bigint; `'auto'` as
   * number when within ±(2^53 − 1), bigint otherwise.
   */
  integers?: 'bigint' | 'auto';
  /** Maximum input length in UTF-16 code units. Default 16 MiB. */
  maxLength?: number;
  /** Maximum nesting depth of arrays and objects. Default 64, at most 1000. */
  maxDepth?: number;
  /** Maximum characters in one number literal. Default 4096 (about 13 600 bits). */
  maxNumberLength?: number;
  /** Maximum length of one string (key or value) after unescaping. Default 1 MiB. */
  maxStringLength?: number;
}

/** Options of {@link stringifyLosslessJson}. */
export interface JsonStringifyOptions {
  /**
   * Indentation: a number of spaces (0–10) or a string (as for `JSON.stringify`). Omitted or 0
   * gives compact output, like Go's `json.Marshal`; `2` matches Go's
   * `json.MarshalIndent(v, "", "  ")`.
   */
  indent?: number | string;
  /** Maximum nesting depth (guards against cycles). Default 64, at most 1000. */
  maxDepth?: number;
}

const DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;
const DEFAULT_MAX_NUMBER_LENGTH = 4096;
const DEFAULT_MAX_STRING_LENGTH = 1024 * 1024;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Hard ceiling on `maxDepth`: the parser and serializer recurse once per level. */
const MAX_DEPTH_CEILING = 1000;

function checkLimit(name: string, v: number | undefined, dflt: number, ceiling?: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1 || (ceiling !== undefined && v > ceiling)) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `"${name}" must be a positive integer${ceiling === undefined ? '' : ` ≤ ${ceiling}`}`,
    );
  }
  return v;
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser {
  private pos = 0;
  private readonly bigintAll: boolean;
  private readonly maxDepth: number;
  private readonly maxNumberLength: number;
  private readonly maxStringLength: number;

  constructor(
    private readonly s: string,
    opts: JsonParseOptions,
  ) {
    this.bigintAll = (opts.integers ?? 'bigint') === 'bigint';
    this.maxDepth = checkLimit('maxDepth', opts.maxDepth, DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING);
    this.maxNumberLength = checkLimit(
      'maxNumberLength',
      opts.maxNumberLength,
      DEFAULT_MAX_NUMBER_LENGTH,
    );
    this.maxStringLength = checkLimit(
      'maxStringLength',
      opts.maxStringLength,
      DEFAULT_MAX_STRING_LENGTH,
    );
  }

  fail(what: string, at = this.pos): never {
    throw new VerifyError('MALFORMED', `JSON: ${what} at position ${at}`);
  }

  parseDocument(): JsonValue {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.pos !== this.s.length) this.fail('unexpected data after the value');
    return v;
  }

  private ws(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private value(depth: number): JsonValue {
    const c = this.s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail('unexpected character');
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return v;
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) {
      throw new VerifyError(
        'OVERSIZED',
        `JSON: nesting deeper than ${this.maxDepth} at position ${this.pos}`,
      );
    }
  }

  private array(depth: number): JsonValue[] {
    this.enter(depth);
    this.pos++; // [
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth));
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      this.fail(c === undefined ? 'unexpected end of input' : 'expected "," or "]"');
    }
  }

  private object(depth: number): JsonObject {
    this.enter(depth);
    this.pos++; // {
    const out: JsonObject = {};
    const seen = new Set<string>();
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected a string key');
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) this.fail('duplicate key', keyAt);
      seen.add(key);
      this.ws();
      if (this.s[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.ws();
      const v = this.value(depth);
      if (key === '__proto__') {
        Object.defineProperty(out, key, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = v;
      }
      this.ws();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      this.fail(c === undefined ? 'unexpected end of input' : 'expected "," or "}"');
    }
  }

  private string(): string {
    const s = this.s;
    const start = this.pos;
    let p = start + 1; // after the opening quote
    let out = '';
    let runStart = p;
    for (;;) {
      if (out.length + (p - runStart) > this.maxStringLength) {
        throw new VerifyError(
          'OVERSIZED',
          `JSON: string longer than ${this.maxStringLength} at position ${start}`,
        );
      }
      const code = s.charCodeAt(p);
      if (Number.isNaN(code)) this.fail('unterminated string', start);
      if (code === 0x22) {
        out += s.slice(runStart, p);
        this.pos = p + 1;
        return out;
      }
      if (code < 0x20) this.fail('control character in string', p);
      if (code === 0x5c) {
        out += s.slice(runStart, p);
        const e = s[p + 1];
        if (e === 'u') {
          const hex = s.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape', p);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          p += 6;
        } else {
          const r = e === undefined ? undefined : ESCAPES[e];
          if (r === undefined) this.fail('invalid escape', p);
          out += r;
          p += 2;
        }
        runStart = p;
        continue;
      }
      p++;
    }
  }

  private number(): number | bigint {
    const s = this.s;
    const start = this.pos;
    let p = start;
    if (s[p] === '-') p++;
    const digitsFrom = (q: number): number => {
      while (q < s.length) {
        const c = s.charCodeAt(q);
        if (c < 0x30 || c > 0x39) break;
        q++;
      }
      return q;
    };
    if (s[p] === '0') {
      p++;
    } else if (s[p] !== undefined && s[p]! >= '1' && s[p]! <= '9') {
      p = digitsFrom(p);
    } else {
      this.fail('invalid number', start);
    }
    let integral = true;
    if (s[p] === '.') {
      integral = false;
      const q = digitsFrom(p + 1);
      if (q === p + 1) this.fail('invalid number', start);
      p = q;
    }
    if (s[p] === 'e' || s[p] === 'E') {
      integral = false;
      p++;
      if (s[p] === '+' || s[p] === '-') p++;
      const q = digitsFrom(p);
      if (q === p) this.fail('invalid number', start);
      p = q;
    }
    if (p - start > this.maxNumberLength) {
      throw new VerifyError(
        'OVERSIZED',
        `JSON: number longer than ${this.maxNumberLength} characters at position ${start}`,
      );
    }
    this.pos = p;
    const text = s.slice(start, p);
    if (integral) {
      const b = BigInt(text);
      if (this.bigintAll || b > MAX_SAFE || b < -MAX_SAFE) return b;
      return b === 0n && text[0] === '-' ? -0 : Number(b);
    }
    const n = Number(text);
    if (!Number.isFinite(n)) {
      throw new VerifyError('OVERSIZED', `JSON: number out of double range at position ${start}`);
    }
    return n;
  }
}

/**
 * Parses JSON text strictly and without losing integer precision.
 *
 * @throws {VerifyError} `MALFORMED` (with the position) or `OVERSIZED` (a cap was exceeded).
 * @example
 * ```ts
 * const v = parseLosslessJson('{"N": 123456789012345678901234567890, "ok": true}');
 * // v = { N: 123456789012345678901234567890n, ok: true }
 * ```
 */
export function parseLosslessJson(text: string, opts: JsonParseOptions = {}): JsonValue {
  if (typeof text !== 'string')
    throw new LocalError('INVALID_ARGUMENT', 'JSON text must be a string');
  const maxLength = checkLimit('maxLength', opts.maxLength, DEFAULT_MAX_LENGTH);
  if (text.length > maxLength) {
    throw new VerifyError('OVERSIZED', `JSON: input longer than ${maxLength} characters`);
  }
  return new Parser(text, opts).parseDocument();
}

function isPlainObject(v: object): v is JsonObject {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Serializes a {@link JsonValue}, writing bigints as bare JSON numbers (Go `encoding/json`
 * style). Key order is insertion order; `undefined` object members are skipped. Strings are
 * escaped as by `JSON.stringify` (Go additionally escapes `<`, `>`, `&`, U+2028 and U+2029).
 *
 * @throws {LocalError} `INVALID_ARGUMENT` for non-finite numbers, non-plain objects
 * (Map, Date, Uint8Array, ...), functions, symbols, `undefined` array items, or nesting deeper
 * than `maxDepth` (cycles).
 * @example
 * ```ts
 * stringifyLosslessJson({ N: 2n ** 100n, list: [1n, 'a'] });
 * // '{"N":1267650600228229401496703205376,"list":[1,"a"]}'
 * ```
 */
export function stringifyLosslessJson(value: JsonValue, opts: JsonStringifyOptions = {}): string {
  const maxDepth = checkLimit('maxDepth', opts.maxDepth, DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING);
  let unit = '';
  if (typeof opts.indent === 'number') {
    if (!Number.isInteger(opts.indent) || opts.indent < 0 || opts.indent > 10) {
      throw new LocalError('INVALID_ARGUMENT', '"indent" must be an integer in [0, 10]');
    }
    unit = ' '.repeat(opts.indent);
  } else if (typeof opts.indent === 'string') {
    unit = opts.indent.slice(0, 10);
  }
  const parts: string[] = [];
  const write = (v: unknown, depth: number, where: string): void => {
    switch (typeof v) {
      case 'bigint':
        parts.push(v.toString());
        return;
      case 'number':
        if (!Number.isFinite(v)) {
          throw new LocalError('INVALID_ARGUMENT', `JSON: non-finite number at ${where}`);
        }
        parts.push(JSON.stringify(v));
        return;
      case 'string':
        parts.push(JSON.stringify(v));
        return;
      case 'boolean':
        parts.push(v ? 'true' : 'false');
        return;
      case 'object':
        break;
      default:
        throw new LocalError(
          'INVALID_ARGUMENT',
          `JSON: cannot serialize a ${typeof v} at ${where}`,
        );
    }
    if (v === null) {
      parts.push('null');
      return;
    }
    if (depth >= maxDepth) {
      throw new LocalError('INVALID_ARGUMENT', `JSON: nesting deeper than ${maxDepth} at ${where}`);
    }
    const nl = unit ? `\n${unit.repeat(depth + 1)}` : '';
    const close = unit ? `\n${unit.repeat(depth)}` : '';
    if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push('[]');
        return;
      }
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(',');
        parts.push(nl);
        if (v[i] === undefined) {
          throw new LocalError('INVALID_ARGUMENT', `JSON: undefined item at ${where}[${i}]`);
        }
        write(v[i], depth + 1, `${where}[${i}]`);
      }
      parts.push(close, ']');
      return;
    }
    if (!isPlainObject(v)) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `JSON: cannot serialize a non-plain object at ${where}`,
      );
    }
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) {
      parts.push('{}');
      return;
    }
    parts.push('{');
    keys.forEach((k, i) => {
      if (i > 0) parts.push(',');
      parts.push(nl, JSON.stringify(k), unit ? ': ' : ':');
      write(v[k], depth + 1, `${where}.${k}`);
    });
    parts.push(close, '}');
  };
  write(value, 0, '$');
  return parts.join('');
}
