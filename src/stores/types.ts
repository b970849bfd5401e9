/**
 * Storage interfaces: where a node keeps its key shares, its metadata and its in-flight
 * session state.
 *
 * Three interfaces, because they have different durability and access patterns:
 * - {@link KeyShareStore}: long-lived secrets, encrypted at rest, read rarely. Back it up.
 * - {@link MetadataStore}: the coordinator's catalogue (keys, nodes, signing sessions) and an
 *   append-only audit trail. Shared by every coordinator.
 * - {@link SessionStore}: short-lived state (party snapshots with TTL, per-session locks,
 *   session-id reuse guard) and the presignature pool.
 *
 * Every implementation, including the in-memory ones, must pass the conformance suites in
 * `mpc-tss/testing`. Failures are `MpcError`s with stable codes: `STORE_CORRUPT` (a record
 * failed its integrity check), `STORE_ERROR` (backend failure or conflict), `NOT_FOUND`,
 * `PRESIGNATURE_USED`, `SESSION_REUSED`, `INVALID_ARGUMENT`, `MISSING_DEPENDENCY`.
 *
 * Ids (key ids, party ids, session ids, ...) are strings of 1 to 256 characters without control
 * characters. Timestamps are milliseconds since the Unix epoch, taken from the store's clock.
 * @module
 */
// ---------------------------------------------------------------------------------------------
// Key provider
// ---------------------------------------------------------------------------------------------

/**
 * Supplies the 32-byte data-encryption key used by stores that encrypt at rest (AES-256-GCM).
 *
 * Ownership: every call returns a buffer that the caller owns, and stores wipe it as soon as the
 * record is sealed or opened. A provider that caches its key must return a copy.
 * Ready-made providers: {@link envKeyProvider}, {@link fileKeyProvider},
 * {@link callbackKeyProvider} (for a KMS).
 *
 * @example
 * ```ts
 * const keyProvider: KeyProvider = { getKey: async () => kms.decryptDataKey(wrappedKey) };
 * ```
 */
export interface KeyProvider {
  /** Returns a fresh copy of the 32-byte key. */
  getKey(): Promise<Uint8Array> | Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// KeyShareStore
// ---------------------------------------------------------------------------------------------

/** Address of one key share: the key it belongs to and the party holding it. */
export interface KeyShareRef {
  keyId: string;
  partyId: string;
}

/** Options of {@link KeyShareStore.put}. */
export interface KeySharePutOptions {
  /**
   * Replace an existing share. Default `false`: writing over an existing share throws
   * `STORE_ERROR`, so a bug cannot silently destroy key material.
   */
  overwrite?: boolean;
}

/**
 * Encrypted storage of key shares, keyed by (keyId, partyId).
 *
 * The store treats a share as opaque bytes (the key-share JSON is produced by the protocol
 * layer) and encrypts it at rest with a key from a {@link KeyProvider}, binding keyId and
 * partyId as associated data: a record moved to another address fails to open.
 * A record that fails its integrity check throws `STORE_CORRUPT`; other records stay readable.
 *
 * @example
 * ```ts
 * await shares.put('key-1', 'alice', JSON.stringify(keyShare));
 * const bytes = await shares.get('key-1', 'alice');
 * const share = bytes && JSON.parse(new TextDecoder().decode(bytes));
 * ```
 */
export interface KeyShareStore {
  /** Stores `share` (bytes, or a string stored as UTF-8). See {@link KeySharePutOptions}. */
  put(
    keyId: string,
    partyId: string,
    share: Uint8Array | string,
    opts?: KeySharePutOptions,
  ): Promise<void>;
  /** The decrypted share, or `undefined` when absent. The caller owns (and should wipe) it. */
  get(keyId: string, partyId: string): Promise<Uint8Array | undefined>;
  /** Deletes a share; `false` when it did not exist. */
  delete(keyId: string, partyId: string): Promise<boolean>;
  /** Addresses of the stored shares (optionally of one key), sorted by keyId then partyId. */
  list(filter?: { keyId?: string }): Promise<KeyShareRef[]>;
}

// ---------------------------------------------------------------------------------------------
// MetadataStore
// ---------------------------------------------------------------------------------------------

/** Lifecycle of a key: `pending` while keygen runs, then `active`; `failed` if keygen aborted. */
export type KeyStatus = 'pending' | 'active' | 'disabled' | 'retired' | 'failed';
/** Every {@link KeyStatus}. */
export const KEY_STATUSES: readonly KeyStatus[] = [
  'pending',
  'active',
  'disabled',
  'retired',
  'failed',
];

/** Metadata of a distributed key. Holds no secret. */
export interface KeyRecord {
  id: string;
  /** Hex public key (compressed point); absent while keygen runs. */
  publicKey?: string;
  /** Curve name, e.g. `secp256k1`. */
  curve: string;
  /**
   * How many parties must cooperate to sign (1 ≤ minSigners ≤ n): tss-lib's `threshold + 1`.
   * Like the key-share format, this API never says "threshold".
   */
  minSigners: number;
  /** Number of parties, always `parties.length`. */
  n: number;
  /** Party ids holding a share, in protocol order. */
  parties: string[];
  /** Chain the key is used on, e.g. `bitcoin`, `ethereum:1`. */
  chain?: string;
  /** Address derived from the public key on `chain`. */
  address?: string;
  status: KeyStatus;
  createdAt: number;
  updatedAt: number;
}

/** Input of {@link MetadataStore.createKey}: `n` is derived from `parties`. */
export interface NewKeyRecord {
  id: string;
  publicKey?: string;
  curve: string;
  minSigners: number;
  parties: readonly string[];
  chain?: string;
  address?: string;
  /** Default `pending`. */
  status?: KeyStatus;
}

/** Fields of a key that {@link MetadataStore.updateKey} may change; `null` clears a field. */
export interface KeyPatch {
  publicKey?: string | null;
  minSigners?: number;
  parties?: readonly string[];
  chain?: string | null;
  address?: string | null;
  status?: KeyStatus;
}

/** Filter of {@link MetadataStore.listKeys}; all given fields must match. */
export interface KeyFilter {
  status?: KeyStatus;
  curve?: string;
  chain?: string;
  /** Keys that this party holds a share of. */
  partyId?: string;
  /** At most this many records (default 1000, max 10000). */
  limit?: number;
}

/** Health of a node as seen by the coordinator. */
export type NodeStatus = 'online' | 'offline' | 'draining' | 'disabled';
/** Every {@link NodeStatus}. */
export const NODE_STATUSES: readonly NodeStatus[] = ['online', 'offline', 'draining', 'disabled'];

/** A participant node known to the coordinator. */
export interface NodeRecord {
  id: string;
  /** Where to reach it, e.g. `grpcs://node-1.internal:7443`. */
  endpoint: string;
  /** Its public identity key (hex or base64, as the transport encodes it). */
  identityKey: string;
  status: NodeStatus;
  /** Feature flags, e.g. `['ecdsa', 'gg20', 'presign']`. */
  capabilities: string[];
  /** Last heartbeat, when one was seen. */
  lastSeen?: number;
  createdAt: number;
  updatedAt: number;
}

/** Input of {@link MetadataStore.upsertNode}. */
export interface NodeInput {
  id: string;
  endpoint: string;
  identityKey: string;
  /** Default `online` for a new node; unchanged for an existing one. */
  status?: NodeStatus;
  /** Default `[]` for a new node; unchanged for an existing one. */
  capabilities?: readonly string[];
  lastSeen?: number;
}

/** Fields of a node that {@link MetadataStore.updateNode} may change; `null` clears a field. */
export interface NodePatch {
  endpoint?: string;
  identityKey?: string;
  status?: NodeStatus;
  capabilities?: readonly string[];
  lastSeen?: number | null;
}

/** Filter of {@link MetadataStore.listNodes}. */
export interface NodeFilter {
  status?: NodeStatus;
  /** Nodes that have this capability. */
  capability?: string;
  /** Nodes whose `lastSeen` is at or after this time. */
  seenSince?: number;
  limit?: number;
}

/** Lifecycle of a signing session. */
export type SigningSessionStatus = 'pending' | 'running' | 'completed' | 'failed' | 'aborted';
/** Every {@link SigningSessionStatus}. */
export const SIGNING_SESSION_STATUSES: readonly SigningSessionStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
  'aborted',
];

/** A signing session run by the coordinator. */
export interface SigningSessionRecord {
  id: string;
  keyId: string;
  /** Protocol name, e.g. `gg18`, `gg20`, `frost`. */
  protocol: string;
  status: SigningSessionStatus;
  /** Party ids taking part. */
  participants: string[];
  /** Hex digest being signed. */
  messageHash: string;
  /** Hex (or protocol-specific) signature once completed. */
  signature?: string;
  /** Short failure description (never a secret) once failed or aborted. */
  error?: string;
  createdAt: number;
  updatedAt: number;
}

/** Input of {@link MetadataStore.createSigningSession}. */
export interface NewSigningSession {
  id: string;
  keyId: string;
  protocol: string;
  /** Default `pending`. */
  status?: SigningSessionStatus;
  participants: readonly string[];
  messageHash: string;
}

/** Fields of a signing session that {@link MetadataStore.updateSigningSession} may change. */
export interface SigningSessionPatch {
  status?: SigningSessionStatus;
  participants?: readonly string[];
  signature?: string | null;
  error?: string | null;
}

/** Filter of {@link MetadataStore.listSigningSessions}. */
export interface SigningSessionFilter {
  keyId?: string;
  status?: SigningSessionStatus;
  protocol?: string;
  limit?: number;
}

/** A JSON value (what audit `data` may hold). */
export type AuditJsonValue =
  | string
  | number
  | boolean
  | null
  | AuditJsonValue[]
  | { [k: string]: AuditJsonValue };

/** Input of {@link MetadataStore.appendAudit}. */
export interface AuditEventInput {
  /** What happened, e.g. `keygen.started`, `sign.completed`, `node.banned`. */
  type: string;
  /** Node the event concerns. */
  nodeId?: string;
  /** Session the event concerns. */
  sessionId?: string;
  /** Key the event concerns. */
  keyId?: string;
  /** Who caused it (user, service, node id). */
  actor?: string;
  /** Extra JSON detail. Never put secrets here. */
  data?: { [k: string]: AuditJsonValue };
}

/** A stored audit event. Immutable. */
export interface AuditEvent extends AuditEventInput {
  /** Position in the log, strictly increasing in append order. */
  seq: number;
  /** When the store recorded it. */
  at: number;
}

/** Filter of {@link MetadataStore.listAudit}; results are in `seq` order. */
export interface AuditFilter {
  nodeId?: string;
  sessionId?: string;
  keyId?: string;
  type?: string;
  /** Only events with `seq` greater than this (for paging). */
  afterSeq?: number;
  limit?: number;
}

/**
 * The coordinator's catalogue: keys, nodes, signing sessions, and an append-only audit log.
 *
 * Reads return copies: mutating a returned record never changes the store. A stored record that
 * fails validation throws `STORE_CORRUPT` naming its id; other records stay readable.
 *
 * @example
 * ```ts
 * await meta.createKey({ id: 'k1', curve: 'secp256k1', minSigners: 2,
 *   parties: ['a', 'b', 'c'] });
 * await meta.updateKey('k1', { status: 'active', publicKey: '02ab…' });
 * await meta.appendAudit({ type: 'keygen.completed', keyId: 'k1', sessionId: 's1' });
 * ```
 */
export interface MetadataStore {
  /** Creates a key; `STORE_ERROR` when the id exists. */
  createKey(input: NewKeyRecord): Promise<KeyRecord>;
  /** A key, or `undefined`. */
  getKey(id: string): Promise<KeyRecord | undefined>;
  /**
   * Changes the given fields only (concurrent patches of different fields both apply);
   * `NOT_FOUND` if absent.
   */
  updateKey(id: string, patch: KeyPatch): Promise<KeyRecord>;
  /** Keys matching the filter, sorted by id. */
  listKeys(filter?: KeyFilter): Promise<KeyRecord[]>;

  /** Registers a node or updates it (its `createdAt` is kept). */
  upsertNode(input: NodeInput): Promise<NodeRecord>;
  /** A node, or `undefined`. */
  getNode(id: string): Promise<NodeRecord | undefined>;
  /** Changes the given fields only; `NOT_FOUND` if absent. */
  updateNode(id: string, patch: NodePatch): Promise<NodeRecord>;
  /**
   * Records a heartbeat: `lastSeen` = now (store clock), optionally a new status.
   * `NOT_FOUND` if absent.
   */
  touchNode(id: string, status?: NodeStatus): Promise<NodeRecord>;
  /** Removes a node; `false` when absent. */
  deleteNode(id: string): Promise<boolean>;
  /** Nodes matching the filter, sorted by id. */
  listNodes(filter?: NodeFilter): Promise<NodeRecord[]>;

  /** Creates a signing session; `SESSION_REUSED` when the id exists. */
  createSigningSession(input: NewSigningSession): Promise<SigningSessionRecord>;
  /** A signing session, or `undefined`. */
  getSigningSession(id: string): Promise<SigningSessionRecord | undefined>;
  /** Changes the given fields only; `NOT_FOUND` if absent. */
  updateSigningSession(id: string, patch: SigningSessionPatch): Promise<SigningSessionRecord>;
  /** Signing sessions matching the filter, oldest first. */
  listSigningSessions(filter?: SigningSessionFilter): Promise<SigningSessionRecord[]>;

  /** Appends an audit event. There is deliberately no way to change or remove one. */
  appendAudit(event: AuditEventInput): Promise<AuditEvent>;
  /** Audit events matching the filter, in `seq` order. */
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]>;
}

// ---------------------------------------------------------------------------------------------
// SessionStore
// ---------------------------------------------------------------------------------------------

/** Options with a time-to-live. */
export interface TtlOptions {
  /** Time to live in milliseconds (positive integer). */
  ttlMs?: number;
}

/**
 * A held session lock. `token` proves ownership (release and extend are fenced on it);
 * `fence` increases with every acquisition of the same session's lock, so a downstream system
 * can reject writes from a holder whose lock has since been taken over.
 */
export interface SessionLock {
  sessionId: string;
  token: string;
  fence: number;
  expiresAt: number;
}

/** A presignature to add to the pool. Its data is secret: stores encrypt it at rest. */
export interface PresignatureInput {
  /** Unique id. An id that was ever consumed can never be added again. */
  id: string;
  /** The exact signer set the presignature was made for (order does not matter). */
  signers: readonly string[];
  data: Uint8Array | string;
  /** Availability window; after it the presignature is never handed out. Default: none. */
  ttlMs?: number;
}

/**
 * A presignature reserved for one caller. Call {@link PresignaturePool.consume} before anything
 * derived from `data` leaves the process; if the signing attempt is abandoned before that,
 * {@link PresignaturePool.release} puts it back.
 */
export interface PresignatureReservation {
  id: string;
  keyId: string;
  /** Sorted signer ids. */
  signers: string[];
  data: Uint8Array;
  /** Reservation token: consume and release are fenced on it. */
  token: string;
  /** When the reservation lapses. A lapsed reservation is burned, never handed out again. */
  leaseUntil: number;
  /** End of the availability window, if any. */
  expiresAt?: number;
}

/**
 * The presignature pool of a {@link SessionStore}.
 *
 * Invariant: a presignature is handed out by `reserve` to exactly one caller, ever. A consumed
 * or lapsed one is remembered so it cannot be added back: reusing a presignature leaks the key.
 *
 * @example
 * ```ts
 * await pool.add('k1', [{ id: 'p1', signers: ['a', 'b'], data: presigBytes }]);
 * const r = await pool.reserve('k1', ['b', 'a']);
 * if (r) {
 *   await pool.consume(r); // durably marked used before the share leaves the process
 *   send(signWithPresignature(r.data, digest));
 * }
 * ```
 */
export interface PresignaturePool {
  /**
   * Adds presignatures, all or none: `STORE_ERROR` for an id already in the pool,
   * `PRESIGNATURE_USED` for one that was ever consumed or burned.
   */
  add(keyId: string, items: readonly PresignatureInput[]): Promise<void>;
  /**
   * Atomically reserves one available presignature made for exactly `signers`; `undefined` when
   * none is left. Concurrent callers never receive the same one.
   */
  reserve(
    keyId: string,
    signers: readonly string[],
    opts?: { leaseMs?: number },
  ): Promise<PresignatureReservation | undefined>;
  /**
   * Durably marks a reserved presignature used and deletes its data. `PRESIGNATURE_USED` when it
   * was already consumed, lapsed, or is reserved under another token; `NOT_FOUND` if unknown.
   */
  consume(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<void>;
  /** Returns a reservation to the pool; `false` when the token no longer holds it. */
  release(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<boolean>;
  /**
   * Drops presignatures past their availability window and burns lapsed reservations.
   * Returns how many were removed. Stores also skip them lazily, so this only frees space.
   */
  expire(): Promise<number>;
  /** Number of presignatures available for `keyId` and exactly `signers`. */
  count(keyId: string, signers: readonly string[]): Promise<number>;
}

/**
 * Short-lived session state: party snapshots (with TTL), a per-session lock, a guard against
 * session-id reuse, and the presignature pool.
 *
 * Snapshots and presignatures hold secrets: persistent implementations encrypt them at rest,
 * binding their address as associated data.
 *
 * @example
 * ```ts
 * const lock = await sessions.acquireLock(sessionId, { ttlMs: 30_000 });
 * if (!lock) throw new Error('another worker runs this session');
 * try {
 *   await sessions.saveSnapshot(sessionId, self, party.snapshot(), { ttlMs: 3_600_000 });
 * } finally {
 *   await sessions.releaseLock(lock);
 * }
 * ```
 */
export interface SessionStore {
  /** Saves (or replaces) the snapshot of `partyId` in `sessionId`. Default TTL 24 h. */
  saveSnapshot(
    sessionId: string,
    partyId: string,
    snapshot: Uint8Array | string,
    opts?: TtlOptions,
  ): Promise<void>;
  /** The snapshot, or `undefined` when absent or expired. */
  loadSnapshot(sessionId: string, partyId: string): Promise<Uint8Array | undefined>;
  /** Deletes a snapshot; `false` when absent. */
  deleteSnapshot(sessionId: string, partyId: string): Promise<boolean>;

  /** Takes the session's lock (default TTL 30 s); `undefined` when someone else holds it. */
  acquireLock(sessionId: string, opts?: TtlOptions): Promise<SessionLock | undefined>;
  /** Extends a lock still held under its token; `undefined` when it was lost. */
  extendLock(lock: SessionLock, opts?: TtlOptions): Promise<SessionLock | undefined>;
  /** Releases a lock only if still held under its token (fenced); `false` otherwise. */
  releaseLock(lock: SessionLock): Promise<boolean>;

  /**
   * Records a new session id; throws `SESSION_REUSED` if it was claimed or marked before.
   * Default: remembered forever.
   */
  claimSessionId(sessionId: string, opts?: TtlOptions): Promise<void>;
  /** Records a session id as used without failing; `true` if it was new. */
  markSessionId(sessionId: string, opts?: TtlOptions): Promise<boolean>;

  /** The presignature pool. */
  readonly presignatures: PresignaturePool;
}
