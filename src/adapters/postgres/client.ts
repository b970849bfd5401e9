/**
 * The structural client contract of the Postgres adapter, the lazy `pg` loader, and shared SQL
 * helpers. Only values ever travel as query parameters; identifiers (the schema name) are
 * validated against a strict pattern and quoted.
 * @module
 */
import { LocalError, MpcError } from '../../errors.js';
import { importOptional } from '../../stores/optional.js';
import { storeError } from '../../stores/validate.js';

/** The result shape the adapter reads: `pg`'s `QueryResult` satisfies it. */
export interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/**
 * Anything with `pg`'s `query(text, params)`: a `pg.Pool` (recommended: concurrent calls run on
 * separate connections), a `pg.Client`, or a wrapper around another driver. The adapter issues
 * single statements only (no client-side transactions), so a pool is safe to pass.
 */
export interface PgClientLike {
  query(text: string, params?: unknown[]): Promise<PgQueryResult>;
}

/** A client the adapter opened itself and must close. */
export interface PgOwnedClient extends PgClientLike {
  end(): Promise<void>;
}

/** Options shared by the Postgres stores. */
export interface PostgresClientOptions {
  /** The client to use (e.g. a `pg.Pool`). */
  client: PgClientLike;
  /** Schema holding the tables (default `mpc_tss`); `[a-z_][a-z0-9_]*`, at most 63 chars. */
  schema?: string;
}

/** Default schema of the tables. */
export const DEFAULT_SCHEMA = 'mpc_tss';

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema name and returns it double-quoted for SQL. */
export function quoteSchema(schema: string = DEFAULT_SCHEMA): string {
  if (typeof schema !== 'string' || !SCHEMA_RE.test(schema)) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '"schema" must match [a-z_][a-z0-9_]* and have at most 63 characters',
    );
  }
  return `"${schema}"`;
}

/** Checks an injected client. */
export function checkClient(client: unknown): PgClientLike {
  if (typeof (client as PgClientLike | null)?.query !== 'function') {
    throw new LocalError('INVALID_ARGUMENT', '[postgres] "client" must have a query() method');
  }
  return client as PgClientLike;
}

/**
 * Opens a `pg.Pool` for `connectionString`, importing `pg` lazily. Throws `MISSING_DEPENDENCY`
 * (`[postgres] install pg or pass a client`) when `pg` is not installed.
 *
 * @example
 * ```ts
 * const pool = await connectPostgres(process.env.DATABASE_URL!, { max: 10 });
 * ```
 */
export async function connectPostgres(
  connectionString: string,
  poolOptions: Record<string, unknown> = {},
): Promise<PgOwnedClient> {
  if (typeof connectionString !== 'string' || connectionString.length === 0) {
    throw new LocalError('INVALID_ARGUMENT', '[postgres] "connectionString" must be a string');
  }
  const mod = (await importOptional('postgres', 'pg', () => import('pg'))) as unknown as {
    Pool?: PoolCtor;
    default?: { Pool?: PoolCtor };
  };
  const Pool = mod.Pool ?? mod.default?.Pool;
  if (!Pool) throw new LocalError('MISSING_DEPENDENCY', '[postgres] install pg or pass a client');
  const pool = new Pool({ ...poolOptions, connectionString });
  // An idle connection that drops emits 'error'; unhandled, it would crash the process. The
  // next query opens a new connection, so there is nothing else to do here.
  pool.on('error', () => {});
  return pool;
}

type PoolCtor = new (
  opts: Record<string, unknown>,
) => PgOwnedClient & { on(event: 'error', fn: (e: unknown) => void): unknown };

/** SQLSTATE of a driver error. */
export function sqlState(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c) ? c : undefined;
}

/** Runs a query, mapping driver failures to `MpcError`s. */
export async function q(
  client: PgClientLike,
  what: string,
  text: string,
  params?: unknown[],
): Promise<Record<string, unknown>[]> {
  try {
    const res = await client.query(text, params);
    return res.rows;
  } catch (e) {
    if (e instanceof MpcError) throw e;
    const state = sqlState(e);
    if (state === '23514') {
      throw new LocalError('INVALID_ARGUMENT', `${what}: the values violate a constraint`, {
        cause: e,
      });
    }
    if (state === '42P01' || state === '3F000') {
      throw new LocalError('STORE_ERROR', `${what}: tables are missing; run migrate() first`, {
        cause: e,
      });
    }
    throw storeError(`[postgres] ${what}`, e);
  }
}

/** SQL for a timestamptz column as integer milliseconds since the epoch. */
export function ms(col: string): string {
  return `floor(extract(epoch from ${col}) * 1000)::float8`;
}

/** A number column that a driver may return as a string (bigint) or a number. */
export function num(v: unknown): unknown {
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

/** Converts a driver's bytea value (Buffer, or `\x…` hex text) to bytes. */
export function bytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string' && v.startsWith('\\x')) return Buffer.from(v.slice(2), 'hex');
  return undefined;
}

/** A `Buffer` view of bytes (what `pg` sends as bytea), without copying. */
export function toBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Parses a jsonb value that a driver may return parsed or as text. */
export function json(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
