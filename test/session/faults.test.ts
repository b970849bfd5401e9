/**
 * Fault tests of the session layer (issue 6): a participant killed mid-signing, a participant
 * restarted mid-signing, a Redis connection dropped during a session, a corrupted key file.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyShareStore } from '../../src/adapters/file/index.js';
import { createRedisSessionStore } from '../../src/adapters/redis/index.js';
import { isMpcError, type MpcError, PeerError } from '../../src/errors.js';
import { serializeKeyShare } from '../../src/keyshare.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import { createSignParty, SIGN_GG18_DEFS } from '../../src/protocols/ecdsa/sign-gg18/index.js';
import { type Signature, verifySignature } from '../../src/protocols/ecdsa/signature.js';
import {
  type Coordinator,
  type CoordinatorOptions,
  createCoordinator,
  SessionError,
  type SignResult,
} from '../../src/session/coordinator.js';
import { createParticipant, type Participant } from '../../src/session/participant.js';
import { loadPartySnapshot, type RunProgress, runParty } from '../../src/session/runner.js';
import { staticKeyProvider } from '../../src/stores/key-provider.js';
import {
  createMemoryKeyShareStore,
  createMemoryMetadataStore,
  createMemorySessionStore,
} from '../../src/stores/memory.js';
import type { KeyShareStore, MetadataStore, SessionStore } from '../../src/stores/types.js';
import {
  createMemoryHub,
  type MemoryDelivery,
  type MemoryHub,
  type MemoryTransport,
} from '../../src/transport/memory.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import { describeWithService, probeRedis, REDIS_URL } from '../support/services.js';

const NODES = ['n1', 'n2', 'n3'];
const HB = 50;
const SIGN_TIMEOUT = 1500;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
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

const isSign = (d: MemoryDelivery): boolean => d.envelope.protocol.startsWith('ecdsa-sign');

interface Cluster {
  hub: MemoryHub;
  metadata: MetadataStore;
  sessions: SessionStore;
  coordinator: Coordinator;
  participants: Map<string, Participant>;
  transports: Map<string, MemoryTransport>;
  keyShares: Map<string, KeyShareStore>;
  keyId: string;
  publicKey: string;
  /** Starts (or restarts) a participant on a fresh endpoint with the node's stores. */
  startNode(id: string): Promise<Participant>;
  /** Kills a node as a crash would: its connection is gone, nothing more is sent. */
  kill(id: string): void;
  /** Set by tests: sees every delivery (return [] to drop it). */
  intercept?: (d: MemoryDelivery) => readonly Uint8Array[] | undefined;
}

async function cluster(
  o: {
    coordinator?: Partial<CoordinatorOptions>;
    keyShares?: (id: string) => Promise<KeyShareStore> | KeyShareStore;
    sessions?: SessionStore;
  } = {},
): Promise<Cluster> {
  const c = {} as Cluster;
  const hub = createMemoryHub({ intercept: (d) => c.intercept?.(d) });
  const metadata = createMemoryMetadataStore();
  const sessions = o.sessions ?? createMemorySessionStore();
  const coordinator = createCoordinator({
    transport: hub.connect('coord'),
    metadata,
    sessionStore: sessions,
    heartbeatIntervalMs: HB,
    missedHeartbeats: 10,
    signTimeoutMs: SIGN_TIMEOUT,
    graceMs: 500,
    resendIntervalMs: 100,
    ...o.coordinator,
  });
  await coordinator.start();
  const keyId = `key-${randomBytes(4).toString('hex')}`;
  const shares = makeKeyShares({ n: 3, minSigners: 2, ids: NODES });
  const keyShares = new Map<string, KeyShareStore>();
  for (const s of shares) {
    const ks = o.keyShares ? await o.keyShares(s.self) : createMemoryKeyShareStore();
    await ks.put(keyId, s.self, serializeKeyShare(s));
    keyShares.set(s.self, ks);
    await coordinator.registerNode({ id: s.self, endpoint: `mem://${s.self}`, identityKey: 'x' });
  }
  await metadata.createKey({
    id: keyId,
    curve: 'secp256k1',
    minSigners: 2,
    parties: NODES,
    publicKey: shares[0]!.publicKey.compressed,
    status: 'active',
  });
  const participants = new Map<string, Participant>();
  const transports = new Map<string, MemoryTransport>();
  Object.assign(c, {
    hub,
    metadata,
    sessions,
    coordinator,
    participants,
    transports,
    keyShares,
    keyId,
    publicKey: shares[0]!.publicKey.compressed,
    startNode: async (id: string) => {
      const t = hub.connect(id);
      transports.set(id, t);
      const p = createParticipant({
        transport: t,
        keyShares: keyShares.get(id)!,
        sessionStore: sessions,
        coordinators: ['coord'],
        heartbeatIntervalMs: HB,
        resendIntervalMs: 100,
      });
      await p.start();
      participants.set(id, p);
      return p;
    },
    kill: (id: string) => {
      // Closing the endpoint first means nothing the dying node does afterwards gets out.
      void transports.get(id)?.close();
      void participants.get(id)?.close();
    },
  });
  for (const id of NODES) await c.startNode(id);
  await until(async () => (await coordinator.nodes()).every((n) => n.healthy));
  cleanups.push(async () => {
    for (const p of participants.values()) await p.close();
    await coordinator.close();
    await hub.close();
  });
  return c;
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

describe('session faults', () => {
  it('a participant killed mid-signing: the session fails within the timeout naming it, and a retry with the third node succeeds', async () => {
    const c = await cluster({ coordinator: { maxAttempts: 1 } });
    c.intercept = (d) => {
      if (isSign(d) && d.from === 'n2' && d.envelope.round >= 3) {
        c.kill('n2');
        return [];
      }
      return undefined;
    };
    const msg = new Uint8Array(randomBytes(32));
    const t0 = Date.now();
    const err = await rejection(
      c.coordinator.sign({
        keyId: c.keyId,
        messageHash: msg,
        signers: ['n1', 'n2'],
        sessionId: 'kill-1',
      }),
    );
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(PeerError);
    expect(err.code).toBe('TIMEOUT');
    expect(err.culprits).toEqual(['n2']);
    expect(took).toBeLessThan(SIGN_TIMEOUT + 500 + 1000);
    const rec = await c.metadata.getSigningSession('kill-1');
    expect(rec?.status).toBe('failed');
    expect(rec?.error).toMatch(/TIMEOUT.*culprits n2/);
    const audit = await c.metadata.listAudit({ sessionId: 'kill-1', type: 'sign.failed' });
    expect(audit[0]?.data?.culprits).toEqual(['n2']);

    // The retry picks the healthy third node (n2 is now a suspect and goes offline).
    c.intercept = undefined;
    const msg2 = new Uint8Array(randomBytes(32));
    const res = await c.coordinator.sign({ keyId: c.keyId, messageHash: msg2 });
    expect(res.signers).toEqual(['n1', 'n3']);
    expectValid(res, c.publicKey, msg2);
  });

  it('with automatic retries, one request survives the kill: the first attempt is recorded as failed', async () => {
    const c = await cluster({ coordinator: { maxAttempts: 2 } });
    let victim: string | undefined;
    c.intercept = (d) => {
      // The first signer to send a round-2 message dies right there.
      if (isSign(d) && d.envelope.round >= 2 && (victim === undefined || d.from === victim)) {
        victim ??= d.from;
        c.kill(victim);
        return [];
      }
      return undefined;
    };
    const msg = new Uint8Array(randomBytes(32));
    const res = await c.coordinator.sign({ keyId: c.keyId, messageHash: msg });
    expect(res.attempts).toBe(2);
    expect(res.signers).not.toContain(victim);
    expectValid(res, c.publicKey, msg);
    const recs = await c.metadata.listSigningSessions({ keyId: c.keyId });
    expect(recs.map((r) => r.status)).toEqual(['failed', 'completed']);
    expect(recs[0]?.error).toContain(`culprits ${victim}`);
    const types = (await c.metadata.listAudit({ keyId: c.keyId })).map((e) => e.type);
    expect(types).toEqual([
      'sign.started',
      'sign.failed',
      'sign.retry',
      'sign.started',
      'sign.completed',
    ]);
  });

  it('a participant restarted mid-signing resumes from its snapshot, in the same session', async () => {
    const c = await cluster({ coordinator: { maxAttempts: 1, signTimeoutMs: 8000 } });
    let killed = false;
    c.intercept = (d) => {
      if (!killed && isSign(d) && d.from === 'n2' && d.envelope.round === 4) {
        killed = true;
        c.kill('n2');
        return [];
      }
      return undefined;
    };
    const msg = new Uint8Array(randomBytes(32));
    const p = c.coordinator.sign({
      keyId: c.keyId,
      messageHash: msg,
      signers: ['n1', 'n2'],
      sessionId: 'restart-1',
    });
    await until(() => killed);
    // The node comes back (same stores, new process): the coordinator's repeated invitation
    // makes it resume the session from its snapshot.
    await until(async () => (await c.sessions.loadSnapshot('restart-1', 'n2')) !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    const events: string[] = [];
    const t = c.hub.connect('n2');
    const again = createParticipant({
      transport: t,
      keyShares: c.keyShares.get('n2')!,
      sessionStore: c.sessions,
      coordinators: ['coord'],
      heartbeatIntervalMs: HB,
      resendIntervalMs: 100,
      onEvent: (e) => events.push(e.type),
    });
    await again.start();
    c.participants.set('n2', again);
    const res = await p;
    expect(res.sessionId).toBe('restart-1');
    expect(res.attempts).toBe(1);
    expectValid(res, c.publicKey, msg);
    expect(events).toContain('resumed');
  });

  it('a corrupted key file is detected: STORE_CORRUPT surfaces from the participant', async () => {
    const dirs: string[] = [];
    const keyProvider = staticKeyProvider(new Uint8Array(randomBytes(32)));
    const files = new Map<string, ReturnType<typeof createFileKeyShareStore>>();
    const c = await cluster({
      coordinator: { maxAttempts: 1 },
      keyShares: async (id) => {
        const dir = await mkdtemp(join(tmpdir(), `mpc-tss-faults-${id}-`));
        dirs.push(dir);
        const store = createFileKeyShareStore({ dir, keyProvider, fsync: false });
        files.set(id, store);
        return store;
      },
    });
    cleanups.push(async () => {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });
    // Flip one byte in the middle of n2's sealed share.
    const path = files.get('n2')!.pathOf(c.keyId, 'n2');
    const bytes = await readFile(path);
    bytes[bytes.length >> 1]! ^= 0x01;
    await writeFile(path, bytes);

    const err = await rejection(
      c.coordinator.sign({
        keyId: c.keyId,
        messageHash: new Uint8Array(randomBytes(32)),
        signers: ['n1', 'n2'],
        sessionId: 'corrupt-1',
      }),
    );
    expect(err).toBeInstanceOf(SessionError);
    expect(err.code).toBe('STORE_CORRUPT');
    expect((err as SessionError).failures).toEqual([
      expect.objectContaining({ nodeId: 'n2', code: 'STORE_CORRUPT', veto: false }),
    ]);
    expect(err.message).toMatch(/node n2 failed/);
    const rec = await c.metadata.getSigningSession('corrupt-1');
    expect(rec?.status).toBe('failed');
    expect(rec?.error).toMatch(/^STORE_CORRUPT/);
    // The other shares are intact, and a request that may retry routes around the damaged node.
    const msg = new Uint8Array(randomBytes(32));
    const res = await c.coordinator.sign({
      keyId: c.keyId,
      messageHash: msg,
      maxAttempts: 3,
      exclude: [],
    });
    expect(res.signers).not.toContain('n2');
    expectValid(res, c.publicKey, msg);
  });
});

// ---------------------------------------------------------------------------------------------
// Redis: the point is the adapter, so a real server.

const redisService = await probeRedis();

describeWithService('session faults (redis)', redisService, () => {
  const prefix = `mpc-tss-test-faults:${randomBytes(6).toString('hex')}`;
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    if (!admin) return;
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it('a Redis connection drop during a session is retried without losing the snapshot', async () => {
    // The parties' store client: no offline queue, so commands fail while it reconnects.
    const client = new Redis(REDIS_URL, {
      enableOfflineQueue: false,
      retryStrategy: () => 150,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => {});
    await new Promise((r) => client.once('ready', r));
    cleanups.push(async () => {
      client.disconnect();
    });
    let adapterRetries = 0;
    const store = createRedisSessionStore({
      client,
      keyProvider: staticKeyProvider(new Uint8Array(randomBytes(32))),
      prefix,
      retry: { retries: 2, delayMs: 20, onRetry: () => adapterRetries++ },
    });
    const clientId = String(await client.client('ID'));
    const shares = makeKeyShares({ n: 3, minSigners: 2, ids: NODES });
    const signers = ['n1', 'n3'];
    const sessionId = `redis-drop-${randomBytes(4).toString('hex')}`;
    const msg = new Uint8Array(randomBytes(32));
    let dropped = false;
    const hub = createMemoryHub({
      intercept: (d) => {
        if (!dropped && d.envelope.round === 3) {
          dropped = true;
          // Kill the store's connection on the server side, mid-session.
          void admin.client('KILL', 'ID', clientId);
        }
        return undefined;
      },
    });
    cleanups.push(() => hub.close());
    const retries: RunProgress[] = [];
    const sigs = await Promise.all(
      signers.map((self) =>
        runParty<Signature>(
          createSignParty({
            self,
            signers,
            keyShare: shares.find((s) => s.self === self)!,
            messageHash: msg,
            sessionId,
          }),
          {
            transport: hub.connect(self),
            sessionStore: store,
            timeoutMs: 20_000,
            resendIntervalMs: 200,
            storeRetryDelayMs: 50,
            onProgress: (p) => {
              if (p.event === 'store-retry') retries.push(p);
            },
          },
        ),
      ),
    );
    expect(dropped).toBe(true);
    expect(sigs[0]!.s).toBe(sigs[1]!.s);
    // The connection really dropped and the writes were retried (by the adapter or the runner).
    expect(adapterRetries + retries.length).toBeGreaterThan(0);
    // Nothing was lost: each party's final snapshot is in Redis, and resumes to the signature.
    const keys = await admin.keys(`${prefix}:snap:*`);
    expect(keys.sort()).toEqual(
      signers.map((p) => `${prefix}:snap:${encodeURIComponent(sessionId)}:${p}`).sort(),
    );
    for (const self of signers) {
      const party = await loadPartySnapshot<Signature>(sessionId, self, store, SIGN_GG18_DEFS);
      expect(party?.status).toBe('done');
      expect(party?.current().output?.s).toBe(sigs[0]!.s);
    }
  });
});
