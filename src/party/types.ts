/**
 * The contract between the sans-IO party engine and a protocol (DESIGN.md "The Party contract").
 *
 * A protocol is plain data plus pure-ish functions: a {@link ProtocolDef} with a `start` that
 * produces the round-1 messages, and one {@link RoundDef} per round that says which messages
 * arrive in that round, how to decode and verify each one, and what to do once all have
 * arrived. The engine ({@link createParty}) does all the routing, deduplication, equivocation
 * and echo-broadcast checks, buffering, blame and snapshots, so a round file only contains
 * protocol logic.
 *
 * ## Writing a round
 *
 * Round `r` is described by `rounds[r - 1]`. Its `messages` list what **each expected sender**
 * sends to this party in round `r` (one message per sender per type). Round 1's messages are
 * the ones `start` produced on every party; round `r + 1`'s are the ones `rounds[r - 1].finalize`
 * produced.
 *
 * ```ts
 * const round2: RoundDef<State, Output> = {
 *   messages: [{ type: 'reveal', broadcast: true }, { type: 'share', broadcast: false }],
 *   // cheap, strict parsing with caps; throw VerifyError (never a TypeError)
 *   decode: (type, payload) => (type === 'reveal' ? decodeReveal(payload) : decodeShare(payload)),
 *   // pure, may be expensive (proofs); throw VerifyError
 *   verify: (type, msg, from, state) => { if (type === 'reveal') verifyReveal(msg, state.commits.get(from)); },
 *   // runs once, when every expected sender's messages have been stored
 *   finalize: (state, inbox, ctx) => {
 *     const reveals = inbox.all<Reveal>('reveal');        // Map sender -> message, sorted by sender
 *     const next = { ...state, sum: add(reveals) };
 *     return { state: next, outgoing: [{ type: 'confirm', payload: encode(next.sum) }] };
 *   },
 * };
 * ```
 *
 * Rules for protocol authors:
 * - `decode` and `verify` must not mutate `state` and must be deterministic: the engine re-runs
 *   `decode` (not `verify`) when it restores a snapshot.
 * - Throw {@link VerifyError} from `decode`/`verify` for bad data; the engine converts it into a
 *   {@link PeerError} naming the sender. Any other error thrown there (a `TypeError` from a
 *   sloppy decoder) also becomes a `PeerError` (`MALFORMED`), so the honest party never crashes.
 * - In `finalize`, cross-party checks throw {@link PeerError} with the culprits. Anything else
 *   that escapes `finalize` aborts the party with a {@link LocalError} `INTERNAL` (a bug), naming
 *   nobody, so validate untrusted data in `decode`/`verify`.
 * - Randomness is drawn only in `start` and `finalize`. The engine never re-runs either for a
 *   round whose messages were already produced, including after `restoreParty`.
 * - State must be encodable by {@link encodeValue} (plain objects, arrays, Map, Set, bigint,
 *   Uint8Array, ...) or the protocol must provide a `stateCodec`.
 * - The last round's `finalize` returns `output`; earlier rounds return `outgoing` for the next.
 * @module
 */
import type { MpcError } from '../errors.js';
import type { Envelope } from '../wire/envelope.js';

/** Status of a party: `idle` before `start`, then `waiting`, and finally `done` or `aborted`. */
export type PartyStatus = 'idle' | 'waiting' | 'done' | 'aborted';

/**
 * What a party reports after `start` and after every `handle`.
 *
 * @example
 * ```ts
 * let step = party.start();
 * for (const env of step.outgoing) transport.send(encodeEnvelope(env));
 * // ... on each incoming message:
 * step = party.handle(bytes, { from: authenticatedSender });
 * if (step.status === 'aborted') blame(step.error);
 * if (step.status === 'done') use(step.output);
 * ```
 */
export interface Step<O> {
  /** `waiting` for messages, `done` with `output`, or `aborted` with `error`. */
  readonly status: 'waiting' | 'done' | 'aborted';
  /** The round whose messages the party is collecting (the last round when done or aborted). */
  readonly round: number;
  /**
   * Envelopes produced by this call, to send now: an empty `to` means every other party of
   * {@link Party.parties} (see {@link recipientsOf}). Empty for duplicates, buffered and rejected
   * messages. Persist a {@link Party.snapshot} before sending them. An `aborted` step can still
   * carry envelopes: those of a round this call completed (a complete, valid round) before a
   * later buffered message failed its check. Send them, so the other honest parties reach the
   * failing message and blame its sender themselves.
   */
  readonly outgoing: readonly Envelope[];
  /** Expected senders of the current round whose messages are still missing (sorted). */
  readonly waitingFor: readonly string[];
  /** The protocol output, once `done`. */
  readonly output?: O;
  /**
   * Why the party aborted: a {@link PeerError} naming the culprits, or a {@link LocalError}
   * `INTERNAL` when the protocol code itself failed.
   */
  readonly error?: MpcError;
  /**
   * Set when this call's message was dropped without changing anything (not fatal): it was for
   * another session or protocol (a replay), from a non-member or from this party itself (a
   * loopback), addressed to other parties, undecodable without an authenticated sender, or did
   * not fit the buffer. Log it; the session goes on.
   */
  readonly rejected?: MpcError;
}

/** Options of {@link Party.handle}. */
export interface HandleOptions {
  /**
   * The sender as authenticated by the transport (its identity key). When given, the envelope's
   * `from` must equal it, and an undecodable envelope is blamed on it. Runners should always
   * pass it: without it, undecodable bytes can only be dropped.
   */
  readonly from?: string;
}

/**
 * A sans-IO protocol party: feed it bytes, get envelopes to send. It never does I/O, never
 * blocks and never throws on remote input (misbehaviour aborts the party with a
 * {@link PeerError} in {@link Step.error}). It throws {@link LocalError} only on caller misuse.
 *
 * @example
 * ```ts
 * const party = createParty(def, { self: 'a', parties: ['a', 'b', 'c'], sessionId }, input);
 * let step = party.start();
 * await store.put(sessionId, party.snapshot());   // persist before sending
 * send(step.outgoing);
 * ```
 */
export interface Party<O> {
  /** Protocol name, e.g. `ecdsa-keygen`. */
  readonly protocol: string;
  /** Session id. */
  readonly sessionId: string;
  /** This party's id. */
  readonly self: string;
  /** All party ids of the session, in session order. */
  readonly parties: readonly string[];
  /** Current status. */
  readonly status: PartyStatus;
  /** Current round (0 before `start`). */
  readonly round: number;
  /**
   * Runs the protocol's `start` and returns the round-1 messages. Throws {@link LocalError}
   * `INVALID_STATE` when called twice (or on a restored party).
   */
  start(): Step<O>;
  /**
   * Processes one incoming envelope (bytes from the transport, or a decoded {@link Envelope}).
   * Idempotent for an exact duplicate. Throws {@link LocalError} `INVALID_STATE` before `start`;
   * after `done` or `aborted` it returns the final step again without doing anything.
   */
  handle(msg: Uint8Array | Envelope, opts?: HandleOptions): Step<O>;
  /** The current step, with empty `outgoing`. */
  current(): Step<O>;
  /**
   * Every envelope this party has sent so far (optionally only one round's, or only those a
   * given party should receive), so a runner can resend them after a timeout or a restart.
   * Peers ignore exact duplicates.
   */
  sent(filter?: { round?: number; to?: string }): Envelope[];
  /**
   * A versioned JSON snapshot ({@link PartySnapshot}) from which {@link restoreParty} resumes
   * exactly. It contains secrets: stores must encrypt it. Throws {@link LocalError}
   * `INVALID_STATE` before `start`.
   */
  snapshot(): string;
}

/** A message produced by `start` or `finalize`, for the next round. */
export interface OutMsg {
  /** Message type; must be declared in the next round's `messages`. */
  readonly type: string;
  /** Protocol message bytes. */
  readonly payload: Uint8Array;
  /** Recipient of a point-to-point message; omit for a broadcast type. */
  readonly to?: string;
}

/** Read-only facts about the session, passed to every protocol hook. */
export interface RoundContext {
  /** Protocol name. */
  readonly protocol: string;
  /** Session id. */
  readonly sessionId: string;
  /** This party's id. */
  readonly self: string;
  /** All party ids, in session order. */
  readonly parties: readonly string[];
  /** All party ids except `self`, sorted. */
  readonly others: readonly string[];
  /** The round being processed (1 in `start`, `r` in `rounds[r - 1]` hooks). */
  readonly round: number;
}

/** A message slot of a round. */
export interface MessageSpec {
  /** Message type, `[A-Za-z0-9._/-]{1,64}`; unique within the round. */
  readonly type: string;
  /** Whether it is broadcast (envelope `to` empty) or point-to-point (`to` names this party). */
  readonly broadcast: boolean;
}

/** The decoded messages of a complete round, as `finalize` sees them. */
export interface Inbox {
  /** The round. */
  readonly round: number;
  /** The senders this round expected (all of them delivered), sorted. */
  readonly senders: readonly string[];
  /** The decoded message of `type` from `from`. Throws {@link LocalError} `INTERNAL` if absent. */
  get<M = unknown>(type: string, from: string): M;
  /** Every decoded message of `type`, keyed by sender, in sorted sender order. */
  all<M = unknown>(type: string): ReadonlyMap<string, M>;
  /** The raw payload bytes of a message (e.g. to hash into a transcript). */
  payload(type: string, from: string): Uint8Array;
}

/** What `start` returns. */
export interface StartResult<S> {
  /** Initial protocol state. */
  readonly state: S;
  /** Round-1 messages. */
  readonly outgoing: readonly OutMsg[];
}

/** What a round's `finalize` returns. */
export interface RoundResult<S, O> {
  /** The new state. */
  readonly state: S;
  /** Messages of the next round (empty or absent when returning `output`). */
  readonly outgoing?: readonly OutMsg[];
  /** The protocol output; only the last round returns it. */
  readonly output?: O;
}

/**
 * One round: the messages this party receives in it, and how to process them.
 * See the module documentation for a complete example.
 */
export interface RoundDef<S, O> {
  /** The messages each expected sender sends this party in this round. */
  readonly messages: readonly MessageSpec[];
  /**
   * Who sends in this round (default: every other party). Must not contain `self`. Computed
   * once, when the round starts, from the state left by the previous round.
   */
  senders?(state: S, ctx: RoundContext): readonly string[];
  /**
   * Parses a payload strictly: caps byte lengths before arithmetic, requires exact array
   * lengths. Throws {@link VerifyError}. Must not mutate `state`; deterministic.
   */
  decode(type: string, payload: Uint8Array, from: string, state: S, ctx: RoundContext): unknown;
  /**
   * Checks a decoded message on its own (proofs, ranges). Pure; throws {@link VerifyError}.
   * A rejected message is not stored, and the party aborts naming `from`.
   */
  verify?(type: string, msg: unknown, from: string, state: S, ctx: RoundContext): void;
  /**
   * Runs once, when every expected sender's messages of this round are stored. Returns the new
   * state and the next round's messages, or (last round only) the output. Cross-party checks
   * throw {@link PeerError} naming the culprits.
   */
  finalize(state: S, inbox: Inbox, ctx: RoundContext): RoundResult<S, O>;
  /**
   * Echo-check this round's broadcasts (default `true` when the round has a broadcast type).
   * Every envelope of the next round then carries a digest of this round's broadcasts as its
   * sender saw them, and receivers abort on a mismatch. Set `false` when the parties of this
   * round and the next do not all see the same broadcasts (e.g. different committees).
   */
  readonly echo?: boolean;
}

/** Converts a value to and from data that {@link encodeValue} accepts. */
export interface ValueCodec<T> {
  /** To encodable data (plain objects, arrays, Map, Set, bigint, Uint8Array, ...). */
  encode(value: T): unknown;
  /** Back from that data. */
  decode(data: unknown): T;
}

/**
 * A protocol the engine can run: its name, its `start`, and its rounds.
 *
 * @typeParam S - protocol state (serializable, see {@link ValueCodec})
 * @typeParam O - output of the last round
 * @typeParam I - input given to {@link createParty} and passed to `start` (never snapshotted)
 *
 * @example
 * ```ts
 * export const sumDef: ProtocolDef<SumState, bigint, { secret: bigint }> = {
 *   protocol: 'example-sum',
 *   rounds: [round1, round2],
 *   start: (input, ctx) => ({ state: { x: input.secret }, outgoing: [{ type: 'commit', payload }] }),
 *   confirmFinalRound: true,
 * };
 * const party = createParty(sumDef, { self, parties, sessionId }, { secret: 5n });
 * ```
 */
export interface ProtocolDef<S, O, I = void> {
  /** Protocol name, `[a-z0-9][a-z0-9._/-]{0,63}`; also the registry key of {@link restoreParty}. */
  readonly protocol: string;
  /** Version of the state layout; a snapshot with another version is refused. Default 1. */
  readonly version?: number;
  /** `rounds[r - 1]` describes round `r`. At least one. */
  readonly rounds: readonly RoundDef<S, O>[];
  /**
   * Validates `input`, draws the first randomness and produces round-1 messages. Throw
   * {@link LocalError} on bad input. Runs once per party, at {@link Party.start}.
   */
  start(input: I, ctx: RoundContext): StartResult<S>;
  /**
   * Echo-check the last round's broadcasts before releasing the output. The engine adds one
   * round in which every party broadcasts an empty `echo-confirm` message carrying its echo of
   * the last round, and reports `done` only when all of them match. Without it, the last round's
   * broadcasts are not echo-checked (echoes ride on the next round's messages).
   */
  readonly confirmFinalRound?: boolean;
  /** Custom state serialization (e.g. for class instances). Default: identity. */
  readonly stateCodec?: ValueCodec<S>;
  /** Custom output serialization, used for `done` snapshots. Default: identity. */
  readonly outputCodec?: ValueCodec<O>;
}

/** A {@link ProtocolDef} of any state, output and input types, as the registry holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds protocols of any state type
export type AnyProtocolDef = ProtocolDef<any, any, any>;

/** Buffer and size limits of a party. All have safe defaults. */
export interface PartyLimits {
  /** Cap on an incoming or outgoing envelope, in bytes. Default 4 MiB. */
  readonly maxEnvelopeBytes?: number;
  /**
   * Most future-round messages buffered from one sender. Default 16. Beyond it the party
   * aborts with {@link PeerError} `OVERSIZED` naming the sender (honest parties are never more
   * than a round or two ahead).
   */
  readonly maxBufferedPerSender?: number;
  /** Most future-round bytes buffered from one sender. Default 16 MiB; beyond it: as above. */
  readonly maxBufferedBytesPerSender?: number;
  /**
   * Most future-round bytes buffered in total. Default 64 MiB. Beyond it the message is dropped
   * (`Step.rejected`, not fatal); the sender's runner resends it later.
   */
  readonly maxBufferedBytes?: number;
}

/** Options of {@link createParty}. */
export interface PartyOptions {
  /** This party's id; must be in `parties`. */
  readonly self: string;
  /** All party ids of the session (2..256, unique, printable ASCII). Order is kept. */
  readonly parties: readonly string[];
  /** Session id, unique per session (a reused id lets old messages replay). */
  readonly sessionId: string;
  /** Buffer and size limits. */
  readonly limits?: PartyLimits;
}

/**
 * The JSON layout of a snapshot (`JSON.parse(party.snapshot())`). Byte fields are base64 of
 * canonical envelope bytes; `state` and `output` are {@link encodeValue} data.
 */
export interface PartySnapshot {
  /** Always `mpc-tss/party`. */
  readonly format: 'mpc-tss/party';
  /** Snapshot layout version, 1. */
  readonly v: 1;
  /** Protocol name. */
  readonly protocol: string;
  /** {@link ProtocolDef.version}. */
  readonly protocolVersion: number;
  /** Session id. */
  readonly sessionId: string;
  /** This party. */
  readonly self: string;
  /** All parties, in session order. */
  readonly parties: string[];
  /** Limits in force. */
  readonly limits: Required<PartyLimits>;
  /** `waiting`, `done` or `aborted`. */
  readonly status: 'waiting' | 'done' | 'aborted';
  /** Current round. */
  readonly round: number;
  /** Protocol state (absent once done or aborted). */
  readonly state?: unknown;
  /** Pending output held until the confirmation round completes. */
  readonly pendingOutput?: unknown;
  /** Output, when done. */
  readonly output?: unknown;
  /** Envelopes accepted in the current round (base64), re-decoded on restore. */
  readonly inbox: string[];
  /** Buffered future-round envelopes (base64). */
  readonly buffer: string[];
  /** Digests of every accepted envelope: `[round, type, from, sha256 hex]`. */
  readonly seen: [number, string, string, string][];
  /** Every envelope this party sent (base64). */
  readonly sent: string[];
  /** This party's echo digests: `[round, hex]`. */
  readonly echoes: [number, string][];
  /** Why the party aborted. */
  readonly error?: {
    kind: 'PeerError' | 'LocalError';
    code: string;
    message: string;
    culprits: string[];
    round?: number;
  };
}
