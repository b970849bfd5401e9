/**
 * A participant node: holds its key shares and joins the keygen and signing sessions its
 * coordinators invite it to (DESIGN.md "Coordinator and Participant").
 *
 * ```ts
 * const participant = createParticipant({
 *   transport: channel,                 // createSecureChannel(grpcTransport, …)
 *   keyShares,                          // e.g. createFileKeyShareStore({ dir, keyProvider })
 *   sessionStore,                       // e.g. a Redis SessionStore
 *   coordinators: ['coordinator-1'],
 *   preParams: () => pool.take(),       // pre-params for keygen (default: generated on demand)
 *   policy: async (req) => req.kind === 'keygen' || (await approve(req)) || { allow: false, reason: 'not approved' },
 * });
 * await participant.start();
 * ```
 *
 * - Only the configured coordinators (by transport-authenticated id) are obeyed; control
 *   messages from anyone else are dropped.
 * - Before joining, the **policy hook** sees the request (for signing: the key, the signers, the
 *   message hash and the coordinator's opaque `metadata`). A veto is sent back as a `decline`
 *   with the reason, and the coordinator fails the request with a clear error.
 * - Keygen output goes to the {@link KeyShareStore} (encrypted by the store) under
 *   (keyId, this node's id); the session snapshot, which holds the share too, is then deleted.
 * - Each session runs through {@link runParty} (snapshots, lock, session-id claim, resends,
 *   timeout). If the node restarts mid-session, the coordinator's repeated invitation makes it
 *   resume the session from its snapshot.
 * - Failures are reported to the coordinator as `result { ok: false, error }` with the error's
 *   code and culprits (`TIMEOUT` names the silent parties; `STORE_CORRUPT` means a damaged share),
 *   and the failed session's snapshot is deleted (it holds that session's secrets). A finished
 *   signing keeps its snapshot until the store's TTL, so a repeated invitation after a restart
 *   still gets the signature.
 * - A heartbeat with the current load goes to every coordinator every `heartbeatIntervalMs`.
 * @module
 */
import { isMpcError, LocalError, type MpcError } from '../errors.js';
import { type KeyShare, parseKeyShare, serializeKeyShare } from '../keyshare.js';
import { bigintToBytes, hexToBytes } from '../math/bigint.js';
import { restoreParty } from '../party/engine.js';
import type { Party } from '../party/types.js';
import {
  createKeygenParty,
  ecdsaKeygenProtocols,
  registerEcdsaKeygen,
} from '../protocols/ecdsa/keygen/index.js';
import { generatePreParams, type PreParams } from '../protocols/ecdsa/preparams.js';
import {
  createSignParty,
  registerSignGg18,
  SIGN_GG18_DEFS,
} from '../protocols/ecdsa/sign-gg18/index.js';
import type { Signature } from '../protocols/ecdsa/signature.js';
import type { KeyShareStore, SessionStore } from '../stores/types.js';
import type { Transport, Unsubscribe } from '../transport/types.js';
import { isValidId } from '../wire/envelope.js';
import {
  CONTROL_SESSION_ID,
  type ControlMessage,
  clip,
  decodeControl,
  encodeControl,
  type Invitation,
  type KeygenInvitation,
  type ResultMessage,
  type SignInvitation,
  toControlError,
} from './control.js';
import { type DrivableParty, loadSnapshotText, type RunProgress, runParty } from './runner.js';

/** What the policy hook decides. `true`/`false` are short for allow / deny without a reason. */
export type PolicyDecision = boolean | { allow: true } | { allow: false; reason: string };

/** A request as the policy hook sees it. */
export type SessionRequest =
  | (KeygenInvitation & { readonly coordinator: string })
  | (SignInvitation & {
      readonly coordinator: string;
      /** `messageHash` as bytes. */
      readonly digest: Uint8Array;
    });

/** Decides whether this node joins a session. */
export type SessionPolicy = (request: SessionRequest) => PolicyDecision | Promise<PolicyDecision>;

/** Something that happened on a participant. */
export interface ParticipantEvent {
  readonly type:
    | 'invited'
    | 'accepted'
    | 'declined'
    | 'resumed'
    | 'completed'
    | 'failed'
    | 'cancelled'
    | 'dropped'
    | 'error';
  readonly sessionId?: string;
  readonly from?: string;
  readonly error?: MpcError;
  readonly progress?: RunProgress;
}

/** Options of {@link createParticipant}. */
export interface ParticipantOptions {
  /** The node's transport (its `self` is the node id); use a secure channel in production. */
  readonly transport: Transport;
  /** Where this node's key shares live (encrypted at rest by the store). */
  readonly keyShares: KeyShareStore;
  /** Snapshots, locks and session-id claims of the sessions it runs. Strongly recommended. */
  readonly sessionStore?: SessionStore;
  /** Party ids of the coordinators it obeys (and sends heartbeats to). */
  readonly coordinators: readonly string[];
  /**
   * Pre-params for each keygen (a fresh set per key). Default: {@link generatePreParams}, which
   * takes seconds to tens of seconds; production nodes keep a pool filled in the background.
   */
  readonly preParams?: () => PreParams | Promise<PreParams>;
  /** Asked before joining any session; default: allow everything the coordinators ask. */
  readonly policy?: SessionPolicy;
  /** Heartbeat period in ms; 0 disables heartbeats. Default 5 000. */
  readonly heartbeatIntervalMs?: number;
  /** Capabilities announced in heartbeats. Default `['ecdsa', 'gg18', 'keygen', 'sign']`. */
  readonly capabilities?: readonly string[];
  /** Most sessions run at once; further invitations are declined (`INVALID_STATE`, busy). Default 32. */
  readonly maxConcurrentSessions?: number;
  /** Resend interval of the runner, ms. Default 1 000. */
  readonly resendIntervalMs?: number;
  /** Linger of the runner after `done`, ms. Default 0. */
  readonly lingerMs?: number;
  /** How many finished sessions are remembered to answer repeated invitations. Default 10 000. */
  readonly rememberSessions?: number;
  /**
   * Hosts the parties on worker threads (e.g. `createWorkerPool()`), so keygen and signing
   * rounds never block this node's event loop (heartbeats, control messages, other sessions).
   * Default: parties run in this thread.
   */
  readonly workers?: PartyHost;
  /** Event sink (logging, metrics). Must not throw. */
  readonly onEvent?: (e: ParticipantEvent) => void;
}

/** A party on a worker thread, as {@link PartyHost} returns it. */
export type HostedParty<O> = DrivableParty<O> & { terminate?(): Promise<void> };

/**
 * Where parties can run other than this thread: a `WorkerPool` (`createWorkerPool`) is one.
 * The factories called are `createKeygenParty` and `createSignParty`, with plain-data options.
 */
export interface PartyHost {
  createPartyFrom<O = unknown>(factory: string, options: unknown): Promise<HostedParty<O>>;
  restoreParty<O = unknown>(snapshot: string): Promise<HostedParty<O>>;
}

/** A running participant. */
export interface Participant {
  /** The node id (the transport's `self`). */
  readonly id: string;
  /** Subscribes to control messages and starts heartbeats. Idempotent. */
  start(): Promise<void>;
  /** Sessions running right now. */
  load(): number;
  /** Ids of the sessions running right now. */
  running(): string[];
  /**
   * Stops: no more heartbeats or invitations; running sessions are cancelled and awaited.
   * Does not close the transport or the stores (the caller owns them). Idempotent.
   */
  close(): Promise<void>;
}

interface Entry {
  readonly invitation: Invitation;
  readonly key: string;
  readonly coordinator: string;
  state: 'starting' | 'running' | 'finished';
  answer: ControlMessage | undefined;
  readonly abort: AbortController;
  done: Promise<void>;
}

const DEFAULT_CAPABILITIES = ['ecdsa', 'gg18', 'keygen', 'sign'];

function decide(d: PolicyDecision): { allow: boolean; reason: string } {
  if (d === true) return { allow: true, reason: '' };
  if (d === false || d === undefined || d === null) return { allow: false, reason: 'denied' };
  if (typeof d === 'object' && d.allow === true) return { allow: true, reason: '' };
  return { allow: false, reason: (d as { reason?: string }).reason || 'denied' };
}

function invitationKey(inv: Invitation): string {
  return JSON.stringify(inv);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

class ParticipantNode implements Participant {
  readonly id: string;
  private readonly coordinators: ReadonlySet<string>;
  private readonly sessions = new Map<string, Entry>();
  private off: Unsubscribe | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private closed = false;
  private readonly heartbeatMs: number;
  private readonly maxSessions: number;
  private readonly remember: number;

  constructor(private readonly opts: ParticipantOptions) {
    if (!opts || typeof opts !== 'object') {
      throw new LocalError('INVALID_ARGUMENT', 'participant options are required');
    }
    const t = opts.transport;
    if (!t || typeof t.send !== 'function' || typeof t.subscribe !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"transport" must be a Transport');
    }
    if (!opts.keyShares || typeof opts.keyShares.get !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"keyShares" must be a KeyShareStore');
    }
    if (!Array.isArray(opts.coordinators) || !opts.coordinators.every(isValidId)) {
      throw new LocalError('INVALID_ARGUMENT', '"coordinators" must be a list of party ids');
    }
    this.id = t.self;
    this.coordinators = new Set(opts.coordinators);
    this.heartbeatMs = opts.heartbeatIntervalMs ?? 5000;
    this.maxSessions = opts.maxConcurrentSessions ?? 32;
    this.remember = opts.rememberSessions ?? 10_000;
    for (const [k, v] of [
      ['heartbeatIntervalMs', this.heartbeatMs],
      ['maxConcurrentSessions', this.maxSessions],
      ['rememberSessions', this.remember],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < (k === 'heartbeatIntervalMs' ? 0 : 1)) {
        throw new LocalError('INVALID_ARGUMENT', `"${k}" must be a positive integer`);
      }
    }
    registerEcdsaKeygen();
    registerSignGg18();
  }

  async start(): Promise<void> {
    if (this.closed) throw new LocalError('INVALID_STATE', 'participant is closed');
    if (this.started) return;
    this.started = true;
    this.off = this.opts.transport.subscribe(CONTROL_SESSION_ID, ({ bytes, from }) =>
      this.onControl(bytes, from),
    );
    if (this.heartbeatMs > 0) {
      this.sendHeartbeats();
      this.heartbeat = setInterval(() => this.sendHeartbeats(), this.heartbeatMs);
      this.heartbeat.unref?.();
    }
  }

  load(): number {
    let n = 0;
    for (const e of this.sessions.values()) if (e.state !== 'finished') n++;
    return n;
  }

  running(): string[] {
    return [...this.sessions.entries()]
      .filter(([, e]) => e.state !== 'finished')
      .map(([id]) => id)
      .sort();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.off?.();
    const pending: Promise<void>[] = [];
    for (const e of this.sessions.values()) {
      if (e.state !== 'finished') {
        e.abort.abort();
        pending.push(e.done);
      }
    }
    await Promise.allSettled(pending);
  }

  // ---------------------------------------------------------------- control plane

  private event(e: ParticipantEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // event sinks must not break the node
    }
  }

  private send(to: string, msg: ControlMessage): void {
    if (this.closed && msg.type !== 'result' && msg.type !== 'decline') return;
    let env: ReturnType<typeof encodeControl>;
    try {
      env = encodeControl(this.id, to, msg);
    } catch (e) {
      this.event({ type: 'error', error: asError(e) });
      return;
    }
    this.opts.transport.send(env).catch((e) => this.event({ type: 'error', error: asError(e) }));
  }

  private sendHeartbeats(): void {
    if (this.closed) return;
    const body = {
      load: this.load(),
      capabilities: [...(this.opts.capabilities ?? DEFAULT_CAPABILITIES)],
    };
    for (const c of this.coordinators) this.send(c, { type: 'heartbeat', body });
  }

  private onControl(bytes: Uint8Array, from: string): void {
    if (this.closed) return;
    if (!this.coordinators.has(from)) {
      this.event({ type: 'dropped', from });
      return;
    }
    let msg: ControlMessage;
    try {
      msg = decodeControl(bytes, from);
    } catch (e) {
      this.event({ type: 'dropped', from, error: asError(e) });
      return;
    }
    if (msg.type === 'invite') this.onInvite(msg.body, from);
    else if (msg.type === 'cancel') {
      const entry = this.sessions.get(msg.body.sessionId);
      if (entry && entry.coordinator === from && entry.state !== 'finished') {
        this.event({ type: 'cancelled', sessionId: msg.body.sessionId, from });
        entry.abort.abort();
      }
    } else this.event({ type: 'dropped', from });
  }

  private onInvite(inv: Invitation, from: string): void {
    const existing = this.sessions.get(inv.sessionId);
    if (existing) {
      if (existing.key !== invitationKey(inv) || existing.coordinator !== from) {
        this.send(from, {
          type: 'decline',
          body: {
            sessionId: inv.sessionId,
            code: 'SESSION_REUSED',
            message: 'session id already used with other parameters',
            veto: false,
          },
        });
        return;
      }
      // A repeated invitation: our answer may have been lost.
      if (existing.answer) this.send(from, existing.answer);
      return;
    }
    const members = inv.kind === 'keygen' ? inv.parties : inv.signers;
    if (!members.includes(this.id)) {
      this.decline(from, inv.sessionId, 'INVALID_ARGUMENT', 'this node is not a party', false);
      return;
    }
    if (this.load() >= this.maxSessions) {
      this.decline(from, inv.sessionId, 'INVALID_STATE', 'busy: too many sessions', false);
      return;
    }
    const entry: Entry = {
      invitation: inv,
      key: invitationKey(inv),
      coordinator: from,
      state: 'starting',
      answer: undefined,
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    this.sessions.set(inv.sessionId, entry);
    this.event({ type: 'invited', sessionId: inv.sessionId, from });
    entry.done = this.runSession(entry).catch((e) =>
      this.event({ type: 'error', sessionId: inv.sessionId, error: asError(e) }),
    );
  }

  private decline(
    to: string,
    sessionId: string,
    code: MpcError['code'],
    why: string,
    veto: boolean,
  ) {
    this.event({
      type: 'declined',
      sessionId,
      from: to,
      error: new LocalError(code, why, { sessionId }),
    });
    this.send(to, {
      type: 'decline',
      body: { sessionId, code, message: clip(why), veto },
    });
  }

  private finish(entry: Entry, answer: ControlMessage): void {
    entry.answer = answer;
    entry.state = 'finished';
    this.send(entry.coordinator, answer);
    this.forgetOld();
  }

  private forgetOld(): void {
    if (this.sessions.size <= this.remember) return;
    for (const [id, e] of this.sessions) {
      if (this.sessions.size <= this.remember) break;
      if (e.state === 'finished') this.sessions.delete(id);
    }
  }

  // ---------------------------------------------------------------- sessions

  private async runSession(entry: Entry): Promise<void> {
    const inv = entry.invitation;
    const sessionId = inv.sessionId;
    try {
      // 1. Policy.
      const request: SessionRequest =
        inv.kind === 'sign'
          ? { ...inv, coordinator: entry.coordinator, digest: hexToBytes(inv.messageHash) }
          : { ...inv, coordinator: entry.coordinator };
      const verdict = decide(this.opts.policy ? await this.opts.policy(request) : true);
      if (!verdict.allow) {
        const body = {
          sessionId,
          code: 'CANCELLED' as const,
          message: clip(`policy veto: ${verdict.reason}`),
          veto: true,
        };
        this.event({
          type: 'declined',
          sessionId,
          error: new LocalError('CANCELLED', body.message, { sessionId }),
        });
        this.finish(entry, { type: 'decline', body });
        return;
      }
      if (entry.abort.signal.aborted) throw new LocalError('CANCELLED', 'cancelled', { sessionId });

      // 2. Build or restore the party.
      let party: HostedParty<KeyShare | Signature>;
      try {
        party = await this.prepare(inv);
      } catch (e) {
        const err = asError(e);
        this.event({ type: 'declined', sessionId, error: err });
        this.finish(entry, {
          type: 'decline',
          body: { sessionId, code: err.code, message: clip(err.shortMessage), veto: false },
        });
        return;
      }
      if (party.status !== 'idle') this.event({ type: 'resumed', sessionId });

      // 3. Run it.
      entry.state = 'running';
      entry.answer = { type: 'accept', body: { sessionId } };
      this.send(entry.coordinator, entry.answer);
      this.event({ type: 'accepted', sessionId, from: entry.coordinator });
      const output = await runParty<KeyShare | Signature>(party, {
        transport: this.opts.transport,
        ...(this.opts.sessionStore ? { sessionStore: this.opts.sessionStore } : {}),
        timeoutMs: inv.timeoutMs,
        signal: entry.abort.signal,
        ...(this.opts.resendIntervalMs === undefined
          ? {}
          : { resendIntervalMs: this.opts.resendIntervalMs }),
        ...(this.opts.lingerMs === undefined ? {} : { lingerMs: this.opts.lingerMs }),
      }).finally(() => party.terminate?.().catch(() => {}));

      // 4. Store and report.
      let result: ResultMessage;
      if (inv.kind === 'keygen') {
        const share = output as KeyShare;
        await this.storeShare(inv, share);
        result = { sessionId, ok: true, publicKey: share.publicKey.compressed };
      } else {
        const sig = output as Signature;
        result = {
          sessionId,
          ok: true,
          signature: {
            r: toHex(bigintToBytes(sig.r, 32)),
            s: toHex(bigintToBytes(sig.s, 32)),
            recoveryId: sig.recoveryId,
            publicKey: toHex(sig.publicKey),
          },
        };
      }
      this.event({ type: 'completed', sessionId });
      this.finish(entry, { type: 'result', body: result });
    } catch (e) {
      let err = asError(e);
      if (this.closed && err.code === 'CANCELLED') {
        // Not the request's fault: tell the coordinator, so it may retry with other nodes.
        err = new LocalError('INVALID_STATE', 'node is shutting down', { sessionId, cause: err });
      }
      this.event({ type: 'failed', sessionId, error: err });
      // The session is over: drop its snapshot (it holds this session's secrets, e.g. nonce
      // shares). Not on shutdown, when a restarted node may still resume it.
      if (!this.closed) {
        await this.opts.sessionStore?.deleteSnapshot(sessionId, this.id).catch(() => false);
      }
      this.finish(entry, {
        type: 'result',
        body: { sessionId, ok: false, error: toControlError(err) },
      });
    }
  }

  /** Restores the session's party from a snapshot (after a restart), or creates it. */
  private async prepare(inv: Invitation): Promise<HostedParty<KeyShare | Signature>> {
    const store = this.opts.sessionStore;
    const host = this.opts.workers;
    const members = inv.kind === 'keygen' ? inv.parties : inv.signers;
    const defs = inv.kind === 'keygen' ? ecdsaKeygenProtocols : SIGN_GG18_DEFS;
    if (store) {
      const snap = await loadSnapshotText(inv.sessionId, this.id, store);
      if (snap) {
        if (!defs.some((d) => d.protocol === snap.protocol) || !sameSet(snap.parties, members)) {
          throw new LocalError(
            'SESSION_REUSED',
            'a snapshot of this session id has other parameters',
            { sessionId: inv.sessionId },
          );
        }
        return host
          ? await host.restoreParty<KeyShare | Signature>(snap.text)
          : (restoreParty<KeyShare | Signature>(snap.text, defs) as Party<KeyShare | Signature>);
      }
    }
    if (inv.kind === 'keygen') {
      const existing = await this.opts.keyShares.get(inv.keyId, this.id);
      if (existing) {
        existing.fill(0);
        throw new LocalError('STORE_ERROR', `a share of key "${inv.keyId}" already exists`, {
          sessionId: inv.sessionId,
        });
      }
      const preParams = await (this.opts.preParams ?? (() => generatePreParams()))();
      const options = {
        self: this.id,
        parties: inv.parties,
        minSigners: inv.minSigners,
        sessionId: inv.sessionId,
        preParams,
        profile: inv.profile,
      };
      return host
        ? await host.createPartyFrom<KeyShare>('createKeygenParty', options)
        : createKeygenParty(options);
    }
    const keyShare = await this.loadShare(inv.keyId);
    const options = {
      self: this.id,
      signers: inv.signers,
      keyShare,
      messageHash: hexToBytes(inv.messageHash),
      sessionId: inv.sessionId,
      profile: inv.profile,
      ...(inv.derivation
        ? { derivation: { path: inv.derivation.path, chainCode: inv.derivation.chainCode } }
        : {}),
    };
    // Validate here, so a bad request is declined with the protocol's own error.
    const local = createSignParty(options);
    return host ? await host.createPartyFrom<Signature>('createSignParty', options) : local;
  }

  private async loadShare(keyId: string): Promise<KeyShare> {
    const bytes = await this.opts.keyShares.get(keyId, this.id);
    if (!bytes) throw new LocalError('NOT_FOUND', `no share of key "${keyId}" on this node`);
    try {
      return parseKeyShare(new TextDecoder().decode(bytes));
    } finally {
      bytes.fill(0);
    }
  }

  private async storeShare(inv: KeygenInvitation, share: KeyShare): Promise<void> {
    const text = serializeKeyShare(share);
    try {
      await this.opts.keyShares.put(inv.keyId, this.id, text);
    } catch (e) {
      // A resumed keygen may find its own share already stored before the crash.
      const stored = await this.opts.keyShares.get(inv.keyId, this.id).catch(() => undefined);
      const same = stored !== undefined && new TextDecoder().decode(stored) === text;
      stored?.fill(0);
      if (!same) throw e;
    }
    // The finished snapshot holds the share too: drop it now that the store has it.
    await this.opts.sessionStore?.deleteSnapshot(inv.sessionId, this.id).catch(() => false);
  }
}

function asError(e: unknown): MpcError {
  if (isMpcError(e)) return e;
  // The message of a foreign error is not ours to forward (it could hold anything).
  return new LocalError(
    'INTERNAL',
    `unexpected failure (${e instanceof Error ? e.name : typeof e})`,
    {
      cause: e,
    },
  );
}

/**
 * Creates a participant node. Call {@link Participant.start} to begin answering invitations.
 *
 * @example
 * ```ts
 * const p = createParticipant({ transport, keyShares, sessionStore, coordinators: ['coord'] });
 * await p.start();
 * // …
 * await p.close();
 * ```
 */
export function createParticipant(opts: ParticipantOptions): Participant {
  return new ParticipantNode(opts);
}
