/**
 * The control protocol between a {@link Coordinator} and its {@link Participant}s: invitations,
 * answers, results, cancellations and heartbeats.
 *
 * Control messages are ordinary {@link Envelope}s on the same {@link Transport} as the protocol
 * messages, so the secure channel signs them (and encrypts them: every control message is
 * point-to-point) exactly like protocol traffic. They use their own protocol name
 * ({@link CONTROL_PROTOCOL}) and session id ({@link CONTROL_SESSION_ID}), so they never reach a
 * party, and the envelope `type` says which message it is. The payload is UTF-8 JSON of at most
 * {@link CONTROL_MAX_PAYLOAD_BYTES}, decoded strictly (exact fields, shapes and caps): it comes
 * from the network.
 *
 * | type        | from → to                | payload                    | meaning |
 * | ----------- | ------------------------ | -------------------------- | ------- |
 * | `invite`    | coordinator → participant | {@link Invitation}         | join this keygen or signing session |
 * | `accept`    | participant → coordinator | `{ sessionId }`            | joined; running |
 * | `decline`   | participant → coordinator | {@link DeclineMessage}     | will not join (policy veto, busy, no share, ...) |
 * | `result`    | participant → coordinator | {@link ResultMessage}      | finished: public key or signature, or the error |
 * | `cancel`    | coordinator → participant | `{ sessionId, reason }`    | stop the session |
 * | `heartbeat` | participant → coordinator | {@link HeartbeatMessage}   | alive; current load |
 *
 * Delivery is at least once or not at all, so every message is idempotent: the coordinator
 * resends `invite` until it has the participant's `result`, and a participant answers a repeated
 * invitation with its current answer (`accept` while running, then its `result`). A participant
 * that restarted answers by resuming the session from its snapshot.
 * @module
 */
import { ErrorCode, LocalError, type MpcError, VerifyError } from '../errors.js';
import type { AuditJsonValue } from '../stores/types.js';
import { decodeEnvelope, ENVELOPE_VERSION, type Envelope, isValidId } from '../wire/envelope.js';

/** Protocol name of control envelopes. */
export const CONTROL_PROTOCOL = 'mpc-tss-control';
/** Session id every node subscribes to for control messages. */
export const CONTROL_SESSION_ID = 'mpc-tss.control';
/** Cap on a control payload: 64 KiB. */
export const CONTROL_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Cap on the opaque `metadata` of a signing invitation (JSON bytes): 16 KiB. */
export const CONTROL_MAX_METADATA_BYTES = 16 * 1024;
/** Longest free-text reason or message carried in a control payload. */
export const CONTROL_MAX_TEXT = 512;

/** The signing profile: `native` (hardened) or `tss-lib` (wire-compatible). */
export type ControlProfile = 'native' | 'tss-lib';

/** Invitation to a keygen session. */
export interface KeygenInvitation {
  readonly kind: 'keygen';
  readonly sessionId: string;
  /** Id under which the participant stores its share. */
  readonly keyId: string;
  /** Every party of the key (2..32). */
  readonly parties: readonly string[];
  /** Parties needed to sign with the new key. */
  readonly minSigners: number;
  readonly profile: ControlProfile;
  /** The protocol deadline the participant's runner applies, in ms. */
  readonly timeoutMs: number;
}

/** Non-hardened BIP32 derivation of a signing session. */
export interface ControlDerivation {
  /** Child indices, each in [0, 2^31). */
  readonly path: readonly number[];
  /** Parent chain code, 64 hex characters. */
  readonly chainCode: string;
}

/** Invitation to a signing session. */
export interface SignInvitation {
  readonly kind: 'sign';
  readonly sessionId: string;
  readonly keyId: string;
  /** The signers (at least the key's minSigners), including the invitee. */
  readonly signers: readonly string[];
  /** The 32-byte digest to sign, 64 lowercase hex characters. */
  readonly messageHash: string;
  readonly profile: ControlProfile;
  readonly timeoutMs: number;
  readonly derivation?: ControlDerivation;
  /**
   * Opaque request details for the participant's policy hook (e.g. the unsigned transaction, so
   * the node can recompute the digest itself). JSON, at most {@link CONTROL_MAX_METADATA_BYTES}.
   */
  readonly metadata?: { readonly [k: string]: AuditJsonValue };
}

/** An invitation. */
export type Invitation = KeygenInvitation | SignInvitation;

/** `decline`: the participant will not take part. */
export interface DeclineMessage {
  readonly sessionId: string;
  /** Stable error code (e.g. `CANCELLED` for a policy veto, `NOT_FOUND` for a missing share). */
  readonly code: ErrorCode;
  /** Human-readable reason (never a secret). */
  readonly message: string;
  /** True when the participant's policy hook vetoed the request. */
  readonly veto: boolean;
}

/** A signature as reported by a participant (the coordinator verifies it). */
export interface ControlSignature {
  /** 64 hex characters. */
  readonly r: string;
  /** 64 hex characters. */
  readonly s: string;
  /** 0..3. */
  readonly recoveryId: number;
  /** The (possibly derived) public key it verifies under, 66 hex characters. */
  readonly publicKey: string;
}

/** A failure as reported by a participant. */
export interface ControlError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly culprits: readonly string[];
  readonly round?: number;
}

/** `result`: the session finished on this participant. */
export type ResultMessage =
  | {
      readonly sessionId: string;
      readonly ok: true;
      /** Keygen: the group public key, 66 hex characters. */
      readonly publicKey?: string;
      /** Signing: the signature. */
      readonly signature?: ControlSignature;
    }
  | { readonly sessionId: string; readonly ok: false; readonly error: ControlError };

/** `cancel`: stop a session. */
export interface CancelMessage {
  readonly sessionId: string;
  readonly reason: string;
}

/** `heartbeat`: the participant is alive. */
export interface HeartbeatMessage {
  /** Sessions it is running right now. */
  readonly load: number;
  /** Its feature flags, e.g. `['ecdsa', 'gg18']`. */
  readonly capabilities: readonly string[];
}

/** Every control message, tagged by its envelope type. */
export type ControlMessage =
  | { readonly type: 'invite'; readonly body: Invitation }
  | { readonly type: 'accept'; readonly body: { readonly sessionId: string } }
  | { readonly type: 'decline'; readonly body: DeclineMessage }
  | { readonly type: 'result'; readonly body: ResultMessage }
  | { readonly type: 'cancel'; readonly body: CancelMessage }
  | { readonly type: 'heartbeat'; readonly body: HeartbeatMessage };

/** A control message type. */
export type ControlType = ControlMessage['type'];

const TYPES: ReadonlySet<string> = new Set([
  'invite',
  'accept',
  'decline',
  'result',
  'cancel',
  'heartbeat',
]);
const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const HEX64 = /^[0-9a-f]{64}$/;
const HEX66 = /^0[23][0-9a-f]{64}$/;
const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Builds the envelope carrying `msg` from `from` to `to`.
 * @throws {@link LocalError} `INVALID_ARGUMENT` when the message does not pass its own decoder.
 */
export function encodeControl(from: string, to: string, msg: ControlMessage): Envelope {
  const payload = te.encode(JSON.stringify(msg.body));
  const env: Envelope = {
    version: ENVELOPE_VERSION,
    protocol: CONTROL_PROTOCOL,
    sessionId: CONTROL_SESSION_ID,
    round: 1,
    type: msg.type,
    from,
    to: [to],
    payload,
  };
  try {
    parseBody(msg.type, payload);
  } catch (e) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `invalid control message: ${e instanceof VerifyError ? e.shortMessage : 'unencodable'}`,
      { cause: e },
    );
  }
  return env;
}

/**
 * Decodes a control envelope received from `from` (the transport-authenticated sender).
 * @throws {@link VerifyError} `MALFORMED` / `OVERSIZED` for anything but a well-formed control
 *   message sent by `from` on {@link CONTROL_SESSION_ID}.
 */
export function decodeControl(bytes: Uint8Array, from: string): ControlMessage {
  const env = decodeEnvelope(bytes, {
    protocols: [CONTROL_PROTOCOL],
    maxBytes: CONTROL_MAX_PAYLOAD_BYTES + 4096,
  });
  check(env.sessionId === CONTROL_SESSION_ID, 'control envelope on another session');
  check(env.from === from, 'control envelope "from" is not the authenticated sender');
  check(env.round === 1, 'control envelope round must be 1');
  check(TYPES.has(env.type), `unknown control message type "${env.type}"`);
  return {
    type: env.type,
    body: parseBody(env.type as ControlType, env.payload),
  } as ControlMessage;
}

/** The wire form of an {@link MpcError} in a `result`. */
export function toControlError(e: MpcError): ControlError {
  return {
    code: e.code,
    message: clip(e.shortMessage),
    culprits: e.culprits.filter(isValidId).slice(0, 256),
    ...(e.round === undefined ? {} : { round: e.round }),
  };
}

/** Truncates free text to {@link CONTROL_MAX_TEXT} characters and strips control characters. */
export function clip(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const clean = String(text).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > CONTROL_MAX_TEXT ? `${clean.slice(0, CONTROL_MAX_TEXT - 1)}…` : clean;
}

// ---------------------------------------------------------------------------------------------
// Strict decoding

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new VerifyError('MALFORMED', message);
}

type Obj = Record<string, unknown>;

function object(v: unknown, what: string, required: string[], optional: string[] = []): Obj {
  check(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} must be an object`);
  const o = v as Obj;
  const allowed = new Set([...required, ...optional]);
  for (const k of Object.keys(o)) check(allowed.has(k), `${what} has an unknown field "${k}"`);
  for (const k of required) check(k in o, `${what} lacks "${k}"`);
  return o;
}

function id(v: unknown, what: string): string {
  check(isValidId(v), `${what} must be an id (1..128 printable ASCII)`);
  return v;
}

function ids(v: unknown, what: string, min: number, max: number): string[] {
  check(Array.isArray(v) && v.length >= min && v.length <= max, `${what}: ${min}..${max} ids`);
  const out = (v as unknown[]).map((x, i) => id(x, `${what}[${i}]`));
  check(new Set(out).size === out.length, `${what} has duplicates`);
  return out;
}

function int(v: unknown, what: string, min: number, max: number): number {
  check(
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max,
    `${what} must be an integer in [${min}, ${max}]`,
  );
  return v;
}

function text(v: unknown, what: string): string {
  check(typeof v === 'string' && v.length <= CONTROL_MAX_TEXT, `${what} must be short text`);
  return v;
}

function code(v: unknown, what: string): ErrorCode {
  check(typeof v === 'string' && CODES.has(v), `${what} must be an error code`);
  return v as ErrorCode;
}

function profile(v: unknown): ControlProfile {
  check(v === 'native' || v === 'tss-lib', '"profile" must be native or tss-lib');
  return v;
}

function parseBody(type: ControlType, payload: Uint8Array): ControlMessage['body'] {
  if (payload.length > CONTROL_MAX_PAYLOAD_BYTES) {
    throw new VerifyError('OVERSIZED', `control payload above ${CONTROL_MAX_PAYLOAD_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(td.decode(payload));
  } catch (e) {
    throw new VerifyError('MALFORMED', 'control payload is not UTF-8 JSON', { cause: e });
  }
  switch (type) {
    case 'invite':
      return parseInvitation(raw);
    case 'accept': {
      const o = object(raw, 'accept', ['sessionId']);
      return { sessionId: id(o.sessionId, 'sessionId') };
    }
    case 'decline': {
      const o = object(raw, 'decline', ['sessionId', 'code', 'message', 'veto']);
      check(typeof o.veto === 'boolean', '"veto" must be a boolean');
      return {
        sessionId: id(o.sessionId, 'sessionId'),
        code: code(o.code, 'code'),
        message: text(o.message, 'message'),
        veto: o.veto,
      };
    }
    case 'result':
      return parseResult(raw);
    case 'cancel': {
      const o = object(raw, 'cancel', ['sessionId', 'reason']);
      return { sessionId: id(o.sessionId, 'sessionId'), reason: text(o.reason, 'reason') };
    }
    case 'heartbeat': {
      const o = object(raw, 'heartbeat', ['load', 'capabilities']);
      const caps = o.capabilities;
      check(Array.isArray(caps) && caps.length <= 64, '"capabilities": at most 64');
      for (const c of caps as unknown[]) {
        check(typeof c === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(c), 'bad capability');
      }
      return { load: int(o.load, 'load', 0, 1_000_000), capabilities: caps as string[] };
    }
  }
}

function parseInvitation(raw: unknown): Invitation {
  const kind = (raw as Obj | null)?.kind;
  if (kind === 'keygen') {
    const o = object(raw, 'keygen invitation', [
      'kind',
      'sessionId',
      'keyId',
      'parties',
      'minSigners',
      'profile',
      'timeoutMs',
    ]);
    const parties = ids(o.parties, 'parties', 2, 32);
    return {
      kind,
      sessionId: id(o.sessionId, 'sessionId'),
      keyId: id(o.keyId, 'keyId'),
      parties,
      minSigners: int(o.minSigners, 'minSigners', 2, parties.length),
      profile: profile(o.profile),
      timeoutMs: int(o.timeoutMs, 'timeoutMs', 1, 86_400_000),
    };
  }
  check(kind === 'sign', 'invitation "kind" must be keygen or sign');
  const o = object(
    raw,
    'sign invitation',
    ['kind', 'sessionId', 'keyId', 'signers', 'messageHash', 'profile', 'timeoutMs'],
    ['derivation', 'metadata'],
  );
  check(typeof o.messageHash === 'string' && HEX64.test(o.messageHash), 'bad "messageHash"');
  const inv: SignInvitation = {
    kind: 'sign',
    sessionId: id(o.sessionId, 'sessionId'),
    keyId: id(o.keyId, 'keyId'),
    signers: ids(o.signers, 'signers', 2, 32),
    messageHash: o.messageHash,
    profile: profile(o.profile),
    timeoutMs: int(o.timeoutMs, 'timeoutMs', 1, 86_400_000),
    ...(o.derivation === undefined ? {} : { derivation: parseDerivation(o.derivation) }),
    ...(o.metadata === undefined ? {} : { metadata: parseMetadata(o.metadata) }),
  };
  return inv;
}

function parseDerivation(v: unknown): ControlDerivation {
  const o = object(v, 'derivation', ['path', 'chainCode']);
  check(Array.isArray(o.path) && o.path.length <= 255, '"derivation.path": at most 255 steps');
  const path = (o.path as unknown[]).map((x, i) => int(x, `path[${i}]`, 0, 0x7fff_ffff));
  check(typeof o.chainCode === 'string' && HEX64.test(o.chainCode), 'bad "derivation.chainCode"');
  return { path, chainCode: o.chainCode };
}

function parseMetadata(v: unknown): { [k: string]: AuditJsonValue } {
  check(typeof v === 'object' && v !== null && !Array.isArray(v), '"metadata" must be an object');
  check(
    te.encode(JSON.stringify(v)).length <= CONTROL_MAX_METADATA_BYTES,
    `"metadata" above ${CONTROL_MAX_METADATA_BYTES} bytes`,
  );
  return v as { [k: string]: AuditJsonValue };
}

function parseResult(raw: unknown): ResultMessage {
  const ok = (raw as Obj | null)?.ok;
  if (ok === false) {
    const o = object(raw, 'result', ['sessionId', 'ok', 'error']);
    const e = object(o.error, 'error', ['code', 'message', 'culprits'], ['round']);
    return {
      sessionId: id(o.sessionId, 'sessionId'),
      ok: false,
      error: {
        code: code(e.code, 'error.code'),
        message: text(e.message, 'error.message'),
        culprits: ids(e.culprits, 'error.culprits', 0, 256),
        ...(e.round === undefined ? {} : { round: int(e.round, 'error.round', 0, 255) }),
      },
    };
  }
  check(ok === true, 'result "ok" must be a boolean');
  const o = object(raw, 'result', ['sessionId', 'ok'], ['publicKey', 'signature']);
  let signature: ControlSignature | undefined;
  if (o.signature !== undefined) {
    const s = object(o.signature, 'signature', ['r', 's', 'recoveryId', 'publicKey']);
    check(typeof s.r === 'string' && HEX64.test(s.r), 'bad "signature.r"');
    check(typeof s.s === 'string' && HEX64.test(s.s), 'bad "signature.s"');
    check(typeof s.publicKey === 'string' && HEX66.test(s.publicKey), 'bad "signature.publicKey"');
    signature = {
      r: s.r,
      s: s.s,
      recoveryId: int(s.recoveryId, 'signature.recoveryId', 0, 3),
      publicKey: s.publicKey,
    };
  }
  if (o.publicKey !== undefined) {
    check(typeof o.publicKey === 'string' && HEX66.test(o.publicKey), 'bad "publicKey"');
  }
  return {
    sessionId: id(o.sessionId, 'sessionId'),
    ok: true,
    ...(o.publicKey === undefined ? {} : { publicKey: o.publicKey as string }),
    ...(signature ? { signature } : {}),
  };
}
