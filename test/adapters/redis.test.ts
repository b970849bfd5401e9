import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedisSessionStore,
  createRedisSessionStore,
  type RedisClientLike,
  type RedisSessionStore,
} from '../../src/adapters/redis/index.js';
import { isMpcError } from '../../src/errors.js';
import { staticKeyProvider } from '../../src/stores/key-provider.js';
import { importOptional } from '../../src/stores/optional.js';
import { sessionStoreSuite } from '../../src/testing/index.js';
import { describeWithService, probeRedis, REDIS_URL } from '../support/services.js';

const service = await probeRedis();
const keyProvider = staticKeyProvider(randomBytes(32));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return isMpcError(e) ? e.code : `non-MpcError ${String(e)}`;
  }
}

describeWithService('redis adapter', service, () => {
  // A unique prefix per run of this file; every key under it is deleted afterwards.
  const prefix = `mpc-tss-test:${randomBytes(6).toString('hex')}`;
  let client: Redis;
  let admin: Redis;
  let root: RedisSessionStore;

  beforeAll(() => {
    client = new Redis(REDIS_URL);
    admin = new Redis(REDIS_URL);
    client.on('error', () => {});
    admin.on('error', () => {});
    root = createRedisSessionStore({ client, keyProvider, prefix });
  });

  afterAll(async () => {
    await root?.clear();
    expect(await admin.keys(`${prefix}:*`)).toEqual([]);
    client?.disconnect();
    admin?.disconnect();
  });

  sessionStoreSuite(
    { describe, it, expect },
    () => ({
      store: root,
      async corruptSnapshot(sessionId, partyId) {
        const key = `${prefix}:snap:${encodeURIComponent(sessionId)}:${encodeURIComponent(partyId)}`;
        const raw = Buffer.from((await admin.get(key))!, 'base64');
        raw[raw.length - 20]! ^= 0x01;
        await admin.set(key, raw.toString('base64'), 'KEEPTTL');
      },
    }),
    { name: 'redis SessionStore' },
  );

  describe('redis specifics', () => {
    it('keys stay under the prefix and ids with ":" do not collide', async () => {
      const p = `${prefix}:ids`;
      const store = createRedisSessionStore({ client, keyProvider, prefix: p });
      await store.saveSnapshot('a:b', 'c', 'one');
      await store.saveSnapshot('a', 'b:c', 'two');
      const text = async (s: string, q: string) =>
        new TextDecoder().decode(await store.loadSnapshot(s, q));
      expect([await text('a:b', 'c'), await text('a', 'b:c')]).toEqual(['one', 'two']);
      expect((await admin.keys(`${p}:*`)).length).toBe(2);
      expect(await store.clear()).toBe(2);
    });

    it('snapshots are sealed at rest and use PX expiry', async () => {
      const marker = `plain-${randomBytes(6).toString('hex')}`;
      await root.saveSnapshot('sealed', 'p', marker, { ttlMs: 60_000 });
      const key = `${prefix}:snap:sealed:p`;
      const raw = (await admin.get(key))!;
      expect(Buffer.from(raw, 'base64').includes(marker)).toBe(false);
      const pttl = await admin.pttl(key);
      expect(pttl > 0 && pttl <= 60_000).toBe(true);
      const other = createRedisSessionStore({
        client,
        prefix,
        keyProvider: staticKeyProvider(randomBytes(32)),
      });
      expect(await codeOf(other.loadSnapshot('sealed', 'p'))).toBe('STORE_CORRUPT');
      await admin.set(key, '%%% not base64 %%%');
      expect(await codeOf(root.loadSnapshot('sealed', 'p'))).toBe('STORE_CORRUPT');
    });

    it('a killed connection (CLIENT KILL) is survived: the snapshot is still there', async () => {
      const c = new Redis(REDIS_URL);
      c.on('error', () => {});
      try {
        const store = createRedisSessionStore({ client: c, keyProvider, prefix });
        await store.saveSnapshot('kill', 'p', 'survives');
        const id = await c.client('ID');
        expect(await admin.client('KILL', 'ID', String(id))).toBe(1);
        expect(new TextDecoder().decode(await store.loadSnapshot('kill', 'p'))).toBe('survives');
        await store.saveSnapshot('kill', 'p', 'rewritten');
        expect(new TextDecoder().decode(await store.loadSnapshot('kill', 'p'))).toBe('rewritten');
      } finally {
        c.disconnect();
      }
    });

    it('operations during a drop are retried by the adapter without losing data', async () => {
      // No offline queue: while the socket is down, ioredis fails commands at once, so the
      // adapter's own retry loop must carry them over the reconnect.
      const c = new Redis(REDIS_URL, { enableOfflineQueue: false, retryStrategy: () => 20 });
      c.on('error', () => {});
      await new Promise<void>((r) => c.once('ready', () => r()));
      const retried: unknown[] = [];
      const store = createRedisSessionStore({
        client: c,
        keyProvider,
        prefix,
        retry: { retries: 10, delayMs: 20, onRetry: (e) => retried.push(e) },
      });
      try {
        await store.saveSnapshot('drop', 'p', 'kept');
        await store.presignatures.add('drop-key', [
          { id: 'drop-ps', signers: ['a', 'b'], data: 'd' },
        ]);
        const id = await c.client('ID');
        await admin.client('KILL', 'ID', String(id));
        // Fire while the connection is down.
        const [snap, lock, reservation] = await Promise.all([
          store.loadSnapshot('drop', 'p'),
          store.acquireLock('drop'),
          store.presignatures.reserve('drop-key', ['a', 'b']),
          store.saveSnapshot('drop', 'q', 'new'),
        ]);
        expect(new TextDecoder().decode(snap)).toBe('kept');
        expect(lock?.fence).toBe(1);
        expect(reservation?.id).toBe('drop-ps');
        await store.presignatures.consume(reservation!);
        expect(new TextDecoder().decode(await store.loadSnapshot('drop', 'q'))).toBe('new');
        expect(retried.length).toBeGreaterThan(0);
        expect(await store.acquireLock('drop')).toBe(undefined);
      } finally {
        c.disconnect();
      }
    });

    it('disconnect(true) mid-traffic: 20 concurrent operations all complete', async () => {
      const c = new Redis(REDIS_URL);
      c.on('error', () => {});
      try {
        const store = createRedisSessionStore({ client: c, keyProvider, prefix });
        await store.saveSnapshot('dc', 'base', 'kept');
        const ops = Array.from({ length: 20 }, (_, i) => store.saveSnapshot('dc', `p${i}`, `${i}`));
        c.disconnect(true);
        await Promise.all(ops);
        for (let i = 0; i < 20; i++) {
          expect(new TextDecoder().decode(await store.loadSnapshot('dc', `p${i}`))).toBe(`${i}`);
        }
        expect(new TextDecoder().decode(await store.loadSnapshot('dc', 'base'))).toBe('kept');
      } finally {
        c.disconnect();
      }
    });

    it('retried scripts recognise their own earlier success', async () => {
      // A client that runs each command, then pretends the reply was lost, once per command.
      let drops = 0;
      const lossy: RedisClientLike = {
        async eval(script, numKeys, ...rest) {
          const res = await client.eval(script, numKeys, ...rest);
          if (drops++ % 2 === 0) throw new Error('Connection is closed.');
          return res;
        },
      };
      const store = createRedisSessionStore({
        client: lossy,
        keyProvider,
        prefix: `${prefix}:lossy`,
        retry: { delayMs: 1 },
      });
      try {
        await store.claimSessionId('s1'); // first run stored it, the retry must not say REUSED
        expect(await codeOf(store.claimSessionId('s1'))).toBe('SESSION_REUSED');
        const lock = await store.acquireLock('s1');
        expect(lock?.fence).toBe(1);
        const pool = store.presignatures;
        await pool.add('k', [{ id: 'p1', signers: ['a'], data: 'x' }]);
        expect(await codeOf(pool.add('k', [{ id: 'p1', signers: ['a'], data: 'x' }]))).toBe(
          'STORE_ERROR',
        );
        const r = await pool.reserve('k', ['a']);
        expect(r?.id).toBe('p1');
        expect(await pool.release(r!)).toBe(true);
        expect(await pool.release(r!)).toBe(false);
        const r2 = await pool.reserve('k', ['a']);
        expect(r2?.id).toBe('p1');
        await pool.consume(r2!);
        expect(await codeOf(pool.consume(r2!))).toBe('PRESIGNATURE_USED');
        expect(drops).toBeGreaterThan(10);
      } finally {
        await createRedisSessionStore({ client, keyProvider, prefix: `${prefix}:lossy` }).clear();
      }
    });

    it('a non-connection error is not retried and becomes STORE_ERROR', async () => {
      let calls = 0;
      const broken: RedisClientLike = {
        async eval() {
          calls++;
          throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
        },
      };
      const store = createRedisSessionStore({ client: broken, keyProvider, prefix });
      expect(await codeOf(store.loadSnapshot('s', 'p'))).toBe('STORE_ERROR');
      expect(calls).toBe(1);
    });

    it('connectRedisSessionStore imports ioredis lazily and close() quits it', async () => {
      const store = await connectRedisSessionStore({
        url: REDIS_URL,
        keyProvider,
        prefix: `${prefix}:own`,
      });
      await store.saveSnapshot('s', 'p', 'x');
      expect(await store.clear()).toBe(1);
      await store.close();
      expect(await codeOf(store.loadSnapshot('s', 'p'))).toBe('INVALID_STATE');
    });

    it('rejects a bad client, key provider or prefix', async () => {
      const mk = (o: object) => codeOf((async () => createRedisSessionStore(o as never))());
      expect(await mk({ client: {}, keyProvider })).toBe('INVALID_ARGUMENT');
      expect(await mk({ client })).toBe('INVALID_ARGUMENT');
      expect(await mk({ client, keyProvider, prefix: 'a*b' })).toBe('INVALID_ARGUMENT');
      expect(await mk({ client, keyProvider, prefix: '' })).toBe('INVALID_ARGUMENT');
    });

    it('lock TTL is enforced by Redis (PX) even without any sweep', async () => {
      const lock = await root.acquireLock('px-lock', { ttlMs: 150 });
      expect(await admin.pttl(`${prefix}:lock:px-lock`)).toBeGreaterThan(0);
      await sleep(300);
      expect(await admin.exists(`${prefix}:lock:px-lock`)).toBe(0);
      expect(await root.releaseLock(lock!)).toBe(false);
    });
  });
});

describe('redis lazy import', () => {
  it('a missing ioredis gives MISSING_DEPENDENCY with a clear message', async () => {
    const missing = 'mpc-tss-no-such-package';
    const err = await importOptional('redis', 'ioredis', () => import(missing)).catch(
      (e: unknown) => e,
    );
    expect(isMpcError(err) && err.code).toBe('MISSING_DEPENDENCY');
    expect((err as Error).message).toContain('[redis] install ioredis or pass a client');
  });
});
