/**
 * `mpc-tss/tss-lib`: interoperability with bnb-chain/tss-lib v2 (hashing, wire codec, key files).
 * @module
 */

export type {
  KGRound1Message,
  KGRound2Message1,
  KGRound2Message2,
  KGRound3Message,
} from '../../gen/binance/tsslib/ecdsa/keygen/keygen_pb.js';
export type {
  DGRound1Message,
  DGRound2Message1,
  DGRound2Message2,
  DGRound3Message1,
  DGRound3Message2,
  DGRound4Message1,
  DGRound4Message2,
} from '../../gen/binance/tsslib/ecdsa/resharing/resharing_pb.js';
export type {
  SignRound1Message1,
  SignRound1Message2,
  SignRound2Message,
  SignRound3Message,
  SignRound4Message,
  SignRound5Message,
  SignRound6Message,
  SignRound7Message,
  SignRound8Message,
  SignRound9Message,
} from '../../gen/binance/tsslib/ecdsa/signing/signing_pb.js';
export {
  tssRejectionSample,
  tssSha512_256,
  tssSha512_256i,
  tssSha512_256iOne,
  tssSha512_256iTagged,
} from '../../hash/tss-lib.js';
export type {
  TssLibBigints,
  TssLibFieldName,
  TssLibMessage,
  TssLibMessageInfo,
  TssLibMessageMap,
  TssLibProtocol,
  TssLibTypeName,
} from './codec.js';
export {
  decodeTssLibWire,
  encodeTssLibWire,
  isTssLibTypeName,
  TSS_LIB_MAX_WIRE_BYTES,
  TSS_LIB_MESSAGES,
  tssLibFromBigints,
  tssLibToBigints,
  tssLibTypeUrl,
} from './codec.js';
export type { JsonObject, JsonParseOptions, JsonStringifyOptions, JsonValue } from './json.js';
export { parseLosslessJson, stringifyLosslessJson } from './json.js';
export type {
  TssLibPaillierSecretKey,
  TssLibPoint,
  TssLibSaveData,
  TssLibWriteOptions,
} from './keyfile.js';
export { parseTssLibSaveData, stringifyTssLibSaveData } from './keyfile.js';
export type { TssLibExportOptions, TssLibImportOptions, TssLibImportResult } from './keyshare.js';
export { exportTssLibKey, importTssLibKey } from './keyshare.js';
