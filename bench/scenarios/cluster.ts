/**
 * Cluster load test: N signing sessions (default 200) through one coordinator, all requested at
 * once, on the in-memory transport (no gRPC: this measures the session layer and the protocol,
 * not the network). Three participants hold shares of a 2-of-3 key and host their parties on a
 * shared worker pool (one thread per core), with in-memory stores (snapshots sealed with
 * AES-GCM, as in production). The coordinator runs at most `MPC_TSS_BENCH_CLUSTER_CONCURRENCY`
 * (default 16) signings at a time and queues the rest.
 *
 * Reports throughput and the p50 / p99 latency of a request (queueing included), and checks that
 * no session was lost or duplicated: exactly N signing sessions recorded, all completed, N
 * distinct session ids, N `sign.completed` audit events, every signature valid.
 *
 * `MPC_TSS_BENCH_CLUSTER_SESSIONS=50 npm run bench -- --only cluster` for a shorter run.
 */
import { availableParallelism } from 'node:os';
import { serializeKeyShare } from '../../src/keyshare.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import { randomBytes } from '../../src/math/random.js';
import { verifySignature } from '../../src/protocols/ecdsa/signature.js';
import { type Coordinator, createCoordinator } from '../../src/session/coordinator.js';
import { createParticipant, type Participant } from '../../src/session/participant.js';
import { createWorkerPool, type WorkerPool } from '../../src/session/worker.js';
import {
  createMemoryKeyShareStore,
  createMemoryMetadataStore,
  createMemorySessionStore,
} from '../../src/stores/memory.js';
import type { MetadataStore } from '../../src/stores/types.js';
import { createMemoryHub, type MemoryHub } from '../../src/transport/memory.js';
import { makeKeyShares } from '../../test/support/keyshare-fixture.js';
import type { Scenario } from '../harness.js';

const SESSIONS = Number(process.env.MPC_TSS_BENCH_CLUSTER_SESSIONS ?? 200);
const CONCURRENCY = Number(process.env.MPC_TSS_BENCH_CLUSTER_CONCURRENCY ?? 16);
/** `0` runs the parties on the main thread instead of a worker pool. */
const WORKERS = process.env.MPC_TSS_BENCH_CLUSTER_WORKERS !== '0';
const NODES = ['n1', 'n2', 'n3'];

interface Ctx {
  hub: MemoryHub;
  pool: WorkerPool;
  metadata: MetadataStore;
  coordinator: Coordinator;
  participants: Participant[];
  keyId: string;
  publicKey: Uint8Array;
}

async function setup(): Promise<Ctx> {
  const hub = createMemoryHub();
  const pool = createWorkerPool({ size: availableParallelism() });
  await pool.ready();
  const metadata = createMemoryMetadataStore();
  const sessionStore = createMemorySessionStore();
  const coordinator = createCoordinator({
    transport: hub.connect('coord'),
    metadata,
    sessionStore,
    heartbeatIntervalMs: 1000,
    missedHeartbeats: 30,
    maxConcurrentSignings: CONCURRENCY,
    maxConcurrentSessions: CONCURRENCY,
    maxQueue: SESSIONS + 10,
    signTimeoutMs: 120_000,
    // The memory hub loses nothing: resends would only burn CPU on a busy machine.
    resendIntervalMs: 10_000,
  });
  await coordinator.start();
  const keyId = 'bench-key';
  const shares = makeKeyShares({ n: 3, minSigners: 2, ids: NODES });
  await metadata.createKey({
    id: keyId,
    curve: 'secp256k1',
    minSigners: 2,
    parties: NODES,
    publicKey: shares[0]!.publicKey.compressed,
    status: 'active',
  });
  const participants: Participant[] = [];
  for (const s of shares) {
    await coordinator.registerNode({ id: s.self, endpoint: `mem://${s.self}`, identityKey: 'x' });
    const keyShares = createMemoryKeyShareStore();
    await keyShares.put(keyId, s.self, serializeKeyShare(s));
    const p = createParticipant({
      transport: hub.connect(s.self),
      keyShares,
      sessionStore,
      coordinators: ['coord'],
      heartbeatIntervalMs: 1000,
      maxConcurrentSessions: CONCURRENCY * 2,
      resendIntervalMs: 10_000,
      ...(WORKERS ? { workers: pool } : {}),
    });
    await p.start();
    participants.push(p);
  }
  for (;;) {
    const nodes = await coordinator.nodes();
    if (nodes.every((n) => n.healthy)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    hub,
    pool,
    metadata,
    coordinator,
    participants,
    keyId,
    publicKey: hexToBytes(shares[0]!.publicKey.compressed),
  };
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function run(ctx: Ctx): Promise<{ bytes: number; messages: number }> {
  ctx.hub.resetStats();
  const digests = Array.from({ length: SESSIONS }, () => randomBytes(32));
  const latencies: number[] = [];
  const t0 = performance.now();
  const results = await Promise.all(
    digests.map(async (messageHash) => {
      const t = performance.now();
      const r = await ctx.coordinator.sign({ keyId: ctx.keyId, messageHash });
      latencies.push(performance.now() - t);
      return r;
    }),
  );
  const wall = performance.now() - t0;

  // No lost or duplicated session.
  const ids = new Set(results.map((r) => r.sessionId));
  const records = await ctx.metadata.listSigningSessions({ keyId: ctx.keyId, limit: 10_000 });
  const completed = await ctx.metadata.listAudit({
    keyId: ctx.keyId,
    type: 'sign.completed',
    limit: 10_000,
  });
  const mine = records.filter((r) => ids.has(r.id));
  const problems: string[] = [];
  if (ids.size !== SESSIONS) problems.push(`${SESSIONS - ids.size} duplicated session ids`);
  if (mine.length !== SESSIONS) problems.push(`${SESSIONS - mine.length} sessions not recorded`);
  if (mine.some((r) => r.status !== 'completed')) problems.push('sessions not completed');
  if (completed.filter((e) => ids.has(e.sessionId ?? '')).length !== SESSIONS) {
    problems.push('audit events missing or duplicated');
  }
  results.forEach((r, i) => {
    const ok = verifySignature(
      bytesToBigint(hexToBytes(r.signature.r)),
      bytesToBigint(hexToBytes(r.signature.s)),
      digests[i]!,
      ctx.publicKey,
    );
    if (!ok) problems.push(`signature ${i} invalid`);
  });
  if (problems.length > 0) throw new Error(`cluster bench: ${problems.join('; ')}`);

  latencies.sort((a, b) => a - b);
  // Session duration (admission to completion), from the coordinator's own records.
  const durations = mine.map((r) => r.updatedAt - r.createdAt).sort((a, b) => a - b);
  const retried = results.filter((r) => r.attempts > 1).length;
  const where = WORKERS ? `${ctx.pool.size} worker threads` : 'main thread only';
  console.log(
    `    ${SESSIONS} signings, ≤ ${CONCURRENCY} at a time, ${where}: ` +
      `${((SESSIONS / wall) * 1000).toFixed(2)} signings/s; request latency (queue included) ` +
      `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms; ` +
      `session p50 ${percentile(durations, 50)} ms, p99 ${percentile(durations, 99)} ms; ` +
      `none lost or duplicated${retried ? ` (${retried} retried)` : ''}`,
  );
  const s = ctx.hub.stats();
  return { bytes: s.bytes, messages: s.messages };
}

export const scenarios: Scenario[] = [
  {
    group: 'cluster',
    name: `${SESSIONS} signings via 1 coordinator, memory hub`,
    runs: 1,
    warmup: 0,
    setup,
    run: async (c) => {
      const ctx = c as Ctx;
      try {
        return await run(ctx);
      } finally {
        for (const p of ctx.participants) await p.close();
        await ctx.coordinator.close();
        await ctx.hub.close();
        await ctx.pool.close();
      }
    },
  },
];
