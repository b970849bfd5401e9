/**
 * Versioned SQL migrations of the Postgres adapter.
 *
 * Each migration runs as one multi-statement query, which Postgres executes as a single implicit
 * transaction: it takes a transaction-scoped advisory lock (so concurrent `migrate()` calls from
 * several coordinators serialise), records its version in `schema_migrations` (a concurrent
 * migrator that already applied it makes this insert fail, and the whole migration is skipped),
 * then runs its DDL. A failure rolls everything back.
 *
 * Never edit a released migration; add a new one.
 * @module
 */
import { LocalError } from '../../errors.js';
import { type PgClientLike, q, quoteSchema, sqlState } from './client.js';

/** One schema migration. `sql` receives the quoted schema name. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql(schema: string): string;
}

const v1 = (s: string): string => `
CREATE TABLE ${s}.keys (
  id          text PRIMARY KEY,
  public_key  text,
  curve       text NOT NULL,
  min_signers integer NOT NULL,
  n           integer NOT NULL,
  parties     jsonb NOT NULL,
  chain       text,
  address     text,
  status      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT keys_shape CHECK (min_signers >= 1 AND min_signers <= n)
);
CREATE INDEX keys_status_idx ON ${s}.keys (status);
CREATE INDEX keys_parties_idx ON ${s}.keys USING gin (parties jsonb_path_ops);

CREATE TABLE ${s}.nodes (
  id           text PRIMARY KEY,
  endpoint     text NOT NULL,
  identity_key text NOT NULL,
  status       text NOT NULL,
  capabilities jsonb NOT NULL DEFAULT '[]',
  last_seen    timestamptz,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE ${s}.signing_sessions (
  id           text PRIMARY KEY,
  key_id       text NOT NULL,
  protocol     text NOT NULL,
  status       text NOT NULL,
  participants jsonb NOT NULL,
  message_hash text NOT NULL,
  signature    text,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX signing_sessions_key_idx ON ${s}.signing_sessions (key_id, created_at);

-- Append-only: the API has no update or delete, and these triggers refuse them in SQL too.
CREATE TABLE ${s}.audit_logs (
  seq        bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  type       text NOT NULL,
  node_id    text,
  session_id text,
  key_id     text,
  actor      text,
  data       jsonb
);
CREATE INDEX audit_logs_session_idx ON ${s}.audit_logs (session_id, seq);
CREATE INDEX audit_logs_node_idx ON ${s}.audit_logs (node_id, seq);
CREATE INDEX audit_logs_key_idx ON ${s}.audit_logs (key_id, seq);
CREATE FUNCTION ${s}.audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'mpc-tss: audit_logs is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE ON ${s}.audit_logs
  FOR EACH ROW EXECUTE FUNCTION ${s}.audit_logs_append_only();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON ${s}.audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_logs_append_only();

-- Sealed (AES-256-GCM) key shares; keyId and partyId are bound as associated data.
CREATE TABLE ${s}.key_shares (
  key_id     text NOT NULL,
  party_id   text NOT NULL,
  data       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (key_id, party_id)
);

-- Sealed party snapshots.
CREATE TABLE ${s}.session_snapshots (
  session_id text NOT NULL,
  party_id   text NOT NULL,
  data       bytea NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (session_id, party_id)
);
CREATE INDEX session_snapshots_expiry_idx ON ${s}.session_snapshots (expires_at);

-- One row per session ever locked; 'fence' only grows. A released lock has token NULL.
CREATE TABLE ${s}.session_locks (
  session_id text PRIMARY KEY,
  token      text,
  fence      bigint NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE ${s}.session_ids (
  session_id text PRIMARY KEY,
  claimed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz
);

-- Sealed presignatures. A consumed or burned row keeps its id (data NULL) forever, so the same
-- presignature can never be added again.
CREATE TABLE ${s}.presignatures (
  id             text PRIMARY KEY,
  key_id         text NOT NULL,
  signers        jsonb NOT NULL,
  signers_key    text NOT NULL,
  data           bytea,
  status         text NOT NULL,
  token          text,
  expires_at     timestamptz,
  reserved_until timestamptz,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  seq            bigserial,
  used_at        timestamptz,
  CONSTRAINT presignatures_status CHECK (status IN ('available', 'reserved', 'consumed', 'burned')),
  CONSTRAINT presignatures_data CHECK ((data IS NULL) = (status IN ('consumed', 'burned')))
);
CREATE INDEX presignatures_pool_idx ON ${s}.presignatures (key_id, signers_key, seq)
  WHERE status = 'available';
CREATE INDEX presignatures_lease_idx ON ${s}.presignatures (reserved_until)
  WHERE status = 'reserved';
`;

/** Every migration, in order. */
export const MIGRATIONS: readonly PostgresMigration[] = Object.freeze([
  { version: 1, name: 'init', sql: v1 },
]);

/** Advisory-lock keys: a fixed namespace and a hash of the schema name. */
function lockKeys(schema: string): [number, number] {
  let h = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) {
    h ^= schema.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return [0x6d706374, h | 0];
}

/** Result of {@link migrate}. */
export interface MigrationResult {
  /** Versions applied by this call. */
  applied: number[];
  /** Version of the schema afterwards. */
  version: number;
}

/**
 * Creates the schema and applies pending migrations. Idempotent and safe to run concurrently
 * from several processes. Refuses a database whose schema is newer than this library.
 *
 * @example
 * ```ts
 * const pool = await connectPostgres(process.env.DATABASE_URL!);
 * await migrate(pool, { schema: 'mpc_tss' });
 * ```
 */
export async function migrate(
  client: PgClientLike,
  opts: { schema?: string } = {},
): Promise<MigrationResult> {
  const s = quoteSchema(opts.schema);
  const [k1, k2] = lockKeys(s);
  const lock = `SELECT pg_advisory_xact_lock(${k1}, ${k2});`;
  await q(
    client,
    'creating the schema',
    `${lock}
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
);`,
  );
  const done = new Set(
    (await q(client, 'reading migrations', `SELECT version FROM ${s}.schema_migrations`)).map((r) =>
      Number(r.version),
    ),
  );
  const latest = MIGRATIONS.at(-1)!.version;
  const newer = [...done].filter((v) => v > latest);
  if (newer.length > 0) {
    throw new LocalError(
      'STORE_ERROR',
      `[postgres] schema ${s} is at version ${Math.max(...newer)}, newer than this mpc-tss (${latest}); upgrade mpc-tss`,
    );
  }
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    // Versions and names are constants of this file, never caller input.
    const text = `${lock}
INSERT INTO ${s}.schema_migrations (version, name) VALUES (${m.version}, '${m.name}');
${m.sql(s)}`;
    try {
      await q(client, `migration ${m.version} (${m.name})`, text);
      applied.push(m.version);
    } catch (e) {
      // Another process applied it between our read and our lock.
      if (sqlState((e as { cause?: unknown }).cause) !== '23505') throw e;
    }
  }
  return { applied, version: latest };
}
