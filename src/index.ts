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
export type { Profile } from './profile.js';
// --- ECDSA signing (GG18), BIP32 derivation, signature output ---
export type { DerivationPath, DerivedKey } from './protocols/ecdsa/derive.js';
export {
  derivePublicKey,
  HARDENED_OFFSET,
  parseDerivationPath,
} from './protocols/ecdsa/derive.js';
export type {
  CreateKeygenPartyOptions,
  KeygenOptions,
  KeygenSetup,
  KeygenState,
  OwnPreParams as KeygenOwnPreParams,
  PartyParams as KeygenPartyParams,
  TssLibKeygenRecord,
  TssLibKeygenReplay,
  TssLibKeygenTranscript,
} from './protocols/ecdsa/keygen/index.js';
export {
  clearKeygenVerifyCache,
  createKeygenParty,
  defaultTssLibKey,
  ECDSA_KEYGEN_PROTOCOL,
  ECDSA_KEYGEN_TSS_LIB_PROTOCOL,
  ecdsaKeygenNative,
  ecdsaKeygenProtocols,
  ecdsaKeygenTssLib,
  KEYGEN_MAX_PARTIES,
  newSessionId,
  ownShareFromTranscript,
  registerEcdsaKeygen,
  setKeygenVerifyCache,
  verifyTssLibKeygenTranscript,
} from './protocols/ecdsa/keygen/index.js';
export type {
  ConsumedPresignature,
  ConsumeOptions,
  OnlineSignPartyOptions,
  TakeOptions,
} from './protocols/ecdsa/online-gg20/index.js';
export {
  consumePresignature,
  createOnlineSignParty,
  ONLINE_GG20_PROTOCOL,
  registerOnlineGg20,
  restoreOnlineSignParty,
  takePresignature,
} from './protocols/ecdsa/online-gg20/index.js';
export type {
  GeneratePreParamsOptions,
  PreParams,
  PreParamsPrimes,
  PreParamsProgress,
} from './protocols/ecdsa/preparams.js';
export {
  generatePreParams,
  PRE_PARAMS_VERSION,
  parsePreParams,
  preParamsFromPrimes,
  preParamsFromTssLib,
  serializePreParams,
  validatePreParams,
} from './protocols/ecdsa/preparams.js';
export type {
  CreatePresignPartyOptions,
  Presignature,
  PresignaturePoints,
  PresignatureSigner,
  PresignPartyOptions,
} from './protocols/ecdsa/presign-gg20/index.js';
export {
  createPresignParty,
  PRESIGN_GG20_PROTOCOL,
  PRESIGNATURE_FORMAT,
  PRESIGNATURE_VERSION,
  parsePresignature,
  presignatureRecord,
  registerPresignGg20,
  restorePresignParty,
  serializePresignature,
  validatePresignature,
} from './protocols/ecdsa/presign-gg20/index.js';
export type {
  CreateSignPartyOptions,
  SignDerivation,
  SignPartyOptions,
} from './protocols/ecdsa/sign-gg18/index.js';
export {
  createSignParty,
  registerSignGg18,
  restoreSignParty,
  SIGN_GG18_DEFS,
  SIGN_GG18_PROTOCOL,
  SIGN_GG18_TSS_LIB_PROTOCOL,
} from './protocols/ecdsa/sign-gg18/index.js';
export type {
  SignTranscript,
  SignTranscriptMessage,
  TranscriptResult,
  TranscriptVerifyOptions,
} from './protocols/ecdsa/sign-gg18/transcript.js';
export { verifySignTranscript } from './protocols/ecdsa/sign-gg18/transcript.js';
export type { Signature, SignatureHex } from './protocols/ecdsa/signature.js';
export {
  decodeDerSignature,
  encodeDerSignature,
  recoverPublicKey,
  signatureToHex,
  verifySignature,
} from './protocols/ecdsa/signature.js';
export type {
  CancelMessage,
  ControlDerivation,
  ControlError,
  ControlMessage,
  ControlProfile,
  ControlSignature,
  ControlType,
  DeclineMessage,
  HeartbeatMessage,
  Invitation,
  KeygenInvitation,
  ResultMessage,
  SignInvitation,
} from './session/control.js';
export {
  CONTROL_MAX_METADATA_BYTES,
  CONTROL_MAX_PAYLOAD_BYTES,
  CONTROL_PROTOCOL,
  CONTROL_SESSION_ID,
  decodeControl,
  encodeControl,
} from './session/control.js';
export type {
  BatchOutcome,
  Coordinator,
  CoordinatorEvent,
  CoordinatorOptions,
  CoordinatorStats,
  KeygenRequest,
  KeygenResult,
  NodeFailure,
  NodeHealth,
  RegisterNodeInput,
  SignRequest,
  SignResult,
} from './session/coordinator.js';
export { createCoordinator, nodeDirectory, SessionError } from './session/coordinator.js';
export type {
  LocalParty,
  LocalRunResult,
  RunLocalOptions,
  SentMessage,
  TamperResult,
} from './session/local.js';
export { runLocal } from './session/local.js';
export type {
  HostedParty,
  Participant,
  ParticipantEvent,
  ParticipantOptions,
  PartyHost,
  PolicyDecision,
  SessionPolicy,
  SessionRequest,
} from './session/participant.js';
export { createParticipant } from './session/participant.js';
export type {
  DrivableParty,
  ResumePartyOptions,
  RunEvent,
  RunPartyOptions,
  RunProgress,
} from './session/runner.js';
export {
  DEFAULT_RESEND_INTERVAL_MS,
  DEFAULT_RUN_LOCK_TTL_MS,
  loadPartySnapshot,
  loadSnapshotText,
  resumeParty,
  runnerStoreId,
  runParty,
} from './session/runner.js';
export type {
  WorkerModule,
  WorkerParty,
  WorkerPartyOptions,
  WorkerPool,
  WorkerPoolOptions,
} from './session/worker.js';
export {
  builtinWorkerProtocols,
  createWorkerParty,
  createWorkerPartyFrom,
  createWorkerPool,
  restoreWorkerParty,
} from './session/worker.js';
export {
  callbackKeyProvider,
  envKeyProvider,
  fileKeyProvider,
  staticKeyProvider,
} from './stores/key-provider.js';
export type {
  MemoryKeyShareStoreOptions,
  MemoryMetadataRecords,
  MemoryMetadataStoreOptions,
  MemoryPresignatureEntry,
  MemorySessionRecords,
  MemorySessionStoreOptions,
} from './stores/memory.js';
export {
  createMemoryKeyShareStore,
  createMemoryMetadataStore,
  createMemorySessionStore,
  DEFAULT_LEASE_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_SNAPSHOT_TTL_MS,
} from './stores/memory.js';
export type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  AuditJsonValue,
  KeyFilter,
  KeyPatch,
  KeyProvider,
  KeyRecord,
  KeySharePutOptions,
  KeyShareRef,
  KeyShareStore,
  KeyStatus,
  MetadataStore,
  NewKeyRecord,
  NewSigningSession,
  NodeFilter,
  NodeInput,
  NodePatch,
  NodeRecord,
  NodeStatus,
  PresignatureInput,
  PresignaturePool,
  PresignatureReservation,
  SessionLock,
  SessionStore,
  SigningSessionFilter,
  SigningSessionPatch,
  SigningSessionRecord,
  SigningSessionStatus,
  TtlOptions,
} from './stores/types.js';
export { KEY_STATUSES, NODE_STATUSES, SIGNING_SESSION_STATUSES } from './stores/types.js';
export type {
  KeyDirectory,
  NodeIdentity,
  PublicIdentity,
} from './transport/identity.js';
export {
  checkPublicIdentity,
  createKeyDirectory,
  destroyIdentity,
  exportIdentity,
  exportPublicIdentity,
  generateIdentity,
  IDENTITY_VERSION,
  importIdentity,
  importPublicIdentity,
  publicIdentityOf,
} from './transport/identity.js';
export type {
  MemoryDelivery,
  MemoryHub,
  MemoryHubOptions,
  MemoryHubStats,
  MemoryTransport,
} from './transport/memory.js';
export { createMemoryHub } from './transport/memory.js';
export type {
  ReplayWindowOptions,
  SecureChannel,
  SecureChannelOptions,
  SecureChannelRejection,
  SecureChannelRejectReason,
  SecureChannelStats,
} from './transport/secure-channel.js';
export {
  createSecureChannel,
  SECURE_CHANNEL_DOMAIN,
  SECURE_CHANNEL_OVERHEAD,
  SECURE_FRAME_VERSION,
} from './transport/secure-channel.js';
export type {
  InboundMessage,
  MessageHandler,
  PendingLimits,
  SendOptions,
  Transport,
  TransportErrorHandler,
  TransportStats,
  Unsubscribe,
} from './transport/types.js';
export { TRANSPORT_MAX_ENVELOPE_BYTES } from './transport/types.js';
