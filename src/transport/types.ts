/**
 * The transport contract (DESIGN.md "Transport and sessions"): how envelopes produced by a
 * {@link Party} reach the other parties of a session.
 *
 * A transport moves encoded {@link Envelope}s between party ids. It knows nothing about
 * protocols: it routes on the envelope's `sessionId` (which subscription receives it) and `to`
 * (who receives it; empty means broadcast). A runner drives a party with it:
 *
 * ```ts
 * const off = transport.subscribe(sessionId, ({ bytes, from }) => {
 *   const step = party.handle(bytes, { from }); // `from` is the authenticated sender
 *   for (const env of step.outgoing) void transport.send(env, { recipients: party.parties });
 * });
 * for (const env of party.start().outgoing) await transport.send(env, { recipients: party.parties });
 * ```
 *
 * ## Delivery semantics
 *
 * Every implementation in mpc-tss (and every third-party one) promises only this:
 * - **At least once, or not at all.** A message may be delivered twice (after a reconnect, or
 *   when a runner resends after a timeout). Parties ignore exact duplicates, so this is harmless.
 *   A message may also be lost (a peer that is down for good); runners time out, resend from
 *   {@link Party.sent} and finally blame the silent parties.
 * - **No ordering.** Messages of a later round may overtake earlier ones; parties buffer
 *   future-round messages.
 * - **Authenticated sender.** {@link InboundMessage.from} is the sender as this transport
 *   authenticated it. How strong that is depends on the transport: the in-memory hub knows its
 *   endpoints, a gRPC stream only knows what the dialer claimed (unless mutual TLS binds it to a
 *   certificate), and the secure channel ({@link createSecureChannel}) verifies an Ed25519
 *   signature on every envelope. Run protocols over the secure channel in production.
 * - **Early messages are kept.** Messages for a session nobody subscribed to yet are held in a
 *   bounded buffer (see {@link PendingLimits}) and delivered on `subscribe`, so a party that
 *   starts a little later than its peers loses nothing.
 * - **Handlers never crash the transport.** An exception (or rejected promise) thrown by a
 *   handler is caught and reported through the transport's `onError` hook.
 * @module
 */
import type { MpcError } from '../errors.js';
import { DEFAULT_MAX_ENVELOPE_BYTES, type Envelope } from '../wire/envelope.js';

/**
 * Default cap on an envelope a transport carries: the party's 4 MiB cap plus 64 KiB, so an
 * envelope wrapped by the secure channel (a header and a signature more) still fits.
 */
export const TRANSPORT_MAX_ENVELOPE_BYTES = DEFAULT_MAX_ENVELOPE_BYTES + 64 * 1024;

/** A message delivered to a {@link MessageHandler}. */
export interface InboundMessage {
  /** The encoded envelope, byte for byte as the sending party produced it. */
  readonly bytes: Uint8Array;
  /**
   * The sender as authenticated by the transport. Pass it to `party.handle(bytes, { from })` so
   * the party rejects an envelope whose `from` differs, and blames the right party for garbage.
   */
  readonly from: string;
  /** The session the envelope belongs to (the subscription it was routed to). */
  readonly sessionId: string;
}

/**
 * Receives the messages of one session. May be async; a thrown error or rejected promise is
 * reported through the transport's `onError` hook and never stops delivery.
 */
export type MessageHandler = (message: InboundMessage) => void | Promise<void>;

/** Cancels a subscription. Idempotent. */
export type Unsubscribe = () => void;

/** Options of {@link Transport.send}. */
export interface SendOptions {
  /**
   * For a broadcast (empty `to`), the parties to deliver it to, usually `party.parties`; the
   * sender itself is skipped. Without it a broadcast goes to every peer the transport knows,
   * and peers outside the session drop it. Ignored for point-to-point envelopes.
   */
  readonly recipients?: readonly string[];
}

/**
 * Moves envelopes between the parties of sessions.
 *
 * Implementations in mpc-tss: {@link createMemoryHub} (tests, one process),
 * {@link createSecureChannel} (signing and encryption on top of any transport), and
 * `createGrpcTransport` in `mpc-tss/grpc`. The module documentation above states the delivery
 * semantics every implementation follows.
 *
 * @example
 * ```ts
 * const hub = createMemoryHub();
 * const alice = hub.connect('alice');
 * const bob = hub.connect('bob');
 * bob.subscribe('s-1', ({ bytes, from }) => console.log(from, decodeEnvelope(bytes).type));
 * await alice.send({
 *   version: 1, protocol: 'demo', sessionId: 's-1', round: 1, type: 'hello',
 *   from: 'alice', to: ['bob'], payload: new Uint8Array([1]),
 * });
 * await hub.close();
 * ```
 */
export interface Transport {
  /** This node's party id: the `from` of every envelope it sends. */
  readonly self: string;
  /**
   * Queues an envelope for delivery: to each party of `envelope.to`, or for a broadcast (empty
   * `to`) to `opts.recipients` (default: every known peer), never back to the sender. Resolves
   * once the envelope is accepted (not when it is delivered).
   *
   * Rejects with a `LocalError`: `INVALID_ARGUMENT` when `envelope.from` is not
   * {@link Transport.self} or the envelope is malformed or too large, `INVALID_STATE` after
   * `close`, `TRANSPORT_ERROR` when the transport cannot take it (e.g. a full send queue).
   */
  send(envelope: Envelope, opts?: SendOptions): Promise<void>;
  /**
   * Calls `handler` for every envelope of `sessionId` addressed to this node, including those
   * that arrived before the call (held in a bounded buffer). Several handlers may subscribe to
   * the same session; each gets every message.
   */
  subscribe(sessionId: string, handler: MessageHandler): Unsubscribe;
  /**
   * Stops the transport: refuses new sends, delivers (or gives up on, after a timeout) what is
   * queued, releases connections and timers, and drops subscriptions. Idempotent.
   */
  close(): Promise<void>;
}

/** Counters every mpc-tss transport keeps (benchmarks report bytes on the wire). */
export interface TransportStats {
  /** Envelopes sent, counted once per recipient. */
  readonly messagesSent: number;
  /** Encoded bytes sent, counted once per recipient. */
  readonly bytesSent: number;
  /** Envelopes received (before duplicates are removed by the party). */
  readonly messagesReceived: number;
  /** Encoded bytes received. */
  readonly bytesReceived: number;
  /** Messages dropped: undeliverable, evicted from a buffer, malformed or rejected. */
  readonly dropped: number;
  /** Errors reported through `onError` (including handler exceptions). */
  readonly errors: number;
}

/** Receives non-fatal transport errors (handler exceptions, dropped or malformed messages). */
export type TransportErrorHandler = (error: MpcError) => void;

/**
 * Bounds on messages held for sessions nobody has subscribed to yet. When a bound is hit the
 * oldest held message is dropped (and reported through `onError`).
 */
export interface PendingLimits {
  /** Most sessions with held messages. Default 1024. */
  readonly maxSessions?: number;
  /** Most messages held per session. Default 1024. */
  readonly maxPerSession?: number;
  /** Most bytes held in total. Default 64 MiB. */
  readonly maxBytes?: number;
  /** How long a message is held, in milliseconds. Default 120 000 (2 minutes). */
  readonly ttlMs?: number;
}
