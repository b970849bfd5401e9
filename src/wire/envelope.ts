/**
 * The wire envelope: routing metadata around one protocol message (DESIGN.md "Wire format").
 *
 * Routing is kept apart from content: the envelope says which protocol, session, round and
 * message type a payload belongs to, who sent it and to whom; the payload itself is opaque here
 * and is parsed by the protocol's round decoder.
 *
 * The decoder is strict, because everything it reads is untrusted (SECURITY.md item 14):
 * - the total size is capped before any parsing ({@link DEFAULT_MAX_ENVELOPE_BYTES});
 * - the protobuf encoding must be canonical: unknown fields, repeated scalar fields, invalid
 *   UTF-8 and out-of-order fields are rejected, because the bytes must equal the deterministic
 *   re-encoding. So two envelopes carry the same message exactly when their bytes are equal,
 *   which the party engine relies on to tell a duplicate from an equivocation;
 * - every field has a shape: ids are 1..128 printable ASCII characters, at most
 *   {@link MAX_RECIPIENTS} distinct recipients, `round` in [1, {@link MAX_ROUND}], `echo` empty or
 *   32 bytes, `version` = {@link ENVELOPE_VERSION}, and optionally `protocol` in an allow-list.
 *
 * Every failure is a {@link VerifyError} (`MALFORMED` or `OVERSIZED`); random bytes never make it
 * throw anything else.
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { LocalError, VerifyError } from '../errors.js';
import { EnvelopeSchema } from '../gen/mpc_tss/v1/envelope_pb.js';

/** Envelope format version written by {@link encodeEnvelope} and required by {@link decodeEnvelope}. */
export const ENVELOPE_VERSION = 1;
/** Default cap on an encoded envelope: 4 MiB. */
export const DEFAULT_MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
/** Most recipients a point-to-point envelope may name. */
export const MAX_RECIPIENTS = 32;
/** Largest round number. */
export const MAX_ROUND = 255;
/** Longest party id or session id, in characters (printable ASCII). */
export const MAX_ID_LENGTH = 128;
/** Length of an echo digest. */
export const ECHO_BYTES = 32;

/**
 * One protocol message with its routing metadata. Plain, immutable-by-convention data.
 *
 * @example
 * ```ts
 * const env: Envelope = {
 *   version: ENVELOPE_VERSION, protocol: 'ecdsa-keygen', sessionId: 's-1', round: 1,
 *   type: 'commit', from: 'alice', to: [], payload: new Uint8Array([1, 2, 3]),
 * };
 * const bytes = encodeEnvelope(env);
 * decodeEnvelope(bytes).from; // 'alice'
 * ```
 */
export interface Envelope {
  /** Format version, {@link ENVELOPE_VERSION}. */
  readonly version: number;
  /** Protocol name, e.g. `ecdsa-keygen`. */
  readonly protocol: string;
  /** Session id. */
  readonly sessionId: string;
  /** Round number, from 1. */
  readonly round: number;
  /** Message type within the round. */
  readonly type: string;
  /** Sender party id. */
  readonly from: string;
  /** Recipients; empty means broadcast to every party of the session. */
  readonly to: readonly string[];
  /** Protocol message bytes. */
  readonly payload: Uint8Array;
  /** Echo-broadcast digest of the previous round (32 bytes), if that round is echo-checked. */
  readonly echo?: Uint8Array;
}

/** Options of {@link decodeEnvelope} and {@link encodeEnvelope}. */
export interface EnvelopeLimits {
  /** Cap on the encoded size in bytes. Default {@link DEFAULT_MAX_ENVELOPE_BYTES}. */
  maxBytes?: number;
  /** When given, `protocol` must be one of these names. */
  protocols?: Iterable<string>;
}

const ID_RE = /^[\x21-\x7e]{1,128}$/;
const PROTOCOL_RE = /^[a-z0-9][a-z0-9._/-]{0,63}$/;
const TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

/** True when `id` is a valid party or session id: 1..128 printable ASCII characters, no spaces. */
export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_RE.test(id);
}

/** True when `name` is a valid protocol name: lowercase `[a-z0-9._/-]`, 1..64 characters. */
export function isValidProtocolName(name: unknown): name is string {
  return typeof name === 'string' && PROTOCOL_RE.test(name);
}

/** True when `type` is a valid message type: `[A-Za-z0-9._/-]`, 1..64 characters. */
export function isValidMessageType(type: unknown): type is string {
  return typeof type === 'string' && TYPE_RE.test(type);
}

function malformed(message: string): never {
  throw new VerifyError('MALFORMED', message);
}

function maxBytesOf(limits: EnvelopeLimits | undefined): number {
  const max = limits?.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new LocalError('INVALID_ARGUMENT', '"maxBytes" must be a positive safe integer');
  }
  return max;
}

/** Checks the field shapes; throws VerifyError('MALFORMED'). */
function checkShape(env: Envelope, protocols: Iterable<string> | undefined): void {
  if (env.version !== ENVELOPE_VERSION) malformed(`unsupported envelope version ${env.version}`);
  if (!isValidProtocolName(env.protocol)) malformed('envelope "protocol" is not a valid name');
  if (protocols !== undefined && !new Set(protocols).has(env.protocol)) {
    malformed(`unknown protocol "${env.protocol}"`);
  }
  if (!isValidId(env.sessionId)) malformed('envelope "sessionId" is not a valid id');
  if (!Number.isInteger(env.round) || env.round < 1 || env.round > MAX_ROUND) {
    malformed(`envelope "round" must be in [1, ${MAX_ROUND}]`);
  }
  if (!isValidMessageType(env.type)) malformed('envelope "type" is not a valid message type');
  if (!isValidId(env.from)) malformed('envelope "from" is not a valid id');
  if (!Array.isArray(env.to)) malformed('envelope "to" must be an array');
  if (env.to.length > MAX_RECIPIENTS) {
    malformed(`envelope "to" names ${env.to.length} recipients, at most ${MAX_RECIPIENTS}`);
  }
  const seen = new Set<string>();
  for (const r of env.to) {
    if (!isValidId(r)) malformed('envelope "to" holds an invalid id');
    if (seen.has(r)) malformed('envelope "to" holds a duplicate recipient');
    seen.add(r);
  }
  if (!(env.payload instanceof Uint8Array)) malformed('envelope "payload" must be bytes');
  if (env.echo !== undefined) {
    if (!(env.echo instanceof Uint8Array)) malformed('envelope "echo" must be bytes');
    if (env.echo.length !== 0 && env.echo.length !== ECHO_BYTES) {
      malformed(`envelope "echo" must be empty or ${ECHO_BYTES} bytes`);
    }
  }
}

function toProto(env: Envelope) {
  return create(EnvelopeSchema, {
    version: env.version,
    protocol: env.protocol,
    sessionId: env.sessionId,
    round: env.round,
    type: env.type,
    from: env.from,
    to: [...env.to],
    payload: env.payload,
    echo: env.echo ?? new Uint8Array(0),
  });
}

/**
 * Encodes an envelope to canonical protobuf bytes.
 *
 * Throws {@link LocalError} `INVALID_ARGUMENT` when a field has the wrong shape or the encoding
 * exceeds `maxBytes`: what this process sends must pass every peer's {@link decodeEnvelope}.
 *
 * @example
 * ```ts
 * transport.send(encodeEnvelope(step.outgoing[0]));
 * ```
 */
export function encodeEnvelope(env: Envelope, limits?: EnvelopeLimits): Uint8Array {
  const max = maxBytesOf(limits);
  try {
    checkShape(env, limits?.protocols);
  } catch (e) {
    if (e instanceof VerifyError) {
      throw new LocalError('INVALID_ARGUMENT', `cannot encode envelope: ${e.shortMessage}`);
    }
    throw e;
  }
  const bytes = toBinary(EnvelopeSchema, toProto(env));
  if (bytes.length > max) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `envelope is ${bytes.length} bytes, above the ${max}-byte cap`,
    );
  }
  return bytes;
}

/**
 * Strictly decodes untrusted envelope bytes.
 *
 * Throws {@link VerifyError}: `OVERSIZED` above `maxBytes` (checked before parsing), `MALFORMED`
 * for anything that is not the canonical encoding of a well-shaped envelope. It never throws
 * anything else. The returned `echo` is `undefined` when the wire field is empty.
 *
 * @example
 * ```ts
 * try {
 *   const env = decodeEnvelope(bytes, { protocols: ['ecdsa-keygen'] });
 * } catch (e) {
 *   if (e instanceof VerifyError) dropMessage(e.code);
 * }
 * ```
 */
export function decodeEnvelope(bytes: Uint8Array, limits?: EnvelopeLimits): Envelope {
  const max = maxBytesOf(limits);
  if (!(bytes instanceof Uint8Array)) malformed('envelope must be bytes');
  if (bytes.length > max) {
    throw new VerifyError(
      'OVERSIZED',
      `envelope is ${bytes.length} bytes, above the ${max}-byte cap`,
    );
  }
  let msg: ReturnType<typeof toProto>;
  let again: Uint8Array;
  try {
    msg = fromBinary(EnvelopeSchema, bytes, { readUnknownFields: false });
    again = toBinary(EnvelopeSchema, msg);
  } catch (e) {
    throw new VerifyError('MALFORMED', 'envelope is not valid protobuf', { cause: e });
  }
  if (!bytesEqualCT(again, bytes)) malformed('envelope encoding is not canonical');
  const env: Envelope = {
    version: msg.version,
    protocol: msg.protocol,
    sessionId: msg.sessionId,
    round: msg.round,
    type: msg.type,
    from: msg.from,
    to: Object.freeze([...msg.to]),
    payload: msg.payload,
    ...(msg.echo.length > 0 ? { echo: msg.echo } : {}),
  };
  checkShape(env, limits?.protocols);
  return env;
}

function bytesEqualCT(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** True when the envelope is a broadcast (`to` is empty). */
export function isBroadcast(env: Pick<Envelope, 'to'>): boolean {
  return env.to.length === 0;
}

/**
 * Who should receive an envelope: its `to` list, or for a broadcast every party of the session
 * except the sender.
 *
 * @example
 * ```ts
 * for (const env of step.outgoing) {
 *   for (const peer of recipientsOf(env, party.parties)) transport.sendTo(peer, encodeEnvelope(env));
 * }
 * ```
 */
export function recipientsOf(
  env: Pick<Envelope, 'to' | 'from'>,
  parties: readonly string[],
): string[] {
  return env.to.length > 0 ? [...env.to] : parties.filter((p) => p !== env.from);
}
