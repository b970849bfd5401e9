/**
 * Wire codec for bnb-chain/tss-lib v2 ECDSA messages (keygen, signing, resharing).
 *
 * tss-lib's `WireBytes()` is a protobuf `google.protobuf.Any` whose `type_url` is
 * `type.googleapis.com/<full message name>` and whose `value` is the encoded round message.
 * Every field is `bytes` or `repeated bytes` holding a big-endian unsigned integer
 * (Go's `big.Int.Bytes()`).
 *
 * Decoding is strict (SECURITY.md item 14):
 * - the total size is capped (per message type) before any parsing;
 * - the type URL must name a known message, with the `type.googleapis.com/` prefix;
 * - unknown fields are rejected;
 * - every field and every item of a repeated field is non-empty, minimally encoded (no leading
 *   zero byte, which `big.Int.Bytes()` never emits) and within its byte cap;
 * - repeated fields have their exact item count (e.g. 258 for a DLN proof, 11 for a
 *   no-small-factor proof), or for de-commitments an odd count in a bounded range;
 * - the bytes must be the canonical encoding: re-encoding the decoded message gives the input
 *   back byte for byte (no duplicated or reordered fields, no over-long varints).
 *
 * So `encodeTssLibWire(decodeTssLibWire(b))` always equals `b`.
 *
 * Byte caps assume tss-lib's 2048-bit Paillier moduli and Ñ: 32 bytes for scalars, hashes and
 * coordinates, 256 for values mod N or Ñ, 512 for values mod N² and for MtA range-proof items,
 * 768 for no-small-factor proof items (honest maximum 608).
 * @module
 */
import {
  create,
  type DescMessage,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import { AnySchema, anyPack, anyUnpack } from '@bufbuild/protobuf/wkt';
import { type ErrorCode, LocalError, VerifyError } from '../../errors.js';
import {
  type KGRound1Message,
  KGRound1MessageSchema,
  type KGRound2Message1,
  KGRound2Message1Schema,
  type KGRound2Message2,
  KGRound2Message2Schema,
  type KGRound3Message,
  KGRound3MessageSchema,
} from '../../gen/binance/tsslib/ecdsa/keygen/keygen_pb.js';
import {
  type DGRound1Message,
  DGRound1MessageSchema,
  type DGRound2Message1,
  DGRound2Message1Schema,
  type DGRound2Message2,
  DGRound2Message2Schema,
  type DGRound3Message1,
  DGRound3Message1Schema,
  type DGRound3Message2,
  DGRound3Message2Schema,
  type DGRound4Message1,
  DGRound4Message1Schema,
  type DGRound4Message2,
  DGRound4Message2Schema,
} from '../../gen/binance/tsslib/ecdsa/resharing/resharing_pb.js';
import {
  type SignRound1Message1,
  SignRound1Message1Schema,
  type SignRound1Message2,
  SignRound1Message2Schema,
  type SignRound2Message,
  SignRound2MessageSchema,
  type SignRound3Message,
  SignRound3MessageSchema,
  type SignRound4Message,
  SignRound4MessageSchema,
  type SignRound5Message,
  SignRound5MessageSchema,
  type SignRound6Message,
  SignRound6MessageSchema,
  type SignRound7Message,
  SignRound7MessageSchema,
  type SignRound8Message,
  SignRound8MessageSchema,
  type SignRound9Message,
  SignRound9MessageSchema,
} from '../../gen/binance/tsslib/ecdsa/signing/signing_pb.js';
import { bigintToBytes, bytesEqual, decodeBigInt } from '../../math/bigint.js';

/** Every tss-lib ECDSA wire message, keyed by its full protobuf name (its `$typeName`). */
export interface TssLibMessageMap {
  'binance.tsslib.ecdsa.keygen.KGRound1Message': KGRound1Message;
  'binance.tsslib.ecdsa.keygen.KGRound2Message1': KGRound2Message1;
  'binance.tsslib.ecdsa.keygen.KGRound2Message2': KGRound2Message2;
  'binance.tsslib.ecdsa.keygen.KGRound3Message': KGRound3Message;
  'binance.tsslib.ecdsa.signing.SignRound1Message1': SignRound1Message1;
  'binance.tsslib.ecdsa.signing.SignRound1Message2': SignRound1Message2;
  'binance.tsslib.ecdsa.signing.SignRound2Message': SignRound2Message;
  'binance.tsslib.ecdsa.signing.SignRound3Message': SignRound3Message;
  'binance.tsslib.ecdsa.signing.SignRound4Message': SignRound4Message;
  'binance.tsslib.ecdsa.signing.SignRound5Message': SignRound5Message;
  'binance.tsslib.ecdsa.signing.SignRound6Message': SignRound6Message;
  'binance.tsslib.ecdsa.signing.SignRound7Message': SignRound7Message;
  'binance.tsslib.ecdsa.signing.SignRound8Message': SignRound8Message;
  'binance.tsslib.ecdsa.signing.SignRound9Message': SignRound9Message;
  'binance.tsslib.ecdsa.resharing.DGRound1Message': DGRound1Message;
  'binance.tsslib.ecdsa.resharing.DGRound2Message1': DGRound2Message1;
  'binance.tsslib.ecdsa.resharing.DGRound2Message2': DGRound2Message2;
  'binance.tsslib.ecdsa.resharing.DGRound3Message1': DGRound3Message1;
  'binance.tsslib.ecdsa.resharing.DGRound3Message2': DGRound3Message2;
  'binance.tsslib.ecdsa.resharing.DGRound4Message1': DGRound4Message1;
  'binance.tsslib.ecdsa.resharing.DGRound4Message2': DGRound4Message2;
}

/** Full protobuf name of a tss-lib ECDSA message, e.g. `binance.tsslib.ecdsa.keygen.KGRound1Message`. */
export type TssLibTypeName = keyof TssLibMessageMap;

/** Any tss-lib ECDSA wire message; discriminate on `$typeName`. */
export type TssLibMessage = TssLibMessageMap[TssLibTypeName];

/** The data fields of a generated message (without `$typeName` and `$unknown`). */
export type TssLibFieldName<M extends TssLibMessage> = Exclude<keyof M, '$typeName' | '$unknown'>;

/**
 * The fields of a message as integers: `bytes` → `bigint`, `repeated bytes` → `bigint[]`.
 * Produced by {@link tssLibToBigints}, consumed by {@link tssLibFromBigints}.
 */
export type TssLibBigints<M extends TssLibMessage> = {
  [K in TssLibFieldName<M>]: M[K] extends readonly Uint8Array[] ? bigint[] : bigint;
};

/** The tss-lib protocol a message belongs to. */
export type TssLibProtocol = 'ecdsa-keygen' | 'ecdsa-signing' | 'ecdsa-resharing';

/** Routing facts about one tss-lib message type. */
export interface TssLibMessageInfo {
  /** Full protobuf name; the type URL is `type.googleapis.com/` + this. */
  readonly typeName: TssLibTypeName;
  /** Short name, e.g. `KGRound1Message`. */
  readonly name: string;
  /** Protocol it belongs to. */
  readonly protocol: TssLibProtocol;
  /** The (1-based) tss-lib round that sends it. */
  readonly round: number;
  /** Whether tss-lib sends it to everyone (`IsBroadcast`) rather than point-to-point. */
  readonly broadcast: boolean;
  /**
   * Resharing only: which committee receives it (`IsToOldCommittee`,
   * `IsToOldAndNewCommittees`). Keygen and signing have a single committee.
   */
  readonly committee?: 'new' | 'old' | 'old-and-new';
  /** Cap on the wire (`Any`) size, derived from the per-field caps. */
  readonly maxWireBytes: number;
}

/** Shape rule of one field. */
interface FieldSpec {
  readonly repeated: boolean;
  /** Cap on the byte length of the field (or of each item). */
  readonly maxBytes: number;
  /** Repeated only: allowed item counts. */
  readonly minCount: number;
  readonly maxCount: number;
  /** Repeated only: the count must be odd (hash de-commitments: r plus point coordinates). */
  readonly odd: boolean;
}

type FieldSpecs<M extends TssLibMessage> = { readonly [K in TssLibFieldName<M>]: FieldSpec };

interface Entry<T extends TssLibTypeName> {
  readonly schema: DescMessage & { readonly typeName: T };
  readonly protocol: TssLibProtocol;
  readonly round: number;
  readonly broadcast: boolean;
  readonly committee?: 'new' | 'old' | 'old-and-new';
  readonly fields: FieldSpecs<TssLibMessageMap[T]>;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Scalars mod q, hash commitments, curve coordinates. */
const SCALAR = 32;
/** Values mod N or Ñ (2048-bit). */
const MOD_N = 256;
/** Values mod N² and MtA range-proof items. */
const MOD_N2 = 512;
/** No-small-factor (facproof) items: up to 2^(ℓ+ε)·N·Ñ. */
const FAC_ITEM = 768;
/** dlnproof: length-prefixed Alpha[128] and T[128]. */
const DLN_ITEMS = 2 + 2 * 128;
/** modproof: W, X[80], A, B, Z[80]. */
const MOD_ITEMS = 3 + 2 * 80;
const FAC_ITEMS = 11;
const PAILLIER_PROOF_ITEMS = 13;
const ALICE_ITEMS = 6;
const BOB_ITEMS = 10;
const BOB_WC_ITEMS = 12;
/** De-commitment of t+1 points: r, then x and y of each; tss-lib threshold t ≤ 255. */
const DECOMMIT_MIN = 3;
const DECOMMIT_MAX = 1 + 2 * 256;

const one = (maxBytes: number): FieldSpec => ({
  repeated: false,
  maxBytes,
  minCount: 1,
  maxCount: 1,
  odd: false,
});
const many = (maxBytes: number, count: number): FieldSpec => ({
  repeated: true,
  maxBytes,
  minCount: count,
  maxCount: count,
  odd: false,
});
const decommit: FieldSpec = {
  repeated: true,
  maxBytes: SCALAR,
  minCount: DECOMMIT_MIN,
  maxCount: DECOMMIT_MAX,
  odd: true,
};
const schnorr = { proofAlphaX: one(SCALAR), proofAlphaY: one(SCALAR), proofT: one(SCALAR) };

const ENTRIES: { readonly [T in TssLibTypeName]: Entry<T> } = {
  'binance.tsslib.ecdsa.keygen.KGRound1Message': {
    schema: KGRound1MessageSchema,
    protocol: 'ecdsa-keygen',
    round: 1,
    broadcast: true,
    fields: {
      commitment: one(SCALAR),
      paillierN: one(MOD_N),
      nTilde: one(MOD_N),
      h1: one(MOD_N),
      h2: one(MOD_N),
      dlnproof1: many(MOD_N, DLN_ITEMS),
      dlnproof2: many(MOD_N, DLN_ITEMS),
    },
  },
  'binance.tsslib.ecdsa.keygen.KGRound2Message1': {
    schema: KGRound2Message1Schema,
    protocol: 'ecdsa-keygen',
    round: 2,
    broadcast: false,
    fields: { share: one(SCALAR), facProof: many(FAC_ITEM, FAC_ITEMS) },
  },
  'binance.tsslib.ecdsa.keygen.KGRound2Message2': {
    schema: KGRound2Message2Schema,
    protocol: 'ecdsa-keygen',
    round: 2,
    broadcast: true,
    fields: { deCommitment: decommit, modProof: many(MOD_N, MOD_ITEMS) },
  },
  'binance.tsslib.ecdsa.keygen.KGRound3Message': {
    schema: KGRound3MessageSchema,
    protocol: 'ecdsa-keygen',
    round: 3,
    broadcast: true,
    fields: { paillierProof: many(MOD_N, PAILLIER_PROOF_ITEMS) },
  },
  'binance.tsslib.ecdsa.signing.SignRound1Message1': {
    schema: SignRound1Message1Schema,
    protocol: 'ecdsa-signing',
    round: 1,
    broadcast: false,
    fields: { c: one(MOD_N2), rangeProofAlice: many(MOD_N2, ALICE_ITEMS) },
  },
  'binance.tsslib.ecdsa.signing.SignRound1Message2': {
    schema: SignRound1Message2Schema,
    protocol: 'ecdsa-signing',
    round: 1,
    broadcast: true,
    fields: { commitment: one(SCALAR) },
  },
  'binance.tsslib.ecdsa.signing.SignRound2Message': {
    schema: SignRound2MessageSchema,
    protocol: 'ecdsa-signing',
    round: 2,
    broadcast: false,
    fields: {
      c1: one(MOD_N2),
      c2: one(MOD_N2),
      proofBob: many(MOD_N2, BOB_ITEMS),
      proofBobWc: many(MOD_N2, BOB_WC_ITEMS),
    },
  },
  'binance.tsslib.ecdsa.signing.SignRound3Message': {
    schema: SignRound3MessageSchema,
    protocol: 'ecdsa-signing',
    round: 3,
    broadcast: true,
    fields: { theta: one(SCALAR) },
  },
  'binance.tsslib.ecdsa.signing.SignRound4Message': {
    schema: SignRound4MessageSchema,
    protocol: 'ecdsa-signing',
    round: 4,
    broadcast: true,
    fields: { deCommitment: many(SCALAR, 3), ...schnorr },
  },
  'binance.tsslib.ecdsa.signing.SignRound5Message': {
    schema: SignRound5MessageSchema,
    protocol: 'ecdsa-signing',
    round: 5,
    broadcast: true,
    fields: { commitment: one(SCALAR) },
  },
  'binance.tsslib.ecdsa.signing.SignRound6Message': {
    schema: SignRound6MessageSchema,
    protocol: 'ecdsa-signing',
    round: 6,
    broadcast: true,
    fields: {
      deCommitment: many(SCALAR, 5),
      ...schnorr,
      vProofAlphaX: one(SCALAR),
      vProofAlphaY: one(SCALAR),
      vProofT: one(SCALAR),
      vProofU: one(SCALAR),
    },
  },
  'binance.tsslib.ecdsa.signing.SignRound7Message': {
    schema: SignRound7MessageSchema,
    protocol: 'ecdsa-signing',
    round: 7,
    broadcast: true,
    fields: { commitment: one(SCALAR) },
  },
  'binance.tsslib.ecdsa.signing.SignRound8Message': {
    schema: SignRound8MessageSchema,
    protocol: 'ecdsa-signing',
    round: 8,
    broadcast: true,
    fields: { deCommitment: many(SCALAR, 5) },
  },
  'binance.tsslib.ecdsa.signing.SignRound9Message': {
    schema: SignRound9MessageSchema,
    protocol: 'ecdsa-signing',
    round: 9,
    broadcast: true,
    fields: { s: one(SCALAR) },
  },
  'binance.tsslib.ecdsa.resharing.DGRound1Message': {
    schema: DGRound1MessageSchema,
    protocol: 'ecdsa-resharing',
    round: 1,
    broadcast: true,
    committee: 'new',
    fields: {
      ecdsaPubX: one(SCALAR),
      ecdsaPubY: one(SCALAR),
      vCommitment: one(SCALAR),
      ssid: one(SCALAR),
    },
  },
  'binance.tsslib.ecdsa.resharing.DGRound2Message1': {
    schema: DGRound2Message1Schema,
    protocol: 'ecdsa-resharing',
    round: 2,
    broadcast: true,
    committee: 'new',
    fields: {
      paillierN: one(MOD_N),
      modProof: many(MOD_N, MOD_ITEMS),
      nTilde: one(MOD_N),
      h1: one(MOD_N),
      h2: one(MOD_N),
      dlnproof1: many(MOD_N, DLN_ITEMS),
      dlnproof2: many(MOD_N, DLN_ITEMS),
    },
  },
  'binance.tsslib.ecdsa.resharing.DGRound2Message2': {
    schema: DGRound2Message2Schema,
    protocol: 'ecdsa-resharing',
    round: 2,
    broadcast: true,
    committee: 'old',
    fields: {},
  },
  'binance.tsslib.ecdsa.resharing.DGRound3Message1': {
    schema: DGRound3Message1Schema,
    protocol: 'ecdsa-resharing',
    round: 3,
    broadcast: false,
    committee: 'new',
    fields: { share: one(SCALAR) },
  },
  'binance.tsslib.ecdsa.resharing.DGRound3Message2': {
    schema: DGRound3Message2Schema,
    protocol: 'ecdsa-resharing',
    round: 3,
    broadcast: true,
    committee: 'new',
    fields: { vDecommitment: decommit },
  },
  'binance.tsslib.ecdsa.resharing.DGRound4Message1': {
    schema: DGRound4Message1Schema,
    protocol: 'ecdsa-resharing',
    round: 4,
    broadcast: false,
    committee: 'new',
    fields: { facProof: many(FAC_ITEM, FAC_ITEMS) },
  },
  'binance.tsslib.ecdsa.resharing.DGRound4Message2': {
    schema: DGRound4Message2Schema,
    protocol: 'ecdsa-resharing',
    round: 4,
    broadcast: true,
    committee: 'old-and-new',
    fields: {},
  },
};

/** A loosely typed view of an entry, for the generic code paths. */
interface AnyEntry {
  readonly schema: DescMessage;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly info: TssLibMessageInfo;
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Largest encoding of an item of `maxBytes` bytes: 1-byte tag (field numbers < 16), length, data. */
function itemBound(maxBytes: number): number {
  return 1 + varintLength(maxBytes) + maxBytes;
}

function wireBound(typeName: string, fields: Readonly<Record<string, FieldSpec>>): number {
  let inner = 0;
  for (const f of Object.values(fields)) inner += f.maxCount * itemBound(f.maxBytes);
  const url = TYPE_URL_PREFIX.length + typeName.length;
  return itemBound(url) + 1 + varintLength(inner) + inner;
}

const BY_NAME = new Map<string, AnyEntry>();
for (const [typeName, e] of Object.entries(ENTRIES) as [TssLibTypeName, Entry<TssLibTypeName>][]) {
  const fields = e.fields as Readonly<Record<string, FieldSpec>>;
  const info: TssLibMessageInfo = Object.freeze({
    typeName,
    name: typeName.slice(typeName.lastIndexOf('.') + 1),
    protocol: e.protocol,
    round: e.round,
    broadcast: e.broadcast,
    ...(e.committee ? { committee: e.committee } : {}),
    maxWireBytes: wireBound(typeName, fields),
  });
  BY_NAME.set(typeName, { schema: e.schema, fields, info });
}

/**
 * Routing table of every tss-lib ECDSA message: protocol, round, broadcast flag, size cap.
 *
 * Keygen: `KGRound1Message` (round 1, broadcast), `KGRound2Message1` (2, p2p),
 * `KGRound2Message2` (2, broadcast), `KGRound3Message` (3, broadcast).
 * Signing: `SignRound1Message1` (1, p2p), `SignRound1Message2` (1, broadcast),
 * `SignRound2Message` (2, p2p), `SignRound3Message` … `SignRound9Message` (3–9, broadcast).
 *
 * @example
 * ```ts
 * const info = TSS_LIB_MESSAGES['binance.tsslib.ecdsa.signing.SignRound2Message'];
 * info.round; // 2
 * info.broadcast; // false
 * ```
 */
export const TSS_LIB_MESSAGES: { readonly [T in TssLibTypeName]: TssLibMessageInfo } =
  Object.freeze(
    Object.fromEntries([...BY_NAME].map(([k, v]) => [k, v.info])) as {
      [T in TssLibTypeName]: TssLibMessageInfo;
    },
  );

/** Cap on the size of any tss-lib wire message (the largest per-type cap). */
export const TSS_LIB_MAX_WIRE_BYTES: number = Math.max(
  ...[...BY_NAME.values()].map((e) => e.info.maxWireBytes),
);

/**
 * Whether `name` is the full protobuf name of a known tss-lib ECDSA message.
 *
 * @example
 * ```ts
 * if (isTssLibTypeName(rec.round)) console.log(TSS_LIB_MESSAGES[rec.round].round);
 * ```
 */
export function isTssLibTypeName(name: string): name is TssLibTypeName {
  return BY_NAME.has(name);
}

/**
 * The type URL tss-lib puts in the `Any`.
 *
 * @example
 * ```ts
 * tssLibTypeUrl('binance.tsslib.ecdsa.keygen.KGRound1Message');
 * // 'type.googleapis.com/binance.tsslib.ecdsa.keygen.KGRound1Message'
 * ```
 */
export function tssLibTypeUrl(typeName: TssLibTypeName): string {
  return TYPE_URL_PREFIX + typeName;
}

type Fail = (code: ErrorCode, message: string) => never;

const verifyFail: Fail = (code, message) => {
  throw new VerifyError(code, message);
};
const localFail: Fail = (_code, message) => {
  throw new LocalError('INVALID_ARGUMENT', message);
};

function checkItem(b: unknown, title: string, maxBytes: number, fail: Fail): void {
  if (!(b instanceof Uint8Array)) fail('MALFORMED', `"${title}" must be bytes`);
  if (b.length === 0) fail('MALFORMED', `"${title}" is empty`);
  if (b.length > maxBytes)
    fail('OVERSIZED', `"${title}" has ${b.length} bytes, cap is ${maxBytes}`);
  if (b[0] === 0) fail('MALFORMED', `"${title}" is not minimally encoded`);
}

function checkShape(entry: AnyEntry, msg: Record<string, unknown>, fail: Fail): void {
  const name = entry.info.name;
  const unknown = msg.$unknown;
  if (Array.isArray(unknown) && unknown.length > 0) fail('MALFORMED', `${name} has unknown fields`);
  for (const [key, f] of Object.entries(entry.fields)) {
    const v = msg[key];
    const title = `${name}.${key}`;
    if (!f.repeated) {
      checkItem(v, title, f.maxBytes, fail);
      continue;
    }
    if (!Array.isArray(v)) fail('MALFORMED', `"${title}" must be a list`);
    if (v.length < f.minCount || v.length > f.maxCount || (f.odd && v.length % 2 === 0)) {
      const want =
        f.minCount === f.maxCount
          ? `${f.minCount}`
          : `${f.odd ? 'an odd number in ' : ''}[${f.minCount}, ${f.maxCount}]`;
      fail(
        v.length > f.maxCount ? 'OVERSIZED' : 'MALFORMED',
        `"${title}" has ${v.length} items, expected ${want}`,
      );
    }
    for (let i = 0; i < v.length; i++) checkItem(v[i], `${title}[${i}]`, f.maxBytes, fail);
  }
}

function entryOf(typeName: unknown): AnyEntry {
  const e = typeof typeName === 'string' ? BY_NAME.get(typeName) : undefined;
  if (!e) throw new LocalError('INVALID_ARGUMENT', 'not a tss-lib ECDSA message');
  return e;
}

function encodeUnchecked(entry: AnyEntry, msg: TssLibMessage): Uint8Array {
  return toBinary(AnySchema, anyPack(entry.schema, msg as MessageShape<DescMessage>));
}

/**
 * Decodes tss-lib wire bytes (a protobuf `Any`) into a typed message, strictly (see the module
 * notes). With `expected`, also requires that type.
 *
 * @throws {VerifyError} `OVERSIZED` (size caps, checked before parsing; a field over its cap;
 * more repeated items than allowed), `MALFORMED` (bad protobuf, unknown type URL, unknown
 * fields, too few or an even number of items where the count is fixed or odd, empty or
 * non-minimal integers, non-canonical encoding), `UNEXPECTED_MESSAGE` (not the `expected` type).
 * @example
 * ```ts
 * const msg = decodeTssLibWire(hexToBytes(rec.wireBytes));
 * if (msg.$typeName === 'binance.tsslib.ecdsa.keygen.KGRound1Message') {
 *   const { paillierN, h1, h2 } = tssLibToBigints(msg);
 * }
 * const r9 = decodeTssLibWire(bytes, 'binance.tsslib.ecdsa.signing.SignRound9Message');
 * ```
 */
export function decodeTssLibWire(wireBytes: Uint8Array): TssLibMessage;
export function decodeTssLibWire<T extends TssLibTypeName>(
  wireBytes: Uint8Array,
  expected: T,
): TssLibMessageMap[T];
export function decodeTssLibWire(wireBytes: Uint8Array, expected?: TssLibTypeName): TssLibMessage {
  if (!(wireBytes instanceof Uint8Array)) {
    throw new VerifyError('MALFORMED', 'tss-lib wire message must be bytes');
  }
  if (wireBytes.length > TSS_LIB_MAX_WIRE_BYTES) {
    throw new VerifyError(
      'OVERSIZED',
      `tss-lib wire message has ${wireBytes.length} bytes, cap is ${TSS_LIB_MAX_WIRE_BYTES}`,
    );
  }
  let any: ReturnType<typeof fromBinary<typeof AnySchema>>;
  try {
    any = fromBinary(AnySchema, wireBytes);
  } catch (e) {
    throw new VerifyError('MALFORMED', 'tss-lib wire message is not a protobuf Any', { cause: e });
  }
  if (any.$unknown && any.$unknown.length > 0) {
    throw new VerifyError('MALFORMED', 'tss-lib wire message has unknown Any fields');
  }
  const url = any.typeUrl;
  const entry = url.startsWith(TYPE_URL_PREFIX)
    ? BY_NAME.get(url.slice(TYPE_URL_PREFIX.length))
    : undefined;
  if (!entry) {
    throw new VerifyError(
      'MALFORMED',
      `unknown tss-lib message type URL ${JSON.stringify(url.length > 100 ? `${url.slice(0, 100)}…` : url)}`,
    );
  }
  if (expected !== undefined && entry.info.typeName !== expected) {
    throw new VerifyError(
      'UNEXPECTED_MESSAGE',
      `expected ${TSS_LIB_MESSAGES[expected]?.name ?? 'another message'}, got ${entry.info.name}`,
    );
  }
  if (wireBytes.length > entry.info.maxWireBytes) {
    throw new VerifyError(
      'OVERSIZED',
      `${entry.info.name} has ${wireBytes.length} bytes, cap is ${entry.info.maxWireBytes}`,
    );
  }
  let msg: TssLibMessage | undefined;
  try {
    msg = anyUnpack(any, entry.schema) as TssLibMessage | undefined;
  } catch (e) {
    throw new VerifyError('MALFORMED', `${entry.info.name} could not be decoded`, { cause: e });
  }
  if (!msg) throw new VerifyError('MALFORMED', `${entry.info.name} could not be decoded`);
  checkShape(entry, msg as unknown as Record<string, unknown>, verifyFail);
  if (!bytesEqual(encodeUnchecked(entry, msg), wireBytes)) {
    throw new VerifyError('MALFORMED', `${entry.info.name} is not canonically encoded`);
  }
  return msg;
}

/**
 * Encodes a message as tss-lib wire bytes (a protobuf `Any`, exactly as Go's `anypb.New` +
 * `proto.Marshal` produce them). The message must satisfy the same shape rules as decoding.
 *
 * @throws {LocalError} `INVALID_ARGUMENT` when the message is not a tss-lib message or breaks a
 * shape rule (empty or oversized field, wrong item count, leading zero byte).
 * @example
 * ```ts
 * const bytes = encodeTssLibWire(
 *   tssLibFromBigints('binance.tsslib.ecdsa.signing.SignRound9Message', { s }),
 * );
 * ```
 */
export function encodeTssLibWire(msg: TssLibMessage): Uint8Array {
  const entry = entryOf((msg as { $typeName?: unknown } | null)?.$typeName);
  checkShape(entry, msg as unknown as Record<string, unknown>, localFail);
  return encodeUnchecked(entry, msg);
}

/**
 * The integer values of a message's fields, each decoded with `decodeBigInt` under the
 * field's byte cap (so nothing oversized is ever converted).
 *
 * @throws {VerifyError} `OVERSIZED` / `MALFORMED` when a field breaks its cap or is not
 * minimally encoded (cannot happen for a message from {@link decodeTssLibWire}).
 * @example
 * ```ts
 * const r1 = decodeTssLibWire(bytes, 'binance.tsslib.ecdsa.keygen.KGRound1Message');
 * const { paillierN, nTilde, h1, h2, dlnproof1 } = tssLibToBigints(r1); // bigint, bigint[]
 * ```
 */
export function tssLibToBigints<M extends TssLibMessage>(msg: M): TssLibBigints<M> {
  const entry = entryOf((msg as { $typeName?: unknown } | null)?.$typeName);
  const src = msg as unknown as Record<string, unknown>;
  checkShape(entry, src, verifyFail);
  const out: Record<string, bigint | bigint[]> = {};
  for (const [key, f] of Object.entries(entry.fields)) {
    const title = `${entry.info.name}.${key}`;
    const v = src[key];
    out[key] = f.repeated
      ? (v as Uint8Array[]).map((b, i) => decodeBigInt(b, f.maxBytes, `${title}[${i}]`))
      : decodeBigInt(v as Uint8Array, f.maxBytes, title);
  }
  return out as TssLibBigints<M>;
}

/**
 * Builds a message from integers (big-endian, minimal, like Go's `big.Int.Bytes()`).
 *
 * @throws {LocalError} `INVALID_ARGUMENT` for a negative or zero value (tss-lib would encode 0
 * as empty bytes, which receivers reject), a value over the field's byte cap, a wrong item
 * count, or a missing or unknown field.
 * @example
 * ```ts
 * const msg = tssLibFromBigints('binance.tsslib.ecdsa.signing.SignRound3Message', { theta });
 * const wire = encodeTssLibWire(msg);
 * ```
 */
export function tssLibFromBigints<T extends TssLibTypeName>(
  typeName: T,
  values: TssLibBigints<TssLibMessageMap[T]>,
): TssLibMessageMap[T] {
  const entry = entryOf(typeName);
  const src = values as unknown as Record<string, unknown>;
  if (typeof src !== 'object' || src === null) {
    throw new LocalError('INVALID_ARGUMENT', 'values must be an object');
  }
  for (const key of Object.keys(src)) {
    if (!Object.hasOwn(entry.fields, key)) {
      throw new LocalError('INVALID_ARGUMENT', `${entry.info.name} has no field "${key}"`);
    }
  }
  const init: Record<string, Uint8Array | Uint8Array[]> = {};
  for (const [key, f] of Object.entries(entry.fields)) {
    const title = `${entry.info.name}.${key}`;
    const v = src[key];
    const enc = (x: unknown, t: string): Uint8Array => {
      if (typeof x !== 'bigint')
        throw new LocalError('INVALID_ARGUMENT', `"${t}" must be a bigint`);
      return bigintToBytes(x);
    };
    if (f.repeated) {
      if (!Array.isArray(v)) throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a list`);
      init[key] = v.map((x, i) => enc(x, `${title}[${i}]`));
    } else {
      init[key] = enc(v, title);
    }
  }
  const msg = create(entry.schema, init as MessageInitShape<DescMessage>) as TssLibMessageMap[T];
  checkShape(entry, msg as unknown as Record<string, unknown>, localFail);
  return msg;
}
