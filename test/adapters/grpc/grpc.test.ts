import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGrpcTransport,
  type GrpcTransport,
  type GrpcTransportOptions,
  MpcTransportService,
} from '../../../src/adapters/grpc/index.js';
import {
  type DeliverResponse,
  helloRequest,
  loadGrpc,
  packetRequest,
} from '../../../src/adapters/grpc/service.js';
import { isMpcError, type MpcError } from '../../../src/errors.js';
import { decodeEnvelope, encodeEnvelope } from '../../../src/party/index.js';
import {
  createKeyDirectory,
  generateIdentity,
  publicIdentityOf,
} from '../../../src/transport/identity.js';
import {
  createSecureChannel,
  type SecureChannelRejection,
} from '../../../src/transport/secure-channel.js';
import type { Transport } from '../../../src/transport/types.js';
import { toyDef } from '../../party/toy.js';
import { collector, env, runOver } from '../../transport/helpers.js';
import { createTestCa } from './certs.js';

const FAST = { initialDelayMs: 20, maxDelayMs: 200, jitter: 0.2 } as const;
const open: Transport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function node(opts: GrpcTransportOptions): Promise<GrpcTransport> {
  const t = await createGrpcTransport({ grpc, reconnect: FAST, drainTimeoutMs: 1000, ...opts });
  open.push(t);
  return t;
}

/** Starts one node per id on 127.0.0.1 (ephemeral ports) and tells each about the others. */
async function mesh(
  ids: string[],
  extra: (id: string) => Partial<GrpcTransportOptions> = () => ({}),
): Promise<GrpcTransport[]> {
  const nodes = await Promise.all(ids.map((self) => node({ self, ...extra(self) })));
  for (const n of nodes) for (const m of nodes) if (n !== m) n.setPeer(m.self, m.address);
  return nodes;
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Binds a port that was just released, retrying briefly if the OS has not freed it yet. */
async function restart(opts: GrpcTransportOptions): Promise<GrpcTransport> {
  for (let i = 0; ; i++) {
    try {
      return await node(opts);
    } catch (e) {
      if (i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('grpc transport', () => {
  it('routes broadcasts and p2p envelopes over loopback, with from = the dialer', async () => {
    const [a, b, c] = (await mesh(['a', 'b', 'c'])) as [
      GrpcTransport,
      GrpcTransport,
      GrpcTransport,
    ];
    expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(a.peers()).toEqual(['b', 'c']);
    const cb = collector();
    const cc = collector();
    b.subscribe('s-1', cb.handler);
    c.subscribe('s-1', cc.handler);
    const bc = env('a', []);
    await a.send(bc);
    await a.send(env('a', ['c'], { type: 'p2p' }));
    await cb.wait(1);
    await cc.wait(2);
    expect(cb.got[0]!.from).toBe('a');
    expect(cb.got[0]!.bytes).toEqual(encodeEnvelope(bc));
    expect(cc.got.map((m) => decodeEnvelope(m.bytes).type).sort()).toEqual(['msg', 'p2p']);
    await new Promise((r) => setTimeout(r, 50));
    expect(cb.got).toHaveLength(1);
    const s = a.stats();
    expect(s.messagesSent).toBe(3);
    expect(s.queued).toBe(0);
    expect(c.stats().messagesReceived).toBe(2);
    await expect(a.send(env('b', ['c']))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.send(env('a', ['zed']))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('runs the toy protocol among 3 parties with the secure channel on top', async () => {
    const ids = ['p-a', 'p-b', 'p-c'];
    const identities = ids.map(generateIdentity);
    const directory = createKeyDirectory(identities.map(publicIdentityOf));
    const nodes = await mesh(ids);
    const rejections: SecureChannelRejection[] = [];
    const channels = nodes.map((n, i) =>
      createSecureChannel(n, {
        identity: identities[i]!,
        directory,
        onReject: (r) => rejections.push(r),
      }),
    );
    const steps = await runOver(toyDef(), channels, 'grpc-toy');
    expect([...steps.values()].map((s) => s.status)).toEqual(['done', 'done', 'done']);
    expect(new Set([...steps.values()].map((s) => s.output?.total)).size).toBe(1);
    expect(rejections).toEqual([]);
    await Promise.all(channels.map((c) => c.close()));
  });

  it('queues while a peer is down and delivers after it restarts (reconnect with backoff)', async () => {
    const [a, b] = (await mesh(['a', 'b'])) as [GrpcTransport, GrpcTransport];
    const first = collector();
    b.subscribe('s-1', first.handler);
    await a.send(env('a', ['b'], { round: 1 }));
    await first.wait(1);
    const address = b.address;
    await b.close();
    for (let r = 2; r <= 4; r++) await a.send(env('a', ['b'], { round: r }));
    await new Promise((r) => setTimeout(r, 150)); // a few failed attempts
    expect(a.stats().queued).toBe(3);
    const b2 = await restart({ self: 'b', listen: address, peers: { a: a.address } });
    const again = collector();
    b2.subscribe('s-1', again.handler);
    await again.wait(3, 5000);
    expect(again.got.map((m) => decodeEnvelope(m.bytes).round)).toEqual([2, 3, 4]);
    await until(() => a.stats().queued === 0);
    expect(a.stats().reconnects).toBeGreaterThan(0);
  });

  it('bounds the send queue of an unreachable peer', async () => {
    const errors: MpcError[] = [];
    const a = await node({
      self: 'a',
      peers: { b: '127.0.0.1:1' },
      maxQueueMessages: 2,
      drainTimeoutMs: 50,
      onError: (e) => errors.push(e),
    });
    await a.send(env('a', ['b']));
    await a.send(env('a', ['b']));
    await expect(a.send(env('a', ['b']))).rejects.toMatchObject({ code: 'TRANSPORT_ERROR' });
    await until(() => errors.some((e) => e.code === 'TRANSPORT_ERROR'));
    const t0 = Date.now();
    await a.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(a.send(env('a', ['b']))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('close() drains queued envelopes before it resolves', async () => {
    const [a, b] = (await mesh(['a', 'b'])) as [GrpcTransport, GrpcTransport];
    const col = collector();
    b.subscribe('s-1', col.handler);
    for (let r = 1; r <= 20; r++) await a.send(env('a', ['b'], { round: r }));
    await a.close();
    await col.wait(20, 2000);
    expect(col.got).toHaveLength(20);
  });

  it('refuses dialers it does not know, unless allowUnknownPeers', async () => {
    const errors: MpcError[] = [];
    const strict = await node({ self: 'server', onError: (e) => errors.push(e) });
    const open_ = await node({ self: 'open', allowUnknownPeers: true });
    const stranger = await node({
      self: 'stranger',
      peers: { server: strict.address, open: open_.address },
      drainTimeoutMs: 50,
    });
    const col = collector();
    open_.subscribe('s-1', col.handler);
    await stranger.send(env('stranger', ['open']));
    await col.wait(1);
    await stranger.send(env('stranger', ['server']));
    await until(() => errors.some((e) => /unknown party "stranger"/.test(e.message)));
  });

  it('drops malformed envelopes and protocol violations from a raw client without crashing', async () => {
    const errors: MpcError[] = [];
    const server = await node({
      self: 'server',
      peers: { raw: '127.0.0.1:1' },
      onError: (e) => errors.push(e),
    });
    const Client = grpc.makeGenericClientConstructor(MpcTransportService, 'MpcTransport');
    const client = new Client(
      server.address,
      grpc.credentials.createInsecure(),
    ) as unknown as grpc.Client & {
      Deliver(): grpc.ClientDuplexStream<unknown, DeliverResponse>;
    };
    const responses: DeliverResponse[] = [];
    const done = new Promise<grpc.StatusObject>((resolve) => {
      const call = client.Deliver();
      call.on('data', (r: DeliverResponse) => {
        responses.push(r);
        if (r.kind.case === 'ack' && r.kind.value.seq === 3n) call.write(helloRequest('raw'));
      });
      call.on('error', () => {});
      call.on('status', resolve);
      call.write(helloRequest('raw'));
      call.write(packetRequest(1n, new Uint8Array([0xff, 0xff, 0xff])));
      call.write(packetRequest(2n, encodeEnvelope(env('someone-else', []))));
      call.write(packetRequest(3n, encodeEnvelope(env('raw', ['not-server']))));
    });
    const status = await done;
    client.close();
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(responses.map((r) => r.kind.case)).toEqual(['welcome', 'ack', 'ack', 'ack']);
    const codes = errors.filter((e) => e.culprits.length > 0).map((e) => e.code);
    expect(codes).toEqual(['MALFORMED', 'UNEXPECTED_MESSAGE', 'UNEXPECTED_MESSAGE']);
    expect(errors.every(isMpcError)).toBe(true);
    expect(server.stats().dropped).toBe(3);
  });

  it('loads @grpc/grpc-js lazily and explains a missing one', async () => {
    const g = await loadGrpc();
    expect(typeof g.Server).toBe('function');
    const missing = Object.assign(new Error('Cannot find package'), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(loadGrpc(() => Promise.reject(missing))).rejects.toMatchObject({
      code: 'MISSING_DEPENDENCY',
      message: expect.stringContaining(
        '[mpc-tss] MISSING_DEPENDENCY: [grpc] install @grpc/grpc-js or pass it',
      ),
    });
    await expect(loadGrpc(() => Promise.resolve({ default: g }))).resolves.toBe(g);
    await expect(loadGrpc(() => Promise.reject(new Error('boom')))).rejects.toMatchObject({
      code: 'TRANSPORT_ERROR',
    });
    const t = await createGrpcTransport({ self: 'lazy' });
    open.push(t);
    expect(t.port).toBeGreaterThan(0);
  });

  it('validates options', async () => {
    await expect(createGrpcTransport({ grpc, self: 'bad id' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      createGrpcTransport({ grpc, self: 'a', peers: { b: 'no-port' } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      createGrpcTransport({ grpc, self: 'a', reconnect: { jitter: 1 } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('grpc transport with mutual TLS', () => {
  const ca = createTestCa();
  const certs = new Map(['a', 'b', 'c', 'd'].map((id) => [id, ca.issue(id)]));
  const tlsFor = (id: string, cn = id) => {
    const c = cn === id ? certs.get(id)! : ca.issue(cn);
    // The certificates name localhost (and 127.0.0.1); verify the name, not the IP (RFC 6066).
    return {
      rootCerts: ca.certPem,
      certChain: c.certPem,
      privateKey: c.keyPem,
      serverNameOverride: 'localhost',
    };
  };

  it('runs the toy protocol among 3 parties over mTLS + secure channel', async () => {
    const ids = ['a', 'b', 'c'];
    const identities = ids.map(generateIdentity);
    const directory = createKeyDirectory(identities.map(publicIdentityOf));
    const nodes = await mesh(ids, (id) => ({ tls: tlsFor(id) }));
    const channels = nodes.map((n, i) =>
      createSecureChannel(n, { identity: identities[i]!, directory }),
    );
    const steps = await runOver(toyDef(), channels, 'tls-toy');
    expect([...steps.values()].map((s) => s.status)).toEqual(['done', 'done', 'done']);
    await Promise.all(channels.map((c) => c.close()));
  });

  it('refuses a client certificate that does not name the claimed party, or no certificate', async () => {
    const errors: MpcError[] = [];
    const a = await node({ self: 'a', tls: tlsFor('a'), onError: (e) => errors.push(e) });
    // d presents a valid certificate, but for "mallory".
    const d = await node({
      self: 'd',
      tls: tlsFor('d', 'mallory'),
      peers: { a: a.address },
      drainTimeoutMs: 50,
    });
    a.setPeer('d', d.address);
    const col = collector();
    a.subscribe('s-1', col.handler);
    await d.send(env('d', ['a']));
    await until(() => errors.some((e) => /certificate does not belong to "d"/.test(e.message)));
    expect(col.got).toHaveLength(0);

    // A client without a certificate does not get past the TLS handshake.
    const dErrors: MpcError[] = [];
    const noCert = await node({
      self: 'c',
      tls: { ...tlsFor('c'), mutual: false },
      peers: { a: a.address },
      drainTimeoutMs: 50,
      onError: (e) => dErrors.push(e),
    });
    a.setPeer('c', noCert.address);
    await noCert.send(env('c', ['a']));
    await until(() => dErrors.length > 0);
    expect(col.got).toHaveLength(0);

    // A certificate from another CA is refused as well.
    const other = createTestCa('another CA (test only)');
    const leaf = other.issue('b');
    const bErrors: MpcError[] = [];
    const rogue = await node({
      self: 'b',
      tls: { ...tlsFor('b'), certChain: leaf.certPem, privateKey: leaf.keyPem },
      peers: { a: a.address },
      drainTimeoutMs: 50,
      onError: (e) => bErrors.push(e),
    });
    a.setPeer('b', rogue.address);
    await rogue.send(env('b', ['a']));
    await until(() => bErrors.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(col.got).toHaveLength(0);
  });
});
