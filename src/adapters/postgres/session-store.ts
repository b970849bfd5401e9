/**
 * {@link SessionStore} on Postgres: sealed snapshots with an `expires_at` column, fenced locks in
 * `session_locks`, the session-id guard in `session_ids`, and the presignature pool, whose
 * `reserve` is one statement:
 * `UPDATE … WHERE id = (SELECT id … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING …`, so concurrent
 * callers each lock a different row and no row is ever returned twice.
 *
 * Expired rows are ignored by every read; {@link PostgresSessionStore.sweep} deletes them.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { LocalError } from '../../errors.js';
import { zeroize } from '../../math/bigint.js';
import { sealWith, unsealWith } from '../../stores/envelope.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_SNAPSHOT_TTL_MS,
} from '../../stores/memory.js';
import type {
  KeyProvider,
  PresignatureInput,
  PresignaturePool,
  PresignatureReservation,
  SessionLock,
  SessionStore,
  TtlOptions,
} from '../../stores/types.js';
import {
  checkId,
  checkPresignatureItems,
  checkTtl,
  corrupt,
  payloadBytes,
  signerSet,
} from '../../stores/validate.js';
import {
  bytes,
  checkClient,
  json,
  ms,
  num,
  type PgClientLike,
  type PostgresClientOptions,
  q,
  quoteSchema,
  sqlState,
  toBuffer,
} from './client.js';

/** Options of {@link createPostgresSessionStore}. */
export interface PostgresSessionStoreOptions extends PostgresClientOptions {
  /** Key that seals snapshots and presignatures at rest. */
  keyProvider: KeyProvider;
}

/** A {@link SessionStore} on Postgres with a housekeeping helper. */
export interface PostgresSessionStore extends SessionStore {
  /**
   * Deletes expired snapshots and session-id claims, drops expired presignatures and burns
   * lapsed reservations. Returns how many rows it removed or burned. Run it periodically.
   */
  sweep(): Promise<number>;
}

const NOW = 'clock_timestamp()';
const plusMs = (p: string): string => `${NOW} + (${p}::float8 * interval '1 millisecond')`;

function toNumber(v: unknown, what: string): number {
  const n = num(v);
  if (typeof n !== 'number' || !Number.isFinite(n)) throw corrupt(what, 'bad number column');
  return n;
}

class PgPresignaturePool implements PresignaturePool {
  readonly #c: PgClientLike;
  readonly #s: string;
  readonly #kp: KeyProvider;

  constructor(c: PgClientLike, s: string, kp: KeyProvider) {
    this.#c = c;
    this.#s = s;
    this.#kp = kp;
  }

  async add(keyId: string, items: readonly PresignatureInput[]): Promise<void> {
    checkId('keyId', keyId);
    const checked = checkPresignatureItems(items);
    if (checked.length === 0) return;
    const sealed: Buffer[] = [];
    try {
      for (const it of checked) {
        const rec = await sealWith(
          this.#kp,
          'presignature',
          [keyId, it.id, it.signersKey],
          it.plain,
        );
        sealed.push(toBuffer(rec));
      }
    } finally {
      for (const it of checked) zeroize(it.plain);
    }
    try {
      // One statement: the batch is all-or-nothing.
      await q(
        this.#c,
        'presignatures.add',
        `INSERT INTO ${this.#s}.presignatures
           (id, key_id, signers, signers_key, data, status, expires_at)
         SELECT t.id, $1, t.signers::jsonb, t.signers_key, t.data, 'available',
                CASE WHEN t.ttl IS NULL THEN NULL ELSE ${plusMs('t.ttl')} END
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bytea[], $6::float8[]) WITH ORDINALITY
           AS t(id, signers, signers_key, data, ttl, ord)
         ORDER BY t.ord`,
        [
          keyId,
          checked.map((c) => c.id),
          checked.map((c) => JSON.stringify(c.signers)),
          checked.map((c) => c.signersKey),
          sealed,
          checked.map((c) => c.ttlMs ?? null),
        ],
      );
    } catch (e) {
      if (sqlState((e as { cause?: unknown }).cause) !== '23505') throw e;
      const rows = await q(
        this.#c,
        'presignatures.add',
        `SELECT id, status FROM ${this.#s}.presignatures WHERE id = ANY($1::text[])`,
        [checked.map((c) => c.id)],
      );
      const used = rows.find((r) => r.status === 'consumed' || r.status === 'burned');
      if (used) {
        throw new LocalError('PRESIGNATURE_USED', `presignature "${used.id}" was already used`);
      }
      throw new LocalError('STORE_ERROR', `presignature "${rows[0]?.id ?? '?'}" already exists`, {
        cause: e,
      });
    }
  }

  async reserve(
    keyId: string,
    signers: readonly string[],
    opts: { leaseMs?: number } = {},
  ): Promise<PresignatureReservation | undefined> {
    checkId('keyId', keyId);
    const set = signerSet(signers);
    const lease = checkTtl('leaseMs', opts.leaseMs, DEFAULT_LEASE_MS)!;
    const token = randomUUID();
    const rows = await q(
      this.#c,
      'presignatures.reserve',
      `UPDATE ${this.#s}.presignatures
         SET status = 'reserved', token = $3, reserved_until = ${plusMs('$4')}
       WHERE status = 'available' AND id = (
         SELECT id FROM ${this.#s}.presignatures
         WHERE key_id = $1 AND signers_key = $2 AND status = 'available'
           AND (expires_at IS NULL OR expires_at > ${NOW})
         ORDER BY seq
         FOR UPDATE SKIP LOCKED
         LIMIT 1)
       RETURNING id, signers, data, ${ms('reserved_until')} AS lease_ms, ${ms('expires_at')} AS exp_ms`,
      [keyId, set.key, token, lease],
    );
    const r = rows[0];
    if (!r) return undefined;
    const id = String(r.id);
    const what = `presignature "${id}"`;
    let data: Uint8Array;
    try {
      const sealed = bytes(r.data);
      if (!sealed) throw corrupt(what, 'data column is not bytea');
      data = await unsealWith(this.#kp, 'presignature', [keyId, id, set.key], sealed, what);
    } catch (e) {
      await this.#burn(id);
      throw e;
    }
    const out: PresignatureReservation = {
      id,
      keyId,
      signers: (json(r.signers) as string[]) ?? set.signers,
      data,
      token,
      leaseUntil: toNumber(r.lease_ms, what),
    };
    if (r.exp_ms !== null && r.exp_ms !== undefined) out.expiresAt = toNumber(r.exp_ms, what);
    return out;
  }

  async #burn(id: string): Promise<void> {
    await q(
      this.#c,
      'presignatures.burn',
      `UPDATE ${this.#s}.presignatures
         SET status = 'burned', data = NULL, token = NULL, used_at = ${NOW}
       WHERE id = $1 AND status IN ('available', 'reserved')`,
      [id],
    );
  }

  async consume(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<void> {
    const id = checkId('id', reservation?.id);
    const token = checkId('token', reservation.token);
    const rows = await q(
      this.#c,
      'presignatures.consume',
      `UPDATE ${this.#s}.presignatures
         SET status = CASE WHEN reserved_until > ${NOW} THEN 'consumed' ELSE 'burned' END,
             data = NULL, token = NULL, used_at = ${NOW}
       WHERE id = $1 AND status = 'reserved' AND token = $2
       RETURNING status`,
      [id, token],
    );
    if (rows[0]?.status === 'consumed') return;
    if (rows[0]?.status === 'burned') {
      throw new LocalError('PRESIGNATURE_USED', `reservation of presignature "${id}" lapsed`);
    }
    const exists = await q(
      this.#c,
      'presignatures.consume',
      `SELECT 1 FROM ${this.#s}.presignatures WHERE id = $1`,
      [id],
    );
    if (exists.length === 0) throw new LocalError('NOT_FOUND', `presignature "${id}" not found`);
    throw new LocalError(
      'PRESIGNATURE_USED',
      `presignature "${id}" was used or is not reserved by this token`,
    );
  }

  async release(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<boolean> {
    const id = checkId('id', reservation?.id);
    const token = checkId('token', reservation.token);
    const rows = await q(
      this.#c,
      'presignatures.release',
      `UPDATE ${this.#s}.presignatures SET
         status = CASE WHEN reserved_until > ${NOW} THEN 'available' ELSE 'burned' END,
         data = CASE WHEN reserved_until > ${NOW} THEN data ELSE NULL END,
         used_at = CASE WHEN reserved_until > ${NOW} THEN NULL ELSE ${NOW} END,
         token = NULL, reserved_until = NULL
       WHERE id = $1 AND status = 'reserved' AND token = $2
       RETURNING status`,
      [id, token],
    );
    return rows[0]?.status === 'available';
  }

  async expire(): Promise<number> {
    const rows = await q(
      this.#c,
      'presignatures.expire',
      `WITH burned AS (
         UPDATE ${this.#s}.presignatures
           SET status = 'burned', data = NULL, token = NULL, used_at = ${NOW}
         WHERE status = 'reserved' AND reserved_until <= ${NOW}
         RETURNING 1),
       dropped AS (
         DELETE FROM ${this.#s}.presignatures
         WHERE status = 'available' AND expires_at <= ${NOW}
         RETURNING 1)
       SELECT (SELECT count(*) FROM burned) + (SELECT count(*) FROM dropped) AS n`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async count(keyId: string, signers: readonly string[]): Promise<number> {
    checkId('keyId', keyId);
    const { key } = signerSet(signers);
    const rows = await q(
      this.#c,
      'presignatures.count',
      `SELECT count(*) AS n FROM ${this.#s}.presignatures
       WHERE key_id = $1 AND signers_key = $2 AND status = 'available'
         AND (expires_at IS NULL OR expires_at > ${NOW})`,
      [keyId, key],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

class PgSessionStore implements PostgresSessionStore {
  readonly #c: PgClientLike;
  readonly #s: string;
  readonly #kp: KeyProvider;
  readonly presignatures: PresignaturePool;

  constructor(opts: PostgresSessionStoreOptions) {
    this.#c = checkClient(opts?.client);
    this.#s = quoteSchema(opts.schema);
    if (typeof opts.keyProvider?.getKey !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '[postgres] "keyProvider" is required');
    }
    this.#kp = opts.keyProvider;
    this.presignatures = new PgPresignaturePool(this.#c, this.#s, this.#kp);
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
    let sealed: Uint8Array;
    try {
      sealed = await sealWith(this.#kp, 'snapshot', [sessionId, partyId], plain);
    } finally {
      zeroize(plain);
    }
    await q(
      this.#c,
      'saveSnapshot',
      `INSERT INTO ${this.#s}.session_snapshots (session_id, party_id, data, expires_at)
       VALUES ($1, $2, $3, ${plusMs('$4')})
       ON CONFLICT (session_id, party_id) DO UPDATE
         SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at, updated_at = ${NOW}`,
      [sessionId, partyId, toBuffer(sealed), ttl],
    );
  }

  async loadSnapshot(sessionId: string, partyId: string): Promise<Uint8Array | undefined> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const rows = await q(
      this.#c,
      'loadSnapshot',
      `SELECT data FROM ${this.#s}.session_snapshots
       WHERE session_id = $1 AND party_id = $2 AND expires_at > ${NOW}`,
      [sessionId, partyId],
    );
    if (!rows[0]) return undefined;
    const what = `snapshot (${sessionId}, ${partyId})`;
    const sealed = bytes(rows[0].data);
    if (!sealed) throw corrupt(what, 'data column is not bytea');
    return unsealWith(this.#kp, 'snapshot', [sessionId, partyId], sealed, what);
  }

  async deleteSnapshot(sessionId: string, partyId: string): Promise<boolean> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const rows = await q(
      this.#c,
      'deleteSnapshot',
      `DELETE FROM ${this.#s}.session_snapshots WHERE session_id = $1 AND party_id = $2
       RETURNING expires_at > ${NOW} AS live`,
      [sessionId, partyId],
    );
    return rows[0]?.live === true;
  }

  async acquireLock(sessionId: string, opts: TtlOptions = {}): Promise<SessionLock | undefined> {
    checkId('sessionId', sessionId);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_LOCK_TTL_MS)!;
    const token = randomUUID();
    const rows = await q(
      this.#c,
      'acquireLock',
      `INSERT INTO ${this.#s}.session_locks AS l (session_id, token, fence, expires_at)
       VALUES ($1, $2, 1, ${plusMs('$3')})
       ON CONFLICT (session_id) DO UPDATE
         SET token = EXCLUDED.token, fence = l.fence + 1, expires_at = EXCLUDED.expires_at
         WHERE l.token IS NULL OR l.expires_at <= ${NOW}
       RETURNING fence, ${ms('expires_at')} AS exp_ms`,
      [sessionId, token, ttl],
    );
    if (!rows[0]) return undefined;
    const what = `lock of session ${sessionId}`;
    return {
      sessionId,
      token,
      fence: toNumber(rows[0].fence, what),
      expiresAt: toNumber(rows[0].exp_ms, what),
    };
  }

  async extendLock(lock: SessionLock, opts: TtlOptions = {}): Promise<SessionLock | undefined> {
    const sessionId = checkId('sessionId', lock?.sessionId);
    const token = checkId('token', lock.token);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_LOCK_TTL_MS)!;
    const rows = await q(
      this.#c,
      'extendLock',
      `UPDATE ${this.#s}.session_locks SET expires_at = ${plusMs('$3')}
       WHERE session_id = $1 AND token = $2 AND expires_at > ${NOW}
       RETURNING fence, ${ms('expires_at')} AS exp_ms`,
      [sessionId, token, ttl],
    );
    if (!rows[0]) return undefined;
    const what = `lock of session ${sessionId}`;
    return {
      sessionId,
      token,
      fence: toNumber(rows[0].fence, what),
      expiresAt: toNumber(rows[0].exp_ms, what),
    };
  }

  async releaseLock(lock: SessionLock): Promise<boolean> {
    const sessionId = checkId('sessionId', lock?.sessionId);
    const token = checkId('token', lock.token);
    const rows = await q(
      this.#c,
      'releaseLock',
      `UPDATE ${this.#s}.session_locks SET token = NULL, expires_at = '-infinity'
       WHERE session_id = $1 AND token = $2 AND expires_at > ${NOW}
       RETURNING fence`,
      [sessionId, token],
    );
    return rows.length > 0;
  }

  async #mark(sessionId: string, ttlMs: number | undefined): Promise<boolean> {
    const rows = await q(
      this.#c,
      'session id',
      `INSERT INTO ${this.#s}.session_ids AS s (session_id, expires_at)
       VALUES ($1, CASE WHEN $2::float8 IS NULL THEN NULL ELSE ${plusMs('$2')} END)
       ON CONFLICT (session_id) DO UPDATE
         SET expires_at = EXCLUDED.expires_at, claimed_at = ${NOW}
         WHERE s.expires_at IS NOT NULL AND s.expires_at <= ${NOW}
       RETURNING 1 AS ok`,
      [sessionId, ttlMs ?? null],
    );
    return rows.length > 0;
  }

  async claimSessionId(sessionId: string, opts: TtlOptions = {}): Promise<void> {
    checkId('sessionId', sessionId);
    if (!(await this.#mark(sessionId, checkTtl('ttlMs', opts.ttlMs, undefined)))) {
      throw new LocalError('SESSION_REUSED', 'session id was already used', { sessionId });
    }
  }

  async markSessionId(sessionId: string, opts: TtlOptions = {}): Promise<boolean> {
    checkId('sessionId', sessionId);
    return this.#mark(sessionId, checkTtl('ttlMs', opts.ttlMs, undefined));
  }

  async sweep(): Promise<number> {
    const rows = await q(
      this.#c,
      'sweep',
      `WITH s AS (DELETE FROM ${this.#s}.session_snapshots WHERE expires_at <= ${NOW} RETURNING 1),
            i AS (DELETE FROM ${this.#s}.session_ids WHERE expires_at <= ${NOW} RETURNING 1)
       SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM i) AS n`,
    );
    return Number(rows[0]?.n ?? 0) + (await this.presignatures.expire());
  }
}

/**
 * A {@link SessionStore} on Postgres. Snapshots and presignatures are sealed with AES-256-GCM
 * under `keyProvider`. Run {@link migrate} once before use.
 *
 * @example
 * ```ts
 * const sessions = createPostgresSessionStore({ client: pool, keyProvider: envKeyProvider() });
 * const r = await sessions.presignatures.reserve(keyId, signers);
 * ```
 */
export function createPostgresSessionStore(
  opts: PostgresSessionStoreOptions,
): PostgresSessionStore {
  return new PgSessionStore(opts);
}
