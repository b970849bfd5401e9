import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/index.js';
import { createPostgresMetadataStore } from '../../src/adapters/postgres/metadata-store.js';
import { createRedisSessionStore } from '../../src/adapters/redis/index.js';
import { isMpcError, type MpcError, PeerError } from '../../src/errors.js';
import { serializeKeyShare } from '../../src/keyshare.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import { derivePublicKey } from '../../src/protocols/ecdsa/derive.js';
import { verifySignature } from '../../src/protocols/ecdsa/signature.js';
import { CONTROL_SESSION_ID, encodeControl } from '../../src/session/control.js';
import {
  type Coordinator,
  type CoordinatorOptions,
  createCoordinator,
  SessionError,
  type SignResult,
} from '../../src/session/coordinator.js';
import {
  createParticipant,
  type Participant,
  type ParticipantOptions,
} from '../../src/session/participant.js';
import { staticKeyProvider } from '../../src/stores/key-provider.js';
import {
  createMemoryKeyShareStore,
  createMemoryMetadataStore,
  createMemorySessionStore,
} from '../../src/stores/memory.js';
import type { KeyShareStore, MetadataStore, SessionStore } from '../../src/stores/types.js';
import { createMemoryHub, type MemoryHub } from '../../src/transport/memory.js';
import type { Transport } from '../../src/transport/types.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import {
  describeWithService,
  PG_URL,
  probePostgres,
  probeRedis,
  REDIS_URL,
} from '../support/services.js';

const NODES = ['n1', 'n2', 'n3'];
const HB = 50;

interface Cluster {
  hub: MemoryHub;
  metadata: MetadataStore;
  sessions: SessionStore;
  coordinator: Coordinator;
  coordinators: Coordinator[];
  participants: Map<string, Participant>;
  transports: Map<string, Transport>;
  keyShares: Map<string, KeyShareStore>;
  keyId: string;
  publicKey: string;
  chainCode: string;
  close(): Promise<void>;
}

const open: Cluster[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function cluster(
  o: {
    coordinator?: Partial<CoordinatorOptions>;
    participant?: (id: string) => Partial<ParticipantOptions>;
    nodes?: string[];
    start?: string[];
    coordinators?: string[];
    metadata?: MetadataStore;
    sessions?: SessionStore;
  } = {},
): Promise<Cluster> {
  const hub = createMemoryHub();
  const metadata = o.metadata ?? createMemoryMetadataStore();
  const sessions = o.sessions ?? createMemorySessionStore();
  const nodes = o.nodes ?? NODES;
  const coordIds = o.coordinators ?? ['coord'];
  const coordinators = coordIds.map((id) =>
    createCoordinator({
      transport: hub.connect(id),
      metadata,
      sessionStore: sessions,
      heartbeatIntervalMs: HB,
      // Every party shares this test's one event loop, and signing rounds block it for a while.
      missedHeartbeats: 20,
      signTimeoutMs: 5000,
      graceMs: 300,
      resendIntervalMs: 100,
      ...o.coordinator,
    }),
  );
  const coordinator = coordinators[0]!;
  for (const c of coordinators) await c.start();
  const keyId = `key-${randomBytes(4).toString('hex')}`;
  const chainCode = randomBytes(32).toString('hex');
  const shares = makeKeyShares({ n: 3, minSigners: 2, ids: NODES, chainCode });
  const keyShares = new Map<string, KeyShareStore>();
  for (const s of shares) {
    const ks = createMemoryKeyShareStore();
    await ks.put(keyId, s.self, serializeKeyShare(s));
    keyShares.set(s.self, ks);
  }
  const publicKey = shares[0]!.publicKey.compressed;
  if (!(await metadata.getKey(keyId))) {
    await metadata.createKey({
      id: keyId,
      curve: 'secp256k1',
      minSigners: 2,
      parties: NODES,
      publicKey,
      status: 'active',
    });
  }
  for (const id of nodes) {
    await coordinator.registerNode({ id, endpoint: `mem://${id}`, identityKey: `test-${id}` });
  }
  const participants = new Map<string, Participant>();
  const transports = new Map<string, Transport>();
  for (const id of o.start ?? nodes) {
    const t = hub.connect(id);
    transports.set(id, t);
    const p = createParticipant({
      transport: t,
      keyShares: keyShares.get(id) ?? createMemoryKeyShareStore(),
      sessionStore: sessions,
      coordinators: coordIds,
      heartbeatIntervalMs: HB,
      resendIntervalMs: 100,
      ...o.participant?.(id),
    });
    await p.start();
    participants.set(id, p);
  }
  await until(async () => {
    const h = await coordinator.nodes();
    return (o.start ?? nodes).every((id) => h.find((n) => n.id === id)?.healthy);
  });
  const c: Cluster = {
    hub,
    metadata,
    sessions,
    coordinator,
    coordinators,
    participants,
    transports,
    keyShares,
    keyId,
    publicKey,
    chainCode,
    close: async () => {
      for (const p of participants.values()) await p.close();
      for (const x of coordinators) await x.close();
      await hub.close();
    },
  };
  open.push(c);
  return c;
}

function digest(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

function expectValid(res: SignResult, publicKey: string, msg: Uint8Array): void {
  const { r, s } = res.signature;
  expect(
    verifySignature(
      bytesToBigint(hexToBytes(r)),
      bytesToBigint(hexToBytes(s)),
      msg,
      hexToBytes(publicKey),
    ),
  ).toBe(true);
}

async function rejection(p: Promise<unknown>): Promise<MpcError> {
  try {
    await p;
  } catch (e) {
    expect(isMpcError(e)).toBe(true);
    return e as MpcError;
  }
  throw new Error('expected a rejection');
}

describe('coordinator', () => {
  it('signs through healthy participants, records the session and audits every step', async () => {
    const c = await cluster();
    const msg = digest();
    const res = await c.coordinator.sign({ keyId: c.keyId, messageHash: msg });
    expectValid(res, c.publicKey, msg);
    expect(res.signers).toHaveLength(2);
    expect(res.attempts).toBe(1);
    expect(res.signature.recoverable).toHaveLength(130);
    const rec = await c.metadata.getSigningSession(res.sessionId);
    expect(rec?.status).toBe('completed');
    expect(rec?.participants).toEqual(res.signers);
    expect(rec?.messageHash).toBe(Buffer.from(msg).toString('hex'));
    expect(rec?.signature).toBe(res.signature.recoverable);
    const audit = await c.metadata.listAudit({ sessionId: res.sessionId });
    expect(audit.map((e) => e.type)).toEqual(['sign.started', 'sign.completed']);
    const all = (await c.metadata.listAudit()).map((e) => e.type);
    expect(all.filter((t) => t === 'node.registered')).toHaveLength(3);
    expect(all.filter((t) => t === 'node.online')).toHaveLength(3);
    expect(c.coordinator.stats()).toMatchObject({ sessions: 0, signings: 0, completed: 1 });
  });

  it('accepts a hex digest and signs with a derived child key', async () => {
    const c = await cluster();
    const msg = digest();
    const res = await c.coordinator.sign({
      keyId: c.keyId,
      messageHash: Buffer.from(msg).toString('hex'),
      derivation: { path: 'm/44/60/0/0/7', chainCode: c.chainCode },
    });
    const child = derivePublicKey(c.publicKey, c.chainCode, 'm/44/60/0/0/7').publicKey;
    const childHex = Buffer.from(child.toBytes(true)).toString('hex');
    expect(res.signature.publicKey).toBe(childHex);
    expectValid(res, childHex, msg);
  });

  it('marks nodes offline after missed heartbeats, avoids them, and back online on return', async () => {
    const c = await cluster();
    await c.participants.get('n3')!.close();
    await until(async () => (await c.metadata.getNode('n3'))?.status === 'offline', 4000);
    const audit = await c.metadata.listAudit({ nodeId: 'n3' });
    expect(audit.map((e) => e.type)).toContain('node.offline');
    for (let i = 0; i < 3; i++) {
      const res = await c.coordinator.sign({ keyId: c.keyId, messageHash: digest() });
      expect(res.signers).toEqual(['n1', 'n2']);
    }
    // Naming an offline node fails at once instead of timing out.
    const err = await rejection(
      c.coordinator.sign({ keyId: c.keyId, messageHash: digest(), signers: ['n1', 'n3'] }),
    );
    expect(err.code).toBe('INVALID_STATE');
    expect(err.message).toMatch(/node "n3" is offline/);
    // n3 comes back (a new process with the same stores).
    await c.transports.get('n3')!.close();
    const n3 = createParticipant({
      transport: c.hub.connect('n3'),
      keyShares: c.keyShares.get('n3')!,
      sessionStore: c.sessions,
      coordinators: ['coord'],
      heartbeatIntervalMs: HB,
    });
    c.participants.set('n3', n3);
    await n3.start();
    await until(async () => (await c.metadata.getNode('n3'))?.status === 'online', 2000);
    const types = (await c.metadata.listAudit({ nodeId: 'n3' })).map((e) => e.type);
    expect(types.filter((t) => t === 'node.online')).toHaveLength(2);
  });

  it('prefers the least-loaded nodes', async () => {
    const c = await cluster({ start: ['n1', 'n2'] });
    // n3 reports a heavy load (a hand-made heartbeat).
    const n3 = c.hub.connect('n3');
    await n3.send(
      encodeControl('n3', 'coord', {
        type: 'heartbeat',
        body: { load: 50, capabilities: ['ecdsa'] },
      }),
    );
    await until(async () => (await c.coordinator.nodes()).find((n) => n.id === 'n3')!.healthy);
    const h = await c.coordinator.nodes();
    expect(h.find((n) => n.id === 'n3')?.load).toBe(50);
    const res = await c.coordinator.sign({ keyId: c.keyId, messageHash: digest() });
    expect(res.signers).toEqual(['n1', 'n2']);
  });

  it('queues beyond maxConcurrentSignings and runs every request', async () => {
    const c = await cluster({ coordinator: { maxConcurrentSignings: 1 } });
    let peak = 0;
    const probe = setInterval(() => {
      peak = Math.max(peak, c.coordinator.stats().signings);
    }, 1);
    const results = await Promise.all(
      [0, 1, 2].map(() => c.coordinator.sign({ keyId: c.keyId, messageHash: digest() })),
    );
    clearInterval(probe);
    expect(peak).toBe(1);
    expect(new Set(results.map((r) => r.sessionId)).size).toBe(3);
    expect(c.coordinator.stats().queued).toBe(0);
  });

  it('rejects beyond the limits with overflow: reject', async () => {
    const c = await cluster({ coordinator: { maxConcurrentSessions: 1, overflow: 'reject' } });
    const first = c.coordinator.sign({ keyId: c.keyId, messageHash: digest() });
    const err = await rejection(c.coordinator.sign({ keyId: c.keyId, messageHash: digest() }));
    expect(err.code).toBe('INVALID_STATE');
    expect(err.message).toMatch(/capacity/);
    await first;
  });

  it('a queued request is cancelled by its signal', async () => {
    const c = await cluster({ coordinator: { maxConcurrentSignings: 1 } });
    const first = c.coordinator.sign({ keyId: c.keyId, messageHash: digest() });
    const ctl = new AbortController();
    const second = c.coordinator.sign({
      keyId: c.keyId,
      messageHash: digest(),
      signal: ctl.signal,
    });
    await until(() => c.coordinator.stats().queued === 1);
    ctl.abort();
    expect((await rejection(second)).code).toBe('CANCELLED');
    await first;
  });

  it('cancels a running session: CANCELLED, recorded as aborted, participants stopped', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const c = await cluster({
      participant: (id) =>
        id === 'n2'
          ? {
              policy: async () => {
                await gate;
                return true;
              },
            }
          : {},
    });
    const p = c.coordinator.sign({
      keyId: c.keyId,
      messageHash: digest(),
      signers: ['n1', 'n2'],
      sessionId: 'cancel-me-1',
    });
    await until(() => c.coordinator.stats().signings === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(await c.coordinator.cancel('cancel-me-1', 'operator says no')).toBe(true);
    const err = await rejection(p);
    expect(err.code).toBe('CANCELLED');
    expect(err.message).toMatch(/operator says no/);
    release();
    const rec = await c.metadata.getSigningSession('cancel-me-1');
    expect(rec?.status).toBe('aborted');
    const types = (await c.metadata.listAudit({ sessionId: 'cancel-me-1' })).map((e) => e.type);
    expect(types).toEqual(['sign.started', 'sign.cancelled']);
    await until(() => c.participants.get('n1')!.load() === 0);
    expect(await c.coordinator.cancel('no-such-session')).toBe(false);
  });

  it('a policy veto fails the request with a clear error and is not retried', async () => {
    const seen: unknown[] = [];
    const c = await cluster({
      participant: (id) => ({
        policy: (req) => {
          if (req.kind !== 'sign') return true;
          seen.push(req.metadata);
          return id === 'n2' ? { allow: false, reason: 'amount above daily limit' } : true;
        },
      }),
    });
    const err = await rejection(
      c.coordinator.sign({
        keyId: c.keyId,
        messageHash: digest(),
        signers: ['n1', 'n2'],
        metadata: { amount: '5 BTC', to: 'bc1q…' },
        sessionId: 'veto-1',
      }),
    );
    expect(err).toBeInstanceOf(SessionError);
    expect(err.code).toBe('CANCELLED');
    expect((err as SessionError).vetoed).toBe(true);
    expect(err.message).toMatch(/vetoed by n2: policy veto: amount above daily limit/);
    expect((err as SessionError).failures[0]).toMatchObject({ nodeId: 'n2', veto: true });
    expect(seen).toContainEqual({ amount: '5 BTC', to: 'bc1q…' });
    const rec = await c.metadata.getSigningSession('veto-1');
    expect(rec?.status).toBe('aborted');
    expect(rec?.error).toMatch(/amount above daily limit/);
    const types = (await c.metadata.listAudit({ sessionId: 'veto-1' })).map((e) => e.type);
    expect(types).toEqual(['sign.started', 'sign.vetoed']);
    // Without named signers the veto is not routed around either.
    const err2 = await rejection(
      c.coordinator.sign({ keyId: c.keyId, messageHash: digest(), exclude: ['n1'] }),
    );
    expect((err2 as SessionError).vetoed).toBe(true);
  });

  it('signs a batch, one session per digest', async () => {
    const c = await cluster();
    const msgs = [digest(), digest(), digest(), digest()];
    const out = await c.coordinator.signBatch([
      ...msgs.map((m) => ({ keyId: c.keyId, messageHash: m })),
      { keyId: 'no-such-key', messageHash: digest() },
    ]);
    expect(out.slice(0, 4).every((o) => o.ok)).toBe(true);
    out.slice(0, 4).forEach((o, i) => {
      if (o.ok) expectValid(o.result, c.publicKey, msgs[i]!);
    });
    const last = out[4]!;
    expect(last.ok).toBe(false);
    if (!last.ok) expect(last.error.code).toBe('NOT_FOUND');
    const types = (await c.metadata.listAudit()).map((e) => e.type);
    expect(types).toContain('batch.started');
    expect(types).toContain('batch.completed');
  });

  it('validates requests', async () => {
    const c = await cluster();
    const code = async (p: Promise<unknown>) => (await rejection(p)).code;
    expect(
      await code(c.coordinator.sign({ keyId: c.keyId, messageHash: new Uint8Array(31) })),
    ).toBe('INVALID_ARGUMENT');
    expect(await code(c.coordinator.sign({ keyId: c.keyId, messageHash: 'zz' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      await code(c.coordinator.sign({ keyId: c.keyId, messageHash: digest(), signers: ['n1'] })),
    ).toBe('INVALID_ARGUMENT');
    expect(
      await code(
        c.coordinator.sign({ keyId: c.keyId, messageHash: digest(), exclude: ['n1', 'n2'] }),
      ),
    ).toBe('INVALID_STATE');
    await c.metadata.updateKey(c.keyId, { status: 'disabled' });
    expect(await code(c.coordinator.sign({ keyId: c.keyId, messageHash: digest() }))).toBe(
      'INVALID_STATE',
    );
  });

  it('ignores control messages from strangers and results from non-participants', async () => {
    const events: string[] = [];
    const c = await cluster({
      coordinator: { onEvent: (e) => events.push(`${e.type}:${e.nodeId ?? ''}`) },
    });
    const stranger = c.hub.connect('mallory');
    await stranger.send(
      encodeControl('mallory', 'coord', { type: 'heartbeat', body: { load: 0, capabilities: [] } }),
    );
    await stranger.send(
      encodeControl('mallory', 'coord', {
        type: 'result',
        body: {
          sessionId: 'whatever',
          ok: false,
          error: { code: 'TIMEOUT', message: 'x', culprits: ['n1'] },
        },
      }),
    );
    await until(() => events.filter((e) => e === 'dropped:mallory').length === 2);
    expect(await c.metadata.getNode('mallory')).toBeUndefined();
    expect(CONTROL_SESSION_ID).toBe('mpc-tss.control');
  });

  it('two coordinators never run the same session; orphaned sessions are failed', async () => {
    const c = await cluster({ coordinators: ['coord', 'coord2'] });
    const [a, b] = c.coordinators as [Coordinator, Coordinator];
    const msg = digest();
    const both = await Promise.allSettled([
      a.sign({ keyId: c.keyId, messageHash: msg, sessionId: 'shared-1' }),
      b.sign({ keyId: c.keyId, messageHash: msg, sessionId: 'shared-1' }),
    ]);
    const ok = both.filter((r) => r.status === 'fulfilled');
    const bad = both.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(bad).toHaveLength(1);
    expect((bad[0]!.reason as MpcError).code).toBe('SESSION_REUSED');
    // A session left 'running' by a dead coordinator (its lock lapsed) is failed on recovery.
    await c.metadata.createSigningSession({
      id: 'orphan-1',
      keyId: c.keyId,
      protocol: 'ecdsa-sign-gg18',
      participants: ['n1', 'n2'],
      messageHash: Buffer.from(msg).toString('hex'),
      status: 'running',
    });
    expect(await b.recoverOrphans()).toEqual(['orphan-1']);
    const rec = await c.metadata.getSigningSession('orphan-1');
    expect(rec?.status).toBe('failed');
    expect(rec?.error).toMatch(/coordinator lost/);
    expect((await c.metadata.listAudit({ sessionId: 'orphan-1' })).map((e) => e.type)).toEqual([
      'sign.orphaned',
    ]);
    // A session another coordinator is still driving is left alone.
    const lock = await c.sessions.acquireLock('coord/live-1');
    await c.metadata.createSigningSession({
      id: 'live-1',
      keyId: c.keyId,
      protocol: 'ecdsa-sign-gg18',
      participants: ['n1', 'n2'],
      messageHash: Buffer.from(msg).toString('hex'),
      status: 'running',
    });
    expect(await a.recoverOrphans()).toEqual([]);
    await c.sessions.releaseLock(lock!);
  });

  it('blames a participant that reports a bad signature', async () => {
    // n2 answers every invitation with a forged signature (a hand-made control endpoint).
    const c = await cluster({ start: ['n1', 'n3'], coordinator: { maxAttempts: 1 } });
    const n2 = c.hub.connect('n2');
    const fake = setInterval(() => {
      void n2.send(
        encodeControl('n2', 'coord', { type: 'heartbeat', body: { load: 0, capabilities: [] } }),
      );
    }, HB);
    await until(async () => (await c.coordinator.nodes()).find((n) => n.id === 'n2')!.healthy);
    const p = c.coordinator.sign({
      keyId: c.keyId,
      messageHash: digest(),
      signers: ['n1', 'n2'],
      sessionId: 'forged-1',
    });
    await until(() => c.coordinator.stats().signings === 1);
    await n2.send(
      encodeControl('n2', 'coord', {
        type: 'result',
        body: {
          sessionId: 'forged-1',
          ok: true,
          signature: {
            r: '11'.repeat(32),
            s: '22'.repeat(32),
            recoveryId: 0,
            publicKey: c.publicKey,
          },
        },
      }),
    );
    const err = await rejection(p);
    clearInterval(fake);
    expect(err).toBeInstanceOf(PeerError);
    expect(err.code).toBe('SIGNATURE_INVALID');
    expect(err.culprits).toEqual(['n2']);
  });
});

// ---------------------------------------------------------------------------------------------
// Shared Postgres + Redis: the point is the adapters under several coordinators.

const pgService = await probePostgres();
const redisService = await probeRedis();

describeWithService('coordinators sharing Postgres and Redis', pgService, () => {
  describeWithService('(redis)', redisService, () => {
    const schema = `mpc_tss_test_session_${randomBytes(6).toString('hex')}`;
    const prefix = `mpc-tss-test-session:${randomBytes(6).toString('hex')}`;
    let pool: pg.Pool;
    let redis: Redis;
    beforeAll(async () => {
      pool = new pg.Pool({ connectionString: PG_URL, max: 8 });
      pool.on('error', () => {});
      await migrate(pool, { schema });
      redis = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      for (let i = 0; pool && i < 10; i++) {
        try {
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100)); // e.g. a deadlock with a late write
        }
      }
      await pool?.end();
      if (redis) {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    });

    it('two coordinators on shared stores: each session runs once, all recorded and audited', async () => {
      const metadata = createPostgresMetadataStore({ client: pool, schema });
      const sessions = createRedisSessionStore({
        client: redis,
        keyProvider: staticKeyProvider(randomBytes(32)),
        prefix,
      });
      const c = await cluster({ coordinators: ['coord', 'coord2'], metadata, sessions });
      const [a, b] = c.coordinators as [Coordinator, Coordinator];
      const msgs = [digest(), digest(), digest(), digest()];
      const runs = await Promise.allSettled(
        msgs.flatMap((m, i) => [
          a.sign({ keyId: c.keyId, messageHash: m, sessionId: `pg-${prefix.slice(-6)}-${i}` }),
          b.sign({ keyId: c.keyId, messageHash: m, sessionId: `pg-${prefix.slice(-6)}-${i}` }),
        ]),
      );
      const ok = runs.filter(
        (r) => r.status === 'fulfilled',
      ) as PromiseFulfilledResult<SignResult>[];
      const bad = runs.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(ok).toHaveLength(4);
      expect(bad.map((r) => (r.reason as MpcError).code)).toEqual(Array(4).fill('SESSION_REUSED'));
      for (const r of ok)
        expectValid(r.value, c.publicKey, hexToBytes(r.value.signature.messageHash));
      const recs = await metadata.listSigningSessions({ keyId: c.keyId });
      expect(recs).toHaveLength(4);
      expect(recs.every((r) => r.status === 'completed')).toBe(true);
      const completed = await metadata.listAudit({ keyId: c.keyId, type: 'sign.completed' });
      expect(completed).toHaveLength(4);
    });
  });
});
