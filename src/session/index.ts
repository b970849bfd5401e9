/**
 * The session layer: drive parties over a transport ({@link runParty}, {@link resumeParty}),
 * and the two node roles built on it, {@link createCoordinator} and {@link createParticipant},
 * which talk through a small control protocol (`control.ts`).
 * @module
 */
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
} from './control.js';
export {
  CONTROL_MAX_METADATA_BYTES,
  CONTROL_MAX_PAYLOAD_BYTES,
  CONTROL_PROTOCOL,
  CONTROL_SESSION_ID,
  decodeControl,
  encodeControl,
} from './control.js';
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
} from './coordinator.js';
export { createCoordinator, nodeDirectory, SessionError } from './coordinator.js';
export type {
  HostedParty,
  Participant,
  ParticipantEvent,
  ParticipantOptions,
  PartyHost,
  PolicyDecision,
  SessionPolicy,
  SessionRequest,
} from './participant.js';
export { createParticipant } from './participant.js';
export type {
  DrivableParty,
  ResumePartyOptions,
  RunEvent,
  RunPartyOptions,
  RunProgress,
} from './runner.js';
export {
  DEFAULT_RESEND_INTERVAL_MS,
  DEFAULT_RUN_LOCK_TTL_MS,
  loadPartySnapshot,
  loadSnapshotText,
  resumeParty,
  runnerStoreId,
  runParty,
} from './runner.js';
