/**
 * One participant node of the cluster example (started by run.ts with child_process.fork).
 *
 * It owns its identity (Ed25519 + X25519, generated here), a gRPC server on loopback with the
 * secure channel on top, an encrypted file key-share store in a temporary directory, and a
 * Redis session store for its session snapshots. It pre-computes its pre-params at startup, so
 * a keygen does not wait for safe primes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileKeyShareStore } from '../../src/adapters/file/index.js';
import { createGrpcTransport } from '../../src/adapters/grpc/index.js';
import { connectRedisSessionStore } from '../../src/adapters/redis/index.js';
import { randomBytes } from '../../src/math/random.js';
import { generatePreParams, type PreParams } from '../../src/protocols/ecdsa/preparams.js';
import { createParticipant, type Participant } from '../../src/session/participant.js';
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
  type ParentMessage,
  REDIS_PREFIX,
  REDIS_URL,
} from './common.js';

const id = process.argv[2];
if (!id || !process.send) {
  console.error('usage: started by examples/cluster/run.ts');
  process.exit(2);
}
const send = (m: ChildMessage): void => {
  process.send?.(m);
};
const log = (line: string): void => send({ type: 'log', id, line });

// Example only: a random data-encryption key per run. Production: envKeyProvider() or a KMS.
const keyProvider = staticKeyProvider(randomBytes(32));
const identity = generateIdentity(id);
const grpcNode = await createGrpcTransport({
  self: id,
  listen: '127.0.0.1:0',
  drainTimeoutMs: 2000,
  onError: (e) => {
    if (e.code !== 'TRANSPORT_ERROR') log(`transport: ${e.shortMessage}`);
  },
});
send({
  type: 'hello',
  id,
  address: grpcNode.address,
  publicIdentity: exportPublicIdentity(identity),
});

// Pre-params take seconds (safe primes): start now, in the background.
const t0 = Date.now();
const preParams: Promise<PreParams> = generatePreParams().then((p) => {
  send({ type: 'preparams', id, ms: Date.now() - t0 });
  return p;
});

const dir = await mkdtemp(join(tmpdir(), `mpc-tss-cluster-${id}-`));
const keyShares = createFileKeyShareStore({ dir, keyProvider });
const sessions = await connectRedisSessionStore({
  url: REDIS_URL,
  keyProvider,
  prefix: `${REDIS_PREFIX}:${id}`,
});

let participant: Participant | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await participant?.close();
  await channel?.close(); // also drains and closes the gRPC node
  await sessions.clear().catch(() => 0); // example: leave nothing behind in Redis
  await sessions.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(code);
}

let channel: ReturnType<typeof createSecureChannel> | undefined;

process.on('message', (raw: ParentMessage) => {
  if (raw.type === 'shutdown') {
    void shutdown(0);
    return;
  }
  if (raw.type !== 'peers') return;
  void (async () => {
    for (const [peer, address] of Object.entries(raw.addresses)) {
      if (peer !== id) grpcNode.setPeer(peer, address);
    }
    const directory = createKeyDirectory(raw.directory.map(importPublicIdentity));
    channel = createSecureChannel(grpcNode, {
      identity,
      directory,
      context: CHANNEL_CONTEXT,
      onReject: (r) => {
        if (r.reason !== 'replay') log(`secure channel refused a message: ${r.reason}`);
      },
    });
    participant = createParticipant({
      transport: channel,
      keyShares,
      sessionStore: sessions,
      coordinators: [COORDINATOR_ID],
      heartbeatIntervalMs: HEARTBEAT_MS,
      preParams: () => preParams,
      // The policy hook: here every request is logged and allowed.
      policy: (req) => {
        log(
          req.kind === 'sign'
            ? `policy: sign ${req.messageHash.slice(0, 16)}… with key ${req.keyId} → allow`
            : `policy: keygen of ${req.keyId} (${req.minSigners}-of-${req.parties.length}) → allow`,
        );
        return true;
      },
      onEvent: (e) => {
        if (e.type === 'completed' || e.type === 'failed' || e.type === 'declined') {
          const why = e.error ? ` (${e.error.code}: ${e.error.shortMessage})` : '';
          log(`session ${e.sessionId?.slice(0, 12)}… ${e.type}${why}`);
        }
      },
    });
    await participant.start();
    send({ type: 'ready', id });
  })().catch((e) => {
    send({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
    void shutdown(1);
  });
});

process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
