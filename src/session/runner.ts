/**
 * The runner: drives one sans-IO {@link Party} to completion over a {@link Transport}
 * (DESIGN.md "Transport and sessions").
 *
 * ```ts
 * const party = createSignParty({ self, signers, keyShare, messageHash, sessionId });
 * const signature = await runParty(party, { transport, sessionStore, timeoutMs: 30_000 });
 * ```
 *
 * What it does, in order:
 * 1. **Lock.** Takes the session store's lock for (party, session) and extends it while it runs,
 *    so two processes never drive the same party of the same session (they would draw different
 *    randomness for the same round, which peers see as equivocation). A fresh run fails at once
 *    when the lock is held; a resume waits for a crashed holder's lock to lapse.
 * 2. **Claim.** A fresh run claims the session id for this party (`claimSessionId`), so a reused
 *    id fails with `SESSION_REUSED` before anything is sent (SECURITY.md item 6: the tss-lib
 *    profile's ssid has no nonce, so reuse would let old messages replay).
 * 3. **Persist before send.** Before any envelope leaves, the party's snapshot is saved
 *    (`saveSnapshot`); store failures are retried with backoff until the deadline, and nothing is
 *    sent until the save succeeded. A crash therefore never loses a round that peers have seen:
 *    {@link resumeParty} restores the snapshot, resends what was sent, and carries on without
 *    drawing new randomness.
 * 4. **Deliver.** Inbound `{ bytes, from }` go to `party.handle(bytes, { from })` with the
 *    transport-authenticated sender. Outgoing envelopes are sent with
 *    `recipients = party.parties`.
 * 5. **Resend.** The transport delivers at least once or not at all. Every `resendIntervalMs`,
 *    the envelopes of the latest round are resent to each party we are still waiting for; and
 *    when a peer sends us a duplicate of a round we have already completed (it is behind and
 *    resending, or its resend crossed ours), it gets everything we sent it from that round on.
 *    Together these recover any lost envelope: a party stuck in round r resends its round-r
 *    envelopes, and whoever is past r answers with its own. Peers ignore exact duplicates, so
 *    resending is always safe.
 * 6. **Finish.** `done` resolves with the output (after an optional linger during which it keeps
 *    answering peers that are still behind); `aborted` rejects with the party's error (a
 *    {@link PeerError} naming the culprits); the deadline rejects with `PeerError` `TIMEOUT`
 *    naming `step.waitingFor`; the abort signal rejects with `LocalError` `CANCELLED`. On every
 *    exit the subscription, timers and abort listener are removed and the lock is released.
 *
 * The party may also be hosted elsewhere: any {@link DrivableParty} works, e.g. a party on a
 * worker thread (`createWorkerPool().createPartyFrom('createSignParty', …)`), whose methods
 * return promises; the runner calls it one call at a time.
 *
 * Without a `sessionStore` the runner keeps nothing (no lock, no claim, no snapshot): fine for
 * tests and one-shot tools, but then the caller must guarantee fresh session ids.
 *
 * The snapshot is kept after the run (the store's TTL expires it): a process that crashes after
 * `done` but before it stored the output can {@link resumeParty} and get the output again. Delete
 * it (`sessionStore.deleteSnapshot(sessionId, self)`) once the output is stored safely; it holds
 * secrets until then (stores encrypt it).
 * @module
 */
import { randomInt } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { isMpcError, LocalError, type MpcError, PeerError } from '../errors.js';
import { bytesToHex } from '../math/bigint.js';
import { restoreParty } from '../party/engine.js';
import type { AnyProtocolDef, HandleOptions, Party, PartyStatus, Step } from '../party/types.js';
import type { SessionLock, SessionStore } from '../stores/types.js';
import type { InboundMessage, Transport, Unsubscribe } from '../transport/types.js';
import { decodeEnvelope, type Envelope, isValidId } from '../wire/envelope.js';

/** Default interval between resends of unanswered envelopes: 1 s. */
export const DEFAULT_RESEND_INTERVAL_MS = 1000;
/** Default TTL of the runner's session lock (extended every third of it): 30 s. */
export const DEFAULT_RUN_LOCK_TTL_MS = 30_000;

/** What happened, as reported to {@link RunPartyOptions.onProgress}. */
export type RunEvent =
  /** A fresh party started and its round-1 envelopes went out. */
  | 'started'
  /** A restored party resumed and resent what it had sent. */
  | 'resumed'
  /** The party entered a new round. */
  | 'round'
  /** Envelopes were resent (`to` names the peers). */
  | 'resent'
  /** An inbound message was dropped without harm (`error` says why; `from` sent it). */
  | 'rejected'
  /** A store call failed and is being retried (`error`). */
  | 'store-retry'
  /** A send failed and will be covered by a resend (`error`). */
  | 'send-failed'
  /** The party finished. */
  | 'done'
  /** The run failed (`error`): abort, timeout or cancellation. */
  | 'failed';

/** A progress report. */
export interface RunProgress {
  readonly event: RunEvent;
  readonly sessionId: string;
  readonly self: string;
  readonly protocol: string;
  readonly status: PartyStatus;
  readonly round: number;
  /** Expected senders of the current round still missing. */
  readonly waitingFor: readonly string[];
  /** For `rejected`, `store-retry`, `send-failed` and `failed`. */
  readonly error?: MpcError;
  /** For `rejected`: the authenticated sender. */
  readonly from?: string;
  /** For `resent`: the peers the envelopes went to. */
  readonly to?: readonly string[];
}

/**
 * What {@link runParty} drives: a {@link Party}, or the same contract with asynchronous methods,
 * such as a party hosted on a worker thread (`createWorkerParty`), so the heavy rounds run off
 * the event loop. Calls are made one at a time, in order.
 */
export interface DrivableParty<O> {
  readonly protocol: string;
  readonly sessionId: string;
  readonly self: string;
  readonly parties: readonly string[];
  /** Only read before the run starts (to tell a fresh party from a restored one). */
  readonly status: PartyStatus;
  start(): Step<O> | Promise<Step<O>>;
  handle(msg: Uint8Array, opts?: HandleOptions): Step<O> | Promise<Step<O>>;
  current(): Step<O> | Promise<Step<O>>;
  sent(filter?: { round?: number; to?: string }): Envelope[] | Promise<Envelope[]>;
  snapshot(): string | Promise<string>;
}

/** Options of {@link runParty}. */
export interface RunPartyOptions {
  /** Carries the envelopes; its `self` must be the party's id. */
  readonly transport: Transport;
  /**
   * Where snapshots, the lock and the session-id claim live. Strongly recommended: without it a
   * crash loses the session and reused session ids are not detected.
   */
  readonly sessionStore?: SessionStore;
  /** Deadline of the whole run, in ms (positive). On expiry: `PeerError` `TIMEOUT`. */
  readonly timeoutMs: number;
  /** Cancels the run: `LocalError` `CANCELLED`. */
  readonly signal?: AbortSignal;
  /** Progress reports (must not throw; exceptions are ignored). */
  readonly onProgress?: (p: RunProgress) => void;
  /** How often unanswered envelopes are resent, in ms. Default {@link DEFAULT_RESEND_INTERVAL_MS}. */
  readonly resendIntervalMs?: number;
  /**
   * After `done`, keep answering peers that are still behind for this long (ms) before
   * resolving. Default 0. Use it on lossy transports, where a peer may have missed our last
   * round's envelopes and has nobody else to get them from.
   */
  readonly lingerMs?: number;
  /** TTL of saved snapshots, in ms. Default: `timeoutMs` + 1 hour. */
  readonly snapshotTtlMs?: number;
  /** TTL of the session lock, in ms; extended every third of it. Default 30 000. */
  readonly lockTtlMs?: number;
  /** How long the claimed session id is remembered, in ms. Default: forever. */
  readonly claimTtlMs?: number;
  /** First backoff of store retries, in ms (doubling up to 1 s, until the deadline). Default 50. */
  readonly storeRetryDelayMs?: number;
}

/** Options of {@link resumeParty}: {@link RunPartyOptions} with a required store. */
export interface ResumePartyOptions extends RunPartyOptions {
  readonly sessionStore: SessionStore;
  /** Protocol definitions to restore with (default: the registered ones). */
  readonly defs?: AnyProtocolDef | readonly AnyProtocolDef[];
}

/**
 * The id under which the runner claims and locks a (party, session) pair in a
 * {@link SessionStore}: `run/<self>/<sessionId>`, or a SHA-256 of it when longer than a store id
 * may be. Per party, so parties of one session can share a store.
 */
export function runnerStoreId(self: string, sessionId: string): string {
  const id = `run/${self}/${sessionId}`;
  if (id.length <= 256) return id;
  return `run/${bytesToHex(sha256(new TextEncoder().encode(`${self}\u0000${sessionId}`)))}`;
}

function positive(title: string, v: unknown, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a positive integer (ms)`);
  }
  return v;
}

function nonNegative(title: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a non-negative integer (ms)`);
  }
  return v;
}

/** Store errors worth retrying: backend failures, and anything that is not an MpcError. */
function retryableStoreError(e: unknown): boolean {
  if (isMpcError(e)) return e.code === 'STORE_ERROR';
  return true;
}

function asMpcError(e: unknown, sessionId: string): MpcError {
  if (isMpcError(e)) return e;
  return new LocalError('INTERNAL', 'runner failed', { sessionId, cause: e });
}

/**
 * Drives `party` to completion over `opts.transport` and returns its output.
 *
 * A party that was never started is started (after claiming its session id); a party restored
 * from a snapshot is resumed (no claim; everything it sent is resent). See the module
 * documentation for the full contract.
 *
 * @throws {@link PeerError} the party's abort (culprits named) or `TIMEOUT` naming the parties it
 *   was still waiting for; {@link LocalError} `CANCELLED` (signal), `SESSION_REUSED` (the id was
 *   used before), `INVALID_STATE` (another runner holds the session's lock, or the transport
 *   closed), `STORE_ERROR` (the store failed until the deadline), `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * const share = await runParty(createKeygenParty({ self, parties, minSigners: 2, sessionId, preParams }), {
 *   transport, sessionStore, timeoutMs: 120_000, signal: AbortSignal.timeout(130_000),
 *   onProgress: (p) => log.debug(p.event, p.round, p.waitingFor),
 * });
 * await keyShares.put(keyId, self, serializeKeyShare(share));
 * await sessionStore.deleteSnapshot(sessionId, self);
 * ```
 */
export function runParty<O>(party: DrivableParty<O>, opts: RunPartyOptions): Promise<O> {
  try {
    return new Run(party, opts).run();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Restores a party from its snapshot in `opts.sessionStore` and drives it to completion with
 * {@link runParty}: the way to carry on after a crash. A snapshot of a finished party returns
 * its output at once (after resending its last envelopes); one of an aborted party rejects with
 * its error.
 *
 * @throws as {@link runParty}, plus {@link LocalError} `NOT_FOUND` (no snapshot) and
 *   `STORE_CORRUPT` (the snapshot is damaged or belongs to another session or party).
 * @example
 * ```ts
 * const signature = await resumeParty(sessionId, 'alice', {
 *   transport, sessionStore, timeoutMs: 30_000, defs: SIGN_GG18_DEFS,
 * });
 * ```
 */
export async function resumeParty<O>(
  sessionId: string,
  partyId: string,
  opts: ResumePartyOptions,
): Promise<O> {
  const party = await loadParty<O>(sessionId, partyId, opts.sessionStore, opts.defs);
  return runParty(party, opts);
}

/**
 * Loads a party's snapshot text from the store and checks that it belongs to `sessionId` and
 * `partyId`; `undefined` when there is none. Use it to restore elsewhere (e.g. on a worker).
 * @throws {@link LocalError} `STORE_CORRUPT` when the snapshot is damaged or belongs to another
 *   session or party.
 */
export async function loadSnapshotText(
  sessionId: string,
  partyId: string,
  sessionStore: SessionStore,
): Promise<{ text: string; protocol: string; parties: string[] } | undefined> {
  const bytes = await sessionStore.loadSnapshot(sessionId, partyId);
  if (bytes === undefined) return undefined;
  let text: string;
  let head: { sessionId?: unknown; self?: unknown; protocol?: unknown; parties?: unknown };
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    head = JSON.parse(text) as typeof head;
  } catch (e) {
    throw new LocalError('STORE_CORRUPT', 'snapshot is not UTF-8 JSON', { sessionId, cause: e });
  } finally {
    bytes.fill(0);
  }
  if (
    typeof head !== 'object' ||
    head === null ||
    head.sessionId !== sessionId ||
    head.self !== partyId ||
    typeof head.protocol !== 'string' ||
    !Array.isArray(head.parties) ||
    !head.parties.every((p) => typeof p === 'string')
  ) {
    throw new LocalError('STORE_CORRUPT', 'snapshot belongs to another session or party', {
      sessionId,
    });
  }
  return { text, protocol: head.protocol, parties: head.parties as string[] };
}

/**
 * Loads and restores a party's snapshot, or returns `undefined` when there is none.
 * @throws {@link LocalError} `STORE_CORRUPT` when the snapshot is damaged or belongs to another
 *   session or party.
 */
export async function loadPartySnapshot<O>(
  sessionId: string,
  partyId: string,
  sessionStore: SessionStore,
  defs?: AnyProtocolDef | readonly AnyProtocolDef[],
): Promise<Party<O> | undefined> {
  const loaded = await loadSnapshotText(sessionId, partyId, sessionStore);
  if (!loaded) return undefined;
  const party = restoreParty<O>(loaded.text, defs);
  if (party.sessionId !== sessionId || party.self !== partyId) {
    throw new LocalError('STORE_CORRUPT', 'snapshot belongs to another session or party', {
      sessionId,
    });
  }
  return party;
}

async function loadParty<O>(
  sessionId: string,
  partyId: string,
  sessionStore: SessionStore,
  defs?: AnyProtocolDef | readonly AnyProtocolDef[],
): Promise<Party<O>> {
  if (!sessionStore) throw new LocalError('INVALID_ARGUMENT', '"sessionStore" is required');
  const party = await loadPartySnapshot<O>(sessionId, partyId, sessionStore, defs);
  if (!party) {
    throw new LocalError('NOT_FOUND', `no snapshot of party "${partyId}" in this session`, {
      sessionId,
    });
  }
  return party;
}

class Run<O> {
  private readonly transport: Transport;
  private readonly store: SessionStore | undefined;
  private readonly timeoutMs: number;
  private readonly resendMs: number;
  private readonly lingerMs: number;
  private readonly snapshotTtlMs: number;
  private readonly lockTtlMs: number;
  private readonly claimTtlMs: number | undefined;
  private readonly retryDelayMs: number;
  private readonly storeId: string;
  private deadline = 0;

  private finished = false;
  private started = false;
  private lingering = false;
  private pumping = false;
  private tickDue = false;
  private readonly inbox: InboundMessage[] = [];
  private off: Unsubscribe | undefined;
  private lock: SessionLock | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly sleepers = new Set<() => void>();
  /** The party's last step (kept here because a worker-hosted party answers asynchronously). */
  private last: Step<O> | undefined;
  private lastRound = 0;
  /** Highest round among the envelopes this party sent. */
  private sentRound = 0;
  /** Last periodic resend to each peer. */
  private readonly resentTo = new Map<string, number>();
  /** Last answer to each lagging peer (separate, so periodic resends never mute answers). */
  private readonly answeredTo = new Map<string, number>();
  private settle: { resolve: (o: O) => void; reject: (e: unknown) => void } | undefined;
  private abortListener: (() => void) | undefined;

  constructor(
    private readonly party: DrivableParty<O>,
    private readonly opts: RunPartyOptions,
  ) {
    if (!party || typeof party.handle !== 'function' || typeof party.start !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"party" must be a Party');
    }
    if (!opts || typeof opts !== 'object') {
      throw new LocalError('INVALID_ARGUMENT', 'options are required');
    }
    const t = opts.transport;
    if (!t || typeof t.send !== 'function' || typeof t.subscribe !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"transport" must be a Transport');
    }
    if (t.self !== party.self) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `transport party "${t.self}" is not the party's id "${party.self}"`,
      );
    }
    this.transport = t;
    this.store = opts.sessionStore;
    this.timeoutMs = positive('timeoutMs', opts.timeoutMs);
    this.resendMs = positive('resendIntervalMs', opts.resendIntervalMs, DEFAULT_RESEND_INTERVAL_MS);
    this.lingerMs = nonNegative('lingerMs', opts.lingerMs, 0);
    this.snapshotTtlMs = positive('snapshotTtlMs', opts.snapshotTtlMs, this.timeoutMs + 3_600_000);
    this.lockTtlMs = positive('lockTtlMs', opts.lockTtlMs, DEFAULT_RUN_LOCK_TTL_MS);
    this.claimTtlMs =
      opts.claimTtlMs === undefined ? undefined : positive('claimTtlMs', opts.claimTtlMs);
    this.retryDelayMs = positive('storeRetryDelayMs', opts.storeRetryDelayMs, 50);
    if (!isValidId(party.sessionId)) {
      throw new LocalError('INVALID_ARGUMENT', 'party has an invalid session id');
    }
    this.storeId = runnerStoreId(party.self, party.sessionId);
  }

  run(): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.deadline = Date.now() + this.timeoutMs;
      const signal = this.opts.signal;
      if (signal?.aborted) {
        this.fail(this.cancelled());
        return;
      }
      if (signal) {
        this.abortListener = () => this.fail(this.cancelled());
        signal.addEventListener('abort', this.abortListener, { once: true });
      }
      this.timer(() => this.fail(this.timeoutError()), this.timeoutMs);
      this.begin().catch((e) => this.fail(e));
    });
  }

  // ------------------------------------------------------------------ lifecycle

  private async begin(): Promise<void> {
    const party = this.party;
    const fresh = party.status === 'idle';
    if (this.store) {
      const lock = await this.acquireLock(!fresh);
      if (this.finished) {
        if (lock) await this.store.releaseLock(lock).catch(() => {});
        return;
      }
      this.lock = lock;
      this.scheduleLockExtension();
      if (fresh) {
        await this.retry(() =>
          this.store!.claimSessionId(
            this.storeId,
            this.claimTtlMs === undefined ? {} : { ttlMs: this.claimTtlMs },
          ),
        );
      }
      if (this.finished) return;
    }
    this.off = this.transport.subscribe(party.sessionId, (m) => this.onMessage(m));
    if (fresh) {
      const step = await party.start();
      this.last = step;
      this.lastRound = step.round;
      await this.persist();
      if (this.finished) return;
      await this.sendOutgoing(step.outgoing);
      this.report('started');
    } else {
      const step = await party.current();
      this.last = step;
      this.lastRound = step.round;
      if (step.status === 'aborted') {
        this.fail(step.error ?? new LocalError('INTERNAL', 'aborted without an error'));
        return;
      }
      const sent = await party.sent();
      for (const e of sent) this.sentRound = Math.max(this.sentRound, e.round);
      // Everything we sent may have been lost with our crash; peers drop duplicates.
      await this.sendAll(
        step.status === 'done' ? sent.filter((e) => e.round === this.sentRound) : sent,
      );
      this.report('resumed');
    }
    if (this.finished) return;
    this.started = true;
    this.scheduleResend();
    if (!this.checkStatus(this.last)) this.kick();
  }

  /** Returns true when the run is over (or lingering after `done`). */
  private checkStatus(step: Step<O>): boolean {
    if (step.status === 'waiting') return false;
    if (step.status === 'aborted') {
      this.fail(step.error ?? new LocalError('INTERNAL', 'party aborted without an error'));
      return true;
    }
    if (!this.lingering) {
      this.lingering = true;
      this.report('done');
      const output = step.output as O;
      if (this.lingerMs === 0) this.succeed(output);
      else this.timer(() => this.succeed(output), this.lingerMs);
    }
    return true;
  }

  private succeed(output: O): void {
    if (this.finished) return;
    this.cleanup();
    this.settle?.resolve(output);
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    const err = asMpcError(e, this.party.sessionId);
    this.report('failed', { error: err });
    this.cleanup();
    this.settle?.reject(err);
  }

  private cleanup(): void {
    this.finished = true;
    this.off?.();
    this.off = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
    this.sleepers.clear();
    this.inbox.length = 0;
    if (this.abortListener) this.opts.signal?.removeEventListener('abort', this.abortListener);
    const lock = this.lock;
    this.lock = undefined;
    if (lock && this.store) this.store.releaseLock(lock).catch(() => {});
  }

  private cancelled(): LocalError {
    return new LocalError('CANCELLED', 'the session run was cancelled', {
      sessionId: this.party.sessionId,
      ...(this.last ? { round: this.last.round } : {}),
    });
  }

  private timeoutError(): MpcError {
    const waiting = this.last?.waitingFor ?? [];
    const round = this.last?.round ?? 0;
    const sessionId = this.party.sessionId;
    if (waiting.length === 0) {
      return new LocalError('TIMEOUT', `session did not finish within ${this.timeoutMs} ms`, {
        sessionId,
        round,
      });
    }
    return new PeerError({
      code: 'TIMEOUT',
      message: `no message from ${waiting.join(', ')} in round ${round} within ${this.timeoutMs} ms`,
      culprits: waiting,
      round,
      sessionId,
    });
  }

  // ------------------------------------------------------------------ timers

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.finished) {
        resolve();
        return;
      }
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.add(wake);
      this.timer(wake, ms);
    });
  }

  private scheduleResend(): void {
    if (this.finished) return;
    // ±20% jitter, so the parties' resends do not fall into lockstep.
    const ms = Math.max(1, Math.round(this.resendMs * (0.8 + randomInt(0, 401) / 1000)));
    this.timer(() => {
      this.tickDue = true;
      this.kick();
      this.scheduleResend();
    }, ms);
  }

  private scheduleLockExtension(): void {
    if (this.finished || !this.lock) return;
    this.timer(
      () => {
        this.extendLock()
          .then(() => this.scheduleLockExtension())
          .catch((e) => this.fail(e));
      },
      Math.max(1, Math.floor(this.lockTtlMs / 3)),
    );
  }

  // ------------------------------------------------------------------ store

  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    let delay = this.retryDelayMs;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (this.finished || !retryableStoreError(e) || Date.now() + delay >= this.deadline) {
          throw e;
        }
        this.report('store-retry', { error: asMpcError(e, this.party.sessionId) });
        await this.sleep(delay);
        if (this.finished) throw e;
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  private async acquireLock(wait: boolean): Promise<SessionLock | undefined> {
    const store = this.store!;
    for (;;) {
      const lock = await this.retry(() =>
        store.acquireLock(this.storeId, { ttlMs: this.lockTtlMs }),
      );
      if (lock || this.finished) return lock;
      if (!wait) {
        throw new LocalError('INVALID_STATE', 'another runner holds this session (lock taken)', {
          sessionId: this.party.sessionId,
        });
      }
      // A crashed holder's lock lapses after its TTL: wait for it.
      await this.sleep(Math.min(500, Math.max(10, Math.floor(this.lockTtlMs / 10))));
      if (this.finished) return undefined;
    }
  }

  private async extendLock(): Promise<void> {
    const lock = this.lock;
    if (!lock || this.finished) return;
    let next: SessionLock | undefined;
    try {
      next = await this.retry(() => this.store!.extendLock(lock, { ttlMs: this.lockTtlMs }));
    } catch (e) {
      // Keep going while the lock may still be ours; give up once it has surely lapsed.
      if (Date.now() < lock.expiresAt) return;
      throw e;
    }
    if (this.finished) return;
    if (!next) {
      throw new LocalError('STORE_ERROR', 'lost the session lock to another runner', {
        sessionId: this.party.sessionId,
      });
    }
    this.lock = next;
  }

  private async persist(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const snap = await this.party.snapshot();
    await this.retry(() =>
      store.saveSnapshot(this.party.sessionId, this.party.self, snap, {
        ttlMs: this.snapshotTtlMs,
      }),
    );
  }

  // ------------------------------------------------------------------ sending

  /** Sends freshly produced envelopes (already persisted). */
  private async sendOutgoing(envs: readonly Envelope[]): Promise<void> {
    for (const e of envs) this.sentRound = Math.max(this.sentRound, e.round);
    await this.sendAll(envs);
  }

  /** Sends envelopes; broadcasts go to `only` when given, else to every party. */
  private async sendAll(envs: readonly Envelope[], only?: readonly string[]): Promise<void> {
    for (const env of envs) {
      if (this.finished) return;
      try {
        await this.transport.send(env, {
          recipients: only && env.to.length === 0 ? only : this.party.parties,
        });
      } catch (e) {
        const err = asMpcError(e, this.party.sessionId);
        if (err.code === 'TRANSPORT_ERROR') {
          this.report('send-failed', { error: err });
          continue;
        }
        throw err;
      }
    }
  }

  /** Periodic resend: latest-round envelopes to the peers we still wait for. */
  private async resendTick(): Promise<void> {
    const step = this.last;
    if (this.finished || !step || step.status !== 'waiting') return;
    const now = Date.now();
    // Hearing from a peer says nothing about whether it has our envelopes (it may be sending
    // us later rounds while it misses nothing, or earlier ones while it misses ours): resend to
    // every peer we still wait for, at most once per interval.
    const stale = step.waitingFor.filter(
      (p) => now - (this.resentTo.get(p) ?? 0) >= this.resendMs * 0.75,
    );
    if (stale.length === 0) return;
    const envs = (await this.party.sent({ round: this.sentRound })).filter(
      (e) => e.to.length === 0 || e.to.some((r) => stale.includes(r)),
    );
    for (const p of stale) this.resentTo.set(p, now);
    this.report('resent', { to: stale });
    await this.sendAll(envs, stale);
  }

  /** Reactive resend: `peer` sent a message of a round we are past, so it is behind. */
  private async answerLaggard(peer: string, fromRound: number): Promise<void> {
    const now = Date.now();
    if (now - (this.answeredTo.get(peer) ?? 0) < this.resendMs / 2) return;
    this.answeredTo.set(peer, now);
    const envs = (await this.party.sent({ to: peer })).filter((e) => e.round >= fromRound);
    if (envs.length === 0) return;
    this.report('resent', { to: [peer] });
    await this.sendAll(envs, [peer]);
  }

  // ------------------------------------------------------------------ receiving

  private onMessage(m: InboundMessage): void {
    if (this.finished) return;
    this.inbox.push(m);
    this.kick();
  }

  /** Runs the pump unless it is running: every party call goes through it, one at a time. */
  private kick(): void {
    if (!this.started || this.pumping || this.finished) return;
    if (this.inbox.length === 0 && !this.tickDue) return;
    this.pumping = true;
    this.pump()
      .catch((e) => this.fail(e))
      .finally(() => {
        this.pumping = false;
        this.kick();
      });
  }

  private async pump(): Promise<void> {
    const party = this.party;
    while (!this.finished && (this.inbox.length > 0 || this.tickDue)) {
      if (this.inbox.length === 0) {
        this.tickDue = false;
        await this.resendTick();
        continue;
      }
      const batch = this.inbox.splice(0);
      const outgoing: Envelope[] = [];
      const laggards = new Map<string, number>();
      const statusBefore = this.last?.status;
      for (const m of batch) {
        const before = this.last;
        const step = await party.handle(m.bytes, { from: m.from });
        if (this.finished) return;
        this.last = step;
        if (step.rejected) {
          this.report('rejected', { error: step.rejected, from: m.from });
          continue;
        }
        outgoing.push(...step.outgoing);
        const unchanged =
          before !== undefined &&
          step.outgoing.length === 0 &&
          step.status === before.status &&
          step.round === before.round &&
          step.waitingFor.length === before.waitingFor.length;
        if (unchanged && step.status !== 'aborted') {
          // A duplicate or a buffered future message. A duplicate of a round we are past (or
          // of any round once we are done) means the sender is behind: help it catch up.
          let round = 0;
          try {
            round = decodeEnvelope(m.bytes).round;
          } catch {
            round = 0;
          }
          if (round > 0 && (round < step.round || step.status === 'done')) {
            laggards.set(m.from, Math.min(laggards.get(m.from) ?? round, round));
          }
        }
      }
      const step = this.last;
      if (!step) return;
      if (outgoing.length > 0 || step.status !== statusBefore) {
        await this.persist();
        if (this.finished) return;
        await this.sendOutgoing(outgoing);
        if (this.finished) return;
      }
      if (step.round !== this.lastRound) {
        this.lastRound = step.round;
        this.report('round');
      }
      // Once done, keep draining: while lingering we still answer peers that are behind.
      if (step.status !== 'aborted') {
        for (const [peer, round] of laggards) await this.answerLaggard(peer, round);
      }
      this.checkStatus(step);
    }
  }

  // ------------------------------------------------------------------ progress

  private report(
    event: RunEvent,
    extra: { error?: MpcError; from?: string; to?: readonly string[] } = {},
  ): void {
    const cb = this.opts.onProgress;
    if (!cb) return;
    const party = this.party;
    const step = this.last;
    try {
      cb({
        event,
        sessionId: party.sessionId,
        self: party.self,
        protocol: party.protocol,
        status: step?.status ?? party.status,
        round: step?.round ?? 0,
        waitingFor: step?.waitingFor ?? [],
        ...extra,
      });
    } catch {
      // progress callbacks must not break the run
    }
  }
}
