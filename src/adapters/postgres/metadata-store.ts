/**
 * {@link MetadataStore} on Postgres. Every operation is a single parameterised statement, so it
 * is atomic without client-side transactions, and a patch only writes the columns it names
 * (concurrent patches of different fields never lose each other's writes).
 * @module
 */
import { LocalError } from '../../errors.js';
import {
  checkAuditInput,
  checkKeyPatch,
  checkNodeInput,
  checkNodePatch,
  checkSigningSessionPatch,
  decodeAuditEvent,
  decodeKeyRecord,
  decodeNodeRecord,
  decodeSigningSessionRecord,
  newKeyRecord,
  newSigningSessionRecord,
} from '../../stores/records.js';
import type {
  AuditEvent,
  AuditEventInput,
  AuditFilter,
  KeyFilter,
  KeyPatch,
  KeyRecord,
  MetadataStore,
  NewKeyRecord,
  NewSigningSession,
  NodeFilter,
  NodeInput,
  NodePatch,
  NodeRecord,
  NodeStatus,
  SigningSessionFilter,
  SigningSessionPatch,
  SigningSessionRecord,
} from '../../stores/types.js';
import { checkCount, checkId, checkLimit } from '../../stores/validate.js';
import {
  checkClient,
  json,
  ms,
  num,
  type PgClientLike,
  type PostgresClientOptions,
  q,
  quoteSchema,
} from './client.js';

const KEY_COLS = `id, public_key, curve, min_signers, n, parties, chain, address, status,
  ${ms('created_at')} AS created_ms, ${ms('updated_at')} AS updated_ms`;
const NODE_COLS = `id, endpoint, identity_key, status, capabilities, ${ms('last_seen')} AS last_seen_ms,
  ${ms('created_at')} AS created_ms, ${ms('updated_at')} AS updated_ms`;
const SESSION_COLS = `id, key_id, protocol, status, participants, message_hash, signature, error,
  ${ms('created_at')} AS created_ms, ${ms('updated_at')} AS updated_ms`;
const AUDIT_COLS = `seq, ${ms('at')} AS at_ms, type, node_id, session_id, key_id, actor, data`;

function keyFromRow(r: Record<string, unknown>, id: string): KeyRecord {
  return decodeKeyRecord(
    {
      id: r.id,
      publicKey: r.public_key,
      curve: r.curve,
      minSigners: num(r.min_signers),
      n: num(r.n),
      parties: json(r.parties),
      chain: r.chain,
      address: r.address,
      status: r.status,
      createdAt: num(r.created_ms),
      updatedAt: num(r.updated_ms),
    },
    id,
  );
}

function nodeFromRow(r: Record<string, unknown>, id: string): NodeRecord {
  return decodeNodeRecord(
    {
      id: r.id,
      endpoint: r.endpoint,
      identityKey: r.identity_key,
      status: r.status,
      capabilities: json(r.capabilities),
      lastSeen: num(r.last_seen_ms),
      createdAt: num(r.created_ms),
      updatedAt: num(r.updated_ms),
    },
    id,
  );
}

function sessionFromRow(r: Record<string, unknown>, id: string): SigningSessionRecord {
  return decodeSigningSessionRecord(
    {
      id: r.id,
      keyId: r.key_id,
      protocol: r.protocol,
      status: r.status,
      participants: json(r.participants),
      messageHash: r.message_hash,
      signature: r.signature,
      error: r.error,
      createdAt: num(r.created_ms),
      updatedAt: num(r.updated_ms),
    },
    id,
  );
}

function auditFromRow(r: Record<string, unknown>): AuditEvent {
  const seq = num(r.seq);
  return decodeAuditEvent(
    {
      seq,
      at: num(r.at_ms),
      type: r.type,
      nodeId: r.node_id,
      sessionId: r.session_id,
      keyId: r.key_id,
      actor: r.actor,
      data: json(r.data),
    },
    typeof seq === 'number' ? seq : -1,
  );
}

/** Collects `col = $n` fragments with their parameters. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

class PgMetadataStore implements MetadataStore {
  readonly #c: PgClientLike;
  readonly #s: string;

  constructor(opts: PostgresClientOptions) {
    this.#c = checkClient(opts?.client);
    this.#s = quoteSchema(opts.schema);
  }

  async createKey(input: NewKeyRecord): Promise<KeyRecord> {
    const rec = newKeyRecord(input, 0);
    const rows = await q(
      this.#c,
      'createKey',
      `INSERT INTO ${this.#s}.keys
         (id, public_key, curve, min_signers, n, parties, chain, address, status)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${KEY_COLS}`,
      [
        rec.id,
        rec.publicKey ?? null,
        rec.curve,
        rec.minSigners,
        rec.n,
        JSON.stringify(rec.parties),
        rec.chain ?? null,
        rec.address ?? null,
        rec.status,
      ],
    );
    if (rows.length === 0) throw new LocalError('STORE_ERROR', `key "${rec.id}" already exists`);
    return keyFromRow(rows[0]!, rec.id);
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    checkId('id', id);
    const rows = await q(
      this.#c,
      'getKey',
      `SELECT ${KEY_COLS} FROM ${this.#s}.keys WHERE id = $1`,
      [id],
    );
    return rows[0] && keyFromRow(rows[0], id);
  }

  async updateKey(id: string, patch: KeyPatch): Promise<KeyRecord> {
    checkId('id', id);
    checkKeyPatch(patch);
    const p = new Params();
    const set = ['updated_at = clock_timestamp()'];
    if (patch.publicKey !== undefined) set.push(`public_key = ${p.add(patch.publicKey)}`);
    if (patch.minSigners !== undefined) set.push(`min_signers = ${p.add(patch.minSigners)}`);
    if (patch.parties !== undefined) {
      set.push(`parties = ${p.add(JSON.stringify(patch.parties))}::jsonb`);
      set.push(`n = ${p.add(patch.parties.length)}`);
    }
    if (patch.chain !== undefined) set.push(`chain = ${p.add(patch.chain)}`);
    if (patch.address !== undefined) set.push(`address = ${p.add(patch.address)}`);
    if (patch.status !== undefined) set.push(`status = ${p.add(patch.status)}`);
    const rows = await q(
      this.#c,
      'updateKey',
      `UPDATE ${this.#s}.keys SET ${set.join(', ')} WHERE id = ${p.add(id)} RETURNING ${KEY_COLS}`,
      p.values,
    );
    if (rows.length === 0) throw new LocalError('NOT_FOUND', `key "${id}" not found`);
    return keyFromRow(rows[0]!, id);
  }

  async listKeys(filter: KeyFilter = {}): Promise<KeyRecord[]> {
    const limit = checkLimit(filter.limit);
    const p = new Params();
    const where = ['true'];
    if (filter.status !== undefined) where.push(`status = ${p.add(filter.status)}`);
    if (filter.curve !== undefined) where.push(`curve = ${p.add(filter.curve)}`);
    if (filter.chain !== undefined) where.push(`chain = ${p.add(filter.chain)}`);
    if (filter.partyId !== undefined) {
      where.push(`parties @> jsonb_build_array(${p.add(filter.partyId)}::text)`);
    }
    const rows = await q(
      this.#c,
      'listKeys',
      `SELECT ${KEY_COLS} FROM ${this.#s}.keys WHERE ${where.join(' AND ')}
       ORDER BY id COLLATE "C" LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => keyFromRow(r, String(r.id)));
  }

  async upsertNode(input: NodeInput): Promise<NodeRecord> {
    checkNodeInput(input);
    const rows = await q(
      this.#c,
      'upsertNode',
      `INSERT INTO ${this.#s}.nodes AS n (id, endpoint, identity_key, status, capabilities, last_seen)
       VALUES ($1, $2, $3, COALESCE($4, 'online'), COALESCE($5::jsonb, '[]'::jsonb),
               to_timestamp($6::float8 / 1000.0))
       ON CONFLICT (id) DO UPDATE SET
         endpoint = EXCLUDED.endpoint,
         identity_key = EXCLUDED.identity_key,
         status = COALESCE($4, n.status),
         capabilities = COALESCE($5::jsonb, n.capabilities),
         last_seen = COALESCE(EXCLUDED.last_seen, n.last_seen),
         updated_at = clock_timestamp()
       RETURNING ${NODE_COLS}`,
      [
        input.id,
        input.endpoint,
        input.identityKey,
        input.status ?? null,
        input.capabilities === undefined ? null : JSON.stringify(input.capabilities),
        input.lastSeen ?? null,
      ],
    );
    return nodeFromRow(rows[0]!, input.id);
  }

  async getNode(id: string): Promise<NodeRecord | undefined> {
    checkId('id', id);
    const rows = await q(
      this.#c,
      'getNode',
      `SELECT ${NODE_COLS} FROM ${this.#s}.nodes WHERE id = $1`,
      [id],
    );
    return rows[0] && nodeFromRow(rows[0], id);
  }

  async updateNode(id: string, patch: NodePatch): Promise<NodeRecord> {
    checkId('id', id);
    checkNodePatch(patch);
    const p = new Params();
    const set = ['updated_at = clock_timestamp()'];
    if (patch.endpoint !== undefined) set.push(`endpoint = ${p.add(patch.endpoint)}`);
    if (patch.identityKey !== undefined) set.push(`identity_key = ${p.add(patch.identityKey)}`);
    if (patch.status !== undefined) set.push(`status = ${p.add(patch.status)}`);
    if (patch.capabilities !== undefined) {
      set.push(`capabilities = ${p.add(JSON.stringify(patch.capabilities))}::jsonb`);
    }
    if (patch.lastSeen !== undefined) {
      set.push(`last_seen = to_timestamp(${p.add(patch.lastSeen)}::float8 / 1000.0)`);
    }
    return this.#updateNode(id, set, p);
  }

  async #updateNode(id: string, set: string[], p: Params): Promise<NodeRecord> {
    const rows = await q(
      this.#c,
      'updateNode',
      `UPDATE ${this.#s}.nodes SET ${set.join(', ')} WHERE id = ${p.add(id)} RETURNING ${NODE_COLS}`,
      p.values,
    );
    if (rows.length === 0) throw new LocalError('NOT_FOUND', `node "${id}" not found`);
    return nodeFromRow(rows[0]!, id);
  }

  async touchNode(id: string, status?: NodeStatus): Promise<NodeRecord> {
    checkId('id', id);
    if (status !== undefined) checkNodePatch({ status });
    const p = new Params();
    const set = ['updated_at = clock_timestamp()', 'last_seen = clock_timestamp()'];
    if (status !== undefined) set.push(`status = ${p.add(status)}`);
    return this.#updateNode(id, set, p);
  }

  async deleteNode(id: string): Promise<boolean> {
    checkId('id', id);
    const rows = await q(
      this.#c,
      'deleteNode',
      `DELETE FROM ${this.#s}.nodes WHERE id = $1 RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async listNodes(filter: NodeFilter = {}): Promise<NodeRecord[]> {
    const limit = checkLimit(filter.limit);
    const p = new Params();
    const where = ['true'];
    if (filter.status !== undefined) where.push(`status = ${p.add(filter.status)}`);
    if (filter.capability !== undefined) {
      where.push(`capabilities @> jsonb_build_array(${p.add(filter.capability)}::text)`);
    }
    if (filter.seenSince !== undefined) {
      checkCount('seenSince', filter.seenSince);
      where.push(`last_seen >= to_timestamp(${p.add(filter.seenSince)}::float8 / 1000.0)`);
    }
    const rows = await q(
      this.#c,
      'listNodes',
      `SELECT ${NODE_COLS} FROM ${this.#s}.nodes WHERE ${where.join(' AND ')}
       ORDER BY id COLLATE "C" LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => nodeFromRow(r, String(r.id)));
  }

  async createSigningSession(input: NewSigningSession): Promise<SigningSessionRecord> {
    const rec = newSigningSessionRecord(input, 0);
    const rows = await q(
      this.#c,
      'createSigningSession',
      `INSERT INTO ${this.#s}.signing_sessions
         (id, key_id, protocol, status, participants, message_hash)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (id) DO NOTHING
       RETURNING ${SESSION_COLS}`,
      [
        rec.id,
        rec.keyId,
        rec.protocol,
        rec.status,
        JSON.stringify(rec.participants),
        rec.messageHash,
      ],
    );
    if (rows.length === 0) {
      throw new LocalError('SESSION_REUSED', `signing session "${rec.id}" already exists`, {
        sessionId: rec.id,
      });
    }
    return sessionFromRow(rows[0]!, rec.id);
  }

  async getSigningSession(id: string): Promise<SigningSessionRecord | undefined> {
    checkId('id', id);
    const rows = await q(
      this.#c,
      'getSigningSession',
      `SELECT ${SESSION_COLS} FROM ${this.#s}.signing_sessions WHERE id = $1`,
      [id],
    );
    return rows[0] && sessionFromRow(rows[0], id);
  }

  async updateSigningSession(
    id: string,
    patch: SigningSessionPatch,
  ): Promise<SigningSessionRecord> {
    checkId('id', id);
    checkSigningSessionPatch(patch);
    const p = new Params();
    const set = ['updated_at = clock_timestamp()'];
    if (patch.status !== undefined) set.push(`status = ${p.add(patch.status)}`);
    if (patch.participants !== undefined) {
      set.push(`participants = ${p.add(JSON.stringify(patch.participants))}::jsonb`);
    }
    if (patch.signature !== undefined) set.push(`signature = ${p.add(patch.signature)}`);
    if (patch.error !== undefined) set.push(`error = ${p.add(patch.error)}`);
    const rows = await q(
      this.#c,
      'updateSigningSession',
      `UPDATE ${this.#s}.signing_sessions SET ${set.join(', ')} WHERE id = ${p.add(id)}
       RETURNING ${SESSION_COLS}`,
      p.values,
    );
    if (rows.length === 0) throw new LocalError('NOT_FOUND', `signing session "${id}" not found`);
    return sessionFromRow(rows[0]!, id);
  }

  async listSigningSessions(filter: SigningSessionFilter = {}): Promise<SigningSessionRecord[]> {
    const limit = checkLimit(filter.limit);
    const p = new Params();
    const where = ['true'];
    if (filter.keyId !== undefined) where.push(`key_id = ${p.add(filter.keyId)}`);
    if (filter.status !== undefined) where.push(`status = ${p.add(filter.status)}`);
    if (filter.protocol !== undefined) where.push(`protocol = ${p.add(filter.protocol)}`);
    const rows = await q(
      this.#c,
      'listSigningSessions',
      `SELECT ${SESSION_COLS} FROM ${this.#s}.signing_sessions WHERE ${where.join(' AND ')}
       ORDER BY created_at, id COLLATE "C" LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => sessionFromRow(r, String(r.id)));
  }

  async appendAudit(event: AuditEventInput): Promise<AuditEvent> {
    const e = checkAuditInput(event);
    const rows = await q(
      this.#c,
      'appendAudit',
      `INSERT INTO ${this.#s}.audit_logs (type, node_id, session_id, key_id, actor, data)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       RETURNING ${AUDIT_COLS}`,
      [
        e.type,
        e.nodeId ?? null,
        e.sessionId ?? null,
        e.keyId ?? null,
        e.actor ?? null,
        e.data === undefined ? null : JSON.stringify(e.data),
      ],
    );
    return auditFromRow(rows[0]!);
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const limit = checkLimit(filter.limit);
    const p = new Params();
    const where = ['true'];
    if (filter.nodeId !== undefined) where.push(`node_id = ${p.add(filter.nodeId)}`);
    if (filter.sessionId !== undefined) where.push(`session_id = ${p.add(filter.sessionId)}`);
    if (filter.keyId !== undefined) where.push(`key_id = ${p.add(filter.keyId)}`);
    if (filter.type !== undefined) where.push(`type = ${p.add(filter.type)}`);
    if (filter.afterSeq !== undefined) {
      where.push(`seq > ${p.add(checkCount('afterSeq', filter.afterSeq))}`);
    }
    const rows = await q(
      this.#c,
      'listAudit',
      `SELECT ${AUDIT_COLS} FROM ${this.#s}.audit_logs WHERE ${where.join(' AND ')}
       ORDER BY seq LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map(auditFromRow);
  }
}

/**
 * A {@link MetadataStore} on Postgres. Run {@link migrate} once before use.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const meta = createPostgresMetadataStore({ client: pool });
 * ```
 */
export function createPostgresMetadataStore(opts: PostgresClientOptions): MetadataStore {
  return new PgMetadataStore(opts);
}
