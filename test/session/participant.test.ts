import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isMpcError, type MpcError } from '../../src/errors.js';
import { parseKeyShare, serializeKeyShare } from '../../src/keyshare.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import { verifySignature } from '../../src/protocols/ecdsa/signature.js';
import {
  CONTROL_SESSION_ID,
  type ControlMessage,
  decodeControl,
  encodeControl,
  type SignInvitation,
} from '../../src/session/control.js';
import { createCoordinator, SessionError } from '../../src/session/coordinator.js';
import {
  createParticipant,
  type Participant,
  type ParticipantEvent,
  type ParticipantOptions,
  type SessionRequest,
} from '../../src/session/participant.js';
import { runnerStoreId } from '../../src/session/runner.js';
import { createWorkerPool } from '../../src/session/worker.js';
import {
  createMemoryKeyShareStore,
  createMemoryMetadataStore,
  createMemorySessionStore,
} from '../../src/stores/memory.js';
import type { KeyShareStore } from '../../src/stores/types.js';
import { createMemoryHub, type MemoryHub } from '../../src/transport/memory.js';
import { fixturePreParams } from '../protocols/ecdsa/keygen/fixtures.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';

const NODES = ['n1', 'n2', 'n3'];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function newHub(): MemoryHub {
  const h = createMemoryHub();
  cleanups.push(() => h.close());
  return h;
}

/** Participants n1..n3 holding shares of one key, and a hand-driven coordinator endpoint. */
async function setup(o: { participant?: (id: string) => Partial<ParticipantOptions> } = {}) {
  const hub = newHub();
  const sessionStore = createMemorySessionStore();
  const keyId = `key-${randomBytes(4).toString('hex')}`;
  const shares = makeKeyShares({ n: 3, minSigners: 2, ids: NODES });
  const stores = new Map<string, KeyShareStore>();
  const events: ParticipantEvent[] = [];
  const participants = new Map<string, Participant>();
  for (const s of shares) {
    const ks = createMemoryKeyShareStore();
    await ks.put(keyId, s.self, serializeKeyShare(s));
    stores.set(s.self, ks);
    const p = createParticipant({
      transport: hub.connect(s.self),
      keyShares: ks,
      sessionStore,
      coordinators: ['coord'],
      heartbeatIntervalMs: 50,
      resendIntervalMs: 100,
      onEvent: (e) => events.push(e),
      ...o.participant?.(s.self),
    });
    await p.start();
    participants.set(s.self, p);
    cleanups.push(() => p.close());
  }
  const coord = hub.connect('coord');
  const inbox: { from: string; msg: ControlMessage }[] = [];
  coord.subscribe(CONTROL_SESSION_ID, ({ bytes, from }) => {
    inbox.push({ from, msg: decodeControl(bytes, from) });
  });
  const send = (to: string, msg: ControlMessage, from = coord) =>
    from.send(encodeControl(from.self, to, msg));
  const answers = (sessionId: string, from?: string) =>
    inbox.filter(
      (m) =>
        m.msg.type !== 'heartbeat' &&
        (m.msg.body as { sessionId: string }).sessionId === sessionId &&
        (from === undefined || m.from === from),
    );
  return {
    hub,
    sessionStore,
    keyId,
    shares,
    stores,
    events,
    participants,
    coord,
    inbox,
    send,
    answers,
    publicKey: shares[0]!.publicKey.compressed,
  };
}

function invitation(keyId: string, o: Partial<SignInvitation> = {}): SignInvitation {
  return {
    kind: 'sign',
    sessionId: `s-${randomBytes(8).toString('hex')}`,
    keyId,
    signers: ['n1', 'n2'],
    messageHash: randomBytes(32).toString('hex'),
    profile: 'native',
    timeoutMs: 10_000,
    ...o,
  };
}

describe('participant', () => {
  it('joins a signing session it is invited to, reports the result, and answers repeats idempotently', async () => {
    const t = await setup();
    const inv = invitation(t.keyId);
    await t.send('n1', { type: 'invite', body: inv });
    await t.send('n2', { type: 'invite', body: inv });
    await until(() => t.answers(inv.sessionId).filter((m) => m.msg.type === 'result').length === 2);
    const kinds = t.answers(inv.sessionId, 'n1').map((m) => m.msg.type);
    expect(kinds).toEqual(['accept', 'result']);
    const results = t.answers(inv.sessionId).filter((m) => m.msg.type === 'result');
    const sigs = results.map((m) => {
      const body = m.msg.body as { ok: boolean; signature?: { r: string; s: string } };
      expect(body.ok).toBe(true);
      return body.signature!;
    });
    expect(sigs[0]).toEqual(sigs[1]);
    expect(
      verifySignature(
        bytesToBigint(hexToBytes(sigs[0]!.r)),
        bytesToBigint(hexToBytes(sigs[0]!.s)),
        hexToBytes(inv.messageHash),
        hexToBytes(t.publicKey),
      ),
    ).toBe(true);
    // A repeated invitation (our result may have been lost) gets the same result again.
    await t.send('n1', { type: 'invite', body: inv });
    await until(() => t.answers(inv.sessionId, 'n1').length === 3);
    expect(t.answers(inv.sessionId, 'n1')[2]!.msg).toEqual(t.answers(inv.sessionId, 'n1')[1]!.msg);
    // The same session id with other parameters is refused.
    await t.send('n1', { type: 'invite', body: { ...inv, messageHash: '00'.repeat(32) } });
    await until(() => t.answers(inv.sessionId, 'n1').length === 4);
    expect(t.answers(inv.sessionId, 'n1')[3]!.msg).toMatchObject({
      type: 'decline',
      body: { code: 'SESSION_REUSED', veto: false },
    });
    // Heartbeats carry the load.
    expect(t.inbox.some((m) => m.msg.type === 'heartbeat' && m.from === 'n3')).toBe(true);
    expect(t.participants.get('n1')!.load()).toBe(0);
  });

  it('can host its parties on worker threads', async () => {
    const pool = createWorkerPool({ size: 2 });
    cleanups.push(() => pool.close());
    const t = await setup({ participant: () => ({ workers: pool }) });
    const inv = invitation(t.keyId);
    await t.send('n1', { type: 'invite', body: inv });
    await t.send('n2', { type: 'invite', body: inv });
    await until(
      () => t.answers(inv.sessionId).filter((m) => m.msg.type === 'result').length === 2,
      20_000,
    );
    const results = t.answers(inv.sessionId).filter((m) => m.msg.type === 'result');
    for (const r of results) expect(r.msg.body).toMatchObject({ ok: true });
    // Bad requests are still declined before anything reaches a worker.
    const bad = invitation(t.keyId, { messageHash: 'ff'.repeat(32) });
    await t.send('n1', { type: 'invite', body: bad });
    await until(() => t.answers(bad.sessionId).length === 1);
    expect(t.answers(bad.sessionId)[0]!.msg).toMatchObject({
      type: 'decline',
      body: { code: 'INVALID_ARGUMENT' },
    });
    expect(pool.load().reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('obeys only its coordinators', async () => {
    const t = await setup();
    const mallory = t.hub.connect('mallory');
    const inv = invitation(t.keyId);
    await t.send('n1', { type: 'invite', body: inv }, mallory);
    await until(() => t.events.some((e) => e.type === 'dropped' && e.from === 'mallory'));
    expect(t.participants.get('n1')!.running()).toEqual([]);
    expect(t.answers(inv.sessionId)).toEqual([]);
  });

  it('declines what it cannot do: not a signer, no share, busy', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const t = await setup({
      participant: (id) =>
        id === 'n3'
          ? {
              maxConcurrentSessions: 1,
              policy: async () => {
                await gate;
                return true;
              },
            }
          : {},
    });
    const notMine = invitation(t.keyId, { signers: ['n2', 'n3'] });
    await t.send('n1', { type: 'invite', body: notMine });
    const noShare = invitation('other-key', { signers: ['n1', 'n2'] });
    await t.send('n1', { type: 'invite', body: noShare });
    await until(
      () => t.answers(notMine.sessionId).length === 1 && t.answers(noShare.sessionId).length === 1,
    );
    expect(t.answers(notMine.sessionId)[0]!.msg).toMatchObject({
      type: 'decline',
      body: { code: 'INVALID_ARGUMENT' },
    });
    expect(t.answers(noShare.sessionId)[0]!.msg).toMatchObject({
      type: 'decline',
      body: { code: 'NOT_FOUND' },
    });
    const first = invitation(t.keyId, { signers: ['n1', 'n3'] });
    const second = invitation(t.keyId, { signers: ['n2', 'n3'] });
    await t.send('n3', { type: 'invite', body: first });
    await until(() => t.participants.get('n3')!.load() === 1);
    await t.send('n3', { type: 'invite', body: second });
    await until(() => t.answers(second.sessionId).length === 1);
    expect(t.answers(second.sessionId)[0]!.msg).toMatchObject({
      type: 'decline',
      body: { code: 'INVALID_STATE', message: 'busy: too many sessions' },
    });
    release();
  });

  it('asks the policy hook with the request details; a veto is declined with its reason', async () => {
    const asked: SessionRequest[] = [];
    const t = await setup({
      participant: (id) => ({
        policy: (req) => {
          asked.push(req);
          return id === 'n2' ? { allow: false, reason: 'destination not whitelisted' } : true;
        },
      }),
    });
    const inv = invitation(t.keyId, { metadata: { to: '0xabc', value: '1' } });
    await t.send('n2', { type: 'invite', body: inv });
    await until(() => t.answers(inv.sessionId).length === 1);
    expect(t.answers(inv.sessionId)[0]!.msg).toEqual({
      type: 'decline',
      body: {
        sessionId: inv.sessionId,
        code: 'CANCELLED',
        message: 'policy veto: destination not whitelisted',
        veto: true,
      },
    });
    const req = asked[0]!;
    expect(req.kind).toBe('sign');
    expect(req.coordinator).toBe('coord');
    if (req.kind === 'sign') {
      expect(Buffer.from(req.digest).toString('hex')).toBe(inv.messageHash);
      expect(req.metadata).toEqual({ to: '0xabc', value: '1' });
      expect(req.signers).toEqual(['n1', 'n2']);
    }
  });

  it('stops a session when its coordinator cancels it', async () => {
    const t = await setup();
    const inv = invitation(t.keyId);
    await t.send('n1', { type: 'invite', body: inv }); // n2 never invited: n1 waits
    await until(() => t.answers(inv.sessionId, 'n1').length === 1);
    await t.send('n1', { type: 'cancel', body: { sessionId: inv.sessionId, reason: 'stop' } });
    await until(() => t.answers(inv.sessionId, 'n1').length === 2);
    expect(t.answers(inv.sessionId, 'n1')[1]!.msg).toMatchObject({
      type: 'result',
      body: { ok: false, error: { code: 'CANCELLED' } },
    });
    // The runner's lock was released, and the snapshot of the dead session is gone.
    expect(await t.sessionStore.acquireLock(runnerStoreId('n1', inv.sessionId))).toBeDefined();
    expect(await t.sessionStore.loadSnapshot(inv.sessionId, 'n1')).toBeUndefined();
  });

  it('close() cancels running sessions and stops heartbeats', async () => {
    const t = await setup();
    const inv = invitation(t.keyId);
    await t.send('n1', { type: 'invite', body: inv });
    await until(() => t.participants.get('n1')!.load() === 1);
    await t.participants.get('n1')!.close();
    expect(t.participants.get('n1')!.load()).toBe(0);
    const beats = () => t.inbox.filter((m) => m.msg.type === 'heartbeat' && m.from === 'n1').length;
    const before = beats();
    await new Promise((r) => setTimeout(r, 200));
    expect(beats()).toBe(before);
  });

  it('runs a real keygen through a coordinator, stores its share, then signs with the new key', async () => {
    const hub = newHub();
    const metadata = createMemoryMetadataStore();
    const sessionStore = createMemorySessionStore();
    const coordinator = createCoordinator({
      transport: hub.connect('coord'),
      metadata,
      sessionStore,
      heartbeatIntervalMs: 50,
      missedHeartbeats: 200,
      resendIntervalMs: 200,
    });
    await coordinator.start();
    cleanups.push(() => coordinator.close());
    const stores = new Map<string, KeyShareStore>();
    const asked: string[] = [];
    for (const [k, id] of NODES.entries()) {
      await coordinator.registerNode({ id, endpoint: `mem://${id}`, identityKey: `k-${id}` });
      const ks = createMemoryKeyShareStore();
      stores.set(id, ks);
      const p = createParticipant({
        transport: hub.connect(id),
        keyShares: ks,
        sessionStore,
        coordinators: ['coord'],
        heartbeatIntervalMs: 50,
        preParams: () => fixturePreParams(k),
        policy: (req) => {
          asked.push(`${id}:${req.kind}`);
          return true;
        },
      });
      await p.start();
      cleanups.push(() => p.close());
    }
    await until(async () => (await coordinator.nodes()).every((n) => n.healthy));
    const key = await coordinator.keygen({
      keyId: 'k-fresh',
      n: 3,
      minSigners: 2,
      chain: 'bitcoin',
    });
    expect(key.parties).toEqual(NODES);
    const rec = await metadata.getKey('k-fresh');
    expect(rec).toMatchObject({
      status: 'active',
      publicKey: key.publicKey,
      chain: 'bitcoin',
      n: 3,
    });
    for (const id of NODES) {
      const bytes = await stores.get(id)!.get('k-fresh', id);
      const share = parseKeyShare(new TextDecoder().decode(bytes));
      expect(share.self).toBe(id);
      expect(share.publicKey.compressed).toBe(key.publicKey);
      // The finished snapshot (which holds the share too) was deleted.
      expect(await sessionStore.loadSnapshot(key.sessionId, id)).toBeUndefined();
    }
    expect(asked.filter((a) => a.endsWith(':keygen'))).toHaveLength(3);
    const types = (await metadata.listAudit({ keyId: 'k-fresh' })).map((e) => e.type);
    expect(types).toEqual(['keygen.started', 'keygen.completed']);
    const msg = new Uint8Array(randomBytes(32));
    const sig = await coordinator.sign({ keyId: 'k-fresh', messageHash: msg });
    expect(
      verifySignature(
        bytesToBigint(hexToBytes(sig.signature.r)),
        bytesToBigint(hexToBytes(sig.signature.s)),
        msg,
        hexToBytes(key.publicKey),
      ),
    ).toBe(true);
    // A second keygen under the same key id is refused by the store (the share exists).
    const err = await coordinator.keygen({ keyId: 'k-fresh', n: 3, minSigners: 2 }).catch((e) => e);
    expect(isMpcError(err)).toBe(true);
    expect((err as MpcError).code).toBe('STORE_ERROR');
  });

  it('a vetoed keygen fails the key', async () => {
    const hub = newHub();
    const metadata = createMemoryMetadataStore();
    const sessionStore = createMemorySessionStore();
    const coordinator = createCoordinator({
      transport: hub.connect('coord'),
      metadata,
      sessionStore,
      heartbeatIntervalMs: 50,
      missedHeartbeats: 100,
    });
    await coordinator.start();
    cleanups.push(() => coordinator.close());
    for (const [k, id] of NODES.entries()) {
      await coordinator.registerNode({ id, endpoint: `mem://${id}`, identityKey: `k-${id}` });
      const p = createParticipant({
        transport: hub.connect(id),
        keyShares: createMemoryKeyShareStore(),
        sessionStore,
        coordinators: ['coord'],
        heartbeatIntervalMs: 50,
        preParams: () => fixturePreParams(k),
        policy: (req) => !(req.kind === 'keygen' && id === 'n3'),
      });
      await p.start();
      cleanups.push(() => p.close());
    }
    await until(async () => (await coordinator.nodes()).every((n) => n.healthy));
    const err = await coordinator
      .keygen({ keyId: 'k-veto', parties: NODES, minSigners: 2 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(SessionError);
    expect((err as SessionError).vetoed).toBe(true);
    expect((await metadata.getKey('k-veto'))?.status).toBe('failed');
    const types = (await metadata.listAudit({ keyId: 'k-veto' })).map((e) => e.type);
    expect(types).toEqual(['keygen.started', 'keygen.failed']);
  });
});
