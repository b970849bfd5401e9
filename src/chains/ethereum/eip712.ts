/**
 * EIP-712 typed structured data hashing, written from the EIP.
 *
 *   hash = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(primaryType, message))
 *   hashStruct(T, v) = keccak256(typeHash(T) ‖ encodeData(T, v))
 *
 * Strict on input: an unknown type, a missing field, an integer out of range, a `bytesN` of the
 * wrong length or a malformed address throws `INVALID_ARGUMENT` instead of hashing something the
 * user did not mean.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { LocalError } from '../../errors.js';
import { bigintToBytes, hexToBytes } from '../../math/bigint.js';
import { toChecksumAddress } from './address.js';

/** One member of a struct type. */
export interface TypedDataField {
  name: string;
  type: string;
}

/** The EIP-712 domain. Only the fields present take part in the separator. */
export interface TypedDataDomain {
  name?: string;
  version?: string;
  chainId?: number | bigint | string;
  verifyingContract?: string;
  salt?: string | Uint8Array;
}

/** A typed-data payload, as passed to `eth_signTypedData_v4`. */
export interface TypedData {
  /** Struct definitions; `EIP712Domain` may be given or is inferred from `domain`. */
  types: Record<string, readonly TypedDataField[]>;
  /** The struct type of `message`. */
  primaryType: string;
  domain: TypedDataDomain;
  message: Record<string, unknown>;
}

const _utf8 = new TextEncoder();
const MAX_DEPTH = 64;
const DOMAIN_FIELDS: readonly TypedDataField[] = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'salt', type: 'bytes32' },
];

function _bad(message: string): never {
  throw new LocalError('INVALID_ARGUMENT', `[ethereum] EIP-712: ${message}`);
}

function _concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Strips one array suffix: `Foo[2][]` → `Foo[2]`, with the length (undefined for `[]`). */
function _arrayOf(type: string): { inner: string; length: number | undefined } | undefined {
  const m = /^(.*)\[(\d*)\]$/.exec(type);
  if (!m) return undefined;
  return { inner: m[1]!, length: m[2] === '' ? undefined : Number(m[2]) };
}

function _baseType(type: string): string {
  let t = type;
  for (let a = _arrayOf(t); a; a = _arrayOf(t)) t = a.inner;
  return t;
}

function _isAtomic(type: string): boolean {
  if (type === 'string' || type === 'bytes' || type === 'bool' || type === 'address') return true;
  let m = /^bytes([1-9][0-9]?)$/.exec(type);
  if (m) return Number(m[1]) <= 32;
  m = /^u?int([1-9][0-9]{0,2})?$/.exec(type);
  if (!m) return false;
  const bits = m[1] === undefined ? 256 : Number(m[1]);
  return bits <= 256 && bits % 8 === 0;
}

function _fields(types: TypedData['types'], name: string): readonly TypedDataField[] {
  if (!Object.hasOwn(types, name)) _bad(`unknown type "${name}"`);
  const fields = types[name];
  if (!Array.isArray(fields)) _bad(`type "${name}" expected an array of fields`);
  for (const f of fields as readonly Partial<TypedDataField>[]) {
    if (typeof f?.name !== 'string' || typeof f.type !== 'string') {
      _bad(`type "${name}" has a field without a string name and type`);
    }
    const base = _baseType(f.type);
    if (!_isStruct(types, base) && !_isAtomic(base)) {
      _bad(`invalid type "${f.type}" of "${name}.${f.name}"`);
    }
  }
  return fields;
}

function _isStruct(types: TypedData['types'], type: string): boolean {
  return Object.hasOwn(types, type);
}

function _dependencies(types: TypedData['types'], primary: string, found: Set<string>): void {
  if (found.has(primary) || !_isStruct(types, primary)) return;
  found.add(primary);
  for (const f of _fields(types, primary)) _dependencies(types, _baseType(f.type), found);
}

/**
 * `encodeType`: the primary type's signature followed by its referenced struct types, sorted
 * by name, e.g. `Mail(Person from,Person to,string contents)Person(string name,address wallet)`.
 */
export function encodeType(types: TypedData['types'], primaryType: string): string {
  _fields(types, primaryType);
  const deps = new Set<string>();
  _dependencies(types, primaryType, deps);
  deps.delete(primaryType);
  return [primaryType, ...[...deps].sort()]
    .map(
      (t) =>
        `${t}(${_fields(types, t)
          .map((f) => `${f.type} ${f.name}`)
          .join(',')})`,
    )
    .join('');
}

/** keccak256(encodeType(primaryType)). */
export function typeHash(types: TypedData['types'], primaryType: string): Uint8Array {
  return keccak_256(_utf8.encode(encodeType(types, primaryType)));
}

function _bytes(value: unknown, title: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(value)) return hexToBytes(value);
  return _bad(`"${title}" expected 0x-prefixed hex bytes or a Uint8Array`);
}

function _integer(value: unknown, title: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) _bad(`"${title}" is not a safe integer; pass a bigint`);
    return BigInt(value);
  }
  if (typeof value === 'string' && /^(-?[0-9]+|0x[0-9a-fA-F]+)$/.test(value)) return BigInt(value);
  return _bad(`"${title}" expected an integer (bigint, number, decimal or 0x string)`);
}

function _word(x: bigint): Uint8Array {
  return bigintToBytes(x, 32);
}

function _encodeAtomic(type: string, value: unknown, title: string): Uint8Array {
  if (type === 'string') {
    if (typeof value !== 'string') _bad(`"${title}" expected a string`);
    return keccak_256(_utf8.encode(value));
  }
  if (type === 'bytes') return keccak_256(_bytes(value, title));
  if (type === 'bool') {
    if (typeof value !== 'boolean') _bad(`"${title}" expected a boolean`);
    return _word(value ? 1n : 0n);
  }
  if (type === 'address') {
    if (typeof value !== 'string') _bad(`"${title}" expected an address string`);
    const word = new Uint8Array(32);
    word.set(hexToBytes(toChecksumAddress(value, title)), 12);
    return word;
  }
  let m = /^bytes([0-9]{1,2})$/.exec(type);
  if (m) {
    const n = Number(m[1]);
    if (n < 1 || n > 32) _bad(`invalid type "${type}"`);
    const b = _bytes(value, title);
    if (b.length !== n) _bad(`"${title}" expected ${n} bytes, got ${b.length}`);
    const word = new Uint8Array(32);
    word.set(b);
    return word;
  }
  m = /^(u?)int([0-9]{0,3})$/.exec(type);
  if (m) {
    const bits = m[2] === '' ? 256 : Number(m[2]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0) _bad(`invalid type "${type}"`);
    const x = _integer(value, title);
    const unsigned = m[1] === 'u';
    const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
    const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
    if (x < min || x > max) _bad(`"${title}" is out of range for ${type}`);
    return _word(x < 0n ? (1n << 256n) + x : x);
  }
  return _bad(`unknown type "${type}"`);
}

function _encodeValue(
  types: TypedData['types'],
  type: string,
  value: unknown,
  title: string,
  depth: number,
): Uint8Array {
  if (depth > MAX_DEPTH) _bad(`"${title}" is nested deeper than ${MAX_DEPTH}`);
  const arr = _arrayOf(type);
  if (arr) {
    if (!Array.isArray(value)) _bad(`"${title}" expected an array`);
    if (arr.length !== undefined && value.length !== arr.length) {
      _bad(`"${title}" expected ${arr.length} items, got ${value.length}`);
    }
    return keccak_256(
      _concat(value.map((v, i) => _encodeValue(types, arr.inner, v, `${title}[${i}]`, depth + 1))),
    );
  }
  if (_isStruct(types, type)) return _hashStruct(types, type, value, title, depth + 1);
  return _encodeAtomic(type, value, title);
}

function _hashStruct(
  types: TypedData['types'],
  type: string,
  value: unknown,
  title: string,
  depth: number,
): Uint8Array {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    _bad(`"${title}" expected an object of type ${type}`);
  }
  const record = value as Record<string, unknown>;
  const parts = [typeHash(types, type)];
  for (const f of _fields(types, type)) {
    if (!Object.hasOwn(record, f.name) || record[f.name] === undefined) {
      _bad(`"${title}.${f.name}" is missing`);
    }
    parts.push(_encodeValue(types, f.type, record[f.name], `${title}.${f.name}`, depth));
  }
  return keccak_256(_concat(parts));
}

/** hashStruct(primaryType, data) = keccak256(typeHash ‖ encodeData). */
export function hashStruct(
  types: TypedData['types'],
  primaryType: string,
  data: Record<string, unknown>,
): Uint8Array {
  return _hashStruct(types, primaryType, data, primaryType, 0);
}

function _domainTypes(typedData: TypedData): TypedData['types'] {
  if (Object.hasOwn(typedData.types, 'EIP712Domain')) return typedData.types;
  const domain = typedData.domain as Record<string, unknown>;
  const fields = DOMAIN_FIELDS.filter((f) => domain[f.name] !== undefined);
  return { ...typedData.types, EIP712Domain: fields };
}

/** The domain separator hashStruct(EIP712Domain, domain). */
export function hashDomain(typedData: Pick<TypedData, 'types' | 'domain'>): Uint8Array {
  const full = { ...typedData, primaryType: 'EIP712Domain', message: {} } as TypedData;
  if (typeof full.domain !== 'object' || full.domain === null) _bad('"domain" expected an object');
  return hashStruct(
    _domainTypes(full),
    'EIP712Domain',
    full.domain as unknown as Record<string, unknown>,
  );
}

/**
 * The EIP-712 digest to sign (`eth_signTypedData_v4`). When `primaryType` is `EIP712Domain`
 * the message part is omitted, as the EIP specifies.
 *
 * @example
 * ```ts
 * const digest = hashTypedData({ types, primaryType: 'Mail', domain, message });
 * ```
 */
export function hashTypedData(typedData: TypedData): Uint8Array {
  if (
    typeof typedData !== 'object' ||
    typedData === null ||
    typeof typedData.types !== 'object' ||
    typedData.types === null ||
    typeof typedData.primaryType !== 'string'
  ) {
    _bad('expected { types, primaryType, domain, message }');
  }
  const parts = [Uint8Array.of(0x19, 0x01), hashDomain(typedData)];
  if (typedData.primaryType !== 'EIP712Domain') {
    parts.push(hashStruct(_domainTypes(typedData), typedData.primaryType, typedData.message));
  }
  return keccak_256(_concat(parts));
}
