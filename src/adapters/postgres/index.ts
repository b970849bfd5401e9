/**
 * `mpc-tss/postgres`: {@link MetadataStore}, {@link PostgresSessionStore} and
 * {@link KeyShareStore} on PostgreSQL, with versioned SQL migrations.
 *
 * `pg` is an optional peer dependency: pass any client with `query(text, params)` (a `pg.Pool` is
 * recommended), or a connection string and the adapter imports `pg` lazily. Every statement is
 * parameterised; the only identifier spliced into SQL is the schema name, checked against
 * `[a-z_][a-z0-9_]*`.
 *
 * Tables (schema `mpc_tss` by default): `keys`, `nodes`, `signing_sessions`, `audit_logs`
 * (append-only, enforced by triggers), `key_shares`, `session_snapshots`, `session_locks`,
 * `session_ids`, `presignatures`, and `schema_migrations`.
 * @module
 */
import { LocalError } from '../../errors.js';
import type { KeyProvider, KeyShareStore, MetadataStore } from '../../stores/types.js';
import {
  checkClient,
  connectPostgres,
  DEFAULT_SCHEMA,
  type PgClientLike,
  type PgOwnedClient,
  quoteSchema,
} from './client.js';
import { createPostgresKeyShareStore } from './key-share-store.js';
import { createPostgresMetadataStore } from './metadata-store.js';
import { type MigrationResult, migrate } from './migrations.js';
import { createPostgresSessionStore, type PostgresSessionStore } from './session-store.js';

export type {
  PgClientLike,
  PgOwnedClient,
  PgQueryResult,
  PostgresClientOptions,
} from './client.js';
export { connectPostgres, DEFAULT_SCHEMA } from './client.js';
export {
  createPostgresKeyShareStore,
  type PostgresKeyShareStoreOptions,
} from './key-share-store.js';
export { createPostgresMetadataStore } from './metadata-store.js';
export { MIGRATIONS, type MigrationResult, migrate, type PostgresMigration } from './migrations.js';
export {
  createPostgresSessionStore,
  type PostgresSessionStore,
  type PostgresSessionStoreOptions,
} from './session-store.js';

/** Options of {@link createPostgresStores}: a client, or a connection string. */
export interface PostgresStoresOptions {
  /** A client such as a `pg.Pool`; the caller keeps ownership (close() leaves it open). */
  client?: PgClientLike;
  /** Used when no client is given: `pg` is imported lazily and a pool opened (and owned). */
  connectionString?: string;
  /** Extra `pg.Pool` options when a connection string is used (e.g. `{ max: 10 }`). */
  poolOptions?: Record<string, unknown>;
  /** Schema of the tables (default `mpc_tss`). */
  schema?: string;
  /** Key sealing key shares, snapshots and presignatures. */
  keyProvider: KeyProvider;
  /** Run {@link migrate} before returning (default `false`). */
  migrate?: boolean;
}

/** The three stores sharing one client and schema. */
export interface PostgresStores {
  metadata: MetadataStore;
  sessions: PostgresSessionStore;
  keyShares: KeyShareStore;
  /** The client in use. */
  client: PgClientLike;
  /** The schema in use. */
  schema: string;
  /** Applies pending migrations (idempotent). */
  migrate(): Promise<MigrationResult>;
  /** Ends the pool if this function opened it; an injected client is left open. */
  close(): Promise<void>;
}

/**
 * Creates the metadata, session and key-share stores on one client.
 *
 * @example
 * ```ts
 * import { envKeyProvider } from 'mpc-tss';
 * import { createPostgresStores } from 'mpc-tss/postgres';
 *
 * const pg = await createPostgresStores({
 *   connectionString: process.env.DATABASE_URL,
 *   keyProvider: envKeyProvider(),
 *   migrate: true,
 * });
 * await pg.metadata.appendAudit({ type: 'coordinator.started' });
 * await pg.close();
 * ```
 */
export async function createPostgresStores(opts: PostgresStoresOptions): Promise<PostgresStores> {
  const schema = opts?.schema ?? DEFAULT_SCHEMA;
  quoteSchema(schema);
  let owned: PgOwnedClient | undefined;
  let client: PgClientLike;
  if (opts.client !== undefined) client = checkClient(opts.client);
  else if (opts.connectionString !== undefined) {
    owned = await connectPostgres(opts.connectionString, opts.poolOptions);
    client = owned;
  } else {
    throw new LocalError('INVALID_ARGUMENT', '[postgres] pass a client or a connectionString');
  }
  const stores: PostgresStores = {
    metadata: createPostgresMetadataStore({ client, schema }),
    sessions: createPostgresSessionStore({ client, schema, keyProvider: opts.keyProvider }),
    keyShares: createPostgresKeyShareStore({ client, schema, keyProvider: opts.keyProvider }),
    client,
    schema,
    migrate: () => migrate(client, { schema }),
    close: async () => {
      await owned?.end();
      owned = undefined;
    },
  };
  if (opts.migrate) {
    try {
      await stores.migrate();
    } catch (e) {
      await stores.close();
      throw e;
    }
  }
  return stores;
}
