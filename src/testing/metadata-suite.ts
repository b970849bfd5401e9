/**
 * Conformance suite for {@link MetadataStore} implementations.
 * @module
 */
import type { MetadataStore, NewKeyRecord } from '../stores/types.js';
import {
  codeOf,
  codesOf,
  type FactoryResult,
  methodNames,
  type SuiteOptions,
  sleep,
  type TestContextLike,
  type TestRunner,
  toHarness,
  uid,
} from './runner.js';

/** Which kind of metadata record a corruption hook damages. */
export type MetadataRecordKind = 'key' | 'node' | 'signingSession';

/** A {@link MetadataStore} with optional test hooks. */
export interface MetadataStoreHarness {
  store: MetadataStore;
  /**
   * Replaces the stored record with something the store cannot decode (bad JSON, wrong types,
   * unknown status, ...). Enables the corrupt-record tests. A damaged record stays behind, so
   * a harness that shares one store between tests should remove it in `close()`.
   */
  corrupt?(kind: MetadataRecordKind, id: string): Promise<void>;
  /** Releases what the factory opened. */
  close?(): Promise<void>;
}

const key = (id: string, extra: Partial<NewKeyRecord> = {}): NewKeyRecord => ({
  id,
  curve: 'secp256k1',
  minSigners: 2,
  parties: ['alice', 'bob', 'carol'],
  ...extra,
});

/**
 * Registers the {@link MetadataStore} conformance tests. `factory` is called once per test and
 * may return a shared store: every test uses fresh random ids and filters on them.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { metadataStoreSuite } from 'mpc-tss/testing';
 * metadataStoreSuite({ describe, it, expect }, () => createMyMetadataStore());
 * ```
 */
export function metadataStoreSuite(
  t: TestRunner,
  factory: () =>
    | FactoryResult<MetadataStore, MetadataStoreHarness>
    | Promise<FactoryResult<MetadataStore, MetadataStoreHarness>>,
  opts: SuiteOptions = {},
): void {
  const { describe, it, expect } = t;
  const test = (
    name: string,
    fn: (h: MetadataStoreHarness, ctx?: TestContextLike) => Promise<void>,
  ): void =>
    it(name, async (ctx) => {
      const h = toHarness<MetadataStore, MetadataStoreHarness>(await factory());
      try {
        await fn(h, ctx);
      } finally {
        await h.close?.();
      }
    });

  describe(opts.name ?? 'MetadataStore conformance', () => {
    describe('keys', () => {
      test('create, get, update and read back', async ({ store }) => {
        const id = uid('key');
        const before = Date.now();
        const created = await store.createKey(key(id, { chain: 'bitcoin' }));
        expect(created.status).toBe('pending');
        expect(created.n).toBe(3);
        expect(created.createdAt >= before - 5000 && created.createdAt <= Date.now() + 5000).toBe(
          true,
        );
        expect(await store.getKey(id)).toEqual(created);
        const updated = await store.updateKey(id, {
          status: 'active',
          publicKey: '02'.padEnd(66, 'ab'),
          address: 'bc1qexample',
        });
        expect(updated.status).toBe('active');
        expect(updated.publicKey).toBe('02'.padEnd(66, 'ab'));
        expect(updated.chain).toBe('bitcoin');
        expect(updated.createdAt).toBe(created.createdAt);
        expect(updated.updatedAt >= created.updatedAt).toBe(true);
        expect(await store.getKey(id)).toEqual(updated);
        const cleared = await store.updateKey(id, { address: null });
        expect(cleared.address).toBe(undefined);
        expect('address' in cleared).toBe(false);
        expect(await store.getKey(id)).toEqual(cleared);
      });

      test('a reshare patch replaces parties and recomputes n', async ({ store }) => {
        const id = uid('key');
        await store.createKey(key(id));
        const r = await store.updateKey(id, {
          parties: ['p1', 'p2', 'p3', 'p4', 'p5'],
          minSigners: 3,
        });
        expect([r.n, r.minSigners]).toEqual([5, 3]);
        expect((await store.getKey(id))?.parties).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      });

      test('missing keys: get is undefined, update is NOT_FOUND', async ({ store }) => {
        const id = uid('key');
        expect(await store.getKey(id)).toBe(undefined);
        expect(await codeOf(store.updateKey(id, { status: 'active' }))).toBe('NOT_FOUND');
      });

      test('duplicate ids are rejected with STORE_ERROR', async ({ store }) => {
        const id = uid('key');
        await store.createKey(key(id));
        expect(await codeOf(store.createKey(key(id, { curve: 'ed25519' })))).toBe('STORE_ERROR');
        expect((await store.getKey(id))?.curve).toBe('secp256k1');
      });

      test('list filters by status, curve, chain and party, sorted by id', async ({ store }) => {
        const p = uid('party');
        const a = uid('k-a');
        const b = `${a}-b`;
        const c = `${a}-c`;
        await store.createKey(key(c, { parties: [p, 'x'], minSigners: 2, chain: 'ethereum:1' }));
        await store.createKey(key(a, { parties: [p, 'y', 'z'], status: 'active' }));
        await store.createKey(key(b, { parties: [p, 'y', 'z'], curve: 'ed25519' }));
        await store.createKey(key(uid('k-other')));
        const ids = async (f: Parameters<MetadataStore['listKeys']>[0]) =>
          (await store.listKeys({ partyId: p, ...f })).map((k) => k.id);
        expect(await ids({})).toEqual([a, b, c]);
        expect(await ids({ status: 'active' })).toEqual([a]);
        expect(await ids({ curve: 'ed25519' })).toEqual([b]);
        expect(await ids({ chain: 'ethereum:1' })).toEqual([c]);
        expect(await ids({ limit: 2 })).toEqual([a, b]);
        const all = (await store.listKeys({ limit: 10_000 })).map((k) => k.id);
        expect([a, b, c].every((id) => all.includes(id))).toBe(true);
      });

      test('returned records are copies', async ({ store }) => {
        const id = uid('key');
        const created = await store.createKey(key(id));
        created.parties.push('mallory');
        const got = await store.getKey(id);
        got!.parties[0] = 'mallory';
        got!.status = 'retired';
        expect(await store.getKey(id)).toEqual({ ...created, parties: ['alice', 'bob', 'carol'] });
      });

      test('bad key input is INVALID_ARGUMENT and stores nothing', async ({ store }) => {
        const id = uid('key');
        const bad: NewKeyRecord[] = [
          key(id, { minSigners: 4 }),
          key(id, { minSigners: 0 }),
          key(id, { minSigners: -1 }),
          key(id, { minSigners: 1.5 }),
          key(id, { parties: [] }),
          key(id, { parties: ['a', 'a'] }),
          key(id, { parties: ['a', ''] }),
          key(id, { status: 'bogus' as never }),
          key(id, { curve: '' }),
          key(''),
        ];
        for (const input of bad) {
          expect(await codeOf(store.createKey(input))).toBe('INVALID_ARGUMENT');
        }
        expect(await store.getKey(id)).toBe(undefined);
        await store.createKey(key(id));
        expect(await codeOf(store.updateKey(id, { minSigners: 4 }))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.updateKey(id, { parties: ['solo'] }))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.updateKey(id, { status: 'nope' as never }))).toBe(
          'INVALID_ARGUMENT',
        );
        expect((await store.getKey(id))?.minSigners).toBe(2);
        expect((await store.getKey(id))?.n).toBe(3);
      });
    });

    describe('nodes', () => {
      test('upsert registers and updates, keeping createdAt', async ({ store }) => {
        const id = uid('node');
        const n1 = await store.upsertNode({
          id,
          endpoint: 'grpc://n1:7443',
          identityKey: 'aa'.repeat(32),
          capabilities: ['ecdsa', 'gg20'],
        });
        expect(n1.status).toBe('online');
        expect(n1.lastSeen).toBe(undefined);
        await sleep(5);
        const n2 = await store.upsertNode({ id, endpoint: 'grpc://n1:7444', identityKey: 'bb' });
        expect(n2.createdAt).toBe(n1.createdAt);
        expect(n2.capabilities).toEqual(['ecdsa', 'gg20']);
        expect(n2.endpoint).toBe('grpc://n1:7444');
        expect(await store.getNode(id)).toEqual(n2);
      });

      test('touch records a heartbeat; update and delete', async ({ store }) => {
        const id = uid('node');
        await store.upsertNode({ id, endpoint: 'e', identityKey: 'k' });
        const before = Date.now();
        const t1 = await store.touchNode(id);
        expect(t1.lastSeen !== undefined && t1.lastSeen >= before - 5000).toBe(true);
        const t2 = await store.touchNode(id, 'draining');
        expect(t2.status).toBe('draining');
        const u = await store.updateNode(id, { capabilities: ['frost'], lastSeen: null });
        expect(u.capabilities).toEqual(['frost']);
        expect(u.lastSeen).toBe(undefined);
        expect(await store.getNode(id)).toEqual(u);
        expect(await store.deleteNode(id)).toBe(true);
        expect(await store.deleteNode(id)).toBe(false);
        expect(await store.getNode(id)).toBe(undefined);
        expect(await codeOf(store.touchNode(id))).toBe('NOT_FOUND');
        expect(await codeOf(store.updateNode(id, { status: 'offline' }))).toBe('NOT_FOUND');
      });

      test('list filters by status, capability and seenSince', async ({ store }) => {
        const cap = uid('cap');
        const a = uid('node-a');
        const b = `${a}-b`;
        const c = `${a}-c`;
        await store.upsertNode({ id: a, endpoint: 'e', identityKey: 'k', capabilities: [cap] });
        await store.upsertNode({
          id: b,
          endpoint: 'e',
          identityKey: 'k',
          capabilities: [cap, 'x'],
          status: 'offline',
          lastSeen: 1000,
        });
        await store.upsertNode({ id: c, endpoint: 'e', identityKey: 'k', capabilities: ['x'] });
        await store.touchNode(a);
        const ids = async (f: Parameters<MetadataStore['listNodes']>[0]) =>
          (await store.listNodes({ capability: cap, ...f })).map((n) => n.id);
        expect(await ids({})).toEqual([a, b]);
        expect(await ids({ status: 'offline' })).toEqual([b]);
        expect(await ids({ seenSince: Date.now() - 60_000 })).toEqual([a]);
        expect(await ids({ seenSince: 0 })).toEqual([a, b]);
      });

      test('bad node input is INVALID_ARGUMENT', async ({ store }) => {
        const id = uid('node');
        for (const bad of [
          { id, endpoint: '', identityKey: 'k' },
          { id, endpoint: 'e', identityKey: '' },
          { id, endpoint: 'e', identityKey: 'k', status: 'zombie' },
          { id, endpoint: 'e', identityKey: 'k', capabilities: ['a', 'a'] },
          { id: '', endpoint: 'e', identityKey: 'k' },
        ]) {
          expect(await codeOf(store.upsertNode(bad as never))).toBe('INVALID_ARGUMENT');
        }
        expect(await store.getNode(id)).toBe(undefined);
      });
    });

    describe('signing sessions', () => {
      test('create, update with signature, get', async ({ store }) => {
        const id = uid('sess');
        const k = uid('key');
        const s = await store.createSigningSession({
          id,
          keyId: k,
          protocol: 'gg20',
          participants: ['alice', 'bob'],
          messageHash: 'ab'.repeat(32),
        });
        expect(s.status).toBe('pending');
        expect(s.signature).toBe(undefined);
        await store.updateSigningSession(id, { status: 'running' });
        const done = await store.updateSigningSession(id, {
          status: 'completed',
          signature: 'cd'.repeat(32),
        });
        expect(done.signature).toBe('cd'.repeat(32));
        expect(done.participants).toEqual(['alice', 'bob']);
        expect(await store.getSigningSession(id)).toEqual(done);
        const failed = await store.updateSigningSession(id, {
          status: 'failed',
          signature: null,
          error: 'timeout: carol',
        });
        expect(failed.signature).toBe(undefined);
        expect(await store.getSigningSession(id)).toEqual(failed);
      });

      test('a reused session id is SESSION_REUSED; missing ones NOT_FOUND', async ({ store }) => {
        const id = uid('sess');
        const input = {
          id,
          keyId: 'k',
          protocol: 'gg18',
          participants: ['a', 'b'],
          messageHash: '00',
        };
        await store.createSigningSession(input);
        expect(await codeOf(store.createSigningSession(input))).toBe('SESSION_REUSED');
        expect(await store.getSigningSession(uid('none'))).toBe(undefined);
        expect(await codeOf(store.updateSigningSession(uid('none'), { status: 'failed' }))).toBe(
          'NOT_FOUND',
        );
      });

      test('list filters by key, status and protocol, oldest first', async ({ store }) => {
        const k = uid('key');
        const mk = async (id: string, protocol: string) =>
          store.createSigningSession({
            id,
            keyId: k,
            protocol,
            participants: ['a', 'b'],
            messageHash: '11',
          });
        const s1 = uid('s1');
        const s2 = uid('s2');
        const s3 = uid('s3');
        await mk(s1, 'gg18');
        await sleep(3);
        await mk(s2, 'gg20');
        await sleep(3);
        await mk(s3, 'gg20');
        await store.createSigningSession({
          id: uid('s-other'),
          keyId: uid('key'),
          protocol: 'gg20',
          participants: ['a', 'b'],
          messageHash: '11',
        });
        await store.updateSigningSession(s2, { status: 'completed', signature: 'ff' });
        const ids = async (f: Parameters<MetadataStore['listSigningSessions']>[0]) =>
          (await store.listSigningSessions({ keyId: k, ...f })).map((s) => s.id);
        expect(await ids({})).toEqual([s1, s2, s3]);
        expect(await ids({ protocol: 'gg20' })).toEqual([s2, s3]);
        expect(await ids({ status: 'completed' })).toEqual([s2]);
        expect(await ids({ limit: 1 })).toEqual([s1]);
      });

      test('bad session input is INVALID_ARGUMENT', async ({ store }) => {
        const id = uid('sess');
        const ok = { id, keyId: 'k', protocol: 'gg20', participants: ['a'], messageHash: '00' };
        for (const bad of [
          { ...ok, participants: [] },
          { ...ok, participants: ['a', 'a'] },
          { ...ok, messageHash: '' },
          { ...ok, status: 'weird' },
          { ...ok, keyId: '' },
        ]) {
          expect(await codeOf(store.createSigningSession(bad as never))).toBe('INVALID_ARGUMENT');
        }
        expect(await store.getSigningSession(id)).toBe(undefined);
      });
    });

    describe('audit log', () => {
      test('append assigns increasing seq and a timestamp; list returns them in order', async ({
        store,
      }) => {
        const sid = uid('sess');
        const node = uid('node');
        const e1 = await store.appendAudit({ type: 'sign.started', sessionId: sid, nodeId: node });
        const e2 = await store.appendAudit({
          type: 'sign.completed',
          sessionId: sid,
          keyId: 'k',
          actor: 'coordinator-1',
          data: { signers: ['a', 'b'], ms: 812, ok: true, note: null },
        });
        expect(e2.seq > e1.seq).toBe(true);
        expect(Math.abs(e1.at - Date.now()) < 60_000).toBe(true);
        expect(await store.listAudit({ sessionId: sid })).toEqual([e1, e2]);
        expect(e2.data).toEqual({ signers: ['a', 'b'], ms: 812, ok: true, note: null });
      });

      test('filters by node, session, key, type; pages with afterSeq and limit', async ({
        store,
      }) => {
        const sid = uid('sess');
        const node = uid('node');
        const events = [];
        for (let i = 0; i < 6; i++) {
          events.push(
            await store.appendAudit({
              type: i % 2 ? 'odd' : 'even',
              sessionId: sid,
              ...(i < 3 ? { nodeId: node } : {}),
              ...(i === 5 ? { keyId: sid } : {}),
            }),
          );
        }
        const seqs = (xs: { seq: number }[]) => xs.map((e) => e.seq);
        expect(seqs(await store.listAudit({ nodeId: node }))).toEqual(seqs(events.slice(0, 3)));
        expect(seqs(await store.listAudit({ sessionId: sid, type: 'odd' }))).toEqual(
          seqs([events[1]!, events[3]!, events[5]!]),
        );
        expect(seqs(await store.listAudit({ keyId: sid }))).toEqual([events[5]!.seq]);
        const page1 = await store.listAudit({ sessionId: sid, limit: 4 });
        const page2 = await store.listAudit({ sessionId: sid, afterSeq: page1.at(-1)!.seq });
        expect(seqs([...page1, ...page2])).toEqual(seqs(events));
      });

      test('is append-only: no method can change or remove an event, reads are copies', async ({
        store,
      }) => {
        const auditMethods = methodNames(store).filter((m) => /audit/i.test(m));
        expect(auditMethods).toEqual(['appendAudit', 'listAudit']);
        const sid = uid('sess');
        const ev = await store.appendAudit({ type: 't', sessionId: sid, data: { a: 1 } });
        const [got] = await store.listAudit({ sessionId: sid });
        (got!.data as { a: number }).a = 2;
        got!.type = 'forged';
        ev.type = 'forged';
        expect(await store.listAudit({ sessionId: sid })).toEqual([
          { ...ev, type: 't', data: { a: 1 } },
        ]);
      });

      test('20 concurrent appends get 20 distinct seqs', async ({ store }) => {
        const sid = uid('sess');
        const evs = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.appendAudit({ type: 'burst', sessionId: sid, data: { i } }),
          ),
        );
        expect(new Set(evs.map((e) => e.seq)).size).toBe(20);
        const listed = await store.listAudit({ sessionId: sid });
        expect(listed.length).toBe(20);
        const seqs = listed.map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      });

      test('bad events are INVALID_ARGUMENT', async ({ store }) => {
        const sid = uid('sess');
        expect(await codeOf(store.appendAudit({ type: '' }))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.appendAudit({ type: 't', sessionId: '' }))).toBe(
          'INVALID_ARGUMENT',
        );
        expect(
          await codeOf(store.appendAudit({ type: 't', sessionId: sid, data: { n: 1n } as never })),
        ).toBe('INVALID_ARGUMENT');
        expect(
          await codeOf(store.appendAudit({ type: 't', sessionId: sid, data: [1] as never })),
        ).toBe('INVALID_ARGUMENT');
        expect(await store.listAudit({ sessionId: sid })).toEqual([]);
      });
    });

    describe('concurrency', () => {
      test('concurrent creates of one key: exactly one wins', async ({ store }) => {
        const id = uid('key');
        const codes = await codesOf(
          Array.from({ length: 10 }, (_, i) => store.createKey(key(id, { chain: `c${i}` }))),
        );
        expect(codes.filter((c) => c === 'OK').length).toBe(1);
        expect(codes.filter((c) => c === 'STORE_ERROR').length).toBe(9);
      });

      test('two writers patching different fields: both changes persist', async ({ store }) => {
        const id = uid('key');
        await store.createKey(key(id));
        for (let i = 0; i < 5; i++) {
          await Promise.all([
            store.updateKey(id, { status: i % 2 ? 'active' : 'disabled' }),
            store.updateKey(id, { address: `addr-${i}` }),
            store.updateKey(id, { chain: `chain-${i}` }),
          ]);
          const k = await store.getKey(id);
          expect([k?.status, k?.address, k?.chain]).toEqual([
            i % 2 ? 'active' : 'disabled',
            `addr-${i}`,
            `chain-${i}`,
          ]);
        }
      });
    });

    describe('corrupt records', () => {
      for (const kind of ['key', 'node', 'signingSession'] as const) {
        test(`a corrupt ${kind} gives STORE_CORRUPT; its neighbours stay readable`, async (h, ctx) => {
          if (!h.corrupt) return ctx?.skip?.('the harness has no corrupt() hook');
          const { store } = h;
          const bad = uid(kind);
          const good = `${bad}-good`;
          const mkSession = (id: string) =>
            store.createSigningSession({
              id,
              keyId: 'k',
              protocol: 'gg20',
              participants: ['a', 'b'],
              messageHash: '00',
            });
          const mkNode = (id: string) => store.upsertNode({ id, endpoint: 'e', identityKey: 'k' });
          const make = { key: (id: string) => store.createKey(key(id)), node: mkNode };
          const get = {
            key: (id: string) => store.getKey(id),
            node: (id: string) => store.getNode(id),
            signingSession: (id: string) => store.getSigningSession(id),
          }[kind];
          await (kind === 'signingSession' ? mkSession(bad) : make[kind](bad));
          await (kind === 'signingSession' ? mkSession(good) : make[kind](good));
          await h.corrupt(kind, bad);
          expect(await codeOf(get(bad))).toBe('STORE_CORRUPT');
          expect((await get(good))?.id).toBe(good);
        });
      }
    });
  });
}
