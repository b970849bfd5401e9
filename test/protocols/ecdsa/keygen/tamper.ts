/** Byte-level editing of tss-lib keygen payloads, bypassing the codec's shape checks. */
import { type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { AnySchema, anyPack } from '@bufbuild/protobuf/wkt';
import {
  KGRound1MessageSchema,
  KGRound2Message1Schema,
  KGRound2Message2Schema,
  KGRound3MessageSchema,
} from '../../../../src/gen/binance/tsslib/ecdsa/keygen/keygen_pb.js';
import { decodeTssLibWire } from '../../../../src/interop/tss-lib/codec.js';
import { bigintToBytes, bytesToBigint } from '../../../../src/math/bigint.js';
import type { OutMsg } from '../../../../src/party/types.js';
import { KEYGEN_MESSAGE_TYPES as MSG } from '../../../../src/protocols/ecdsa/keygen/index.js';

const SCHEMAS = {
  [MSG.r1]: ['binance.tsslib.ecdsa.keygen.KGRound1Message', KGRound1MessageSchema],
  [MSG.r2Share]: ['binance.tsslib.ecdsa.keygen.KGRound2Message1', KGRound2Message1Schema],
  [MSG.r2Decommit]: ['binance.tsslib.ecdsa.keygen.KGRound2Message2', KGRound2Message2Schema],
  [MSG.r3]: ['binance.tsslib.ecdsa.keygen.KGRound3Message', KGRound3MessageSchema],
} as const;

type Editable = Record<string, Uint8Array | Uint8Array[]>;

/** Decodes a keygen payload of engine type `type`, lets `edit` change it, re-encodes raw. */
export function editWire(
  type: string,
  payload: Uint8Array,
  edit: (m: Editable) => void,
): Uint8Array {
  const entry = SCHEMAS[type as keyof typeof SCHEMAS];
  if (!entry) throw new Error(`no schema for ${type}`);
  const [typeName, schema] = entry;
  const msg = decodeTssLibWire(payload, typeName) as unknown as Editable;
  edit(msg);
  return toBinary(
    AnySchema,
    anyPack(schema as DescMessage, msg as unknown as MessageShape<DescMessage>),
  );
}

/** Big-endian integer ↔ bytes helpers. */
export const int = (b: Uint8Array | undefined): bigint => bytesToBigint(b!);
export const bytes = (x: bigint): Uint8Array => bigintToBytes(x);

/** Applies `f` to the payload of every outgoing message of `type` (optionally only to `to`). */
export function mapType(
  out: OutMsg[],
  type: string,
  f: (payload: Uint8Array, to?: string) => Uint8Array,
): OutMsg[] {
  return out.map((m) => (m.type === type ? { ...m, payload: f(m.payload, m.to) } : m));
}
