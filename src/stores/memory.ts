/**
 * In-memory implementations of the three store interfaces: for tests, examples, and
 * single-process deployments where losing everything on restart is acceptable.
 *
 * They behave exactly like the persistent adapters (same conformance suites): records are
 * copied in and out, secrets (key shares, snapshots, presignatures) are sealed with AES-256-GCM
 * under the given {@link KeyProvider} or, by default, a random per-store key, and metadata is
 * kept as JSON and validated on every read. Every check-and-set runs without an `await` in
 * between, so concurrent calls in one process are atomic.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { LocalError } from '../errors.js';
import { zeroize } from '../math/bigint.js';
import { ephemeralKeyProvider, sealWith, unsealWith } from './envelope.js';
import {
  applyKeyPatch,
  applyNodePatch,
  applySigningSessionPatch,
  checkAuditInput,
  checkKeyPatch,
  checkNodePatch,
  checkSigningSessionPatch,
  decodeAuditEvent,
  decodeKeyRecord,
  decodeNodeRecord,
  decodeSigningSessionRecord,
  newKeyRecord,
  newSigningSessionRecord,
  upsertNodeRecord,
} from './records.js';
import type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  KeyFilter,
  KeyPatch,
  KeyProvider,
  KeyRecord,
  KeySharePutOptions,
  KeyShareRef,
  KeyShareStore,
  MetadataStore,
  NewKeyRecord,
  NewSigningSession,
  NodeFilter,
  NodeInput,
  NodePatch,
  NodeRecord,
  NodeStatus,
  PresignatureInput,
  PresignaturePool,
  PresignatureReservation,
  SessionLock,
  SessionStore,
  SigningSessionFilter,
  SigningSessionPatch,
  SigningSessionRecord,
  TtlOptions,
} from './types.js';
import {
  checkCount,
  checkId,
  checkLimit,
  checkPresignatureItems,
  checkTtl,
  cmp,
  compareRefs,
  corrupt,
  payloadBytes,
  signerSet,
} from './validate.js';

/** Default snapshot TTL (24 h). */
export const DEFAULT_SNAPSHOT_TTL_MS = 24 * 60 * 60 * 1000;
/** Default lock TTL (30 s). */
export const DEFAULT_LOCK_TTL_MS = 30_000;
/** Default presignature reservation lease (60 s). */
export const DEFAULT_LEASE_MS = 60_000;

const addr = (a: string, b: string): string => JSON.stringify([a, b]);

// ---------------------------------------------------------------------------------------------
// KeyShareStore
// ---------------------------------------------------------------------------------------------

/** Options of {@link createMemoryKeyShareStore}. */
export interface MemoryKeyShareStoreOptions {
  /** Encryption key source. Default: a random key held by the store. */
  keyProvider?: KeyProvider;
  /**
   * The map holding sealed records, keyed by `JSON.stringify([keyId, partyId])`. Pass your own
   * to share state between store instances or to inspect it in tests.
   */
  records?: Map<string, Uint8Array>;
}

class MemoryKeyShareStore implements KeyShareStore {
  readonly #kp: KeyProvider;
  readonly #records: Map<string, Uint8Array>;

  constructor(opts: MemoryKeyShareStoreOptions) {
    this.#kp = opts.keyProvider ?? ephemeralKeyProvider();
    this.#records = opts.records ?? new Map();
  }

  async put(
    keyId: string,
    partyId: string,
    share: Uint8Array | string,
    opts: KeySharePutOptions = {},
  ): Promise<void> {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    const plain = payloadBytes('share', share);
    let sealed: Uint8Array;
    try {
      sealed = await sealWith(this.#kp, 'key-share', [keyId, partyId], plain);
    } finally {
      zeroize(plain);
    }
    const k = addr(keyId, partyId);
    if (!opts.overwrite && this.#records.has(k)) {
      throw new LocalError('STORE_ERROR', `key share (${keyId}, ${partyId}) already exists`);
    }
    this.#records.set(k, sealed);
  }

  async get(keyId: string, partyId: string): Promise<Uint8Array | undefined> {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    const sealed = this.#records.get(addr(keyId, partyId));
    if (sealed === undefined) return undefined;
    return unsealWith(
      this.#kp,
      'key-share',
      [keyId, partyId],
      sealed,
      `key share (${keyId}, ${partyId})`,
    );
  }

  async delete(keyId: string, partyId: string): Promise<boolean> {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    return this.#records.delete(addr(keyId, partyId));
  }

  async list(filter: { keyId?: string } = {}): Promise<KeyShareRef[]> {
    if (filter.keyId !== undefined) checkId('keyId', filter.keyId);
    const out: KeyShareRef[] = [];
    for (const k of this.#records.keys()) {
      const [keyId, partyId] = JSON.parse(k) as [string, string];
      if (filter.keyId === undefined || filter.keyId === keyId) out.push({ keyId, partyId });
    }
    return out.sort(compareRefs);
  }
}

/**
 * An in-memory {@link KeyShareStore}. Shares are sealed with AES-256-GCM even in memory, so a
 * heap dump does not expose them without the key.
 *
 * @example
 * ```ts
 * const shares = createMemoryKeyShareStore();
 * await shares.put('key-1', 'alice', JSON.stringify(keyShare));
 * ```
 */
export function createMemoryKeyShareStore(opts: MemoryKeyShareStoreOptions = {}): KeyShareStore {
  return new MemoryKeyShareStore(opts);
}

// ---------------------------------------------------------------------------------------------
// MetadataStore
// ---------------------------------------------------------------------------------------------

/** The maps behind a memory {@link MetadataStore}; records are JSON strings keyed by id. */
export interface MemoryMetadataRecords {
  keys: Map<string, string>;
  nodes: Map<string, string>;
  sessions: Map<string, string>;
  /** Audit events in append order, as JSON. */
  audit: string[];
}

/** Options of {@link createMemoryMetadataStore}. */
export interface MemoryMetadataStoreOptions {
  /** Backing maps, to share state between instances or inspect it in tests. */
  records?: MemoryMetadataRecords;
}

class MemoryMetadataStore implements MetadataStore {
  readonly #r: MemoryMetadataRecords;

  constructor(opts: MemoryMetadataStoreOptions) {
    this.#r = opts.records ?? { keys: new Map(), nodes: new Map(), sessions: new Map(), audit: [] };
  }

  #key(id: string): KeyRecord | undefined {
    const raw = this.#r.keys.get(id);
    return raw === undefined ? undefined : decodeKeyRecord(parseJson(raw, `key "${id}"`), id);
  }

  #node(id: string): NodeRecord | undefined {
    const raw = this.#r.nodes.get(id);
    return raw === undefined ? undefined : decodeNodeRecord(parseJson(raw, `node "${id}"`), id);
  }

  #session(id: string): SigningSessionRecord | undefined {
    const raw = this.#r.sessions.get(id);
    return raw === undefined
      ? undefined
      : decodeSigningSessionRecord(parseJson(raw, `signing session "${id}"`), id);
  }

  async createKey(input: NewKeyRecord): Promise<KeyRecord> {
    const rec = newKeyRecord(input, Date.now());
    if (this.#r.keys.has(rec.id)) {
      throw new LocalError('STORE_ERROR', `key "${rec.id}" already exists`);
    }
    this.#r.keys.set(rec.id, JSON.stringify(rec));
    return rec;
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    return this.#key(checkId('id', id));
  }

  async updateKey(id: string, patch: KeyPatch): Promise<KeyRecord> {
    checkId('id', id);
    checkKeyPatch(patch);
    const prev = this.#key(id);
    if (!prev) throw new LocalError('NOT_FOUND', `key "${id}" not found`);
    const rec = applyKeyPatch(prev, patch, Date.now());
    this.#r.keys.set(id, JSON.stringify(rec));
    return rec;
  }

  async listKeys(filter: KeyFilter = {}): Promise<KeyRecord[]> {
    const limit = checkLimit(filter.limit);
    const out: KeyRecord[] = [];
    for (const id of [...this.#r.keys.keys()].sort()) {
      const k = this.#key(id)!;
      if (filter.status !== undefined && k.status !== filter.status) continue;
      if (filter.curve !== undefined && k.curve !== filter.curve) continue;
      if (filter.chain !== undefined && k.chain !== filter.chain) continue;
      if (filter.partyId !== undefined && !k.parties.includes(filter.partyId)) continue;
      out.push(k);
      if (out.length >= limit) break;
    }
    return out;
  }

  async upsertNode(input: NodeInput): Promise<NodeRecord> {
    const prev = this.#node(checkId('id', input?.id));
    const rec = upsertNodeRecord(prev, input, Date.now());
    this.#r.nodes.set(rec.id, JSON.stringify(rec));
    return rec;
  }

  async getNode(id: string): Promise<NodeRecord | undefined> {
    return this.#node(checkId('id', id));
  }

  async updateNode(id: string, patch: NodePatch): Promise<NodeRecord> {
    checkId('id', id);
    checkNodePatch(patch);
    const prev = this.#node(id);
    if (!prev) throw new LocalError('NOT_FOUND', `node "${id}" not found`);
    const rec = applyNodePatch(prev, patch, Date.now());
    this.#r.nodes.set(id, JSON.stringify(rec));
    return rec;
  }

  async touchNode(id: string, status?: NodeStatus): Promise<NodeRecord> {
    const now = Date.now();
    return this.updateNode(
      id,
      status === undefined ? { lastSeen: now } : { lastSeen: now, status },
    );
  }

  async deleteNode(id: string): Promise<boolean> {
    return this.#r.nodes.delete(checkId('id', id));
  }

  async listNodes(filter: NodeFilter = {}): Promise<NodeRecord[]> {
    const limit = checkLimit(filter.limit);
    if (filter.seenSince !== undefined) checkCount('seenSince', filter.seenSince);
    const out: NodeRecord[] = [];
    for (const id of [...this.#r.nodes.keys()].sort()) {
      const n = this.#node(id)!;
      if (filter.status !== undefined && n.status !== filter.status) continue;
      if (filter.capability !== undefined && !n.capabilities.includes(filter.capability)) continue;
      if (
        filter.seenSince !== undefined &&
        !(n.lastSeen !== undefined && n.lastSeen >= filter.seenSince)
      )
        continue;
      out.push(n);
      if (out.length >= limit) break;
    }
    return out;
  }

  async createSigningSession(input: NewSigningSession): Promise<SigningSessionRecord> {
    const rec = newSigningSessionRecord(input, Date.now());
    if (this.#r.sessions.has(rec.id)) {
      throw new LocalError('SESSION_REUSED', `signing session "${rec.id}" already exists`, {
        sessionId: rec.id,
      });
    }
    this.#r.sessions.set(rec.id, JSON.stringify(rec));
    return rec;
  }

  async getSigningSession(id: string): Promise<SigningSessionRecord | undefined> {
    return this.#session(checkId('id', id));
  }

  async updateSigningSession(
    id: string,
    patch: SigningSessionPatch,
  ): Promise<SigningSessionRecord> {
    checkId('id', id);
    checkSigningSessionPatch(patch);
    const prev = this.#session(id);
    if (!prev) throw new LocalError('NOT_FOUND', `signing session "${id}" not found`);
    const rec = applySigningSessionPatch(prev, patch, Date.now());
    this.#r.sessions.set(id, JSON.stringify(rec));
    return rec;
  }

  async listSigningSessions(filter: SigningSessionFilter = {}): Promise<SigningSessionRecord[]> {
    const limit = checkLimit(filter.limit);
    const all = [...this.#r.sessions.keys()].map((id) => this.#session(id)!);
    all.sort((a, b) => a.createdAt - b.createdAt || cmp(a.id, b.id));
    return all
      .filter(
        (s) =>
          (filter.keyId === undefined || s.keyId === filter.keyId) &&
          (filter.status === undefined || s.status === filter.status) &&
          (filter.protocol === undefined || s.protocol === filter.protocol),
      )
      .slice(0, limit);
  }

  async appendAudit(event: AuditEventInput): Promise<AuditEvent> {
    const clean = checkAuditInput(event);
    const ev: AuditEvent = { seq: this.#r.audit.length + 1, at: Date.now(), ...clean };
    this.#r.audit.push(JSON.stringify(ev));
    return decodeAuditEvent(JSON.parse(JSON.stringify(ev)), ev.seq);
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const limit = checkLimit(filter.limit);
    const out: AuditEvent[] = [];
    const start = filter.afterSeq === undefined ? 0 : checkCount('afterSeq', filter.afterSeq);
    for (let i = start; i < this.#r.audit.length && out.length < limit; i++) {
      const seq = i + 1;
      const ev = decodeAuditEvent(parseJson(this.#r.audit[i]!, `audit event ${seq}`), seq);
      if (filter.nodeId !== undefined && ev.nodeId !== filter.nodeId) continue;
      if (filter.sessionId !== undefined && ev.sessionId !== filter.sessionId) continue;
      if (filter.keyId !== undefined && ev.keyId !== filter.keyId) continue;
      if (filter.type !== undefined && ev.type !== filter.type) continue;
      out.push(ev);
    }
    return out;
  }
}

function parseJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw corrupt(what, 'not valid JSON', e);
  }
}

/**
 * An in-memory {@link MetadataStore}.
 *
 * @example
 * ```ts
 * const meta = createMemoryMetadataStore();
 * await meta.upsertNode({ id: 'n1', endpoint: 'grpc://n1:7443', identityKey: 'ab12…' });
 * ```
 */
export function createMemoryMetadataStore(opts: MemoryMetadataStoreOptions = {}): MetadataStore {
  return new MemoryMetadataStore(opts);
}

// ---------------------------------------------------------------------------------------------
// SessionStore
// ---------------------------------------------------------------------------------------------

/** One presignature in a memory pool (its data sealed). */
export interface MemoryPresignatureEntry {
  keyId: string;
  signers: string[];
  signersKey: string;
  sealed: Uint8Array;
  status: 'available' | 'reserved';
  token?: string;
  leaseUntil?: number;
  expiresAt?: number;
}

/** State behind a memory {@link SessionStore}. */
export interface MemorySessionRecords {
  snapshots: Map<string, { sealed: Uint8Array; expiresAt: number }>;
  locks: Map<string, { token: string; expiresAt: number }>;
  fences: Map<string, number>;
  sessionIds: Map<string, number | undefined>;
  presignatures: Map<string, MemoryPresignatureEntry>;
  /** Ids of presignatures consumed or burned: never accepted again. */
  usedPresignatures: Set<string>;
}

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Encryption key for snapshots and presignatures. Default: a random key held by the store. */
  keyProvider?: KeyProvider;
  /**
   * Backing state, to share it between instances or inspect it in tests. `snapshots` is keyed
   * by `JSON.stringify([sessionId, partyId])`.
   */
  records?: MemorySessionRecords;
}

function newSessionRecords(): MemorySessionRecords {
  return {
    snapshots: new Map(),
    locks: new Map(),
    fences: new Map(),
    sessionIds: new Map(),
    presignatures: new Map(),
    usedPresignatures: new Set(),
  };
}

class MemoryPresignaturePool implements PresignaturePool {
  readonly #kp: KeyProvider;
  readonly #r: MemorySessionRecords;

  constructor(kp: KeyProvider, r: MemorySessionRecords) {
    this.#kp = kp;
    this.#r = r;
  }

  async add(keyId: string, items: readonly PresignatureInput[]): Promise<void> {
    checkId('keyId', keyId);
    const checked = checkPresignatureItems(items);
    const prepared: [string, MemoryPresignatureEntry][] = [];
    try {
      for (const it of checked) {
        const sealed = await sealWith(
          this.#kp,
          'presignature',
          [keyId, it.id, it.signersKey],
          it.plain,
        );
        const e: MemoryPresignatureEntry = {
          keyId,
          signers: it.signers,
          signersKey: it.signersKey,
          sealed,
          status: 'available',
        };
        if (it.ttlMs !== undefined) e.expiresAt = Date.now() + it.ttlMs;
        prepared.push([it.id, e]);
      }
    } finally {
      for (const it of checked) zeroize(it.plain);
    }
    // Check all, then insert all, with no await in between: the batch is atomic.
    for (const [id] of prepared) {
      if (this.#r.usedPresignatures.has(id)) {
        throw new LocalError('PRESIGNATURE_USED', `presignature "${id}" was already used`);
      }
      if (this.#r.presignatures.has(id)) {
        throw new LocalError('STORE_ERROR', `presignature "${id}" already exists`);
      }
    }
    for (const [id, e] of prepared) this.#r.presignatures.set(id, e);
  }

  #burn(id: string): void {
    this.#r.presignatures.delete(id);
    this.#r.usedPresignatures.add(id);
  }

  async reserve(
    keyId: string,
    signers: readonly string[],
    opts: { leaseMs?: number } = {},
  ): Promise<PresignatureReservation | undefined> {
    checkId('keyId', keyId);
    const set = signerSet(signers);
    const lease = checkTtl('leaseMs', opts.leaseMs, DEFAULT_LEASE_MS)!;
    const now = Date.now();
    let found: [string, MemoryPresignatureEntry] | undefined;
    for (const [id, e] of this.#r.presignatures) {
      if (e.status !== 'available' || e.keyId !== keyId || e.signersKey !== set.key) continue;
      if (e.expiresAt !== undefined && e.expiresAt <= now) continue;
      found = [id, e];
      break;
    }
    if (!found) return undefined;
    const [id, e] = found;
    const token = randomUUID();
    e.status = 'reserved';
    e.token = token;
    e.leaseUntil = now + lease;
    let data: Uint8Array;
    try {
      data = await unsealWith(
        this.#kp,
        'presignature',
        [keyId, id, set.key],
        e.sealed,
        `presignature "${id}"`,
      );
    } catch (err) {
      this.#burn(id);
      throw err;
    }
    const r: PresignatureReservation = {
      id,
      keyId,
      signers: [...e.signers],
      data,
      token,
      leaseUntil: e.leaseUntil,
    };
    if (e.expiresAt !== undefined) r.expiresAt = e.expiresAt;
    return r;
  }

  async consume(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<void> {
    const id = checkId('id', reservation?.id);
    const token = checkId('token', reservation.token);
    const e = this.#r.presignatures.get(id);
    if (!e) {
      if (this.#r.usedPresignatures.has(id)) {
        throw new LocalError('PRESIGNATURE_USED', `presignature "${id}" was already used`);
      }
      throw new LocalError('NOT_FOUND', `presignature "${id}" not found`);
    }
    if (e.status !== 'reserved' || e.token !== token) {
      throw new LocalError(
        'PRESIGNATURE_USED',
        `presignature "${id}" is not reserved by this token`,
      );
    }
    this.#burn(id);
    if (e.leaseUntil! <= Date.now()) {
      throw new LocalError('PRESIGNATURE_USED', `reservation of presignature "${id}" lapsed`);
    }
  }

  async release(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<boolean> {
    const id = checkId('id', reservation?.id);
    const token = checkId('token', reservation.token);
    const e = this.#r.presignatures.get(id);
    if (e?.status !== 'reserved' || e.token !== token) return false;
    if (e.leaseUntil! <= Date.now()) {
      this.#burn(id);
      return false;
    }
    e.status = 'available';
    delete e.token;
    delete e.leaseUntil;
    return true;
  }

  async expire(): Promise<number> {
    const now = Date.now();
    let n = 0;
    for (const [id, e] of [...this.#r.presignatures]) {
      if (e.status === 'reserved' && e.leaseUntil! <= now) {
        this.#burn(id);
        n++;
      } else if (e.status === 'available' && e.expiresAt !== undefined && e.expiresAt <= now) {
        this.#r.presignatures.delete(id);
        n++;
      }
    }
    return n;
  }

  async count(keyId: string, signers: readonly string[]): Promise<number> {
    checkId('keyId', keyId);
    const { key } = signerSet(signers);
    const now = Date.now();
    let n = 0;
    for (const e of this.#r.presignatures.values()) {
      if (e.status !== 'available' || e.keyId !== keyId || e.signersKey !== key) continue;
      if (e.expiresAt !== undefined && e.expiresAt <= now) continue;
      n++;
    }
    return n;
  }
}

class MemorySessionStore implements SessionStore {
  readonly #kp: KeyProvider;
  readonly #r: MemorySessionRecords;
  readonly presignatures: PresignaturePool;

  constructor(opts: MemorySessionStoreOptions) {
    this.#kp = opts.keyProvider ?? ephemeralKeyProvider();
    this.#r = opts.records ?? newSessionRecords();
    this.presignatures = new MemoryPresignaturePool(this.#kp, this.#r);
  }

  async saveSnapshot(
    sessionId: string,
    partyId: string,
    snapshot: Uint8Array | string,
    opts: TtlOptions = {},
  ): Promise<void> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_SNAPSHOT_TTL_MS)!;
    const plain = payloadBytes('snapshot', snapshot);
    try {
      const sealed = await sealWith(this.#kp, 'snapshot', [sessionId, partyId], plain);
      this.#r.snapshots.set(addr(sessionId, partyId), { sealed, expiresAt: Date.now() + ttl });
    } finally {
      zeroize(plain);
    }
  }

  async loadSnapshot(sessionId: string, partyId: string): Promise<Uint8Array | undefined> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const k = addr(sessionId, partyId);
    const rec = this.#r.snapshots.get(k);
    if (!rec) return undefined;
    if (rec.expiresAt <= Date.now()) {
      this.#r.snapshots.delete(k);
      return undefined;
    }
    return unsealWith(
      this.#kp,
      'snapshot',
      [sessionId, partyId],
      rec.sealed,
      `snapshot (${sessionId}, ${partyId})`,
    );
  }

  async deleteSnapshot(sessionId: string, partyId: string): Promise<boolean> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const k = addr(sessionId, partyId);
    const rec = this.#r.snapshots.get(k);
    this.#r.snapshots.delete(k);
    return rec !== undefined && rec.expiresAt > Date.now();
  }

  async acquireLock(sessionId: string, opts: TtlOptions = {}): Promise<SessionLock | undefined> {
    checkId('sessionId', sessionId);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_LOCK_TTL_MS)!;
    const now = Date.now();
    const held = this.#r.locks.get(sessionId);
    if (held && held.expiresAt > now) return undefined;
    const fence = (this.#r.fences.get(sessionId) ?? 0) + 1;
    this.#r.fences.set(sessionId, fence);
    const lock = { sessionId, token: randomUUID(), fence, expiresAt: now + ttl };
    this.#r.locks.set(sessionId, { token: lock.token, expiresAt: lock.expiresAt });
    return lock;
  }

  async extendLock(lock: SessionLock, opts: TtlOptions = {}): Promise<SessionLock | undefined> {
    const sessionId = checkId('sessionId', lock?.sessionId);
    const token = checkId('token', lock.token);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_LOCK_TTL_MS)!;
    const now = Date.now();
    const held = this.#r.locks.get(sessionId);
    if (!held || held.token !== token || held.expiresAt <= now) return undefined;
    held.expiresAt = now + ttl;
    return { ...lock, expiresAt: held.expiresAt };
  }

  async releaseLock(lock: SessionLock): Promise<boolean> {
    const sessionId = checkId('sessionId', lock?.sessionId);
    const token = checkId('token', lock.token);
    const held = this.#r.locks.get(sessionId);
    if (!held || held.token !== token) return false;
    this.#r.locks.delete(sessionId);
    return held.expiresAt > Date.now();
  }

  #markIfNew(sessionId: string, ttlMs: number | undefined): boolean {
    const now = Date.now();
    const prev = this.#r.sessionIds.get(sessionId);
    if (this.#r.sessionIds.has(sessionId) && (prev === undefined || prev > now)) return false;
    this.#r.sessionIds.set(sessionId, ttlMs === undefined ? undefined : now + ttlMs);
    return true;
  }

  async claimSessionId(sessionId: string, opts: TtlOptions = {}): Promise<void> {
    checkId('sessionId', sessionId);
    const ttl = checkTtl('ttlMs', opts.ttlMs, undefined);
    if (!this.#markIfNew(sessionId, ttl)) {
      throw new LocalError('SESSION_REUSED', 'session id was already used', { sessionId });
    }
  }

  async markSessionId(sessionId: string, opts: TtlOptions = {}): Promise<boolean> {
    checkId('sessionId', sessionId);
    return this.#markIfNew(sessionId, checkTtl('ttlMs', opts.ttlMs, undefined));
  }
}

/**
 * An in-memory {@link SessionStore}: snapshots with TTL, locks, session-id guard and the
 * presignature pool. State lives in this process only.
 *
 * @example
 * ```ts
 * const sessions = createMemorySessionStore();
 * await sessions.claimSessionId(sessionId); // throws SESSION_REUSED the second time
 * ```
 */
export function createMemorySessionStore(opts: MemorySessionStoreOptions = {}): SessionStore {
  return new MemorySessionStore(opts);
}
