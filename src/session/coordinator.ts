/**
 * The coordinator: the node role that decides who takes part in which session (DESIGN.md
 * "Coordinator and Participant"). It holds no key material and never sees a secret: it picks
 * participants, invites them over the control protocol ({@link CONTROL_PROTOCOL}), collects and
 * checks their results, and keeps the books.
 *
 * ```ts
 * const coordinator = createCoordinator({ transport, metadata, sessionStore });
 * await coordinator.start();
 * await coordinator.registerNode({ id: 'node-a', endpoint: 'node-a:7443', identityKey });
 * const key = await coordinator.keygen({ parties: ['node-a', 'node-b', 'node-c'], minSigners: 2 });
 * const { signature } = await coordinator.sign({ keyId: key.keyId, messageHash });
 * ```
 *
 * **Nodes and health.** Nodes are registered in the {@link MetadataStore} (the node table is
 * also where a deployment builds its secure-channel directory from; see
 * {@link nodeDirectory}). Participants send heartbeats; the coordinator records `lastSeen`
 * (`touchNode`) and marks a node `offline` after `missedHeartbeats` periods without one, and
 * `online` again on its next heartbeat. Only online, recently seen nodes are selected.
 *
 * **Selection.** For signing it takes `minSigners` of the key's parties that are healthy, not
 * excluded and not suspected (named as culprits recently), least loaded first (the load each
 * node reports in its heartbeat plus this coordinator's own assignments since), ties broken at
 * random. Callers may also name the signers.
 *
 * **Limits.** `maxConcurrentSessions` caps all sessions this coordinator runs at once (keygen
 * and signing); `maxConcurrentSignings` caps signing sessions. A request beyond a limit waits in
 * a FIFO queue (`overflow: 'queue'`, the default, bounded by `maxQueue`) or fails at once with
 * `LocalError` `INVALID_STATE` (`overflow: 'reject'`, or when the queue is full). Its session
 * timeout starts when it leaves the queue; its `signal` cancels it while queued. Limits are per
 * coordinator instance: run N coordinators, get N times the capacity.
 *
 * **Timeouts, failures and retries.** Each participant runs its party with the session timeout
 * and reports `TIMEOUT` naming the silent parties; the coordinator waits `graceMs` longer for
 * those reports and otherwise blames the participants that never answered. A failed signing is
 * retried (up to `maxAttempts`, with a fresh session id) without the culprits, or without a node
 * whose share is missing or damaged; a policy veto, a cancellation and caller errors are never
 * retried. Failures surface as {@link PeerError} (culprits named) or {@link SessionError} (a node
 * declined or failed locally, e.g. a veto or `STORE_CORRUPT`), with the per-node details.
 *
 * **Records.** Every signing attempt is a signing session in the metadata store (status,
 * participants, message hash, then the signature as `r ‖ s ‖ recoveryId` hex, or the error), and
 * every state change appends an audit event: `node.registered`, `node.online`, `node.offline`,
 * `keygen.started`, `keygen.completed`, `keygen.failed`, `sign.started`, `sign.completed`,
 * `sign.failed`, `sign.vetoed`, `sign.cancelled`, `sign.retry`, `sign.orphaned`, `batch.started`,
 * `batch.completed`.
 *
 * **Several coordinators** can share the metadata store (Postgres) and session store (Redis).
 * Session ids are unique in the metadata store (`SESSION_REUSED` otherwise), and the
 * coordinator driving a session holds its lock in the session store for as long as it runs, so
 * two coordinators never drive the same session. {@link Coordinator.recoverOrphans} (at start and
 * every `recoverIntervalMs`) fails the `running` sessions whose coordinator died: their lock has
 * lapsed.
 *
 * Signatures reported by participants are verified (against the key's public key, or the
 * derived one) before they are accepted; a bad one is blamed on its sender.
 * @module
 */
import { randomBytes, randomInt } from 'node:crypto';
import { type ErrorCode, isMpcError, LocalError, MpcError, PeerError } from '../errors.js';
import { bytesToBigint, bytesToHex, hexToBytes } from '../math/bigint.js';
import {
  type DerivationPath,
  derivePublicKey,
  parseDerivationPath,
} from '../protocols/ecdsa/derive.js';
import {
  ECDSA_KEYGEN_PROTOCOL,
  ECDSA_KEYGEN_TSS_LIB_PROTOCOL,
} from '../protocols/ecdsa/keygen/index.js';
import {
  SIGN_GG18_PROTOCOL,
  SIGN_GG18_TSS_LIB_PROTOCOL,
} from '../protocols/ecdsa/sign-gg18/index.js';
import {
  encodeDerSignature,
  type SignatureHex,
  verifySignature,
} from '../protocols/ecdsa/signature.js';
import type {
  AuditEventInput,
  AuditJsonValue,
  KeyRecord,
  MetadataStore,
  NodeRecord,
  SessionLock,
  SessionStore,
} from '../stores/types.js';
import {
  importPublicIdentity,
  type KeyDirectory,
  type PublicIdentity,
} from '../transport/identity.js';
import type { Transport, Unsubscribe } from '../transport/types.js';
import { isValidId } from '../wire/envelope.js';
import {
  CONTROL_SESSION_ID,
  type ControlDerivation,
  type ControlMessage,
  type ControlProfile,
  clip,
  type DeclineMessage,
  decodeControl,
  encodeControl,
  type Invitation,
  type ResultMessage,
} from './control.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** Options of {@link createCoordinator}. */
export interface CoordinatorOptions {
  /** The coordinator's transport (its `self` is the coordinator's id); a secure channel in production. */
  readonly transport: Transport;
  /** Nodes, keys, signing sessions and the audit log; shared by every coordinator. */
  readonly metadata: MetadataStore;
  /** Session locks (so two coordinators never drive the same session); shared. */
  readonly sessionStore: SessionStore;
  /** Heartbeat period the participants use, in ms. Default 5 000. */
  readonly heartbeatIntervalMs?: number;
  /** Missed heartbeats after which a node is marked offline. Default 3. */
  readonly missedHeartbeats?: number;
  /** Most sessions (keygen + signing) this coordinator runs at once. Default 64. */
  readonly maxConcurrentSessions?: number;
  /** Most signing sessions this coordinator runs at once. Default 32. */
  readonly maxConcurrentSignings?: number;
  /** What happens to a request beyond the limits: wait in a queue (default) or fail at once. */
  readonly overflow?: 'queue' | 'reject';
  /** Most queued requests; beyond it requests fail at once. Default 1 000. */
  readonly maxQueue?: number;
  /** Protocol timeout of a signing session, ms. Default 60 000. */
  readonly signTimeoutMs?: number;
  /** Protocol timeout of a keygen session, ms (pre-params not included). Default 300 000. */
  readonly keygenTimeoutMs?: number;
  /** Extra wait for participants' reports after the protocol timeout, ms. Default 3 000. */
  readonly graceMs?: number;
  /** How often unanswered invitations are resent, ms. Default 1 000. */
  readonly resendIntervalMs?: number;
  /** Signing attempts per request (each without the previous culprits). Default 2. */
  readonly maxAttempts?: number;
  /** How long a node named as a culprit is avoided by selection, ms. Default 60 000. */
  readonly suspectMs?: number;
  /** Default profile of new sessions. Default `native`. */
  readonly profile?: ControlProfile;
  /** `actor` of the audit events. Default: the coordinator's id. */
  readonly actor?: string;
  /** TTL of the coordinator's session locks (extended while running), ms. Default 30 000. */
  readonly lockTtlMs?: number;
  /** How often {@link Coordinator.recoverOrphans} runs, ms; 0 = only at start. Default 60 000. */
  readonly recoverIntervalMs?: number;
  /** Event sink for logs and metrics. Must not throw. */
  readonly onEvent?: (e: CoordinatorEvent) => void;
}

/** Something that happened on a coordinator (for logs and metrics; the audit log is separate). */
export interface CoordinatorEvent {
  readonly type:
    | 'heartbeat'
    | 'node-online'
    | 'node-offline'
    | 'session-started'
    | 'session-completed'
    | 'session-failed'
    | 'queued'
    | 'dropped'
    | 'error';
  readonly sessionId?: string;
  readonly nodeId?: string;
  readonly error?: MpcError;
}

/** Input of {@link Coordinator.registerNode}. */
export interface RegisterNodeInput {
  /** The node's party id (its transport identity). */
  readonly id: string;
  /** Where it listens, e.g. `10.0.0.5:7443`. */
  readonly endpoint: string;
  /** Its public identity (`exportPublicIdentity` JSON), from which the directory is built. */
  readonly identityKey: string;
  readonly capabilities?: readonly string[];
}

/** A keygen request. */
export interface KeygenRequest {
  /** Id of the new key. Default: `key-` + 16 random hex characters. */
  readonly keyId?: string;
  /** The parties; default: `n` healthy, least-loaded nodes. */
  readonly parties?: readonly string[];
  /** Number of parties when `parties` is not given. */
  readonly n?: number;
  /** Parties needed to sign (2 ≤ minSigners ≤ n). */
  readonly minSigners: number;
  readonly profile?: ControlProfile;
  /** Chain recorded with the key, e.g. `bitcoin`, `ethereum:1`. */
  readonly chain?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** What {@link Coordinator.keygen} returns. */
export interface KeygenResult {
  readonly keyId: string;
  readonly sessionId: string;
  /** Compressed public key, 66 hex characters. */
  readonly publicKey: string;
  readonly parties: readonly string[];
  readonly minSigners: number;
}

/** A signing request. */
export interface SignRequest {
  readonly keyId: string;
  /** The 32-byte digest to sign (bytes or 64 hex characters). */
  readonly messageHash: Uint8Array | string;
  /** Exactly these signers (no selection, no retry with others). */
  readonly signers?: readonly string[];
  /** Nodes not to select. */
  readonly exclude?: readonly string[];
  /** Sign with a non-hardened BIP32 child key; the chain code is required here. */
  readonly derivation?: { readonly path: DerivationPath; readonly chainCode: Uint8Array | string };
  /** Opaque details for the participants' policy hooks (JSON, ≤ 16 KiB). */
  readonly metadata?: { readonly [k: string]: AuditJsonValue };
  /** Session id of the first attempt (retries get fresh ids). Default: 64 random hex characters. */
  readonly sessionId?: string;
  readonly timeoutMs?: number;
  /** Attempts for this request. Default: the coordinator's `maxAttempts`. */
  readonly maxAttempts?: number;
  readonly profile?: ControlProfile;
  readonly signal?: AbortSignal;
}

/** What {@link Coordinator.sign} returns. */
export interface SignResult {
  readonly keyId: string;
  /** The session that produced the signature. */
  readonly sessionId: string;
  readonly signers: readonly string[];
  readonly signature: SignatureHex;
  /** Attempts it took (1 = first try). */
  readonly attempts: number;
}

/** One outcome of {@link Coordinator.signBatch}. */
export type BatchOutcome =
  | { readonly ok: true; readonly result: SignResult }
  | { readonly ok: false; readonly error: MpcError };

/** A node as the coordinator sees it. */
export interface NodeHealth {
  readonly id: string;
  readonly status: NodeRecord['status'];
  readonly healthy: boolean;
  readonly lastSeen?: number;
  /** Load reported in the last heartbeat plus this coordinator's assignments since. */
  readonly load: number;
  readonly suspectUntil?: number;
}

/** Counters of a coordinator. */
export interface CoordinatorStats {
  /** Sessions running (keygen + signing). */
  readonly sessions: number;
  /** Signing sessions running. */
  readonly signings: number;
  /** Requests waiting in the queue. */
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
}

/** A coordinator. */
export interface Coordinator {
  /** The coordinator's id (its transport's `self`). */
  readonly id: string;
  /** Subscribes to control messages, starts health checks, fails orphaned sessions. */
  start(): Promise<void>;
  /** Registers (or updates) a participant node. */
  registerNode(input: RegisterNodeInput): Promise<NodeRecord>;
  /** Every registered node with its health. */
  nodes(): Promise<NodeHealth[]>;
  /** Runs a distributed keygen and records the key. */
  keygen(req: KeygenRequest): Promise<KeygenResult>;
  /** Signs a digest with a key. */
  sign(req: SignRequest): Promise<SignResult>;
  /** Signs several digests (one session each, run concurrently within the limits). */
  signBatch(reqs: readonly SignRequest[]): Promise<BatchOutcome[]>;
  /** Cancels a running session; `false` if this coordinator runs no such session. */
  cancel(sessionId: string, reason?: string): Promise<boolean>;
  /** Marks nodes offline that missed their heartbeats (also runs on a timer). */
  checkHealth(): Promise<void>;
  /** Fails `running`/`pending` signing sessions whose coordinator died. Returns their ids. */
  recoverOrphans(): Promise<string[]>;
  stats(): CoordinatorStats;
  /** Stops: cancels running sessions and queued requests. Leaves transport and stores open. */
  close(): Promise<void>;
}

/** One node's failure within a session. */
export interface NodeFailure {
  readonly nodeId: string;
  readonly code: ErrorCode;
  readonly message: string;
  /** Parties this node blamed. */
  readonly culprits: readonly string[];
  /** True when the node's policy vetoed the request. */
  readonly veto: boolean;
}

/**
 * A session failed because a node declined (policy veto, busy, missing or damaged share) or
 * failed on its own side, without blaming a peer. `failures` has the per-node details;
 * `code` is the first node's code (`CANCELLED` for a veto, `STORE_CORRUPT`, `NOT_FOUND`, ...).
 */
export class SessionError extends MpcError {
  readonly failures: readonly NodeFailure[];
  constructor(
    code: ErrorCode,
    message: string,
    opts: { sessionId?: string; failures: readonly NodeFailure[]; cause?: unknown },
  ) {
    super({
      code,
      message,
      ...(opts.sessionId === undefined ? {} : { sessionId: opts.sessionId }),
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    });
    this.name = 'SessionError';
    this.failures = Object.freeze([...opts.failures]);
  }

  /** True when a node's policy vetoed the request. */
  get vetoed(): boolean {
    return this.failures.some((f) => f.veto);
  }
}

/**
 * A {@link KeyDirectory} over node records whose `identityKey` is `exportPublicIdentity` JSON,
 * plus any extra identities (e.g. the coordinators'). Records with another format are skipped.
 *
 * @example
 * ```ts
 * const directory = nodeDirectory(await metadata.listNodes(), [coordinatorPublicIdentity]);
 * const channel = createSecureChannel(transport, { identity, directory });
 * ```
 */
export function nodeDirectory(
  nodes: readonly NodeRecord[],
  extra: readonly PublicIdentity[] = [],
): KeyDirectory {
  const map = new Map<string, PublicIdentity>();
  for (const n of nodes) {
    try {
      const pub = importPublicIdentity(n.identityKey);
      if (pub.partyId === n.id) map.set(n.id, pub);
    } catch {
      // not an exported public identity: skip
    }
  }
  for (const p of extra) map.set(p.partyId, p);
  return map;
}

// ---------------------------------------------------------------------------------------------
// Implementation

const HEX64 = /^[0-9a-f]{64}$/;
const randomHex = (n: number): string => randomBytes(n).toString('hex');

function posInt(title: string, v: unknown, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be an integer ≥ ${min}`);
  }
  return v;
}

function asError(e: unknown, sessionId?: string): MpcError {
  if (isMpcError(e)) return e;
  return new LocalError('INTERNAL', 'coordinator failure', {
    ...(sessionId ? { sessionId } : {}),
    cause: e,
  });
}

function describe(e: MpcError): string {
  const c = e.culprits.length > 0 ? ` (culprits ${e.culprits.join(',')})` : '';
  return clip(`${e.code}: ${e.shortMessage}${c}`);
}

type Kind = 'keygen' | 'sign';

interface Slot {
  readonly kind: Kind;
  readonly resolve: (release: () => void) => void;
  readonly reject: (e: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort?: () => void;
}

/** How a session ended, as the driver decides it. */
type Outcome =
  | { ok: true; results: Map<string, ResultMessage> }
  | { ok: false; error: MpcError; failures: NodeFailure[]; retryExclude: string[] };

interface DriveSpec {
  readonly sessionId: string;
  readonly kind: Kind;
  readonly participants: readonly string[];
  readonly invitation: Invitation;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /**
   * Checks one successful result; returns an error blaming the sender when it is bad, and
   * whether the session is complete with it.
   */
  readonly accept: (
    from: string,
    result: ResultMessage & { ok: true },
    all: Map<string, ResultMessage>,
  ) => { complete: boolean; error?: MpcError };
}

/** Node-local failure codes after which a retry without that node may succeed. */
const NODE_LOCAL_RETRYABLE: ReadonlySet<string> = new Set([
  'STORE_CORRUPT',
  'STORE_ERROR',
  'NOT_FOUND',
  'INVALID_KEY_SHARE',
  'INVALID_STATE',
  'TRANSPORT_ERROR',
  'INTERNAL',
]);

/** One session in flight: invitations, answers, and the verdict. */
class Drive {
  readonly results = new Map<string, ResultMessage>();
  readonly accepted = new Set<string>();
  readonly failures = new Map<string, NodeFailure>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private finished = false;
  private settle!: (o: Outcome) => void;
  readonly done: Promise<Outcome>;
  private readonly lastInvite = new Map<string, number>();
  private abortListener: (() => void) | undefined;
  private graceTimer = false;

  constructor(
    private readonly coord: CoordinatorImpl,
    readonly spec: DriveSpec,
    private readonly graceMs: number,
    private readonly resendMs: number,
  ) {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  begin(): void {
    const signal = this.spec.signal;
    if (signal?.aborted) {
      this.cancel('cancelled by the caller');
      return;
    }
    if (signal) {
      this.abortListener = () => this.cancel('cancelled by the caller');
      signal.addEventListener('abort', this.abortListener, { once: true });
    }
    this.invite(true);
    this.timer(() => this.onDeadline(), this.spec.timeoutMs + this.graceMs);
    this.tick();
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private tick(): void {
    this.timer(() => {
      if (this.finished) return;
      this.invite(false);
      this.tick();
    }, this.resendMs);
  }

  /** Sends the invitation to everyone without a final answer (accepted ones less often). */
  private invite(all: boolean): void {
    const now = Date.now();
    for (const p of this.spec.participants) {
      if (this.results.has(p) || this.failures.has(p)) continue;
      const every = this.accepted.has(p) ? this.resendMs * 4 : this.resendMs;
      if (!all && now - (this.lastInvite.get(p) ?? 0) < every) continue;
      this.lastInvite.set(p, now);
      this.coord.sendControl(p, { type: 'invite', body: this.spec.invitation });
    }
  }

  onAccept(from: string): void {
    if (!this.finished) this.accepted.add(from);
  }

  onDecline(from: string, d: DeclineMessage): void {
    if (this.finished || this.results.has(from) || this.failures.has(from)) return;
    this.failures.set(from, {
      nodeId: from,
      code: d.code,
      message: d.message,
      culprits: [],
      veto: d.veto,
    });
    // Without this node the session cannot finish: stop the others now.
    this.fail();
  }

  onResult(from: string, r: ResultMessage): void {
    if (this.finished || this.results.has(from) || this.failures.has(from)) return;
    if (!r.ok) {
      this.results.set(from, r);
      this.failures.set(from, {
        nodeId: from,
        code: r.error.code,
        message: r.error.message,
        culprits: r.error.culprits.filter((c) => this.spec.participants.includes(c)),
        veto: false,
      });
      this.maybeFinishFailed();
      return;
    }
    const verdict = this.spec.accept(from, r, this.results);
    if (verdict.error) {
      // The coordinator's own check failed (a bad signature, another public key): definitive.
      this.failures.set(from, {
        nodeId: from,
        code: verdict.error.code,
        message: verdict.error.shortMessage,
        culprits: [from],
        veto: false,
      });
      this.fail();
      return;
    }
    this.results.set(from, r);
    if (verdict.complete && this.failures.size === 0) {
      this.finish({ ok: true, results: this.results });
    } else if (this.failures.size > 0) this.maybeFinishFailed();
  }

  /**
   * A failed session ends once every participant reported or is blamed by a report, and at the
   * latest `graceMs` after the first failure report (the others' reports add blame).
   */
  private maybeFinishFailed(): void {
    if (!this.graceTimer) {
      this.graceTimer = true;
      this.timer(() => this.fail(), this.graceMs);
    }
    const blamed = new Set<string>();
    for (const f of this.failures.values()) for (const c of f.culprits) blamed.add(c);
    const open = this.spec.participants.filter(
      (p) => !this.results.has(p) && !this.failures.has(p) && !blamed.has(p),
    );
    if (open.length === 0) this.fail();
  }

  private onDeadline(): void {
    if (this.finished) return;
    this.fail(true);
  }

  cancel(reason: string): void {
    if (this.finished) return;
    const error = new LocalError('CANCELLED', `session cancelled: ${clip(reason)}`, {
      sessionId: this.spec.sessionId,
    });
    this.stopOthers(reason);
    this.finish({ ok: false, error, failures: [...this.failures.values()], retryExclude: [] });
  }

  /** Builds the failure verdict from what the participants reported. */
  private fail(deadline = false): void {
    if (this.finished) return;
    const sessionId = this.spec.sessionId;
    const failures = [...this.failures.values()];
    const silent = this.spec.participants.filter(
      (p) => !this.results.has(p) && !this.failures.has(p),
    );
    const blamed = new Set<string>();
    for (const f of failures) for (const c of f.culprits) blamed.add(c);
    // At the deadline, participants that never reported anything are blamed too.
    if (deadline) for (const p of silent) blamed.add(p);
    const culprits = this.spec.participants.filter((p) => blamed.has(p));
    const peerFailure = failures.find((f) => f.culprits.length > 0);
    let error: MpcError;
    let retryExclude: string[] = [];
    if (culprits.length > 0) {
      const code: ErrorCode = peerFailure ? peerFailure.code : 'TIMEOUT';
      const msg = peerFailure
        ? `${peerFailure.nodeId} reported: ${peerFailure.message}`
        : `no answer from ${culprits.join(', ')} within ${this.spec.timeoutMs + this.graceMs} ms`;
      error = new PeerError({ code, message: clip(msg), culprits, sessionId });
      retryExclude = culprits;
    } else {
      const first = failures[0];
      const code: ErrorCode = first?.code ?? 'TIMEOUT';
      const msg = first
        ? first.veto
          ? `${this.spec.kind === 'sign' ? 'signing' : 'keygen'} vetoed by ${first.nodeId}: ${first.message}`
          : `node ${first.nodeId} failed: ${first.message}`
        : 'session failed';
      error = new SessionError(code, clip(msg), { sessionId, failures });
      if (!failures.some((f) => f.veto || !NODE_LOCAL_RETRYABLE.has(f.code))) {
        retryExclude = failures.map((f) => f.nodeId);
      }
    }
    this.stopOthers('session failed');
    this.finish({ ok: false, error, failures, retryExclude });
  }

  /** Tells participants still running to stop. */
  private stopOthers(reason: string): void {
    for (const p of this.spec.participants) {
      if (this.results.has(p) || this.failures.has(p)) continue;
      this.coord.sendControl(p, {
        type: 'cancel',
        body: { sessionId: this.spec.sessionId, reason: clip(reason) },
      });
    }
  }

  private finish(o: Outcome): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.abortListener) this.spec.signal?.removeEventListener('abort', this.abortListener);
    this.settle(o);
  }
}

class CoordinatorImpl implements Coordinator {
  readonly id: string;
  private readonly heartbeatMs: number;
  private readonly missed: number;
  private readonly maxSessions: number;
  private readonly maxSignings: number;
  private readonly maxQueue: number;
  private readonly signTimeoutMs: number;
  private readonly keygenTimeoutMs: number;
  private readonly graceMs: number;
  private readonly resendMs: number;
  private readonly maxAttempts: number;
  private readonly suspectMs: number;
  private readonly lockTtlMs: number;
  private readonly profile: ControlProfile;
  private readonly actor: string;

  private off: Unsubscribe | undefined;
  private healthTimer: ReturnType<typeof setInterval> | undefined;
  private recoverTimer: ReturnType<typeof setInterval> | undefined;
  private readonly recoverMs: number;
  private started = false;
  private closed = false;
  private readonly drives = new Map<string, Drive>();
  private readonly queue: Slot[] = [];
  private running = { sessions: 0, signings: 0 };
  private counts = { completed: 0, failed: 0 };
  /** Load reported by each node's last heartbeat, and our assignments since then. */
  private readonly loads = new Map<string, { reported: number; assigned: number }>();
  private readonly suspects = new Map<string, number>();
  /** Nodes known to be registered (refreshed on demand). */
  private readonly known = new Map<string, NodeRecord>();
  /** Heartbeat handling in flight, per node. */
  private readonly beats = new Map<string, Promise<void>>();
  /** Requests in flight (so close() can wait for their bookkeeping). */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly opts: CoordinatorOptions) {
    if (!opts || typeof opts !== 'object') {
      throw new LocalError('INVALID_ARGUMENT', 'coordinator options are required');
    }
    const t = opts.transport;
    if (!t || typeof t.send !== 'function' || typeof t.subscribe !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"transport" must be a Transport');
    }
    if (!opts.metadata || typeof opts.metadata.appendAudit !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"metadata" must be a MetadataStore');
    }
    if (!opts.sessionStore || typeof opts.sessionStore.acquireLock !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"sessionStore" must be a SessionStore');
    }
    this.id = t.self;
    this.heartbeatMs = posInt('heartbeatIntervalMs', opts.heartbeatIntervalMs, 5000);
    this.missed = posInt('missedHeartbeats', opts.missedHeartbeats, 3);
    this.maxSessions = posInt('maxConcurrentSessions', opts.maxConcurrentSessions, 64);
    this.maxSignings = posInt('maxConcurrentSignings', opts.maxConcurrentSignings, 32);
    this.maxQueue = posInt('maxQueue', opts.maxQueue, 1000, 0);
    this.signTimeoutMs = posInt('signTimeoutMs', opts.signTimeoutMs, 60_000);
    this.keygenTimeoutMs = posInt('keygenTimeoutMs', opts.keygenTimeoutMs, 300_000);
    this.graceMs = posInt('graceMs', opts.graceMs, 3000, 0);
    this.resendMs = posInt('resendIntervalMs', opts.resendIntervalMs, 1000);
    this.maxAttempts = posInt('maxAttempts', opts.maxAttempts, 2);
    this.suspectMs = posInt('suspectMs', opts.suspectMs, 60_000, 0);
    this.lockTtlMs = posInt('lockTtlMs', opts.lockTtlMs, 30_000);
    this.recoverMs = posInt('recoverIntervalMs', opts.recoverIntervalMs, 60_000, 0);
    this.profile = opts.profile ?? 'native';
    if (this.profile !== 'native' && this.profile !== 'tss-lib') {
      throw new LocalError('INVALID_ARGUMENT', '"profile" must be native or tss-lib');
    }
    if (opts.overflow !== undefined && opts.overflow !== 'queue' && opts.overflow !== 'reject') {
      throw new LocalError('INVALID_ARGUMENT', '"overflow" must be queue or reject');
    }
    this.actor = opts.actor ?? this.id;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.closed) throw new LocalError('INVALID_STATE', 'coordinator is closed');
    if (this.started) return;
    this.started = true;
    this.off = this.opts.transport.subscribe(CONTROL_SESSION_ID, ({ bytes, from }) =>
      this.onControl(bytes, from),
    );
    this.healthTimer = setInterval(() => {
      this.checkHealth().catch((e) => this.event({ type: 'error', error: asError(e) }));
    }, this.heartbeatMs);
    this.healthTimer.unref?.();
    if (this.recoverMs > 0) {
      this.recoverTimer = setInterval(() => {
        this.recoverOrphans().catch((e) => this.event({ type: 'error', error: asError(e) }));
      }, this.recoverMs);
      this.recoverTimer.unref?.();
    }
    await this.recoverOrphans();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    if (this.recoverTimer) clearInterval(this.recoverTimer);
    for (const slot of this.queue.splice(0)) {
      if (slot.onAbort) slot.signal?.removeEventListener('abort', slot.onAbort);
      slot.reject(new LocalError('CANCELLED', 'coordinator closed'));
    }
    for (const d of this.drives.values()) d.cancel('coordinator closed');
    await Promise.allSettled([...this.inflight]);
    this.off?.();
    // Let the final bookkeeping of those sessions and the heartbeats in flight finish.
    await Promise.allSettled([...this.beats.values()]);
    await new Promise((r) => setImmediate(r));
  }

  stats(): CoordinatorStats {
    return {
      sessions: this.running.sessions,
      signings: this.running.signings,
      queued: this.queue.length,
      completed: this.counts.completed,
      failed: this.counts.failed,
    };
  }

  private event(e: CoordinatorEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // event sinks must not break the coordinator
    }
  }

  private async audit(ev: AuditEventInput): Promise<void> {
    await this.opts.metadata.appendAudit({ actor: this.actor, ...ev });
  }

  /** Audit after the fact: a failure is reported, never thrown. */
  private auditQuietly(ev: AuditEventInput): Promise<void> {
    return this.audit(ev).catch((e) =>
      this.event({
        type: 'error',
        error: asError(e),
        ...(ev.sessionId ? { sessionId: ev.sessionId } : {}),
      }),
    );
  }

  // ---------------------------------------------------------------- control plane

  sendControl(to: string, msg: ControlMessage): void {
    let env: ReturnType<typeof encodeControl>;
    try {
      env = encodeControl(this.id, to, msg);
    } catch (e) {
      this.event({ type: 'error', nodeId: to, error: asError(e) });
      return;
    }
    this.opts.transport
      .send(env)
      .catch((e) => this.event({ type: 'error', nodeId: to, error: asError(e) }));
  }

  private onControl(bytes: Uint8Array, from: string): void {
    if (this.closed) return;
    let msg: ControlMessage;
    try {
      msg = decodeControl(bytes, from);
    } catch (e) {
      this.event({ type: 'dropped', nodeId: from, error: asError(e) });
      return;
    }
    switch (msg.type) {
      case 'heartbeat': {
        // One heartbeat per node at a time: a slow store must not turn two into two state changes.
        const load = msg.body.load;
        const prev = this.beats.get(from) ?? Promise.resolve();
        const next = prev
          .then(() => this.onHeartbeat(from, load))
          .catch((e) => this.event({ type: 'error', nodeId: from, error: asError(e) }))
          .finally(() => {
            if (this.beats.get(from) === next) this.beats.delete(from);
          });
        this.beats.set(from, next);
        return;
      }
      case 'accept':
      case 'decline':
      case 'result': {
        const drive = this.drives.get(msg.body.sessionId);
        if (!drive?.spec.participants.includes(from)) {
          this.event({ type: 'dropped', nodeId: from, sessionId: msg.body.sessionId });
          return;
        }
        if (msg.type === 'accept') drive.onAccept(from);
        else if (msg.type === 'decline') drive.onDecline(from, msg.body);
        else drive.onResult(from, msg.body);
        return;
      }
      default:
        this.event({ type: 'dropped', nodeId: from });
    }
  }

  private async node(id: string, refresh = false): Promise<NodeRecord | undefined> {
    if (!refresh) {
      const n = this.known.get(id);
      if (n) return n;
    }
    const n = await this.opts.metadata.getNode(id);
    if (n) this.known.set(id, n);
    else this.known.delete(id);
    return n;
  }

  private async onHeartbeat(from: string, load: number): Promise<void> {
    const known = await this.node(from);
    if (!known) {
      this.event({ type: 'dropped', nodeId: from });
      return;
    }
    this.loads.set(from, { reported: load, assigned: 0 });
    if (known.status === 'disabled' || known.status === 'draining') {
      const rec = await this.opts.metadata.touchNode(from);
      this.known.set(from, rec);
      return;
    }
    const wasOffline = known.status !== 'online';
    const rec = await this.opts.metadata.touchNode(from, wasOffline ? 'online' : undefined);
    this.known.set(from, rec);
    this.event({ type: 'heartbeat', nodeId: from });
    if (wasOffline) {
      this.event({ type: 'node-online', nodeId: from });
      await this.audit({ type: 'node.online', nodeId: from, data: { reason: 'heartbeat' } });
    }
  }

  // ---------------------------------------------------------------- nodes and health

  async registerNode(input: RegisterNodeInput): Promise<NodeRecord> {
    if (!input || !isValidId(input.id)) {
      throw new LocalError('INVALID_ARGUMENT', 'node "id" must be a party id');
    }
    const prev = await this.opts.metadata.getNode(input.id);
    const rec = await this.opts.metadata.upsertNode({
      id: input.id,
      endpoint: input.endpoint,
      identityKey: input.identityKey,
      ...(input.capabilities ? { capabilities: input.capabilities } : {}),
      // A new node is offline until its first heartbeat.
      ...(prev ? {} : { status: 'offline' as const }),
    });
    this.known.set(rec.id, rec);
    await this.audit({
      type: 'node.registered',
      nodeId: rec.id,
      data: { endpoint: rec.endpoint, update: prev !== undefined },
    });
    return rec;
  }

  private healthy(n: NodeRecord, now: number): boolean {
    return (
      n.status === 'online' &&
      n.lastSeen !== undefined &&
      now - n.lastSeen <= this.heartbeatMs * this.missed
    );
  }

  private loadOf(id: string): number {
    const l = this.loads.get(id);
    return l ? l.reported + l.assigned : 0;
  }

  async nodes(): Promise<NodeHealth[]> {
    const now = Date.now();
    const list = await this.opts.metadata.listNodes();
    return list.map((n) => {
      const suspect = this.suspects.get(n.id);
      return {
        id: n.id,
        status: n.status,
        healthy: this.healthy(n, now),
        ...(n.lastSeen === undefined ? {} : { lastSeen: n.lastSeen }),
        load: this.loadOf(n.id),
        ...(suspect !== undefined && suspect > now ? { suspectUntil: suspect } : {}),
      };
    });
  }

  async checkHealth(): Promise<void> {
    const now = Date.now();
    const limit = this.heartbeatMs * this.missed;
    for (const n of await this.opts.metadata.listNodes({ status: 'online' })) {
      if (n.lastSeen !== undefined && now - n.lastSeen <= limit) continue;
      const rec = await this.opts.metadata.updateNode(n.id, { status: 'offline' });
      this.known.set(n.id, rec);
      this.event({ type: 'node-offline', nodeId: n.id });
      await this.audit({
        type: 'node.offline',
        nodeId: n.id,
        data: { reason: 'missed heartbeats', missed: this.missed },
      });
    }
  }

  /** Picks `count` healthy, least-loaded nodes among `candidates`. */
  private async select(
    candidates: readonly string[],
    count: number,
    exclude: ReadonlySet<string>,
  ): Promise<string[]> {
    const now = Date.now();
    const records = await this.opts.metadata.listNodes();
    for (const r of records) this.known.set(r.id, r);
    const byId = new Map(records.map((r) => [r.id, r]));
    const healthy = candidates.filter((id) => {
      const n = byId.get(id);
      return n !== undefined && !exclude.has(id) && this.healthy(n, now);
    });
    const trusted = healthy.filter((id) => (this.suspects.get(id) ?? 0) <= now);
    const pool = trusted.length >= count ? trusted : healthy;
    if (pool.length < count) {
      throw new LocalError(
        'INVALID_STATE',
        `only ${pool.length} healthy node(s) available, ${count} needed`,
      );
    }
    const ranked = pool
      .map((id) => ({ id, load: this.loadOf(id), tie: randomInt(0, 2 ** 31) }))
      .sort((a, b) => a.load - b.load || a.tie - b.tie);
    return ranked.slice(0, count).map((r) => r.id);
  }

  /** Named participants must be registered and healthy: fail fast instead of timing out. */
  private async requireHealthy(ids: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const id of ids) {
      const n = await this.node(id, true);
      if (!n) throw new LocalError('INVALID_ARGUMENT', `node "${id}" is not registered`);
      if (!this.healthy(n, now)) {
        throw new LocalError(
          'INVALID_STATE',
          `node "${id}" is ${n.status === 'online' ? 'not responding' : n.status}`,
        );
      }
    }
  }

  private assign(nodes: readonly string[], delta: number): void {
    for (const id of nodes) {
      const l = this.loads.get(id) ?? { reported: 0, assigned: 0 };
      l.assigned = Math.max(0, l.assigned + delta);
      this.loads.set(id, l);
    }
  }

  // ---------------------------------------------------------------- admission

  private fits(kind: Kind): boolean {
    return (
      this.running.sessions < this.maxSessions &&
      (kind !== 'sign' || this.running.signings < this.maxSignings)
    );
  }

  private take(kind: Kind): () => void {
    this.running.sessions++;
    if (kind === 'sign') this.running.signings++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running.sessions--;
      if (kind === 'sign') this.running.signings--;
      this.dispatch();
    };
  }

  private dispatch(): void {
    for (let i = 0; i < this.queue.length; ) {
      const slot = this.queue[i]!;
      if (!this.fits(slot.kind)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      if (slot.onAbort) slot.signal?.removeEventListener('abort', slot.onAbort);
      slot.resolve(this.take(slot.kind));
    }
  }

  /** Waits for a slot; resolves with its release function. */
  private admit(kind: Kind, signal: AbortSignal | undefined): Promise<() => void> {
    if (this.closed)
      return Promise.reject(new LocalError('INVALID_STATE', 'coordinator is closed'));
    if (signal?.aborted) {
      return Promise.reject(new LocalError('CANCELLED', 'request cancelled'));
    }
    if (this.queue.length === 0 && this.fits(kind)) return Promise.resolve(this.take(kind));
    if (this.opts.overflow === 'reject' || this.queue.length >= this.maxQueue) {
      return Promise.reject(
        new LocalError(
          'INVALID_STATE',
          `coordinator at capacity (${this.running.sessions} sessions, ${this.running.signings} signings, ${this.queue.length} queued)`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const slot: Slot = { kind, resolve, reject, signal };
      if (signal) {
        slot.onAbort = () => {
          const i = this.queue.indexOf(slot);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new LocalError('CANCELLED', 'request cancelled while queued'));
        };
        signal.addEventListener('abort', slot.onAbort, { once: true });
      }
      this.queue.push(slot);
      this.event({ type: 'queued' });
    });
  }

  // ---------------------------------------------------------------- session driving

  private lockId(sessionId: string): string {
    const id = `coord/${sessionId}`;
    return id.length <= 256 ? id : `coord/${sessionId.slice(0, 200)}`;
  }

  /** Takes the session's coordinator lock and keeps it while `fn` runs. */
  private async withLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const store = this.opts.sessionStore;
    const lock = await store.acquireLock(this.lockId(sessionId), { ttlMs: this.lockTtlMs });
    if (!lock) {
      throw new LocalError('SESSION_REUSED', 'another coordinator runs this session', {
        sessionId,
      });
    }
    let held: SessionLock = lock;
    const timer = setInterval(
      () => {
        store
          .extendLock(held, { ttlMs: this.lockTtlMs })
          .then((next) => {
            if (next) held = next;
            else
              this.event({
                type: 'error',
                sessionId,
                error: new LocalError('STORE_ERROR', 'lost the session lock', { sessionId }),
              });
          })
          .catch((e) => this.event({ type: 'error', sessionId, error: asError(e, sessionId) }));
      },
      Math.max(1, Math.floor(this.lockTtlMs / 3)),
    );
    timer.unref?.();
    try {
      return await fn();
    } finally {
      clearInterval(timer);
      await store.releaseLock(held).catch(() => false);
    }
  }

  private async drive(spec: DriveSpec): Promise<Outcome> {
    if (this.drives.has(spec.sessionId)) {
      throw new LocalError('SESSION_REUSED', 'session id is already running', {
        sessionId: spec.sessionId,
      });
    }
    const d = new Drive(this, spec, this.graceMs, this.resendMs);
    this.drives.set(spec.sessionId, d);
    this.assign(spec.participants, 1);
    this.event({ type: 'session-started', sessionId: spec.sessionId });
    try {
      d.begin();
      return await d.done;
    } finally {
      this.drives.delete(spec.sessionId);
      this.assign(spec.participants, -1);
    }
  }

  async cancel(sessionId: string, reason = 'cancelled by the operator'): Promise<boolean> {
    const d = this.drives.get(sessionId);
    if (!d) return false;
    d.cancel(reason);
    await d.done;
    return true;
  }

  // ---------------------------------------------------------------- keygen

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = (): void => {
      this.inflight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  keygen(req: KeygenRequest): Promise<KeygenResult> {
    return this.track(this.keygenTracked(req));
  }

  private async keygenTracked(req: KeygenRequest): Promise<KeygenResult> {
    if (!req || typeof req !== 'object')
      throw new LocalError('INVALID_ARGUMENT', 'request required');
    const keyId = req.keyId ?? `key-${randomHex(8)}`;
    if (!isValidId(keyId)) throw new LocalError('INVALID_ARGUMENT', '"keyId" must be an id');
    const profile = req.profile ?? this.profile;
    const timeoutMs = posInt('timeoutMs', req.timeoutMs, this.keygenTimeoutMs);
    const release = await this.admit('keygen', req.signal);
    try {
      let parties: string[];
      if (req.parties) {
        parties = [...req.parties];
        if (!parties.every(isValidId) || new Set(parties).size !== parties.length) {
          throw new LocalError('INVALID_ARGUMENT', '"parties" must be distinct party ids');
        }
        await this.requireHealthy(parties);
      } else {
        const n = posInt('n', req.n, 0, 2);
        const all = (await this.opts.metadata.listNodes()).map((r) => r.id);
        parties = await this.select(all, n, new Set());
      }
      parties.sort();
      const minSigners = req.minSigners;
      if (!Number.isSafeInteger(minSigners) || minSigners < 2 || minSigners > parties.length) {
        throw new LocalError('INVALID_ARGUMENT', '"minSigners" must be in [2, parties.length]');
      }
      const sessionId = randomHex(32);
      return await this.withLock(sessionId, async () => {
        await this.opts.metadata.createKey({
          id: keyId,
          curve: 'secp256k1',
          minSigners,
          parties,
          ...(req.chain ? { chain: req.chain } : {}),
          status: 'pending',
        });
        await this.audit({
          type: 'keygen.started',
          keyId,
          sessionId,
          data: { parties, minSigners, profile },
        });
        const protocol =
          profile === 'native' ? ECDSA_KEYGEN_PROTOCOL : ECDSA_KEYGEN_TSS_LIB_PROTOCOL;
        let publicKey: string | undefined;
        const outcome = await this.drive({
          sessionId,
          kind: 'keygen',
          participants: parties,
          invitation: { kind: 'keygen', sessionId, keyId, parties, minSigners, profile, timeoutMs },
          timeoutMs,
          signal: req.signal,
          accept: (from, r, all) => {
            if (r.publicKey === undefined) {
              return {
                complete: false,
                error: this.peer('MALFORMED', 'no public key', from, sessionId),
              };
            }
            publicKey ??= r.publicKey;
            if (r.publicKey !== publicKey) {
              return {
                complete: false,
                error: this.peer(
                  'CONSISTENCY_CHECK_FAILED',
                  'reported another public key',
                  from,
                  sessionId,
                ),
              };
            }
            return { complete: all.size + 1 === parties.length };
          },
        });
        if (outcome.ok && publicKey) {
          await this.opts.metadata.updateKey(keyId, { status: 'active', publicKey });
          this.counts.completed++;
          this.event({ type: 'session-completed', sessionId });
          await this.auditQuietly({
            type: 'keygen.completed',
            keyId,
            sessionId,
            data: { publicKey, protocol },
          });
          return { keyId, sessionId, publicKey, parties, minSigners };
        }
        const error = outcome.ok
          ? new LocalError('INTERNAL', 'keygen finished without a key', { sessionId })
          : outcome.error;
        this.counts.failed++;
        this.event({ type: 'session-failed', sessionId, error });
        await this.opts.metadata
          .updateKey(keyId, { status: 'failed' })
          .catch((e) => this.event({ type: 'error', sessionId, error: asError(e) }));
        await this.auditQuietly({
          type: 'keygen.failed',
          keyId,
          sessionId,
          data: { error: describe(error), culprits: [...error.culprits] },
        });
        throw error;
      });
    } finally {
      release();
    }
  }

  private peer(code: ErrorCode, message: string, culprit: string, sessionId: string): PeerError {
    return new PeerError({ code, message, culprits: [culprit], sessionId });
  }

  // ---------------------------------------------------------------- signing

  sign(req: SignRequest): Promise<SignResult> {
    return this.track(this.signTracked(req));
  }

  private async signTracked(req: SignRequest): Promise<SignResult> {
    const checked = await this.checkSign(req);
    const release = await this.admit('sign', req.signal);
    try {
      return await this.signAdmitted(req, checked);
    } finally {
      release();
    }
  }

  private async checkSign(req: SignRequest): Promise<{
    key: KeyRecord;
    digest: Uint8Array;
    derivation: ControlDerivation | undefined;
    expectedKey: string;
  }> {
    if (!req || typeof req !== 'object')
      throw new LocalError('INVALID_ARGUMENT', 'request required');
    if (!isValidId(req.keyId)) throw new LocalError('INVALID_ARGUMENT', '"keyId" must be an id');
    let digest: Uint8Array;
    if (typeof req.messageHash === 'string') {
      if (!HEX64.test(req.messageHash)) {
        throw new LocalError(
          'INVALID_ARGUMENT',
          '"messageHash" must be 64 lowercase hex characters',
        );
      }
      digest = hexToBytes(req.messageHash);
    } else if (req.messageHash instanceof Uint8Array && req.messageHash.length === 32) {
      digest = Uint8Array.from(req.messageHash);
    } else {
      throw new LocalError('INVALID_ARGUMENT', '"messageHash" must be 32 bytes');
    }
    if (req.sessionId !== undefined && !isValidId(req.sessionId)) {
      throw new LocalError('INVALID_ARGUMENT', '"sessionId" must be an id');
    }
    const key = await this.opts.metadata.getKey(req.keyId);
    if (!key) throw new LocalError('NOT_FOUND', `key "${req.keyId}" not found`);
    if (key.status !== 'active' || !key.publicKey) {
      throw new LocalError('INVALID_STATE', `key "${req.keyId}" is ${key.status}`);
    }
    let derivation: ControlDerivation | undefined;
    let expectedKey = key.publicKey;
    if (req.derivation) {
      const path = parseDerivationPath(req.derivation.path);
      const cc = req.derivation.chainCode;
      const chainCode = typeof cc === 'string' ? cc.toLowerCase() : bytesToHex(cc);
      if (!HEX64.test(chainCode)) {
        throw new LocalError('INVALID_ARGUMENT', '"derivation.chainCode" must be 32 bytes');
      }
      derivation = { path, chainCode };
      expectedKey = bytesToHex(
        derivePublicKey(key.publicKey, chainCode, path).publicKey.toBytes(true),
      );
    }
    return { key, digest, derivation, expectedKey };
  }

  private async signAdmitted(
    req: SignRequest,
    c: {
      key: KeyRecord;
      digest: Uint8Array;
      derivation: ControlDerivation | undefined;
      expectedKey: string;
    },
  ): Promise<SignResult> {
    const { key, digest, derivation, expectedKey } = c;
    const profile = req.profile ?? this.profile;
    const protocol = profile === 'native' ? SIGN_GG18_PROTOCOL : SIGN_GG18_TSS_LIB_PROTOCOL;
    const timeoutMs = posInt('timeoutMs', req.timeoutMs, this.signTimeoutMs);
    const attempts = req.signers ? 1 : posInt('maxAttempts', req.maxAttempts, this.maxAttempts);
    const messageHash = bytesToHex(digest);
    const exclude = new Set(req.exclude ?? []);
    let lastError: MpcError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (req.signal?.aborted) throw new LocalError('CANCELLED', 'request cancelled');
      let signers: string[];
      if (req.signers) {
        signers = [...req.signers];
        if (
          !signers.every((s) => key.parties.includes(s)) ||
          new Set(signers).size !== signers.length ||
          signers.length < key.minSigners
        ) {
          throw new LocalError(
            'INVALID_ARGUMENT',
            `"signers" must be ${key.minSigners}+ distinct parties of key "${key.id}"`,
          );
        }
        await this.requireHealthy(signers);
      } else {
        try {
          signers = await this.select(key.parties, key.minSigners, exclude);
        } catch (e) {
          if (lastError) throw lastError;
          throw e;
        }
      }
      signers.sort();
      const sessionId = attempt === 1 && req.sessionId ? req.sessionId : randomHex(32);
      const outcome = await this.withLock(sessionId, async () => {
        await this.opts.metadata.createSigningSession({
          id: sessionId,
          keyId: key.id,
          protocol,
          participants: signers,
          messageHash,
          status: 'pending',
        });
        await this.opts.metadata.updateSigningSession(sessionId, { status: 'running' });
        await this.audit({
          type: 'sign.started',
          keyId: key.id,
          sessionId,
          data: {
            signers,
            messageHash,
            attempt,
            ...(derivation ? { path: derivation.path.join('/') } : {}),
          },
        });
        let signature: SignatureHex | undefined;
        const out = await this.drive({
          sessionId,
          kind: 'sign',
          participants: signers,
          invitation: {
            kind: 'sign',
            sessionId,
            keyId: key.id,
            signers,
            messageHash,
            profile,
            timeoutMs,
            ...(derivation ? { derivation } : {}),
            ...(req.metadata ? { metadata: req.metadata } : {}),
          },
          timeoutMs,
          signal: req.signal,
          accept: (from, r) => {
            const s = r.signature;
            if (!s)
              return {
                complete: false,
                error: this.peer('MALFORMED', 'no signature', from, sessionId),
              };
            const rr = bytesToBigint(hexToBytes(s.r));
            const ss = bytesToBigint(hexToBytes(s.s));
            if (
              s.publicKey !== expectedKey ||
              !verifySignature(rr, ss, digest, hexToBytes(expectedKey))
            ) {
              return {
                complete: false,
                error: this.peer(
                  'SIGNATURE_INVALID',
                  'reported a signature that does not verify',
                  from,
                  sessionId,
                ),
              };
            }
            const der = bytesToHex(encodeDerSignature(rr, ss));
            signature = {
              r: s.r,
              s: s.s,
              recoveryId: s.recoveryId,
              compact: s.r + s.s,
              recoverable: s.r + s.s + s.recoveryId.toString(16).padStart(2, '0'),
              der,
              publicKey: expectedKey,
              messageHash,
            };
            return { complete: true };
          },
        });
        if (out.ok && signature) {
          await this.opts.metadata.updateSigningSession(sessionId, {
            status: 'completed',
            signature: signature.recoverable,
          });
          this.counts.completed++;
          this.event({ type: 'session-completed', sessionId });
          await this.auditQuietly({
            type: 'sign.completed',
            keyId: key.id,
            sessionId,
            data: { signers, messageHash, signature: signature.recoverable },
          });
          return { ok: true as const, signature, signers, sessionId };
        }
        const outcomeFail = out.ok
          ? {
              error: new LocalError('INTERNAL', 'signing finished without a signature', {
                sessionId,
              }) as MpcError,
              failures: [] as NodeFailure[],
              retryExclude: [] as string[],
            }
          : out;
        const error = outcomeFail.error;
        const vetoed = error instanceof SessionError && error.vetoed;
        const cancelled = error.code === 'CANCELLED' && !vetoed;
        this.counts.failed++;
        this.event({ type: 'session-failed', sessionId, error });
        await this.opts.metadata
          .updateSigningSession(sessionId, {
            status: cancelled || vetoed ? 'aborted' : 'failed',
            error: describe(error),
          })
          .catch((e) => this.event({ type: 'error', sessionId, error: asError(e) }));
        await this.auditQuietly({
          type: vetoed ? 'sign.vetoed' : cancelled ? 'sign.cancelled' : 'sign.failed',
          keyId: key.id,
          sessionId,
          data: {
            error: describe(error),
            culprits: [...error.culprits],
            failures: outcomeFail.failures.map((f) => ({
              node: f.nodeId,
              code: f.code,
              message: f.message,
            })),
          },
        });
        return { ok: false as const, error, retryExclude: outcomeFail.retryExclude };
      });
      if (outcome.ok) {
        return {
          keyId: key.id,
          sessionId: outcome.sessionId,
          signers: outcome.signers,
          signature: outcome.signature,
          attempts: attempt,
        };
      }
      lastError = outcome.error;
      if (outcome.error instanceof PeerError) {
        const until = Date.now() + this.suspectMs;
        for (const c of outcome.error.culprits) this.suspects.set(c, until);
      }
      if (outcome.retryExclude.length === 0 || attempt >= attempts || req.signal?.aborted) {
        throw outcome.error;
      }
      for (const n of outcome.retryExclude) exclude.add(n);
      await this.auditQuietly({
        type: 'sign.retry',
        keyId: key.id,
        sessionId,
        data: { attempt: attempt + 1, exclude: [...exclude], error: describe(outcome.error) },
      });
    }
    throw lastError ?? new LocalError('INTERNAL', 'signing failed');
  }

  async signBatch(reqs: readonly SignRequest[]): Promise<BatchOutcome[]> {
    if (!Array.isArray(reqs)) throw new LocalError('INVALID_ARGUMENT', 'requests must be an array');
    const batchId = randomHex(8);
    await this.audit({ type: 'batch.started', data: { batchId, size: reqs.length } });
    const outcomes = await Promise.all(
      reqs.map((r) =>
        this.sign(r).then(
          (result): BatchOutcome => ({ ok: true, result }),
          (e): BatchOutcome => ({ ok: false, error: asError(e) }),
        ),
      ),
    );
    await this.auditQuietly({
      type: 'batch.completed',
      data: {
        batchId,
        size: reqs.length,
        completed: outcomes.filter((o) => o.ok).length,
        sessions: outcomes.map((o) => (o.ok ? o.result.sessionId : null)),
      },
    });
    return outcomes;
  }

  // ---------------------------------------------------------------- recovery

  async recoverOrphans(): Promise<string[]> {
    const out: string[] = [];
    const store = this.opts.sessionStore;
    for (const status of ['pending', 'running'] as const) {
      const list = await this.opts.metadata.listSigningSessions({ status, limit: 1000 });
      for (const s of list) {
        if (this.drives.has(s.id)) continue;
        const lock = await store.acquireLock(this.lockId(s.id), { ttlMs: this.lockTtlMs });
        if (!lock) continue; // its coordinator is alive
        try {
          const fresh = await this.opts.metadata.getSigningSession(s.id);
          if (!fresh || (fresh.status !== 'pending' && fresh.status !== 'running')) continue;
          await this.opts.metadata.updateSigningSession(s.id, {
            status: 'failed',
            error: 'coordinator lost: the session was orphaned',
          });
          for (const p of s.participants) {
            this.sendControl(p, {
              type: 'cancel',
              body: { sessionId: s.id, reason: 'coordinator lost' },
            });
          }
          await this.audit({
            type: 'sign.orphaned',
            keyId: s.keyId,
            sessionId: s.id,
            data: { previousStatus: s.status },
          });
          out.push(s.id);
        } finally {
          await store.releaseLock(lock).catch(() => false);
        }
      }
    }
    return out;
  }
}

/**
 * Creates a coordinator. Call {@link Coordinator.start} before use.
 *
 * @example
 * ```ts
 * const coordinator = createCoordinator({
 *   transport: createSecureChannel(grpc, { identity, directory }),
 *   metadata: pg.metadata,
 *   sessionStore: redisSessions,
 *   maxConcurrentSignings: 16,
 * });
 * await coordinator.start();
 * ```
 */
export function createCoordinator(opts: CoordinatorOptions): Coordinator {
  return new CoordinatorImpl(opts);
}
