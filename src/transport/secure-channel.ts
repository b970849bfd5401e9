/**
 * Secure channel: authenticity, confidentiality and replay protection on top of any
 * {@link Transport} (SECURITY.md item 13: "the sender is the authenticated transport identity,
 * and point-to-point payloads are encrypted").
 *
 * ## What goes on the wire
 *
 * Each envelope a party sends is wrapped into an *outer* envelope with the same routing fields
 * (`protocol`, `sessionId`, `round`, `type`, `from`), so the wrapped transport routes it as
 * before, and a payload that is a *frame*:
 *
 * ```
 * frame = version (1 byte, = 1) ‖ kind (1 byte) ‖ timestamp (8 bytes, ms, big-endian)
 *       ‖ nonce (24 random bytes) ‖ body ‖ Ed25519 signature (64 bytes)
 * ```
 *
 * - **Broadcast** (`kind` 1, outer `to` empty): `body` is the encoded envelope in clear.
 * - **Point-to-point** (`kind` 2): one frame per recipient, outer `to` = `[recipient]`, and
 *   `body` = XChaCha20-Poly1305(key, nonce, encoded envelope, AAD = header). The key is
 *   HKDF-SHA256 of the static X25519 shared secret of the two parties, salted with the domain
 *   tag and bound to the channel context and both parties' ids and exchange keys; it is cached
 *   per peer. XChaCha's 192-bit nonces are drawn at random for every message, so nonce reuse
 *   under the long-lived pair key is not a concern.
 *
 * The signature covers `header ‖ len(body) ‖ body`, where `header` is a length-prefixed
 * encoding of: the domain tag `mpc-tss/secure-channel/v1`, the channel `context`, version,
 * kind, timestamp, nonce, and the outer `protocol`, `sessionId`, `round`, `type`, `from` and
 * `to`. The AEAD's associated data is the same header. So every byte of the outer envelope is
 * authenticated (its `echo` must be empty), a frame cannot be moved to another session,
 * round, type, recipient or deployment, and only the holder of `from`'s identity key can
 * produce it. Signing the ciphertext (not the plaintext) keeps the signature from leaking a
 * checkable fingerprint of the secret payload.
 *
 * ## What the receiver checks
 *
 * In this order, stopping at the first failure, which is reported through `onReject` (never
 * thrown): the outer envelope and frame decode strictly; the frame kind matches the outer `to`
 * (a point-to-point frame must name this party); the sender is in the directory; the signature
 * verifies under the sender's key; the timestamp is fresh; the (sender, session, nonce) triple
 * was not seen before; the payload decrypts; the inner envelope decodes strictly and has the
 * same routing fields, the same `from` as the signer, and names this party (or is a broadcast).
 * Only then are the inner bytes delivered, with `from` = the verified signer.
 *
 * ## Replay window
 *
 * A frame is accepted when its timestamp lies in [now − `maxAgeMs`, now + `maxSkewMs`] and its
 * (sender, session, nonce) triple is new. Seen triples are remembered until they are older than
 * `maxAgeMs`, at most `maxEntries` of them; when the cap evicts an entry that is still fresh,
 * the sender's timestamp floor rises to it, so anything not newer than an evicted entry is
 * refused too. Memory stays bounded and no replay slips through; the cost is that, under a
 * flood, a legitimately delayed message may be refused (the runner's resend covers it).
 * Because the wrapped transport delivers at least once, an occasional `replay` rejection is
 * expected and harmless (the first copy was delivered).
 *
 * Note what this does not give: forward secrecy (a stolen X25519 key decrypts recorded
 * traffic), or hiding of routing metadata (session, round, type and party ids travel in
 * clear). Use TLS underneath (the gRPC transport supports mutual TLS) for both.
 * @module
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type ErrorCode, LocalError, type MpcError, PeerError, VerifyError } from '../errors.js';
import { bytesEqual, zeroize } from '../math/bigint.js';
import { randomBytes } from '../math/random.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  ENVELOPE_VERSION,
  type Envelope,
  encodeEnvelope,
  isValidId,
} from '../wire/envelope.js';
import type { KeyDirectory, NodeIdentity, PublicIdentity } from './identity.js';
import { guarded, positiveInt } from './router.js';
import type {
  InboundMessage,
  MessageHandler,
  SendOptions,
  Transport,
  TransportErrorHandler,
  Unsubscribe,
} from './types.js';

/** Domain separation tag of signatures, AAD and key derivation. */
export const SECURE_CHANNEL_DOMAIN = 'mpc-tss/secure-channel/v1';
/** Frame format version. */
export const SECURE_FRAME_VERSION = 1;
/**
 * Upper bound on what the secure channel adds to an envelope (frame header, nonce, tag,
 * signature, and the outer envelope's own fields). Transports must carry envelopes this much
 * larger than the parties' cap; {@link TRANSPORT_MAX_ENVELOPE_BYTES} leaves room for it.
 */
export const SECURE_CHANNEL_OVERHEAD = 2048;

const KIND_BROADCAST = 1;
const KIND_DIRECT = 2;
const NONCE_BYTES = 24;
const SIG_BYTES = 64;
const TAG_BYTES = 16;
const FRAME_HEAD = 1 + 1 + 8 + NONCE_BYTES;
const te = new TextEncoder();

/** Why an inbound message was refused. */
export type SecureChannelRejectReason =
  /** The outer envelope, the frame or (after the signature) the inner envelope did not decode. */
  | 'malformed'
  /** A point-to-point frame for another party, or this party's own message reflected back. */
  | 'not-for-me'
  /** The claimed sender is not in the directory. */
  | 'unknown-sender'
  /** The signature does not verify under the claimed sender's key. */
  | 'bad-signature'
  /** The timestamp is outside the replay window. */
  | 'stale'
  /** The (sender, session, nonce) triple was seen before. */
  | 'replay'
  /** The point-to-point payload did not decrypt (wrong key or tampered). */
  | 'decrypt-failed'
  /** The signer differs from the inner envelope's `from`. */
  | 'sender-mismatch'
  /** The inner envelope's routing fields differ from the signed outer ones. */
  | 'mismatch';

/** One refused inbound message, as {@link SecureChannelOptions.onReject} receives it. */
export interface SecureChannelRejection {
  /** Why it was refused. */
  readonly reason: SecureChannelRejectReason;
  /**
   * The error: a {@link PeerError} naming the signer when the signature verified (only the
   * signer could have made the message), otherwise a {@link VerifyError} (anyone could have).
   */
  readonly error: MpcError;
  /** The session it was routed to. */
  readonly sessionId: string;
  /** The `from` it claimed (unauthenticated unless the reason comes after the signature check). */
  readonly claimedFrom?: string;
  /** The sender as the wrapped transport reported it. */
  readonly transportFrom: string;
}

/** Replay window settings. */
export interface ReplayWindowOptions {
  /** Oldest accepted timestamp, relative to now, in ms. Default 600 000 (10 minutes). */
  readonly maxAgeMs?: number;
  /** Furthest accepted timestamp in the future (clock skew), in ms. Default 120 000. */
  readonly maxSkewMs?: number;
  /** Most remembered (sender, session, nonce) triples. Default 100 000. */
  readonly maxEntries?: number;
}

/** Options of {@link createSecureChannel}. */
export interface SecureChannelOptions {
  /** This node's identity; its `partyId` must equal the wrapped transport's `self`. Copied. */
  readonly identity: NodeIdentity;
  /** Public keys of every party this node talks to (it may include this node). */
  readonly directory: KeyDirectory;
  /**
   * Channel context bound into every signature and key: e.g. the deployment or network name,
   * so messages of one deployment are worthless in another. Default `""`.
   */
  readonly context?: string;
  /** Replay window settings. */
  readonly replay?: ReplayWindowOptions;
  /** Cap on an inner (party) envelope. Default {@link DEFAULT_MAX_ENVELOPE_BYTES}. */
  readonly maxEnvelopeBytes?: number;
  /** Receives every refused inbound message. Never throws into the transport. */
  readonly onReject?: (rejection: SecureChannelRejection) => void;
  /** Receives handler failures. */
  readonly onError?: TransportErrorHandler;
  /** Whether {@link SecureChannel.close} also closes the wrapped transport. Default `true`. */
  readonly closeTransport?: boolean;
  /** Clock in ms since the epoch (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** Counters of a {@link SecureChannel}. */
export interface SecureChannelStats {
  /** Frames sent (one per broadcast, one per recipient of a point-to-point envelope). */
  readonly framesSent: number;
  /** Envelopes delivered to handlers. */
  readonly delivered: number;
  /** Refused inbound messages, by reason. */
  readonly rejected: Readonly<Record<SecureChannelRejectReason, number>>;
  /** Handler failures. */
  readonly errors: number;
}

/** A {@link Transport} that signs, encrypts and checks every envelope. */
export interface SecureChannel extends Transport {
  /** The wrapped transport. */
  readonly transport: Transport;
  /** Counters. */
  stats(): SecureChannelStats;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** Length-prefixed (u32) concatenation of byte strings and raw fixed-width parts. */
class Builder {
  private parts: Uint8Array[] = [];
  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  lp(b: Uint8Array | string): this {
    const bytes = typeof b === 'string' ? te.encode(b) : b;
    this.parts.push(u32(bytes.length), bytes);
    return this;
  }
  u32(n: number): this {
    this.parts.push(u32(n));
    return this;
  }
  build(): Uint8Array {
    let len = 0;
    for (const p of this.parts) len += p.length;
    const out = new Uint8Array(len);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

interface Frame {
  readonly kind: number;
  readonly timestamp: number;
  readonly nonce: Uint8Array;
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

function frameHead(kind: number, timestamp: number, nonce: Uint8Array): Uint8Array {
  const head = new Uint8Array(FRAME_HEAD);
  head[0] = SECURE_FRAME_VERSION;
  head[1] = kind;
  new DataView(head.buffer).setBigUint64(2, BigInt(timestamp));
  head.set(nonce, 10);
  return head;
}

function parseFrame(payload: Uint8Array): Frame {
  const malformed = (m: string): never => {
    throw new VerifyError('MALFORMED', `secure frame: ${m}`);
  };
  if (payload.length < FRAME_HEAD + SIG_BYTES) malformed('too short');
  if (payload[0] !== SECURE_FRAME_VERSION) malformed(`unsupported version ${payload[0]}`);
  const kind = payload[1] as number;
  if (kind !== KIND_BROADCAST && kind !== KIND_DIRECT) malformed(`unknown kind ${kind}`);
  const ts = new DataView(payload.buffer, payload.byteOffset, payload.length).getBigUint64(2);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) malformed('timestamp out of range');
  const body = payload.subarray(FRAME_HEAD, payload.length - SIG_BYTES);
  if (kind === KIND_DIRECT && body.length < TAG_BYTES) malformed('ciphertext too short');
  return {
    kind,
    timestamp: Number(ts),
    nonce: payload.subarray(10, FRAME_HEAD),
    body,
    signature: payload.subarray(payload.length - SIG_BYTES),
  };
}

/** Frame kind: a broadcast in clear, or a point-to-point envelope encrypted to its recipient. */
export type FrameKind = 'broadcast' | 'direct';

/** The routing fields of an outer envelope (what the header binds). */
type Routing = Pick<Envelope, 'protocol' | 'sessionId' | 'round' | 'type' | 'from' | 'to'>;

/**
 * The signed header (also the AEAD's associated data) of a frame.
 * @internal
 */
export function _frameHeader(
  context: string,
  outer: Routing,
  kind: number,
  timestamp: number,
  nonce: Uint8Array,
): Uint8Array {
  const b = new Builder()
    .lp(SECURE_CHANNEL_DOMAIN)
    .lp(context)
    .raw(frameHead(kind, timestamp, nonce))
    .lp(outer.protocol)
    .lp(outer.sessionId)
    .u32(outer.round)
    .lp(outer.type)
    .lp(outer.from)
    .u32(outer.to.length);
  for (const r of outer.to) b.lp(r);
  return b.build();
}

function signedBytes(header: Uint8Array, body: Uint8Array): Uint8Array {
  return new Builder().raw(header).lp(body).build();
}

/**
 * The symmetric key of a pair of parties: HKDF-SHA256 of their X25519 shared secret, bound to
 * the context and to both ids and exchange keys (sorted by id, so both sides derive the same).
 * @internal
 */
export function _pairKey(
  context: string,
  self: { readonly partyId: string; readonly exchangeSecretKey: Uint8Array },
  peer: PublicIdentity,
): Uint8Array {
  const shared = x25519.getSharedSecret(self.exchangeSecretKey, peer.exchangePublicKey);
  const me = { id: self.partyId, pk: x25519.getPublicKey(self.exchangeSecretKey) };
  const them = { id: peer.partyId, pk: peer.exchangePublicKey };
  const [lo, hi] = me.id < them.id ? [me, them] : [them, me];
  const info = new Builder().lp(context).lp(lo.id).lp(lo.pk).lp(hi.id).lp(hi.pk).build();
  const key = hkdf(sha256, shared, te.encode(SECURE_CHANNEL_DOMAIN), info, 32);
  zeroize(shared);
  return key;
}

/** Parameters of {@link _sealFrame}. */
interface SealParams {
  readonly context: string;
  /** Routing of the outer envelope: `to` is `[]` for a broadcast, `[recipient]` otherwise. */
  readonly routing: Routing;
  readonly kind: FrameKind;
  /** The encoded inner envelope. */
  readonly plain: Uint8Array;
  /** The pair key, for a direct frame. */
  readonly key?: Uint8Array;
  readonly signingSecretKey: Uint8Array;
  readonly timestamp: number;
  /** Default: 24 random bytes. */
  readonly nonce?: Uint8Array;
}

/**
 * Builds a signed (and for `direct`, encrypted) outer envelope. The channel uses it for every
 * send; tests use it to forge frames a well-behaved channel would never produce.
 * @internal
 */
export function _sealFrame(p: SealParams): Envelope {
  const kind = p.kind === 'broadcast' ? KIND_BROADCAST : KIND_DIRECT;
  const nonce = p.nonce ?? randomBytes(NONCE_BYTES);
  const routing: Envelope = {
    version: ENVELOPE_VERSION,
    protocol: p.routing.protocol,
    sessionId: p.routing.sessionId,
    round: p.routing.round,
    type: p.routing.type,
    from: p.routing.from,
    to: [...p.routing.to],
    payload: new Uint8Array(0),
  };
  const header = _frameHeader(p.context, routing, kind, p.timestamp, nonce);
  const body = p.key ? xchacha20poly1305(p.key, nonce, header).encrypt(p.plain) : p.plain;
  const signature = ed25519.sign(signedBytes(header, body), p.signingSecretKey);
  const head = frameHead(kind, p.timestamp, nonce);
  const payload = new Uint8Array(head.length + body.length + SIG_BYTES);
  payload.set(head);
  payload.set(body, head.length);
  payload.set(signature, head.length + body.length);
  return { ...routing, payload };
}

/** The seen-triple cache with per-sender timestamp floors (see the module documentation). */
class ReplayWindow {
  private readonly seen = new Map<string, { from: string; ts: number }>();
  private readonly floors = new Map<string, number>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxSkewMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Returns the rejection reason, or undefined after recording the triple. */
  check(
    from: string,
    sessionId: string,
    nonce: Uint8Array,
    ts: number,
    now: number,
  ): 'stale' | 'replay' | undefined {
    if (ts < now - this.maxAgeMs || ts > now + this.maxSkewMs) return 'stale';
    const floor = this.floors.get(from);
    if (floor !== undefined && ts <= floor) return 'stale';
    const key = `${from}\u0000${sessionId}\u0000${Buffer.from(nonce).toString('base64')}`;
    if (this.seen.has(key)) return 'replay';
    this.seen.set(key, { from, ts });
    this.prune(now);
    return undefined;
  }

  private prune(now: number): void {
    const oldest = now - this.maxAgeMs;
    for (const [key, e] of this.seen) {
      if (e.ts >= oldest) break;
      this.seen.delete(key);
    }
    while (this.seen.size > this.maxEntries) {
      const first = this.seen.entries().next().value as [string, { from: string; ts: number }];
      this.seen.delete(first[0]);
      const f = this.floors.get(first[1].from);
      if (f === undefined || first[1].ts > f) this.floors.set(first[1].from, first[1].ts);
    }
    for (const [from, f] of this.floors) if (f < oldest) this.floors.delete(from);
  }

  clear(): void {
    this.seen.clear();
    this.floors.clear();
  }
}

function zeroReasons(): Record<SecureChannelRejectReason, number> {
  return {
    malformed: 0,
    'not-for-me': 0,
    'unknown-sender': 0,
    'bad-signature': 0,
    stale: 0,
    replay: 0,
    'decrypt-failed': 0,
    'sender-mismatch': 0,
    mismatch: 0,
  };
}

type RejectFn = (
  reason: SecureChannelRejectReason,
  message: string,
  claimedFrom?: string,
  culprit?: string,
  code?: ErrorCode,
) => never;

/** Throws a {@link Rejected}: blaming `culprit` when given (the signature verified). */
function rejectWith(
  sessionId: string,
  reason: SecureChannelRejectReason,
  message: string,
  claimedFrom: string | undefined,
  culprit: string | undefined,
  code: ErrorCode,
): never {
  const error = culprit
    ? new PeerError({ code, message, culprits: [culprit], sessionId })
    : new VerifyError(code, message);
  throw new Rejected(reason, error, claimedFrom);
}

class Rejected extends Error {
  constructor(
    readonly reason: SecureChannelRejectReason,
    readonly error: MpcError,
    readonly claimedFrom?: string,
  ) {
    super(reason);
  }
}

interface SessionSub {
  readonly handlers: Set<MessageHandler>;
  off: Unsubscribe;
}

class Channel implements SecureChannel {
  readonly self: string;
  private readonly signingSecretKey: Uint8Array;
  private readonly exchangeSecretKey: Uint8Array;
  private readonly context: string;
  private readonly maxInner: number;
  private readonly window: ReplayWindow;
  private readonly now: () => number;
  private readonly pairKeys = new Map<string, { peerKey: Uint8Array; key: Uint8Array }>();
  private readonly subs = new Map<string, SessionSub>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private counters = { framesSent: 0, delivered: 0, errors: 0 };
  private readonly rejected = zeroReasons();

  constructor(
    readonly transport: Transport,
    private readonly opts: SecureChannelOptions,
  ) {
    const id = opts?.identity;
    if (!id || typeof id !== 'object') {
      throw new LocalError('INVALID_ARGUMENT', '"identity" is required');
    }
    if (!transport || typeof transport.send !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', 'a transport to wrap is required');
    }
    if (!opts.directory || typeof opts.directory.get !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"directory" must have a get(partyId) method');
    }
    if (id.partyId !== transport.self) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `identity "${id.partyId}" does not match the transport's party "${transport.self}"`,
      );
    }
    for (const [name, k] of [
      ['signingSecretKey', id.signingSecretKey],
      ['exchangeSecretKey', id.exchangeSecretKey],
    ] as const) {
      if (!(k instanceof Uint8Array) || k.length !== 32) {
        throw new LocalError('INVALID_ARGUMENT', `identity "${name}" must be 32 bytes`);
      }
    }
    this.self = id.partyId;
    this.signingSecretKey = id.signingSecretKey.slice();
    this.exchangeSecretKey = id.exchangeSecretKey.slice();
    const context = opts.context ?? '';
    if (typeof context !== 'string' || context.length > 256) {
      throw new LocalError('INVALID_ARGUMENT', '"context" must be a string of at most 256 chars');
    }
    this.context = context;
    this.maxInner = positiveInt(
      'maxEnvelopeBytes',
      opts.maxEnvelopeBytes,
      DEFAULT_MAX_ENVELOPE_BYTES,
    );
    this.window = new ReplayWindow(
      positiveInt('replay.maxAgeMs', opts.replay?.maxAgeMs, 600_000),
      positiveInt('replay.maxSkewMs', opts.replay?.maxSkewMs, 120_000),
      positiveInt('replay.maxEntries', opts.replay?.maxEntries, 100_000),
    );
    this.now = opts.now ?? Date.now;
  }

  stats(): SecureChannelStats {
    return { ...this.counters, rejected: { ...this.rejected } };
  }

  // ---------------------------------------------------------------- keys

  private pairKey(peer: PublicIdentity): Uint8Array {
    const cached = this.pairKeys.get(peer.partyId);
    if (cached && bytesEqual(cached.peerKey, peer.exchangePublicKey)) return cached.key;
    if (cached) zeroize(cached.key);
    const key = _pairKey(
      this.context,
      { partyId: this.self, exchangeSecretKey: this.exchangeSecretKey },
      peer,
    );
    this.pairKeys.set(peer.partyId, { peerKey: peer.exchangePublicKey.slice(), key });
    return key;
  }

  // ---------------------------------------------------------------- send

  async send(envelope: Envelope, opts?: SendOptions): Promise<void> {
    if (this.closed) throw new LocalError('INVALID_STATE', 'secure channel is closed');
    if (envelope?.from !== this.self) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `envelope "from" must be this channel's party "${this.self}"`,
      );
    }
    const plain = encodeEnvelope(envelope, { maxBytes: this.maxInner });
    if (envelope.to.length === 0) {
      const outer = this.seal(envelope, [], 'broadcast', plain);
      await this.transport.send(outer, opts);
      this.counters.framesSent++;
      return;
    }
    const peers: PublicIdentity[] = [];
    for (const r of envelope.to) {
      if (r === this.self) continue;
      const peer = this.opts.directory.get(r);
      if (!peer) {
        throw new LocalError('INVALID_ARGUMENT', `recipient "${r}" is not in the directory`);
      }
      peers.push(peer);
    }
    for (const peer of peers) {
      let key: Uint8Array;
      try {
        key = this.pairKey(peer);
      } catch (e) {
        throw new LocalError(
          'INVALID_ARGUMENT',
          `the directory's exchange key of "${peer.partyId}" is invalid`,
          { cause: e },
        );
      }
      const outer = this.seal(envelope, [peer.partyId], 'direct', plain, key);
      await this.transport.send(outer);
      this.counters.framesSent++;
    }
  }

  private seal(
    envelope: Envelope,
    to: string[],
    kind: FrameKind,
    plain: Uint8Array,
    key?: Uint8Array,
  ): Envelope {
    return _sealFrame({
      context: this.context,
      routing: { ...envelope, to },
      kind,
      plain,
      signingSecretKey: this.signingSecretKey,
      timestamp: this.now(),
      ...(key ? { key } : {}),
    });
  }

  // ---------------------------------------------------------------- receive

  subscribe(sessionId: string, handler: MessageHandler): Unsubscribe {
    if (this.closed) throw new LocalError('INVALID_STATE', 'secure channel is closed');
    if (!isValidId(sessionId)) {
      throw new LocalError('INVALID_ARGUMENT', '"sessionId" must be 1..128 printable ASCII chars');
    }
    if (typeof handler !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"handler" must be a function');
    }
    let sub = this.subs.get(sessionId);
    if (!sub) {
      const fresh: SessionSub = { handlers: new Set(), off: () => {} };
      this.subs.set(sessionId, fresh);
      fresh.handlers.add(handler);
      fresh.off = this.transport.subscribe(sessionId, (m) => this.receive(m));
      sub = fresh;
    } else {
      sub.handlers.add(handler);
    }
    const s = sub;
    return () => {
      if (s.handlers.delete(handler) && s.handlers.size === 0 && this.subs.get(sessionId) === s) {
        this.subs.delete(sessionId);
        s.off();
      }
    };
  }

  private receive(msg: InboundMessage): void {
    if (this.closed) return;
    let delivered: InboundMessage;
    try {
      delivered = this.open(msg);
    } catch (e) {
      const r =
        e instanceof Rejected
          ? e
          : new Rejected(
              'malformed',
              new VerifyError('MALFORMED', 'secure frame could not be processed', { cause: e }),
            );
      this.rejected[r.reason]++;
      const rejection: SecureChannelRejection = {
        reason: r.reason,
        error: r.error,
        sessionId: msg.sessionId,
        transportFrom: msg.from,
        ...(r.claimedFrom === undefined ? {} : { claimedFrom: r.claimedFrom }),
      };
      if (this.opts.onReject)
        guarded(
          () => this.opts.onReject?.(rejection),
          () => {},
        );
      return;
    }
    const sub = this.subs.get(msg.sessionId);
    if (!sub) return;
    this.counters.delivered++;
    for (const handler of [...sub.handlers]) {
      guarded(
        () => handler({ ...delivered, bytes: delivered.bytes.slice() }),
        (e) => {
          this.counters.errors++;
          const err = new LocalError('TRANSPORT_ERROR', 'a message handler failed', {
            sessionId: msg.sessionId,
            cause: e,
          });
          if (this.opts.onError)
            guarded(
              () => this.opts.onError?.(err),
              () => {},
            );
        },
      );
    }
  }

  /** Verifies and unwraps one inbound message; throws {@link Rejected}. */
  private open(msg: InboundMessage): InboundMessage {
    const reject: RejectFn = (reason, message, claimedFrom, culprit, code = 'MALFORMED') =>
      rejectWith(msg.sessionId, reason, message, claimedFrom, culprit, code);

    let outer: Envelope;
    try {
      outer = decodeEnvelope(msg.bytes, { maxBytes: this.maxInner + SECURE_CHANNEL_OVERHEAD });
    } catch (e) {
      throw new Rejected(
        'malformed',
        e instanceof VerifyError ? e : new VerifyError('MALFORMED', 'bad outer envelope'),
      );
    }
    const claimed = outer.from;
    if (outer.echo !== undefined) reject('malformed', 'outer envelope carries an echo', claimed);
    if (outer.sessionId !== msg.sessionId) {
      reject('malformed', 'outer envelope routed to another session', claimed);
    }
    let frame: Frame;
    try {
      frame = parseFrame(outer.payload);
    } catch (e) {
      throw new Rejected(
        'malformed',
        e instanceof VerifyError ? e : new VerifyError('MALFORMED', 'bad secure frame'),
        claimed,
      );
    }
    if (frame.kind === KIND_BROADCAST && outer.to.length !== 0) {
      reject('malformed', 'broadcast frame with recipients', claimed);
    }
    if (frame.kind === KIND_DIRECT && (outer.to.length !== 1 || outer.to[0] !== this.self)) {
      reject(
        'not-for-me',
        'point-to-point frame for another party',
        claimed,
        undefined,
        'UNEXPECTED_MESSAGE',
      );
    }
    if (claimed === this.self) {
      reject('not-for-me', 'own message reflected back', claimed, undefined, 'UNEXPECTED_MESSAGE');
    }
    const peer = this.opts.directory.get(claimed);
    if (!peer || peer.partyId !== claimed) {
      reject('unknown-sender', `unknown sender "${claimed}"`, claimed, undefined, 'NOT_A_MEMBER');
    }
    const header = _frameHeader(this.context, outer, frame.kind, frame.timestamp, frame.nonce);
    let ok = false;
    try {
      ok = ed25519.verify(frame.signature, signedBytes(header, frame.body), peer.signingPublicKey, {
        zip215: false,
      });
    } catch {
      ok = false;
    }
    if (!ok) {
      reject('bad-signature', 'signature does not verify', claimed, undefined, 'SIGNATURE_INVALID');
    }
    // From here on the signer is authenticated: failures are its fault, except replays.
    const stale = this.window.check(
      claimed,
      outer.sessionId,
      frame.nonce,
      frame.timestamp,
      this.now(),
    );
    if (stale) {
      reject(
        stale,
        stale === 'replay' ? 'message was already received' : 'timestamp outside the replay window',
        claimed,
        undefined,
        'UNEXPECTED_MESSAGE',
      );
    }
    let plain: Uint8Array;
    if (frame.kind === KIND_DIRECT) {
      try {
        plain = xchacha20poly1305(this.pairKey(peer), frame.nonce, header).decrypt(frame.body);
      } catch {
        return reject('decrypt-failed', 'payload did not decrypt', claimed, claimed);
      }
    } else {
      plain = frame.body.slice();
    }
    let inner: Envelope;
    try {
      inner = decodeEnvelope(plain, { maxBytes: this.maxInner });
    } catch (e) {
      return reject(
        'malformed',
        `inner envelope: ${e instanceof VerifyError ? e.shortMessage : 'undecodable'}`,
        claimed,
        claimed,
        e instanceof VerifyError ? e.code : 'MALFORMED',
      );
    }
    if (inner.from !== claimed) {
      reject(
        'sender-mismatch',
        'signer differs from the envelope sender',
        claimed,
        claimed,
        'UNEXPECTED_MESSAGE',
      );
    }
    const same =
      inner.protocol === outer.protocol &&
      inner.sessionId === outer.sessionId &&
      inner.round === outer.round &&
      inner.type === outer.type &&
      (frame.kind === KIND_DIRECT ? inner.to.includes(this.self) : inner.to.length === 0);
    if (!same) {
      reject(
        'mismatch',
        'inner envelope routing differs from the signed header',
        claimed,
        claimed,
        'UNEXPECTED_MESSAGE',
      );
    }
    return { bytes: plain, from: claimed, sessionId: outer.sessionId };
  }

  // ---------------------------------------------------------------- close

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const sub of this.subs.values()) sub.off();
    this.subs.clear();
    for (const { key } of this.pairKeys.values()) zeroize(key);
    this.pairKeys.clear();
    this.window.clear();
    zeroize(this.signingSecretKey, this.exchangeSecretKey);
    this.closing = this.opts.closeTransport === false ? Promise.resolve() : this.transport.close();
    return this.closing;
  }
}

/**
 * Wraps a transport into a secure channel: every envelope is signed with this node's Ed25519
 * key, point-to-point payloads are encrypted (X25519 + XChaCha20-Poly1305), and inbound
 * messages are delivered only after every check passed, with `from` = the verified signer.
 * Refused messages go to `onReject`; nothing remote can make it throw.
 *
 * @example
 * ```ts
 * const hub = createMemoryHub();
 * const ids = ['a', 'b', 'c'].map(generateIdentity);
 * const directory = createKeyDirectory(ids.map(publicIdentityOf));
 * const channels = ids.map((identity) =>
 *   createSecureChannel(hub.connect(identity.partyId), {
 *     identity,
 *     directory,
 *     context: 'prod-eu-1',
 *     onReject: (r) => log.warn({ reason: r.reason, culprits: r.error.culprits }),
 *   }),
 * );
 * ```
 */
export function createSecureChannel(
  transport: Transport,
  opts: SecureChannelOptions,
): SecureChannel {
  return new Channel(transport, opts);
}
