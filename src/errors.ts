/**
 * One error family for the whole library.
 *
 * Three kinds, so a caller can always tell whose fault a failure is:
 * - {@link LocalError}: the caller misused the API (bad argument, wrong state, missing store).
 * - {@link PeerError}: a remote party misbehaved. `culprits` names it; the session must abort,
 *   and the honest party keeps all its secrets.
 * - {@link VerifyError}: a pure check on untrusted data failed (a proof, a decoder, a range
 *   check). Low-level verifiers throw it because they do not know who sent the data; the party
 *   engine converts it into a {@link PeerError} naming the sender.
 *
 * Messages never contain secret values. Codes are stable and safe to match on.
 * @module
 */

/** Stable error codes. Match on these, never on message text. */
export const ErrorCode = {
  // --- caller misuse (LocalError) ---
  /** An argument has the wrong type, length or range. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The object is in a state where the call is not allowed (e.g. `handle` after `done`). */
  INVALID_STATE: 'INVALID_STATE',
  /** A key share or pre-params failed validation when loaded. */
  INVALID_KEY_SHARE: 'INVALID_KEY_SHARE',
  /** The requested feature is not supported (e.g. hardened derivation). */
  UNSUPPORTED: 'UNSUPPORTED',
  /** The operation was cancelled through an AbortSignal. */
  CANCELLED: 'CANCELLED',
  /** A stored record is corrupt or was tampered with. */
  STORE_CORRUPT: 'STORE_CORRUPT',
  /** A store operation failed (connection, conflict, missing record). */
  STORE_ERROR: 'STORE_ERROR',
  /** A record was not found. */
  NOT_FOUND: 'NOT_FOUND',
  /** A presignature was already used or is not reserved for this caller. */
  PRESIGNATURE_USED: 'PRESIGNATURE_USED',
  /** A session id was already used. */
  SESSION_REUSED: 'SESSION_REUSED',
  /** An optional peer dependency is not installed. */
  MISSING_DEPENDENCY: 'MISSING_DEPENDENCY',
  /** A transport failed. */
  TRANSPORT_ERROR: 'TRANSPORT_ERROR',
  /** An internal invariant failed: a bug in mpc-tss. */
  INTERNAL: 'INTERNAL',

  // --- untrusted data failed a check (VerifyError, PeerError) ---
  /** A message or field could not be decoded canonically. */
  MALFORMED: 'MALFORMED',
  /** A field or message exceeds its size cap; rejected before any arithmetic. */
  OVERSIZED: 'OVERSIZED',
  /** A value is out of its allowed range or degenerate (0, 1, N-1, gcd > 1, identity point). */
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  /** A zero-knowledge proof did not verify. */
  PROOF_INVALID: 'PROOF_INVALID',
  /** A hash commitment did not open to the revealed value. */
  COMMITMENT_INVALID: 'COMMITMENT_INVALID',
  /** A secret share failed the Feldman VSS check. */
  SHARE_INVALID: 'SHARE_INVALID',
  /** A parameter (Paillier N, Ñ, h1, h2) was reused across parties. */
  DUPLICATE_PARAMETER: 'DUPLICATE_PARAMETER',
  /** A signature share or final signature failed verification. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** A consistency check across parties failed (δ = 0, ∏U ≠ ∏T, echo mismatch, ...). */
  CONSISTENCY_CHECK_FAILED: 'CONSISTENCY_CHECK_FAILED',

  // --- peer-only (PeerError) ---
  /** A sender sent two different messages for the same slot. */
  EQUIVOCATION: 'EQUIVOCATION',
  /** A message came from a party outside the session. */
  NOT_A_MEMBER: 'NOT_A_MEMBER',
  /** A message belongs to another session (replay). */
  WRONG_SESSION: 'WRONG_SESSION',
  /** A message has the wrong round, type, recipient or broadcast flag. */
  UNEXPECTED_MESSAGE: 'UNEXPECTED_MESSAGE',
  /** Parties did not respond in time; `culprits` lists them. */
  TIMEOUT: 'TIMEOUT',
} as const;

/** A stable error code (see {@link ErrorCode}). */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Constructor options shared by every {@link MpcError}. */
export interface MpcErrorOptions {
  /** Stable code. */
  code: ErrorCode;
  /** Short, human-readable description. Never contains secrets. */
  message: string;
  /** Party ids blamed for the failure (empty for local errors). */
  culprits?: readonly string[];
  /** Protocol round in which the failure happened, if any. */
  round?: number;
  /** Session the failure belongs to, if any. */
  sessionId?: string;
  /** Underlying error. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by mpc-tss.
 *
 * @example
 * ```ts
 * try {
 *   party.handle(bytes);
 * } catch (e) {
 *   if (isMpcError(e) && e.culprits.length > 0) banParties(e.culprits);
 * }
 * ```
 */
export class MpcError extends Error {
  /** Stable code to match on. */
  readonly code: ErrorCode;
  /** Party ids blamed for the failure; empty when nobody remote is at fault. */
  readonly culprits: readonly string[];
  /** Protocol round, when the failure is tied to one. */
  readonly round: number | undefined;
  /** Session id, when the failure is tied to one. */
  readonly sessionId: string | undefined;
  /** The message without the `[mpc-tss]` prefix and context suffix. */
  readonly shortMessage: string;

  constructor(opts: MpcErrorOptions) {
    const ctx: string[] = [];
    if (opts.culprits && opts.culprits.length > 0) ctx.push(`culprits=${opts.culprits.join(',')}`);
    if (opts.round !== undefined) ctx.push(`round=${opts.round}`);
    if (opts.sessionId !== undefined) ctx.push(`session=${opts.sessionId}`);
    super(
      `[mpc-tss] ${opts.code}: ${opts.message}${ctx.length ? ` (${ctx.join(' ')})` : ''}`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.name = 'MpcError';
    this.code = opts.code;
    this.culprits = Object.freeze([...(opts.culprits ?? [])]);
    this.round = opts.round;
    this.sessionId = opts.sessionId;
    this.shortMessage = opts.message;
  }

  /** A JSON-safe view, for logs and audit events. */
  toJSON(): {
    name: string;
    code: ErrorCode;
    message: string;
    culprits: string[];
    round?: number;
    sessionId?: string;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.shortMessage,
      culprits: [...this.culprits],
      ...(this.round === undefined ? {} : { round: this.round }),
      ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }),
    };
  }
}

/**
 * The caller misused the API. Nobody remote is at fault.
 *
 * @example
 * ```ts
 * throw new LocalError('INVALID_ARGUMENT', '"threshold" must be in [1, n-1], got 0');
 * ```
 */
export class LocalError extends MpcError {
  constructor(
    code: ErrorCode,
    message: string,
    opts: { round?: number; sessionId?: string; cause?: unknown } = {},
  ) {
    super({ code, message, ...opts });
    this.name = 'LocalError';
  }
}

/**
 * A check on untrusted input failed, and the sender is not known at this layer.
 * The party engine turns it into a {@link PeerError}; see {@link PeerError.from}.
 */
export class VerifyError extends MpcError {
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super({ code, message, ...opts });
    this.name = 'VerifyError';
  }
}

/**
 * A remote party misbehaved. `culprits` is never empty.
 *
 * @example
 * ```ts
 * if (e instanceof PeerError) console.warn(`blame ${e.culprits.join(', ')}: ${e.code}`);
 * ```
 */
export class PeerError extends MpcError {
  constructor(opts: Omit<MpcErrorOptions, 'culprits'> & { culprits: readonly string[] }) {
    if (opts.culprits.length === 0) {
      throw new LocalError('INTERNAL', 'PeerError requires at least one culprit');
    }
    super(opts);
    this.name = 'PeerError';
  }

  /**
   * Blames `culprit` for a failed check. A {@link VerifyError} keeps its code and message;
   * any other error becomes `MALFORMED` (a decoder must never crash the honest party).
   */
  static from(
    err: unknown,
    culprit: string | readonly string[],
    ctx: { round?: number; sessionId?: string } = {},
  ): PeerError {
    const culprits = typeof culprit === 'string' ? [culprit] : culprit;
    if (err instanceof PeerError) return err;
    if (err instanceof VerifyError) {
      return new PeerError({
        code: err.code,
        message: err.shortMessage,
        culprits,
        ...ctx,
        cause: err,
      });
    }
    const detail = err instanceof Error ? err.name : typeof err;
    return new PeerError({
      code: 'MALFORMED',
      message: `message could not be processed (${detail})`,
      culprits,
      ...ctx,
      cause: err,
    });
  }
}

/**
 * Narrows an unknown value to {@link MpcError}. Works across realms and duplicated bundles
 * (ESM and CJS copies), where `instanceof` can fail.
 */
export function isMpcError(e: unknown): e is MpcError {
  return (
    e instanceof MpcError ||
    (typeof e === 'object' &&
      e !== null &&
      typeof (e as { code?: unknown }).code === 'string' &&
      Array.isArray((e as { culprits?: unknown }).culprits) &&
      String((e as { message?: unknown }).message).startsWith('[mpc-tss]'))
  );
}

/** Throws a {@link VerifyError} with `code` unless `cond` holds. */
export function verifyThat(cond: boolean, code: ErrorCode, message: string): asserts cond {
  if (!cond) throw new VerifyError(code, message);
}

/** Throws a {@link LocalError} (`INVALID_ARGUMENT` by default) unless `cond` holds. */
export function requireThat(
  cond: boolean,
  message: string,
  code: ErrorCode = 'INVALID_ARGUMENT',
): asserts cond {
  if (!cond) throw new LocalError(code, message);
}
