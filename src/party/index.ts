/**
 * Sans-IO party engine and wire envelope: everything a protocol author and a runner need.
 *
 * - Protocol authors write a {@link ProtocolDef} (see `types.ts` for the round contract) and
 *   expose a `createXxxParty(opts)` factory that calls {@link createParty}.
 * - Runners drive a {@link Party}: `start()`, then `handle(bytes, { from })` for each incoming
 *   message, persisting `snapshot()` before sending `step.outgoing`.
 * @module
 */

export type { Envelope, EnvelopeLimits } from '../wire/envelope.js';
export {
  DEFAULT_MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  ECHO_BYTES,
  ENVELOPE_VERSION,
  encodeEnvelope,
  isBroadcast,
  isValidId,
  isValidMessageType,
  isValidProtocolName,
  MAX_ID_LENGTH,
  MAX_RECIPIENTS,
  MAX_ROUND,
  recipientsOf,
} from '../wire/envelope.js';
export type { JsonValue } from './codec.js';
export { decodeValue, encodeValue, MAX_VALUE_DEPTH } from './codec.js';
export {
  createParty,
  ECHO_CONFIRM_TYPE,
  MAX_PARTIES,
  registerProtocol,
  restoreParty,
} from './engine.js';
export type {
  AnyProtocolDef,
  HandleOptions,
  Inbox,
  MessageSpec,
  OutMsg,
  Party,
  PartyLimits,
  PartyOptions,
  PartySnapshot,
  PartyStatus,
  ProtocolDef,
  RoundContext,
  RoundDef,
  RoundResult,
  StartResult,
  Step,
  ValueCodec,
} from './types.js';
