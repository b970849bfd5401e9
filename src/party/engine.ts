/**
 * The sans-IO party engine: runs any {@link ProtocolDef} (DESIGN.md "The Party contract",
 * SECURITY.md items 13 and 14).
 *
 * `handle` checks every incoming envelope in this order:
 * 1. decode strictly (size cap first, canonical protobuf, field shapes);
 * 2. `from` equals the transport-authenticated sender, when the runner passes one;
 * 3. protocol and `sessionId` match (else dropped: `WRONG_SESSION`, a replay);
 * 4. the sender is a member and not this party (else dropped: `NOT_A_MEMBER`);
 * 5. the envelope is a broadcast or is addressed to this party (else dropped);
 * 6. `(round, type)` exists and its broadcast flag matches (else abort `UNEXPECTED_MESSAGE`);
 * 7. keyed by `(round, type, sender)`: an exact duplicate is ignored, a differing one is
 *    equivocation (abort `EQUIVOCATION` naming the sender), even across rounds;
 * 8. a future-round message is buffered raw (bounded per sender and in total) and processed
 *    when its round comes; a past-round message that is not a duplicate aborts;
 * 9. for the current round: the sender is expected, the echo matches ours
 *    (`CONSISTENCY_CHECK_FAILED`), then `decode` and `verify`; only then the message is stored;
 * 10. once the round is complete, `finalize` runs and the next round's messages go out.
 *
 * "Dropped" inputs are reported in `Step.rejected` and change nothing: they are what a network
 * attacker can produce without any party's key (replays, misrouted and loopback messages), so
 * they must not abort the session or frame an honest party. Everything a member sends into this
 * session that fails a check aborts the party with a {@link PeerError} naming that member.
 *
 * Echo broadcast: when round r has broadcast messages (and `echo` is not disabled), every
 * envelope of round r + 1 carries `echo` = SHA-512/256 over the round-r broadcasts this party
 * saw, its own included, sorted by (sender, type). A receiver compares it with its own digest
 * and aborts naming the envelope's sender on a mismatch. The culprit named is the party whose
 * view differs; the real equivocator may be a third party, but every honest party aborts. The
 * check rides on the next round, so round r's broadcasts are used in `finalize(r)` before they
 * are confirmed, and the last round's broadcasts are only checked when the protocol sets
 * `confirmFinalRound`.
 * @module
 */
import { LocalError, type MpcError, PeerError, VerifyError } from '../errors.js';
import { sha256 } from '../hash/digest.js';
import { hashItems, type TranscriptValue } from '../hash/transcript.js';
import { bytesToHex, hexToBytes } from '../math/bigint.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  ENVELOPE_VERSION,
  type Envelope,
  encodeEnvelope,
  isValidId,
  isValidMessageType,
  isValidProtocolName,
  MAX_ROUND,
} from '../wire/envelope.js';
import { decodeValue, encodeValue } from './codec.js';
import type {
  AnyProtocolDef,
  HandleOptions,
  Inbox,
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
  Step,
} from './types.js';

/** Type of the message of the confirmation round added by `confirmFinalRound`. */
export const ECHO_CONFIRM_TYPE = 'echo-confirm';
/** Most parties in a session. */
export const MAX_PARTIES = 256;

const DEFAULT_LIMITS: Required<PartyLimits> = {
  maxEnvelopeBytes: DEFAULT_MAX_ENVELOPE_BYTES,
  maxBufferedPerSender: 16,
  maxBufferedBytesPerSender: 16 * 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
};

const registry = new Map<string, AnyProtocolDef>();

/**
 * Registers a protocol so {@link restoreParty} can find it by name. Registering the same
 * definition twice is a no-op; a different definition under a taken name throws
 * {@link LocalError} `INVALID_ARGUMENT`.
 *
 * The package is side-effect free, so protocol modules do not register themselves on import:
 * call this at startup, or pass the definition to `restoreParty` directly.
 *
 * @example
 * ```ts
 * registerProtocol(keygenDef);
 * const party = restoreParty(await sessionStore.get(id));
 * ```
 */
export function registerProtocol(def: AnyProtocolDef): void {
  checkDef(def);
  const prev = registry.get(def.protocol);
  if (prev !== undefined && prev !== def) {
    throw new LocalError('INVALID_ARGUMENT', `protocol "${def.protocol}" is already registered`);
  }
  registry.set(def.protocol, def);
}

function checkDef(def: AnyProtocolDef): void {
  if (typeof def !== 'object' || def === null) {
    throw new LocalError('INVALID_ARGUMENT', 'protocol definition must be an object');
  }
  if (!isValidProtocolName(def.protocol)) {
    throw new LocalError('INVALID_ARGUMENT', '"protocol" must match [a-z0-9][a-z0-9._/-]{0,63}');
  }
  if (typeof def.start !== 'function') {
    throw new LocalError('INVALID_ARGUMENT', '"start" must be a function');
  }
  if (!Array.isArray(def.rounds) || def.rounds.length === 0) {
    throw new LocalError('INVALID_ARGUMENT', '"rounds" must be a non-empty array');
  }
  const total = def.rounds.length + (def.confirmFinalRound ? 1 : 0);
  if (total > MAX_ROUND) throw new LocalError('INVALID_ARGUMENT', 'too many rounds');
  if (def.version !== undefined && !(Number.isSafeInteger(def.version) && def.version >= 1)) {
    throw new LocalError('INVALID_ARGUMENT', '"version" must be a positive integer');
  }
  def.rounds.forEach((rd, i) => {
    if (typeof rd?.decode !== 'function' || typeof rd.finalize !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', `round ${i + 1} needs decode and finalize`);
    }
    if (!Array.isArray(rd.messages)) {
      throw new LocalError('INVALID_ARGUMENT', `round ${i + 1} "messages" must be an array`);
    }
    const types = new Set<string>();
    for (const m of rd.messages) {
      if (!isValidMessageType(m?.type) || typeof m.broadcast !== 'boolean' || types.has(m.type)) {
        throw new LocalError('INVALID_ARGUMENT', `round ${i + 1} has an invalid or duplicate type`);
      }
      types.add(m.type);
    }
  });
}

function checkLimits(l: PartyLimits | undefined): Required<PartyLimits> {
  const out = { ...DEFAULT_LIMITS, ...(l ?? {}) };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new LocalError('INVALID_ARGUMENT', `limit "${k}" must be a positive integer`);
    }
  }
  return out;
}

/**
 * Creates a party that runs `def`. Nothing happens until {@link Party.start}. `input` is
 * handed to `def.start` (it may be omitted when the protocol takes no input); it is never
 * snapshotted. Throws {@link LocalError} `INVALID_ARGUMENT` on bad options or a bad definition.
 *
 * @example
 * ```ts
 * const party = createParty(sumDef, { self: 'a', parties: ['a', 'b', 'c'], sessionId: 's1' }, 7n);
 * let step = party.start();
 * ```
 */
export function createParty<S, O, I>(
  def: ProtocolDef<S, O, I>,
  opts: PartyOptions,
  ...input: undefined extends I ? [input?: I] : [input: I]
): Party<O> {
  checkDef(def);
  if (typeof opts !== 'object' || opts === null) {
    throw new LocalError('INVALID_ARGUMENT', 'party options must be an object');
  }
  if (!isValidId(opts.sessionId)) {
    throw new LocalError('INVALID_ARGUMENT', '"sessionId" must be 1..128 printable ASCII chars');
  }
  if (!Array.isArray(opts.parties) || opts.parties.length < 2) {
    throw new LocalError('INVALID_ARGUMENT', '"parties" must list at least 2 parties');
  }
  if (opts.parties.length > MAX_PARTIES) {
    throw new LocalError('INVALID_ARGUMENT', `"parties" may list at most ${MAX_PARTIES} parties`);
  }
  for (const p of opts.parties) {
    if (!isValidId(p)) {
      throw new LocalError('INVALID_ARGUMENT', 'party ids must be 1..128 printable ASCII chars');
    }
  }
  if (new Set(opts.parties).size !== opts.parties.length) {
    throw new LocalError('INVALID_ARGUMENT', '"parties" holds a duplicate id');
  }
  if (!opts.parties.includes(opts.self)) {
    throw new LocalError('INVALID_ARGUMENT', '"self" must be one of "parties"');
  }
  const engine = new Engine<S, O, I>(
    def,
    opts.self,
    opts.parties,
    opts.sessionId,
    checkLimits(opts.limits),
  );
  engine.input = { value: input[0] as I };
  return engine;
}

/**
 * Resumes a party from {@link Party.snapshot}. The protocol is found by name in the registry
 * ({@link registerProtocol}) or among `defs`. The restored party continues exactly where the
 * snapshot was taken: it does not run `start` or any `finalize` again, so it never draws new
 * randomness for a round whose messages were already produced; {@link Party.sent} returns the
 * same bytes as before.
 *
 * Throws {@link LocalError}: `STORE_CORRUPT` for a malformed snapshot, `NOT_FOUND` for an unknown
 * protocol, `UNSUPPORTED` for another snapshot or protocol version.
 *
 * @example
 * ```ts
 * const party = restoreParty<KeygenOutput>(snapshotJson, keygenDef);
 * for (const env of party.sent()) transport.send(encodeEnvelope(env)); // resend after a crash
 * ```
 */
export function restoreParty<O = unknown>(
  snapshot: string,
  defs?: AnyProtocolDef | readonly AnyProtocolDef[],
): Party<O> {
  let snap: PartySnapshot;
  try {
    snap = JSON.parse(snapshot) as PartySnapshot;
  } catch (e) {
    throw new LocalError('STORE_CORRUPT', 'snapshot is not JSON', { cause: e });
  }
  if (typeof snap !== 'object' || snap === null || snap.format !== 'mpc-tss/party') {
    throw new LocalError('STORE_CORRUPT', 'not a party snapshot');
  }
  if (snap.v !== 1) throw new LocalError('UNSUPPORTED', `snapshot version ${String(snap.v)}`);
  const list = defs === undefined ? [] : Array.isArray(defs) ? defs : [defs as AnyProtocolDef];
  const def = list.find((d) => d.protocol === snap.protocol) ?? registry.get(snap.protocol);
  if (def === undefined) {
    throw new LocalError('NOT_FOUND', `protocol "${String(snap.protocol)}" is not registered`);
  }
  checkDef(def);
  if ((def.version ?? 1) !== snap.protocolVersion) {
    throw new LocalError(
      'UNSUPPORTED',
      `snapshot has ${def.protocol} state version ${String(snap.protocolVersion)}, expected ${def.version ?? 1}`,
    );
  }
  try {
    return Engine.restore(def, snap) as Party<O>;
  } catch (e) {
    if (e instanceof LocalError && e.code === 'STORE_CORRUPT') throw e;
    throw new LocalError('STORE_CORRUPT', 'snapshot could not be restored', { cause: e });
  }
}

interface Stored {
  readonly env: Envelope;
  readonly bytes: Uint8Array;
  readonly decoded: unknown;
}

interface Buffered {
  readonly env: Envelope;
  readonly bytes: Uint8Array;
}

/** Thrown inside the engine to abort with a fatal error. */
class Abort {
  constructor(readonly error: MpcError) {}
}

/** Thrown inside the engine to drop the current input without changing state. */
class Drop {
  constructor(readonly error: MpcError) {}
}

function slotKey(round: number, type: string, from: string): string {
  return `${round}\u0000${type}\u0000${from}`;
}

function digestHex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function unb64(s: unknown): Uint8Array {
  if (typeof s !== 'string') throw new LocalError('STORE_CORRUPT', 'snapshot: expected base64');
  const buf = Buffer.from(s, 'base64');
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** A copy the caller may mutate without touching the party's records. */
function cloneEnv(e: Envelope): Envelope {
  return {
    ...e,
    to: [...e.to],
    payload: e.payload.slice(),
    ...(e.echo === undefined ? {} : { echo: e.echo.slice() }),
  };
}

function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

class Engine<S, O, I> implements Party<O> {
  readonly protocol: string;
  readonly parties: readonly string[];
  private readonly members: ReadonlySet<string>;
  private readonly others: readonly string[];
  private readonly lastRound: number;
  private readonly confirmRound: number | undefined;

  input: { value: I } | undefined;
  private _status: PartyStatus = 'idle';
  private _round = 0;
  private state: S | undefined;
  /** Current round's accepted messages, by slotKey. */
  private inbox = new Map<string, Stored>();
  /** Future rounds' messages, by slotKey. */
  private buffer = new Map<string, Buffered>();
  /** Digest of every accepted message, by slotKey. */
  private seen = new Map<string, string>();
  private sentEnvs: Envelope[] = [];
  private echoes = new Map<number, Uint8Array>();
  /** Senders expected in the current round, sorted. */
  private expected: string[] = [];
  private pendingOutput: { value: O } | undefined;
  private output: { value: O } | undefined;
  private error: MpcError | undefined;

  constructor(
    readonly def: ProtocolDef<S, O, I>,
    readonly self: string,
    parties: readonly string[],
    readonly sessionId: string,
    private readonly limits: Required<PartyLimits>,
  ) {
    this.protocol = def.protocol;
    this.parties = Object.freeze([...parties]);
    this.members = new Set(parties);
    this.others = Object.freeze(sortedIds(parties.filter((p) => p !== self)));
    this.lastRound = def.rounds.length;
    this.confirmRound = def.confirmFinalRound ? this.lastRound + 1 : undefined;
  }

  get status(): PartyStatus {
    return this._status;
  }

  get round(): number {
    return this._round;
  }

  // ---------------------------------------------------------------- public API

  start(): Step<O> {
    if (this._status !== 'idle' || this.input === undefined) {
      throw new LocalError('INVALID_STATE', 'start() may be called only once', this.errCtx());
    }
    const input = this.input.value;
    const res = this.def.start(input, this.ctx(1));
    if (typeof res !== 'object' || res === null || !Array.isArray(res.outgoing)) {
      throw new LocalError('INTERNAL', `${this.protocol}: start() must return {state, outgoing}`);
    }
    // Build the envelopes before changing any state, so a bad start leaves the party idle.
    const out = this.buildOutgoing(1, res.outgoing);
    this.input = undefined;
    this.state = res.state;
    this._status = 'waiting';
    this.sentEnvs.push(...out);
    const produced = [...out];
    try {
      this.enterRound(1);
      this.advance(produced);
    } catch (e) {
      return this.fail(e, produced);
    }
    return this.step(produced);
  }

  handle(msg: Uint8Array | Envelope, opts: HandleOptions = {}): Step<O> {
    if (this._status === 'idle') {
      throw new LocalError('INVALID_STATE', 'handle() before start()', this.errCtx());
    }
    if (this._status !== 'waiting') return this.step([]);
    const produced: Envelope[] = [];
    try {
      this.accept(msg, opts, produced);
    } catch (e) {
      if (e instanceof Drop) return { ...this.step([]), rejected: e.error };
      return this.fail(e, produced);
    }
    return this.step(produced);
  }

  current(): Step<O> {
    if (this._status === 'idle') {
      return { status: 'waiting', round: 0, outgoing: [], waitingFor: [] };
    }
    return this.step([]);
  }

  sent(filter: { round?: number; to?: string } = {}): Envelope[] {
    return this.sentEnvs
      .filter(
        (e) =>
          (filter.round === undefined || e.round === filter.round) &&
          (filter.to === undefined || e.to.length === 0 || e.to.includes(filter.to)),
      )
      .map(cloneEnv);
  }

  snapshot(): string {
    if (this._status === 'idle') {
      throw new LocalError('INVALID_STATE', 'snapshot() before start(): nothing to resume');
    }
    const def = this.def;
    const snap: PartySnapshot = {
      format: 'mpc-tss/party',
      v: 1,
      protocol: this.protocol,
      protocolVersion: def.version ?? 1,
      sessionId: this.sessionId,
      self: this.self,
      parties: [...this.parties],
      limits: { ...this.limits },
      status: this._status,
      round: this._round,
      ...(this.state !== undefined && this._status === 'waiting'
        ? { state: encodeValue(def.stateCodec ? def.stateCodec.encode(this.state) : this.state) }
        : {}),
      ...(this.pendingOutput ? { pendingOutput: this.encodeOutput(this.pendingOutput.value) } : {}),
      ...(this.output ? { output: this.encodeOutput(this.output.value) } : {}),
      inbox: [...this.inbox.values()].map((s) => b64(s.bytes)),
      buffer: [...this.buffer.values()].map((s) => b64(s.bytes)),
      seen: [...this.seen.entries()].map(([k, d]) => {
        const [r, t, f] = k.split('\u0000') as [string, string, string];
        return [Number(r), t, f, d];
      }),
      sent: this.sentEnvs.map((e) => b64(encodeEnvelope(e, this.envLimits()))),
      echoes: [...this.echoes.entries()].map(([r, d]) => [r, bytesToHex(d)]),
      ...(this.error
        ? {
            error: {
              kind: this.error instanceof PeerError ? 'PeerError' : 'LocalError',
              code: this.error.code,
              message: this.error.shortMessage,
              culprits: [...this.error.culprits],
              ...(this.error.round === undefined ? {} : { round: this.error.round }),
            },
          }
        : {}),
    };
    return JSON.stringify(snap);
  }

  static restore<S, O, I>(def: ProtocolDef<S, O, I>, snap: PartySnapshot): Engine<S, O, I> {
    const corrupt = (what: string): never => {
      throw new LocalError('STORE_CORRUPT', `snapshot: ${what}`);
    };
    if (!isValidId(snap.sessionId) || !isValidId(snap.self)) corrupt('bad ids');
    if (!Array.isArray(snap.parties) || !snap.parties.every(isValidId)) corrupt('bad parties');
    if (new Set(snap.parties).size !== snap.parties.length || !snap.parties.includes(snap.self)) {
      corrupt('bad parties');
    }
    const e = new Engine(def, snap.self, snap.parties, snap.sessionId, checkLimits(snap.limits));
    if (!['waiting', 'done', 'aborted'].includes(snap.status)) corrupt('bad status');
    const maxRound = e.confirmRound ?? e.lastRound;
    if (!Number.isSafeInteger(snap.round) || snap.round < 1 || snap.round > maxRound) {
      corrupt('bad round');
    }
    for (const k of ['inbox', 'buffer', 'seen', 'sent', 'echoes'] as const) {
      if (!Array.isArray(snap[k])) corrupt(`bad ${k}`);
    }
    e._status = snap.status;
    e._round = snap.round;
    const envLimits = e.envLimits();
    e.sentEnvs = snap.sent.map((s) => decodeEnvelope(unb64(s), envLimits));
    for (const [r, d] of snap.echoes) e.echoes.set(r, hexToBytes(d));
    for (const [r, t, f, d] of snap.seen) e.seen.set(slotKey(r, t, f), d);
    if (snap.output !== undefined) e.output = { value: e.decodeOutput(snap.output) };
    if (snap.pendingOutput !== undefined) {
      e.pendingOutput = { value: e.decodeOutput(snap.pendingOutput) };
    }
    if (snap.error !== undefined) {
      const x = snap.error;
      const opts = {
        code: x.code as MpcError['code'],
        message: x.message,
        sessionId: snap.sessionId,
        ...(x.round === undefined ? {} : { round: x.round }),
      };
      e.error =
        x.kind === 'PeerError' && x.culprits.length > 0
          ? new PeerError({ ...opts, culprits: x.culprits })
          : new LocalError(opts.code, opts.message, opts);
    }
    if (snap.status === 'waiting') {
      if (snap.state === undefined) corrupt('missing state');
      const raw = decodeValue(snap.state);
      e.state = def.stateCodec ? def.stateCodec.decode(raw) : (raw as S);
      e.enterRoundSenders(snap.round);
      for (const s of snap.inbox) {
        const bytes = unb64(s);
        const env = decodeEnvelope(bytes, envLimits);
        if (env.round !== snap.round) corrupt('inbox message of another round');
        const decoded = e
          .roundDef(env.round)
          .decode(env.type, env.payload, env.from, e.state as S, e.ctx(env.round));
        e.inbox.set(slotKey(env.round, env.type, env.from), { env, bytes, decoded });
      }
      for (const s of snap.buffer) {
        const bytes = unb64(s);
        const env = decodeEnvelope(bytes, envLimits);
        e.buffer.set(slotKey(env.round, env.type, env.from), { env, bytes });
      }
    }
    return e;
  }

  // ---------------------------------------------------------------- internals

  private errCtx(): { sessionId: string; round?: number } {
    return this._round > 0
      ? { sessionId: this.sessionId, round: this._round }
      : { sessionId: this.sessionId };
  }

  private envLimits() {
    return { maxBytes: this.limits.maxEnvelopeBytes };
  }

  private encodeOutput(o: O): unknown {
    return encodeValue(this.def.outputCodec ? this.def.outputCodec.encode(o) : o);
  }

  private decodeOutput(d: unknown): O {
    const raw = decodeValue(d);
    return this.def.outputCodec ? this.def.outputCodec.decode(raw) : (raw as O);
  }

  private ctx(round: number): RoundContext {
    return {
      protocol: this.protocol,
      sessionId: this.sessionId,
      self: this.self,
      parties: this.parties,
      others: this.others,
      round,
    };
  }

  private step(outgoing: readonly Envelope[]): Step<O> {
    const base = { round: this._round, outgoing: outgoing.map(cloneEnv) };
    if (this._status === 'aborted') {
      return { ...base, outgoing: [], status: 'aborted', waitingFor: [], error: this.error };
    }
    if (this._status === 'done') {
      return { ...base, status: 'done', waitingFor: [], output: this.output?.value as O };
    }
    return { ...base, status: 'waiting', waitingFor: this.waitingFor() };
  }

  /**
   * Turns an error thrown while processing into an aborted step.
   *
   * `produced` holds the envelopes this call had already produced (and recorded as sent) before
   * the failure, e.g. a round completed by a buffered message before a later buffered message
   * failed its check. They are still returned: they were computed from a complete, valid round,
   * exactly as if the messages had arrived one call at a time, and withholding them would leave
   * the other honest parties waiting instead of detecting the culprit themselves.
   */
  private fail(e: unknown, produced: readonly Envelope[] = []): Step<O> {
    let err: MpcError;
    if (e instanceof Abort) err = e.error;
    else if (e instanceof PeerError || e instanceof LocalError) err = e;
    else {
      err = new LocalError('INTERNAL', 'party engine failed', { ...this.errCtx(), cause: e });
    }
    this._status = 'aborted';
    this.error = err;
    // Forget everything secret; keep only what explains the abort.
    this.state = undefined;
    this.pendingOutput = undefined;
    this.inbox.clear();
    this.buffer.clear();
    return { ...this.step([]), outgoing: produced.map(cloneEnv) };
  }

  private peer(code: MpcError['code'], message: string, culprit: string, round?: number) {
    return new PeerError({
      code,
      message,
      culprits: [culprit],
      sessionId: this.sessionId,
      round: round ?? this._round,
    });
  }

  /** The definition of round `r` (including the virtual confirmation round). */
  private roundDef(r: number): RoundDef<S, O> {
    if (r === this.confirmRound) return this.confirmDef;
    const rd = this.def.rounds[r - 1];
    if (rd === undefined) throw new LocalError('INTERNAL', `no round ${r}`);
    return rd;
  }

  private readonly confirmDef: RoundDef<S, O> = {
    messages: [{ type: ECHO_CONFIRM_TYPE, broadcast: true }],
    senders: (_s, ctx) => ctx.others,
    decode: (_t, payload) => {
      if (payload.length !== 0) throw new VerifyError('MALFORMED', 'echo-confirm must be empty');
      return null;
    },
    finalize: (state) => {
      const p = this.pendingOutput;
      if (p === undefined) throw new LocalError('INTERNAL', 'no pending output');
      return { state, output: p.value };
    },
    echo: false,
  };

  private specFor(round: number, type: string): MessageSpec | undefined {
    if (round < 1 || round > (this.confirmRound ?? this.lastRound)) return undefined;
    return this.roundDef(round).messages.find((m) => m.type === type);
  }

  private echoEnabled(r: number): boolean {
    if (r < 1 || r > this.lastRound) return false;
    const rd = this.roundDef(r);
    return rd.echo !== false && rd.messages.some((m) => m.broadcast);
  }

  private waitingFor(): string[] {
    const rd = this.roundDef(this._round);
    return this.expected.filter((from) =>
      rd.messages.some((m) => !this.inbox.has(slotKey(this._round, m.type, from))),
    );
  }

  private enterRoundSenders(r: number): void {
    const rd = this.roundDef(r);
    const raw = rd.senders ? rd.senders(this.state as S, this.ctx(r)) : this.others;
    const list = sortedIds(new Set(raw));
    for (const s of list) {
      if (!this.members.has(s) || s === this.self) {
        throw new LocalError('INTERNAL', `round ${r} senders() returned an invalid party`);
      }
    }
    this.expected = list;
  }

  /** Moves to round r and processes the messages buffered for it. */
  private enterRound(r: number): void {
    this._round = r;
    this.inbox.clear();
    this.enterRoundSenders(r);
    const ready = [...this.buffer.entries()]
      .filter(([, b]) => b.env.round === r)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, b] of ready) {
      this.buffer.delete(k);
      this.store(b.env, b.bytes);
    }
  }

  /** Runs finalize for every complete round, collecting the envelopes produced. */
  private advance(produced: Envelope[]): void {
    while (this._status === 'waiting' && this.waitingFor().length === 0) {
      const r = this._round;
      if (this.echoEnabled(r)) this.echoes.set(r, this.computeEcho(r));
      const rd = this.roundDef(r);
      const inbox = this.makeInbox(r);
      let res: RoundResult<S, O>;
      try {
        res = rd.finalize(this.state as S, inbox, this.ctx(r));
      } catch (e) {
        if (e instanceof PeerError || e instanceof LocalError) throw new Abort(e);
        throw new Abort(
          new LocalError('INTERNAL', `${this.protocol} round ${r} finalize failed`, {
            sessionId: this.sessionId,
            round: r,
            cause: e,
          }),
        );
      }
      if (typeof res !== 'object' || res === null) {
        throw new LocalError('INTERNAL', `round ${r} finalize must return {state, ...}`);
      }
      if (res.output !== undefined) {
        if (r === this.lastRound && this.confirmRound !== undefined) {
          // Hold the output until every party confirms the same view of the last broadcasts.
          const confirm: OutMsg[] = [{ type: ECHO_CONFIRM_TYPE, payload: new Uint8Array(0) }];
          const out = this.buildOutgoing(this.confirmRound, confirm);
          this.state = res.state;
          this.pendingOutput = { value: res.output };
          this.sentEnvs.push(...out);
          produced.push(...out);
          this.enterRound(this.confirmRound);
          continue;
        }
        if (r !== this.lastRound && r !== this.confirmRound) {
          throw new LocalError('INTERNAL', `round ${r} returned output before the last round`);
        }
        this.output = { value: res.output };
        this.pendingOutput = undefined;
        this.state = undefined;
        this._status = 'done';
        this.inbox.clear();
        this.buffer.clear();
        return;
      }
      if (r >= this.lastRound) {
        throw new LocalError('INTERNAL', `last round ${r} finalize returned no output`);
      }
      const out = this.buildOutgoing(r + 1, res.outgoing ?? []);
      this.state = res.state;
      this.sentEnvs.push(...out);
      produced.push(...out);
      this.enterRound(r + 1);
    }
  }

  private makeInbox(r: number): Inbox {
    const get = (type: string, from: string): Stored => {
      const s = this.inbox.get(slotKey(r, type, from));
      if (s === undefined) {
        throw new LocalError('INTERNAL', `round ${r} has no "${type}" message from ${from}`);
      }
      return s;
    };
    const senders = Object.freeze([...this.expected]);
    return {
      round: r,
      senders,
      get: <M>(type: string, from: string) => get(type, from).decoded as M,
      all: <M>(type: string) => {
        const m = new Map<string, M>();
        for (const from of senders) {
          const s = this.inbox.get(slotKey(r, type, from));
          if (s !== undefined) m.set(from, s.decoded as M);
        }
        return m;
      },
      payload: (type: string, from: string) => get(type, from).env.payload,
    };
  }

  private computeEcho(r: number): Uint8Array {
    const items: [string, string, Uint8Array][] = [];
    for (const s of this.inbox.values()) {
      if (s.env.to.length === 0) items.push([s.env.from, s.env.type, s.env.payload]);
    }
    for (const e of this.sentEnvs) {
      if (e.round === r && e.to.length === 0) items.push([e.from, e.type, e.payload]);
    }
    items.sort(([fa, ta], [fb, tb]) =>
      fa < fb ? -1 : fa > fb ? 1 : ta < tb ? -1 : ta > tb ? 1 : 0,
    );
    const list: [string, TranscriptValue][] = [
      ['protocol', this.protocol],
      ['session', this.sessionId],
      ['round', r],
    ];
    for (const [from, type, payload] of items) {
      list.push(['from', from], ['type', type], ['payload', payload]);
    }
    return hashItems('mpc-tss/party/echo/v1', list);
  }

  private buildOutgoing(round: number, msgs: readonly OutMsg[]): Envelope[] {
    const echo = this.echoEnabled(round - 1) ? this.echoes.get(round - 1) : undefined;
    const seen = new Set<string>();
    const out: Envelope[] = [];
    for (const m of msgs) {
      const spec = this.specFor(round, m?.type);
      const bad: (why: string) => never = (why) => {
        throw new LocalError('INTERNAL', `${this.protocol} round ${round} message: ${why}`);
      };
      if (spec === undefined) bad(`type "${String(m?.type)}" is not declared`);
      if (!(m.payload instanceof Uint8Array)) bad('payload must be a Uint8Array');
      if (spec.broadcast !== (m.to === undefined)) {
        bad(
          `"${m.type}" is ${spec.broadcast ? 'broadcast: omit "to"' : 'point-to-point: set "to"'}`,
        );
      }
      if (m.to !== undefined && (!this.members.has(m.to) || m.to === this.self)) {
        bad('"to" must be another party of the session');
      }
      const k = `${m.type}\u0000${m.to ?? ''}`;
      if (seen.has(k)) bad(`duplicate "${m.type}" message`);
      seen.add(k);
      const env: Envelope = {
        version: ENVELOPE_VERSION,
        protocol: this.protocol,
        sessionId: this.sessionId,
        round,
        type: m.type,
        from: this.self,
        to: m.to === undefined ? [] : [m.to],
        payload: m.payload,
        ...(echo ? { echo } : {}),
      };
      // Normalize through the codec, so what we keep is exactly what peers will decode.
      out.push(decodeEnvelope(encodeEnvelope(env, this.envLimits()), this.envLimits()));
    }
    return out;
  }

  /** The full `handle` pipeline for one input. */
  private accept(msg: Uint8Array | Envelope, opts: HandleOptions, produced: Envelope[]): void {
    const auth = opts.from;
    const authIsPeer = auth !== undefined && this.members.has(auth) && auth !== this.self;
    // 1. Decode.
    let env: Envelope;
    let bytes: Uint8Array;
    try {
      bytes = msg instanceof Uint8Array ? msg : encodeEnvelope(msg, this.envLimits());
      env = decodeEnvelope(bytes, this.envLimits());
    } catch (e) {
      const ve =
        e instanceof VerifyError
          ? e
          : new VerifyError(
              e instanceof LocalError && e.shortMessage.includes('-byte cap')
                ? 'OVERSIZED'
                : 'MALFORMED',
              e instanceof LocalError ? e.shortMessage : 'envelope could not be decoded',
              { cause: e },
            );
      if (authIsPeer) throw new Abort(PeerError.from(ve, auth, this.errCtx()));
      throw new Drop(ve);
    }
    const from = env.from;
    // 2. Authenticated sender.
    if (auth !== undefined && auth !== from) {
      if (authIsPeer) {
        throw new Abort(
          this.peer('UNEXPECTED_MESSAGE', `envelope claims to be from ${from}`, auth),
        );
      }
      throw new Drop(this.peer('NOT_A_MEMBER', 'sender is not a member of the session', auth));
    }
    // 3. Session and protocol.
    if (env.sessionId !== this.sessionId || env.protocol !== this.protocol) {
      throw new Drop(
        this.peer('WRONG_SESSION', 'message belongs to another session or protocol', from),
      );
    }
    // 4. Membership.
    if (!this.members.has(from) || from === this.self) {
      throw new Drop(
        this.peer(
          'NOT_A_MEMBER',
          from === this.self ? 'message claims to be from this party' : 'sender is not a member',
          from,
        ),
      );
    }
    // 5. Recipient.
    if (env.to.length > 0 && !env.to.includes(this.self)) {
      throw new Drop(
        this.peer('UNEXPECTED_MESSAGE', 'message is addressed to other parties', from),
      );
    }
    if (env.to.some((p) => !this.members.has(p))) {
      throw new Abort(this.peer('UNEXPECTED_MESSAGE', 'recipient outside the session', from));
    }
    // 6. Round, type and broadcast flag.
    const spec = this.specFor(env.round, env.type);
    if (spec === undefined) {
      throw new Abort(
        this.peer('UNEXPECTED_MESSAGE', `round ${env.round} has no "${env.type}" message`, from),
      );
    }
    if (spec.broadcast !== (env.to.length === 0)) {
      throw new Abort(
        this.peer(
          'UNEXPECTED_MESSAGE',
          `"${env.type}" must be ${spec.broadcast ? 'broadcast' : 'point-to-point'}`,
          from,
        ),
      );
    }
    // 7. Duplicates and equivocation.
    const k = slotKey(env.round, env.type, from);
    const d = digestHex(bytes);
    const prior =
      this.seen.get(k) ?? (this.buffer.has(k) ? digestHex(this.buffer.get(k)!.bytes) : undefined);
    if (prior !== undefined) {
      if (prior === d) return; // exact duplicate: idempotent
      throw new Abort(
        this.peer('EQUIVOCATION', `two different "${env.type}" messages`, from, env.round),
      );
    }
    // 8. Past and future rounds.
    if (env.round < this._round) {
      throw new Abort(
        this.peer('UNEXPECTED_MESSAGE', `unexpected message for past round ${env.round}`, from),
      );
    }
    if (env.round > this._round) {
      this.bufferMessage(k, env, bytes);
      return;
    }
    // 9-10. Current round.
    this.store(env, bytes);
    this.advance(produced);
  }

  private bufferMessage(k: string, env: Envelope, bytes: Uint8Array): void {
    let count = 0;
    let senderBytes = 0;
    let total = 0;
    for (const b of this.buffer.values()) {
      total += b.bytes.length;
      if (b.env.from === env.from) {
        count++;
        senderBytes += b.bytes.length;
      }
    }
    if (
      count + 1 > this.limits.maxBufferedPerSender ||
      senderBytes + bytes.length > this.limits.maxBufferedBytesPerSender
    ) {
      throw new Abort(
        this.peer('OVERSIZED', 'too many buffered future-round messages', env.from, env.round),
      );
    }
    if (total + bytes.length > this.limits.maxBufferedBytes) {
      throw new Drop(
        this.peer('OVERSIZED', 'future-round buffer is full; message dropped', env.from, env.round),
      );
    }
    this.buffer.set(k, { env, bytes });
  }

  /** Checks and stores one message of the current round. Throws Abort on any failure. */
  private store(env: Envelope, bytes: Uint8Array): void {
    const r = this._round;
    const from = env.from;
    if (!this.expected.includes(from)) {
      throw new Abort(this.peer('UNEXPECTED_MESSAGE', `not a sender of round ${r}`, from));
    }
    if (this.echoEnabled(r - 1)) {
      const mine = this.echoes.get(r - 1);
      if (env.echo === undefined || mine === undefined || !bytesEqual(env.echo, mine)) {
        throw new Abort(
          this.peer(
            'CONSISTENCY_CHECK_FAILED',
            `echo of round ${r - 1} broadcasts ${env.echo === undefined ? 'is missing' : 'differs'}`,
            from,
          ),
        );
      }
    } else if (env.echo !== undefined) {
      throw new Abort(this.peer('MALFORMED', 'unexpected echo', from));
    }
    const rd = this.roundDef(r);
    const ctx = this.ctx(r);
    let decoded: unknown;
    try {
      decoded = rd.decode(env.type, env.payload, from, this.state as S, ctx);
      rd.verify?.(env.type, decoded, from, this.state as S, ctx);
    } catch (e) {
      throw new Abort(PeerError.from(e, from, { round: r, sessionId: this.sessionId }));
    }
    const k = slotKey(r, env.type, from);
    this.inbox.set(k, { env, bytes, decoded });
    this.seen.set(k, digestHex(bytes));
  }
}
