/**
 * mpc-tss: threshold ECDSA for Node.js.
 *
 * Explicit named exports only (no `export *`), so bundlers can tree-shake.
 * @module
 */
export type { ErrorCode as ErrorCodeValue, MpcErrorOptions } from './errors.js';
export {
  ErrorCode,
  isMpcError,
  LocalError,
  MpcError,
  PeerError,
  VerifyError,
} from './errors.js';
export type {
  KeyShare,
  KeyShareNtildeSecret,
  KeyShareParty,
  KeySharePublicKey,
  KeyShareSecret,
} from './keyshare.js';
export {
  KEY_SHARE_MAX_PARTIES,
  KEY_SHARE_VERSION,
  keyShareSelf,
  NTILDE_BITS,
  PAILLIER_MODULUS_BITS,
  parseKeyShare,
  serializeKeyShare,
  validateKeyShare,
} from './keyshare.js';
export type {
  AnyProtocolDef,
  Envelope,
  EnvelopeLimits,
  HandleOptions,
  Inbox,
  JsonValue,
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
} from './party/index.js';
export {
  createParty,
  DEFAULT_MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  decodeValue,
  ECHO_CONFIRM_TYPE,
  ENVELOPE_VERSION,
  encodeEnvelope,
  encodeValue,
  recipientsOf,
  registerProtocol,
  restoreParty,
} from './party/index.js';
