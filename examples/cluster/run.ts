/**
 * A 2-of-3 cluster on one machine, in one command:
 *
 *   npx tsx examples/cluster/run.ts        (or: npm run example:cluster)
 *
 * - 3 participant processes (child_process.fork of ./participant.ts), each with its own
 *   identity, gRPC server on 127.0.0.1, encrypted file key-share store and Redis session store;
 * - this process runs the coordinator: gRPC + secure channel, Postgres for nodes, keys, signing
 *   sessions and the audit log, Redis for session locks;
 * - every message (protocol and control) is signed and point-to-point ones are encrypted by the
 *   secure channel, on top of gRPC (plaintext on loopback here; use mutual TLS across machines).
 *
 * It runs a 2-of-3 keygen and one signing through the coordinator, verifies and prints the
 * result, and shuts everything down. Services: PostgreSQL at 127.0.0.1:5432 (database `test`)
 * and Redis at 127.0.0.1:6379, or MPC_TSS_PG_URL / MPC_TSS_REDIS_URL.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { createGrpcTransport } from '../../src/adapters/grpc/index.js';
import { createPostgresStores } from '../../src/adapters/postgres/index.js';
import { connectRedisSessionStore } from '../../src/adapters/redis/index.js';
import { ethereumAddress } from '../../src/chains/ethereum/address.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import { randomBytes } from '../../src/math/random.js';
import { verifySignature } from '../../src/protocols/ecdsa/signature.js';
import { createCoordinator } from '../../src/session/coordinator.js';
import { staticKeyProvider } from '../../src/stores/key-provider.js';
import {
  createKeyDirectory,
  exportPublicIdentity,
  generateIdentity,
  importPublicIdentity,
} from '../../src/transport/identity.js';
import { createSecureChannel } from '../../src/transport/secure-channel.js';
import {
  CHANNEL_CONTEXT,
  type ChildMessage,
  COORDINATOR_ID,
  HEARTBEAT_MS,
  NODE_IDS,
  type ParentMessage,
  PG_SCHEMA,
  PG_URL,
  REDIS_PREFIX,
  REDIS_URL,
} from './common.js';

const started = Date.now();
const say = (line: string): void => {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
};
const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

// ------------------------------------------------------------------------------- services

say(`PostgreSQL ${redact(PG_URL)} (schema ${PG_SCHEMA}), Redis ${redact(REDIS_URL)}`);
const pg = await createPostgresStores({
  connectionString: PG_URL,
  poolOptions: { max: 5, connectionTimeoutMillis: 3000 },
  schema: PG_SCHEMA,
  // The coordinator's stores hold no secrets; the key is required by the sealing stores.
  keyProvider: staticKeyProvider(randomBytes(32)),
  migrate: true,
}).catch((e) => {
  console.error(`cannot use PostgreSQL at ${redact(PG_URL)}: ${e.message}`);
  process.exit(1);
});
const locks = await connectRedisSessionStore({
  url: REDIS_URL,
  keyProvider: staticKeyProvider(randomBytes(32)),
  prefix: `${REDIS_PREFIX}:${COORDINATOR_ID}`,
  redisOptions: { connectTimeout: 3000, maxRetriesPerRequest: 2 },
});
await locks.acquireLock('startup-probe', { ttlMs: 1000 }).catch(async (e) => {
  console.error(`cannot use Redis at ${redact(REDIS_URL)}: ${e.message}`);
  await pg.close();
  process.exit(1);
});

// ------------------------------------------------------------------------------- processes

const children = new Map<string, ChildProcess>();
const hellos = new Map<string, Extract<ChildMessage, { type: 'hello' }>>();
const waiters: { cond: () => boolean; resolve: () => void }[] = [];
const ready = new Set<string>();
const preParamsDone = new Set<string>();
const wake = (): void => {
  for (const w of [...waiters]) {
    if (w.cond()) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }
};
const until = (cond: () => boolean, what: string, ms = 120_000): Promise<void> =>
  new Promise((resolve, reject) => {
    if (cond()) return resolve();
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    waiters.push({
      cond,
      resolve: () => {
        clearTimeout(t);
        resolve();
      },
    });
  });

const childScript = fileURLToPath(new URL('./participant.ts', import.meta.url));
for (const id of NODE_IDS) {
  // Inherit tsx's loader flags (process.execArgv) so the child runs TypeScript too.
  const child = fork(childScript, [id], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.set(id, child);
  child.on('message', (m: ChildMessage) => {
    if (m.type === 'hello') hellos.set(m.id, m);
    else if (m.type === 'ready') ready.add(m.id);
    else if (m.type === 'preparams') {
      preParamsDone.add(m.id);
      say(`${m.id}: pre-params ready (${(m.ms / 1000).toFixed(1)} s)`);
    } else if (m.type === 'log') say(`${m.id}: ${m.line}`);
    else if (m.type === 'error') say(`${m.id}: ERROR ${m.message}`);
    wake();
  });
  child.on('exit', (code) => {
    if (!shuttingDown) {
      console.error(`${id} exited unexpectedly (code ${code})`);
      void shutdown(1);
    }
  });
}
say(`started ${NODE_IDS.join(', ')} (pids ${[...children.values()].map((c) => c.pid).join(', ')})`);

let shuttingDown = false;
async function shutdown(code: number): Promise<never> {
  shuttingDown = true;
  await coordinator?.close().catch(() => {});
  const exits = [...children.values()].map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        const t = setTimeout(() => {
          c.kill('SIGKILL');
          resolve();
        }, 10_000);
        c.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        if (c.connected) c.send({ type: 'shutdown' } satisfies ParentMessage);
        else c.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  await channel?.close().catch(() => {});
  await locks.clear().catch(() => 0);
  await locks.close().catch(() => {});
  await pg.close().catch(() => {});
  say(code === 0 ? 'all processes stopped, bye' : 'stopped after an error');
  process.exit(code);
}

// ------------------------------------------------------------------------------- coordinator

const identity = generateIdentity(COORDINATOR_ID);
const grpcNode = await createGrpcTransport({ self: COORDINATOR_ID, listen: '127.0.0.1:0' });
let channel: ReturnType<typeof createSecureChannel> | undefined;
let coordinator: ReturnType<typeof createCoordinator> | undefined;

try {
  await until(() => hellos.size === NODE_IDS.length, 'the participants to start', 60_000);
  const addresses: Record<string, string> = { [COORDINATOR_ID]: grpcNode.address };
  for (const h of hellos.values()) addresses[h.id] = h.address;
  const directoryJson = [
    exportPublicIdentity(identity),
    ...[...hellos.values()].map((h) => h.publicIdentity),
  ];
  for (const [id, address] of Object.entries(addresses)) {
    if (id !== COORDINATOR_ID) grpcNode.setPeer(id, address);
  }
  channel = createSecureChannel(grpcNode, {
    identity,
    directory: createKeyDirectory(directoryJson.map(importPublicIdentity)),
    context: CHANNEL_CONTEXT,
  });
  coordinator = createCoordinator({
    transport: channel,
    metadata: pg.metadata,
    sessionStore: locks,
    heartbeatIntervalMs: HEARTBEAT_MS,
    missedHeartbeats: 5,
    signTimeoutMs: 30_000,
    keygenTimeoutMs: 120_000,
    onEvent: (e) => {
      if (e.type === 'node-online' || e.type === 'node-offline')
        say(`coordinator: ${e.nodeId} ${e.type.slice(5)}`);
    },
  });
  await coordinator.start();
  // Register the nodes: endpoint and public identity go to the metadata store (the node table
  // is where a deployment builds its secure-channel directory from).
  for (const h of hellos.values()) {
    await coordinator.registerNode({
      id: h.id,
      endpoint: h.address,
      identityKey: h.publicIdentity,
      capabilities: ['ecdsa', 'gg18', 'keygen', 'sign'],
    });
  }
  for (const child of children.values()) {
    child.send({ type: 'peers', addresses, directory: directoryJson } satisfies ParentMessage);
  }
  await until(() => ready.size === NODE_IDS.length, 'the participants to join', 60_000);
  say('participants joined; waiting for heartbeats');
  const c = coordinator;
  await new Promise<void>((resolve, reject) => {
    const end = Date.now() + 30_000;
    const poll = async (): Promise<void> => {
      const nodes = await c.nodes();
      if (NODE_IDS.every((id) => nodes.find((n) => n.id === id)?.healthy)) return resolve();
      if (Date.now() > end) return reject(new Error('nodes did not become healthy'));
      setTimeout(() => void poll().catch(reject), 200);
    };
    void poll().catch(reject);
  });
  say('all 3 nodes healthy');
  if (preParamsDone.size < NODE_IDS.length) say("waiting for the nodes' pre-params (safe primes)…");
  await until(() => preParamsDone.size === NODE_IDS.length, 'pre-params', 300_000);

  // ----------------------------------------------------------------------------- keygen
  const keyId = `cluster-key-${Date.now().toString(36)}`;
  say(`keygen 2-of-3 of ${keyId}…`);
  const t1 = Date.now();
  const key = await coordinator.keygen({ keyId, n: 3, minSigners: 2, chain: 'ethereum:1' });
  say(`keygen done in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  say(`  public key   ${key.publicKey}`);
  say(`  parties      ${key.parties.join(', ')}`);
  const address = ethereumAddress(key.publicKey);
  await pg.metadata.updateKey(keyId, { address });
  say(`  address      ${address} (ethereum)`);

  // ----------------------------------------------------------------------------- signing
  const message = 'hello from the mpc-tss cluster example';
  const digest = sha256(new TextEncoder().encode(message));
  say(`signing sha256("${message}")…`);
  const t2 = Date.now();
  const res = await coordinator.sign({ keyId, messageHash: digest, metadata: { message } });
  say(`signing done in ${((Date.now() - t2) / 1000).toFixed(2)} s by ${res.signers.join(' + ')}`);
  const ok = verifySignature(
    bytesToBigint(hexToBytes(res.signature.r)),
    bytesToBigint(hexToBytes(res.signature.s)),
    digest,
    hexToBytes(key.publicKey),
  );
  say(`  r            ${res.signature.r}`);
  say(`  s            ${res.signature.s}`);
  say(`  recovery id  ${res.signature.recoveryId}`);
  say(`  DER          ${res.signature.der}`);
  say(`  verifies under the group key: ${ok}`);
  if (!ok) throw new Error('signature does not verify');

  const record = await pg.metadata.getSigningSession(res.sessionId);
  say(`signing session ${res.sessionId.slice(0, 16)}… status ${record?.status}`);
  const audit = await pg.metadata.listAudit({ keyId });
  say(`audit trail of ${keyId}: ${audit.map((e) => e.type).join(', ')}`);
  await shutdown(0);
} catch (e) {
  console.error(e);
  await shutdown(1);
}
