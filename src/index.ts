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
