import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectPostgres,
  createPostgresKeyShareStore,
  createPostgresMetadataStore,
  createPostgresSessionStore,
  createPostgresStores,
  MIGRATIONS,
  migrate,
  type PgClientLike,
} from '../../src/adapters/postgres/index.js';
import { isMpcError } from '../../src/errors.js';
import { staticKeyProvider } from '../../src/stores/key-provider.js';
import { importOptional } from '../../src/stores/optional.js';
import {
  keyShareStoreSuite,
  metadataStoreSuite,
  sessionStoreSuite,
} from '../../src/testing/index.js';
import { describeWithService, PG_URL, probePostgres } from '../support/services.js';

const service = await probePostgres();
const runner = { describe, it, expect };
const keyProvider = staticKeyProvider(randomBytes(32));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return isMpcError(e) ? e.code : `non-MpcError ${String(e)}`;
  }
}

/** SQLSTATE of a failed query (the adapter keeps the driver error as `cause`). */
async function sqlStateOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describeWithService('postgres adapter', service, () => {
  // One schema per run of this file, dropped afterwards, so reruns start clean.
  const schema = `mpc_tss_test_${randomBytes(6).toString('hex')}`;
  let pool: pg.Pool;
  const s = `"${schema}"`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 8 });
    pool.on('error', () => {});
    await migrate(pool, { schema });
  });

  afterAll(async () => {
    await pool?.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await pool?.end();
  });

  async function flipByte(table: string, where: string, params: unknown[]): Promise<void> {
    const { rows } = await pool.query(`SELECT data FROM ${s}.${table} WHERE ${where}`, params);
    const data = Buffer.from(rows[0].data as Buffer);
    data[data.length - 20]! ^= 0x01;
    await pool.query(`UPDATE ${s}.${table} SET data = $${params.length + 1} WHERE ${where}`, [
      ...params,
      data,
    ]);
  }

  keyShareStoreSuite(
    runner,
    () => ({
      store: createPostgresKeyShareStore({ client: pool, schema, keyProvider }),
      async corrupt(ref, how) {
        const where = 'key_id = $1 AND party_id = $2';
        if (how === 'tamper') await flipByte('key_shares', where, [ref.keyId, ref.partyId]);
        else {
          await pool.query(
            `UPDATE ${s}.key_shares SET data = substring(data from 1 for length(data) - 5) WHERE ${where}`,
            [ref.keyId, ref.partyId],
          );
        }
      },
    }),
    { name: 'postgres KeyShareStore' },
  );

  metadataStoreSuite(
    runner,
    () => {
      const damaged: [string, string][] = [];
      const tables = { key: 'keys', node: 'nodes', signingSession: 'signing_sessions' } as const;
      return {
        store: createPostgresMetadataStore({ client: pool, schema }),
        async corrupt(kind, id) {
          const damage = {
            key: `status = 'bogus'`,
            node: `capabilities = '{"not":"a list"}'::jsonb`,
            signingSession: `participants = '"nobody"'::jsonb`,
          }[kind];
          await pool.query(`UPDATE ${s}.${tables[kind]} SET ${damage} WHERE id = $1`, [id]);
          damaged.push([tables[kind], id]);
        },
        // The schema is shared by every test of this file: remove what the test damaged.
        async close() {
          for (const [table, id] of damaged) {
            await pool.query(`DELETE FROM ${s}.${table} WHERE id = $1`, [id]);
          }
        },
      };
    },
    { name: 'postgres MetadataStore' },
  );

  sessionStoreSuite(
    runner,
    () => ({
      store: createPostgresSessionStore({ client: pool, schema, keyProvider }),
      corruptSnapshot: (sessionId, partyId) =>
        flipByte('session_snapshots', 'session_id = $1 AND party_id = $2', [sessionId, partyId]),
    }),
    { name: 'postgres SessionStore' },
  );

  describe('postgres specifics', () => {
    it('migrate is idempotent and records each version once', async () => {
      const again = await migrate(pool, { schema });
      expect(again).toEqual({ applied: [], version: MIGRATIONS.at(-1)!.version });
      const { rows } = await pool.query(`SELECT version FROM ${s}.schema_migrations`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('concurrent migrations of a fresh schema apply each version exactly once', async () => {
      const fresh = `${schema}_c`;
      try {
        const results = await Promise.all(
          Array.from({ length: 4 }, () => migrate(pool, { schema: fresh })),
        );
        const applied = results.flatMap((r) => r.applied).sort();
        expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
        const { rows } = await pool.query(
          `SELECT count(*)::int AS n FROM "${fresh}".schema_migrations`,
        );
        expect(rows[0].n).toBe(MIGRATIONS.length);
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      }
    });

    it('refuses a schema newer than this library', async () => {
      const fresh = `${schema}_n`;
      try {
        await migrate(pool, { schema: fresh });
        await pool.query(
          `INSERT INTO "${fresh}".schema_migrations (version, name) VALUES (999, 'future')`,
        );
        expect(await codeOf(migrate(pool, { schema: fresh }))).toBe('STORE_ERROR');
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      }
    });

    it('audit_logs refuses UPDATE, DELETE and TRUNCATE in SQL (trigger)', async () => {
      const meta = createPostgresMetadataStore({ client: pool, schema });
      const ev = await meta.appendAudit({ type: 'guarded', sessionId: 'sql-guard' });
      const denied = '42501';
      expect(
        await sqlStateOf(
          pool.query(`UPDATE ${s}.audit_logs SET type = 'x' WHERE seq = $1`, [ev.seq]),
        ),
      ).toBe(denied);
      expect(
        await sqlStateOf(pool.query(`DELETE FROM ${s}.audit_logs WHERE seq = $1`, [ev.seq])),
      ).toBe(denied);
      expect(await sqlStateOf(pool.query(`TRUNCATE ${s}.audit_logs`))).toBe(denied);
      expect(await meta.listAudit({ sessionId: 'sql-guard' })).toEqual([ev]);
    });

    it('values are parameters: ids full of SQL stay plain data', async () => {
      const meta = createPostgresMetadataStore({ client: pool, schema });
      const id = `x'); DROP TABLE ${s}.keys; --`;
      await meta.createKey({
        id,
        curve: "secp'256k1",
        minSigners: 2,
        parties: ["o'brien", 'b'],
      });
      expect((await meta.listKeys({ partyId: "o'brien" })).map((k) => k.id)).toEqual([id]);
    });

    it('secrets are sealed at rest: raw rows never contain the plaintext', async () => {
      const shares = createPostgresKeyShareStore({ client: pool, schema, keyProvider });
      const sessions = createPostgresSessionStore({ client: pool, schema, keyProvider });
      const marker = `plaintext-marker-${randomBytes(8).toString('hex')}`;
      await shares.put('sealed-key', 'p', marker);
      await sessions.saveSnapshot('sealed-sess', 'p', marker);
      await sessions.presignatures.add('sealed-key', [
        { id: `ps-${marker}`, signers: ['a'], data: marker },
      ]);
      for (const table of ['key_shares', 'session_snapshots', 'presignatures']) {
        const { rows } = await pool.query(`SELECT data FROM ${s}.${table}`);
        for (const r of rows) {
          if (r.data) expect(Buffer.from(r.data).includes(marker)).toBe(false);
        }
      }
      // A share sealed under another key does not open.
      const other = createPostgresKeyShareStore({
        client: pool,
        schema,
        keyProvider: staticKeyProvider(randomBytes(32)),
      });
      expect(await codeOf(other.get('sealed-key', 'p'))).toBe('STORE_CORRUPT');
    });

    it('a consumed presignature keeps a tombstone row without data', async () => {
      const sessions = createPostgresSessionStore({ client: pool, schema, keyProvider });
      const id = `ps-${randomBytes(6).toString('hex')}`;
      await sessions.presignatures.add('tomb-key', [{ id, signers: ['a', 'b'], data: 'x' }]);
      await sessions.presignatures.consume(
        (await sessions.presignatures.reserve('tomb-key', ['a', 'b']))!,
      );
      const { rows } = await pool.query(
        `SELECT status, data FROM ${s}.presignatures WHERE id = $1`,
        [id],
      );
      expect(rows).toEqual([{ status: 'consumed', data: null }]);
    });

    it('sweep deletes expired snapshots and claims', async () => {
      const sessions = createPostgresSessionStore({ client: pool, schema, keyProvider });
      const sid = `sweep-${randomBytes(6).toString('hex')}`;
      await sessions.saveSnapshot(sid, 'p', 'x', { ttlMs: 20 });
      await sessions.claimSessionId(sid, { ttlMs: 20 });
      await new Promise((r) => setTimeout(r, 60));
      expect(await sessions.sweep()).toBeGreaterThanOrEqual(2);
      const { rows } = await pool.query(
        `SELECT (SELECT count(*) FROM ${s}.session_snapshots WHERE session_id = $1)::int AS a,
                (SELECT count(*) FROM ${s}.session_ids WHERE session_id = $1)::int AS b`,
        [sid],
      );
      expect(rows[0]).toEqual({ a: 0, b: 0 });
    });

    it('accepts any structural client, e.g. a thin wrapper', async () => {
      const calls: string[] = [];
      const client: PgClientLike = {
        query: (text, params) => {
          calls.push(text.trim().split(/\s+/)[0]!);
          return pool.query(text, params);
        },
      };
      const meta = createPostgresMetadataStore({ client, schema });
      const n = await meta.upsertNode({ id: 'wrapped', endpoint: 'e', identityKey: 'k' });
      expect((await meta.getNode('wrapped'))?.createdAt).toBe(n.createdAt);
      expect(calls).toEqual(['INSERT', 'SELECT']);
    });

    it('createPostgresStores opens pg lazily from a connection string and migrates', async () => {
      const fresh = `${schema}_f`;
      const stores = await createPostgresStores({
        connectionString: PG_URL,
        schema: fresh,
        keyProvider,
        migrate: true,
      });
      try {
        await stores.keyShares.put('k', 'p', 'share');
        expect(new TextDecoder().decode(await stores.keyShares.get('k', 'p'))).toBe('share');
        expect(await stores.migrate()).toEqual({
          applied: [],
          version: MIGRATIONS.at(-1)!.version,
        });
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
        await stores.close();
      }
    });

    it('connectPostgres returns a pool that can be ended', async () => {
      const own = await connectPostgres(PG_URL, { max: 1 });
      expect((await own.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await own.end();
    });

    it('rejects bad schema names and clients before any query', async () => {
      expect(
        await codeOf(
          (async () => createPostgresMetadataStore({ client: pool, schema: 'Bad-Name' }))(),
        ),
      ).toBe('INVALID_ARGUMENT');
      expect(
        await codeOf((async () => createPostgresMetadataStore({ client: {} as never }))()),
      ).toBe('INVALID_ARGUMENT');
      expect(
        await codeOf((async () => createPostgresSessionStore({ client: pool } as never))()),
      ).toBe('INVALID_ARGUMENT');
      expect(await codeOf(createPostgresStores({ keyProvider }))).toBe('INVALID_ARGUMENT');
    });

    it('a missing table says to run migrate()', async () => {
      const meta = createPostgresMetadataStore({ client: pool, schema: `${schema}_none` });
      const err = await meta.getKey('x').catch((e: unknown) => e);
      expect(isMpcError(err) && err.code === 'STORE_ERROR' && /migrate\(\)/.test(err.message)).toBe(
        true,
      );
    });
  });
});

describe('postgres lazy import', () => {
  it('a missing pg gives MISSING_DEPENDENCY with a clear message', async () => {
    const missing = 'mpc-tss-no-such-package';
    const err = await importOptional('postgres', 'pg', () => import(missing)).catch(
      (e: unknown) => e,
    );
    expect(isMpcError(err) && err.code).toBe('MISSING_DEPENDENCY');
    expect((err as Error).message).toContain('[postgres] install pg or pass a client');
  });
});
