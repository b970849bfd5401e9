/**
 * Threshold ECDSA keygen (GG18 / tss-lib v2 keygen, hardened): parties, messages, and the
 * tss-lib transcript verifier.
 * @module
 */
export type {
  Round1Message,
  Round2DecommitMessage,
  Round2ShareMessage,
  Round3Message,
} from './messages.js';
export {
  decodeRound1,
  decodeRound2Decommit,
  decodeRound2Share,
  decodeRound3,
  decodeSchnorr,
  encodeRound1,
  encodeRound2Decommit,
  encodeRound2Share,
  encodeRound3,
  encodeSchnorr,
  verifyRound1,
  verifyRound2Decommit,
  verifyRound2Share,
  verifyRound3,
  verifySchnorrMessage,
} from './messages.js';
export type { PaillierProofContext } from './paillier-proof.js';
export {
  PAILLIER_PROOF_ITERATIONS,
  provePaillierKey,
  verifyPaillierKey,
} from './paillier-proof.js';
export type { CreateKeygenPartyOptions } from './protocol.js';
export {
  createKeygenParty,
  ECDSA_KEYGEN_PROTOCOL,
  ECDSA_KEYGEN_TSS_LIB_PROTOCOL,
  ecdsaKeygenNative,
  ecdsaKeygenProtocols,
  ecdsaKeygenTssLib,
  registerEcdsaKeygen,
} from './protocol.js';
export type { KeygenOptions, KeygenSetup } from './setup.js';
export { defaultTssLibKey, KEYGEN_MAX_PARTIES, newSessionId, resolveKeygenSetup } from './setup.js';
export type {
  TssLibKeygenRecord,
  TssLibKeygenReplay,
  TssLibKeygenTranscript,
} from './transcript.js';
export { ownShareFromTranscript, verifyTssLibKeygenTranscript } from './transcript.js';
export type { KeygenState, OwnPreParams, PartyParams } from './types.js';
export { MSG as KEYGEN_MESSAGE_TYPES } from './types.js';
export { clearKeygenVerifyCache, setKeygenVerifyCache } from './verify-cache.js';
