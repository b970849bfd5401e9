import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { LocalError, PeerError, VerifyError } from '../../src/errors.js';
import { decodeEnvelope, type Envelope, encodeEnvelope } from '../../src/party/index.js';
import {
  createKeyDirectory,
  destroyIdentity,
  exportIdentity,
  exportPublicIdentity,
  generateIdentity,
  importIdentity,
  importPublicIdentity,
  type NodeIdentity,
  publicIdentityOf,
} from '../../src/transport/identity.js';
import { createMemoryHub } from '../../src/transport/memory.js';
import {
  _pairKey,
  _sealFrame,
  createSecureChannel,
  type SecureChannel,
  type SecureChannelOptions,
  type SecureChannelRejection,
} from '../../src/transport/secure-channel.js';
import { toyDef } from '../party/toy.js';
import { collector, env, runOver, StubTransport } from './helpers.js';

const alice = generateIdentity('alice');
const bob = generateIdentity('bob');
const carol = generateIdentity('carol');
const mallory = generateIdentity('mallory'); // a member that misbehaves
const eve = generateIdentity('eve'); // not in the directory
const directory = createKeyDirectory([alice, bob, carol, mallory].map(publicIdentityOf));

interface Node {
  stub: StubTransport;
  channel: SecureChannel;
  rejections: SecureChannelRejection[];
}

function node(identity: NodeIdentity, extra: Partial<SecureChannelOptions> = {}): Node {
  const stub = new StubTransport(identity.partyId);
  const rejections: SecureChannelRejection[] = [];
  const channel = createSecureChannel(stub, {
    identity,
    directory,
    context: 'test',
    onReject: (r) => rejections.push(r),
    ...extra,
  });
  return { stub, channel, rejections };
}

/** Sends `e` through `from`'s channel and returns the outer envelopes handed to its transport. */
async function wire(from: Node, e: Envelope): Promise<Envelope[]> {
  const before = from.stub.sent.length;
  await from.channel.send(e);
  return from.stub.sent.slice(before).map((s) => s.envelope);
}

function deliver(to: Node, outer: Envelope | Uint8Array, transportFrom = 'x'): void {
  const bytes = outer instanceof Uint8Array ? outer : encodeEnvelope(outer);
  const sessionId = outer instanceof Uint8Array ? 's-1' : outer.sessionId;
  to.stub.push({ bytes, from: transportFrom, sessionId });
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;
}

describe('identities and directory', () => {
  it('exports and imports identities and public identities', () => {
    const id = generateIdentity('node-1');
    const again = importIdentity(exportIdentity(id));
    expect(again).toEqual(id);
    const pub = importPublicIdentity(exportPublicIdentity(id));
    expect(pub).toEqual(publicIdentityOf(id));
    expect(exportPublicIdentity(id)).not.toContain(
      Buffer.from(id.signingSecretKey).toString('hex'),
    );
  });

  it('rejects malformed exports without echoing key material', () => {
    const json = JSON.parse(exportIdentity(alice)) as Record<string, unknown>;
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ ...json, version: 2 }),
      JSON.stringify({ ...json, extra: 1 }),
      JSON.stringify({ ...json, signingSecretKey: 'abcd' }),
      JSON.stringify({ ...json, partyId: 'has space' }),
    ];
    for (const b of bad) {
      expect(() => importIdentity(b)).toThrow(LocalError);
      try {
        importIdentity(b);
      } catch (e) {
        expect((e as Error).message).not.toContain(json.signingSecretKey as string);
      }
    }
  });

  it('rejects invalid and small-order public keys and duplicate directory entries', () => {
    const pub = JSON.parse(exportPublicIdentity(alice)) as Record<string, string>;
    const zero = '00'.repeat(32);
    const edIdentity = `01${'00'.repeat(31)}`; // the Ed25519 identity point (small order)
    for (const [field, value] of [
      ['signingPublicKey', edIdentity],
      ['exchangePublicKey', zero],
      ['exchangePublicKey', `01${'00'.repeat(31)}`], // u = 1, low order
      ['signingPublicKey', 'ff'.repeat(32)],
    ]) {
      expect(() => importPublicIdentity(JSON.stringify({ ...pub, [field!]: value }))).toThrow(
        LocalError,
      );
    }
    expect(() => createKeyDirectory([publicIdentityOf(alice), publicIdentityOf(alice)])).toThrow(
      /twice/,
    );
    const clone = { ...publicIdentityOf(alice), partyId: 'alice-2' };
    expect(() => createKeyDirectory([publicIdentityOf(alice), clone])).toThrow(/another party/);
  });

  it('destroyIdentity wipes the secret keys', () => {
    const id = generateIdentity('tmp');
    destroyIdentity(id);
    expect(id.signingSecretKey.every((b) => b === 0)).toBe(true);
    expect(id.exchangeSecretKey.every((b) => b === 0)).toBe(true);
  });
});

describe('secure channel: happy path', () => {
  it('delivers broadcasts and p2p envelopes byte for byte, with from = the signer', async () => {
    const a = node(alice);
    const b = node(bob);
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    const bc = env('alice', []);
    const p2p = env('alice', ['bob'], { type: 'share', payload: new Uint8Array(40).fill(7) });
    const [outerB] = await wire(a, bc);
    const [outerP] = await wire(a, p2p);
    expect(outerB!.to).toEqual([]);
    expect(outerP!.to).toEqual(['bob']);
    deliver(b, outerB!);
    deliver(b, outerP!);
    expect(col.got.map((m) => m.from)).toEqual(['alice', 'alice']);
    expect(col.got[0]!.bytes).toEqual(encodeEnvelope(bc));
    expect(col.got[1]!.bytes).toEqual(encodeEnvelope(p2p));
    expect(b.rejections).toEqual([]);
    expect(b.channel.stats().delivered).toBe(2);
  });

  it('sends one encrypted frame per recipient of a multi-recipient envelope', async () => {
    const a = node(alice);
    const e = env('alice', ['bob', 'carol'], { payload: new Uint8Array(32).fill(9) });
    const outers = await wire(a, e);
    expect(outers.map((o) => o.to)).toEqual([['bob'], ['carol']]);
    for (const [who, outer] of [
      [bob, outers[0]!],
      [carol, outers[1]!],
    ] as const) {
      const n = node(who);
      const col = collector();
      n.channel.subscribe('s-1', col.handler);
      deliver(n, outer);
      expect(decodeEnvelope(col.got[0]!.bytes).to).toEqual(['bob', 'carol']);
    }
  });

  it('p2p payloads are not readable by a third party', async () => {
    const a = node(alice);
    const secret = new TextEncoder().encode('this share is for bob only!!');
    const [outer] = await wire(a, env('alice', ['bob'], { payload: secret }));
    // Not on the wire in clear.
    expect(contains(outer!.payload, secret)).toBe(false);
    // Carol cannot make her channel accept it...
    const c = node(carol);
    const col = collector();
    c.channel.subscribe('s-1', col.handler);
    deliver(c, outer!);
    expect(col.got).toHaveLength(0);
    expect(c.rejections[0]!.reason).toBe('not-for-me');
    // ...nor decrypt it with the key she shares with alice.
    const forged = { ...outer!, to: ['carol'] };
    deliver(c, forged);
    expect(c.rejections[1]!.reason).toBe('bad-signature');
    // Broadcasts, by contrast, are only signed.
    const [bcast] = await wire(a, env('alice', [], { payload: secret }));
    expect(contains(bcast!.payload, secret)).toBe(true);
  });

  it('runs the toy protocol among 3 parties over memory + secure channel', async () => {
    const hub = createMemoryHub({ jitterMs: 3, duplicateRate: 0.2, seed: 11 });
    const rejections: SecureChannelRejection[] = [];
    const channels = [alice, bob, carol].map((identity) =>
      createSecureChannel(hub.connect(identity.partyId), {
        identity,
        directory,
        onReject: (r) => rejections.push(r),
      }),
    );
    const steps = await runOver(toyDef(), channels, 'toy-secure');
    expect([...steps.values()].map((s) => s.status)).toEqual(['done', 'done', 'done']);
    expect(new Set([...steps.values()].map((s) => s.output?.total)).size).toBe(1);
    // Network duplicates are caught as replays before they reach the parties.
    expect(rejections.every((r) => r.reason === 'replay')).toBe(true);
    expect(hub.stats().bytes).toBeGreaterThan(0);
    for (const c of channels) await c.close();
    await hub.close();
  });
});

describe('secure channel: rejections', () => {
  it('rejects a tampered signature and a tampered payload', async () => {
    const a = node(alice);
    const b = node(bob);
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    for (const to of [[], ['bob']]) {
      const [outer] = await wire(a, env('alice', to));
      const sig = outer!.payload.slice();
      sig[sig.length - 1]! ^= 0x01;
      deliver(b, { ...outer!, payload: sig });
      const body = outer!.payload.slice();
      body[40]! ^= 0x01;
      deliver(b, { ...outer!, payload: body });
      // The routing fields are signed too.
      deliver(b, { ...outer!, round: 2 });
    }
    expect(col.got).toHaveLength(0);
    expect(b.rejections.map((r) => r.reason)).toEqual(Array(6).fill('bad-signature'));
    for (const r of b.rejections) {
      expect(r.error).toBeInstanceOf(VerifyError);
      expect(r.error.code).toBe('SIGNATURE_INVALID');
      expect(r.claimedFrom).toBe('alice');
    }
  });

  it('rejects a replay, and a replay from another transport sender', async () => {
    const a = node(alice);
    const b = node(bob);
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    const [outer] = await wire(a, env('alice', ['bob']));
    deliver(b, outer!, 'alice');
    deliver(b, outer!, 'alice');
    deliver(b, outer!, 'mallory');
    expect(col.got).toHaveLength(1);
    expect(b.rejections.map((r) => r.reason)).toEqual(['replay', 'replay']);
    expect(b.rejections[0]!.error.code).toBe('UNEXPECTED_MESSAGE');
    expect(b.channel.stats().rejected.replay).toBe(2);
  });

  it('rejects an unknown sender and a sender that signs as itself for someone else', async () => {
    const b = node(bob);
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    // eve is not in bob's directory.
    const e = node(eve, { directory: createKeyDirectory([eve, bob].map(publicIdentityOf)) });
    const [fromEve] = await wire(e, env('eve', ['bob']));
    deliver(b, fromEve!);
    expect(b.rejections[0]!.reason).toBe('unknown-sender');
    expect(b.rejections[0]!.error.code).toBe('NOT_A_MEMBER');

    // mallory signs (validly, with her key) a frame whose inner envelope claims to be alice's.
    const inner = encodeEnvelope(env('alice', []));
    const forged = _sealFrame({
      context: 'test',
      routing: { ...env('mallory', []) },
      kind: 'broadcast',
      plain: inner,
      signingSecretKey: mallory.signingSecretKey,
      timestamp: Date.now(),
    });
    deliver(b, forged);
    expect(b.rejections[1]!.reason).toBe('sender-mismatch');
    expect(b.rejections[1]!.error).toBeInstanceOf(PeerError);
    expect(b.rejections[1]!.error.culprits).toEqual(['mallory']);

    // mallory signs as alice (outer from = alice) with her own key.
    const asAlice = _sealFrame({
      context: 'test',
      routing: { ...env('alice', []) },
      kind: 'broadcast',
      plain: inner,
      signingSecretKey: mallory.signingSecretKey,
      timestamp: Date.now(),
    });
    deliver(b, asAlice);
    expect(b.rejections[2]!.reason).toBe('bad-signature');

    // Inner routing differs from the signed outer routing.
    const moved = _sealFrame({
      context: 'test',
      routing: { ...env('mallory', [], { round: 3 }) },
      kind: 'broadcast',
      plain: encodeEnvelope(env('mallory', [])),
      signingSecretKey: mallory.signingSecretKey,
      timestamp: Date.now(),
    });
    deliver(b, moved);
    expect(b.rejections[3]!.reason).toBe('mismatch');
    expect(b.rejections[3]!.error.culprits).toEqual(['mallory']);
    expect(col.got).toHaveLength(0);
  });

  it('rejects a payload encrypted under the wrong key, blaming the signer', async () => {
    const b = node(bob);
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    // mallory's directory holds a wrong exchange key for bob.
    const wrongBob = {
      ...publicIdentityOf(bob),
      exchangePublicKey: x25519.getPublicKey(x25519.utils.randomSecretKey()),
    };
    const m = node(mallory, {
      directory: createKeyDirectory([publicIdentityOf(mallory), wrongBob]),
    });
    const [outer] = await wire(m, env('mallory', ['bob']));
    deliver(b, outer!);
    expect(b.rejections[0]!.reason).toBe('decrypt-failed');
    expect(b.rejections[0]!.error.culprits).toEqual(['mallory']);
    // The right key, but another context (deployment): the signature already fails.
    const other = node(alice, { context: 'other-deployment' });
    const [fromOther] = await wire(other, env('alice', ['bob']));
    deliver(b, fromOther!);
    expect(b.rejections[1]!.reason).toBe('bad-signature');
    // A correctly signed frame encrypted with a key that is not the pair key.
    const wrongKey = _pairKey('test', mallory, publicIdentityOf(carol));
    const sealed = _sealFrame({
      context: 'test',
      routing: { ...env('mallory', ['bob']) },
      kind: 'direct',
      plain: encodeEnvelope(env('mallory', ['bob'])),
      key: wrongKey,
      signingSecretKey: mallory.signingSecretKey,
      timestamp: Date.now(),
    });
    deliver(b, sealed);
    expect(b.rejections[2]!.reason).toBe('decrypt-failed');
    expect(col.got).toHaveLength(0);
  });

  it('rejects stale and future timestamps, and keeps the replay window bounded', async () => {
    let now = 1_700_000_000_000;
    const b = node(bob, {
      now: () => now,
      replay: { maxAgeMs: 60_000, maxSkewMs: 5_000, maxEntries: 2 },
    });
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    const old = node(alice, { now: () => now - 61_000 });
    const future = node(alice, { now: () => now + 6_000 });
    deliver(b, (await wire(old, env('alice', ['bob'])))[0]!);
    deliver(b, (await wire(future, env('alice', ['bob'])))[0]!);
    expect(b.rejections.map((r) => r.reason)).toEqual(['stale', 'stale']);

    const a = node(alice, { now: () => now });
    const frames: Envelope[] = [];
    for (let i = 0; i < 3; i++) {
      now += 10;
      frames.push((await wire(a, env('alice', ['bob'], { round: i + 1 })))[0]!);
    }
    for (const f of frames) deliver(b, f);
    expect(col.got).toHaveLength(3);
    // The first frame was evicted from the 2-entry cache: the floor refuses it anyway.
    deliver(b, frames[0]!);
    deliver(b, frames[2]!);
    expect(b.rejections.slice(2).map((r) => r.reason)).toEqual(['stale', 'replay']);
    expect(col.got).toHaveLength(3);
  });

  it('rejects garbage, wrong recipients and reflections without throwing', async () => {
    const a = node(alice);
    const b = node(bob);
    const col = collector();
    b.channel.subscribe('s-1', col.handler);
    deliver(b, new Uint8Array([1, 2, 3]));
    deliver(b, env('alice', [], { payload: new Uint8Array(10) }));
    deliver(b, env('alice', [], { payload: new Uint8Array(200).fill(1) }));
    const [outer] = await wire(a, env('alice', ['bob']));
    deliver(b, { ...outer!, echo: new Uint8Array(32) });
    const [bc] = await wire(a, env('alice', []));
    deliver(b, { ...bc!, to: ['bob'] });
    const own = node(bob);
    const [mine] = await wire(own, env('bob', []));
    deliver(b, mine!);
    expect(b.rejections.map((r) => r.reason)).toEqual([
      'malformed',
      'malformed',
      'malformed',
      'malformed', // outer echo
      'malformed', // broadcast frame with recipients
      'not-for-me', // own message reflected back
    ]);
    expect(col.got).toHaveLength(0);
  });

  it('reports handler errors, survives a throwing onReject, and checks its arguments', async () => {
    const errors: unknown[] = [];
    const a = node(alice);
    const b = node(bob, {
      onError: (e) => errors.push(e),
      onReject: () => {
        throw new Error('hook failure');
      },
    });
    const col = collector();
    b.channel.subscribe('s-1', () => {
      throw new Error('handler failure');
    });
    b.channel.subscribe('s-1', col.handler);
    deliver(b, (await wire(a, env('alice', [])))[0]!);
    deliver(b, new Uint8Array([0]));
    expect(col.got).toHaveLength(1);
    expect(errors).toHaveLength(1);
    await expect(a.channel.send(env('bob', []))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(a.channel.send(env('alice', ['nobody']))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(() =>
      createSecureChannel(new StubTransport('bob'), { identity: alice, directory }),
    ).toThrow(LocalError);
    expect(() => a.channel.subscribe('bad id', col.handler)).toThrow(LocalError);
  });

  it('close() wipes its key copies, closes the transport and refuses further use', async () => {
    const id = generateIdentity('alice');
    const stub = new StubTransport('alice');
    const ch = createSecureChannel(stub, {
      identity: id,
      directory: createKeyDirectory([id, bob].map(publicIdentityOf)),
    });
    await ch.send(env('alice', ['bob']));
    await ch.close();
    await ch.close();
    expect(stub.closed).toBe(true);
    expect(id.signingSecretKey.some((b) => b !== 0)).toBe(true); // the caller's copy is untouched
    await expect(ch.send(env('alice', []))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    const keep = new StubTransport('alice');
    await createSecureChannel(keep, { identity: id, directory, closeTransport: false }).close();
    expect(keep.closed).toBe(false);
  });
});
