/**
 * Conformance suite for {@link SessionStore} implementations: snapshots with TTL, fenced locks,
 * the session-id reuse guard, and the presignature pool's one-winner guarantee.
 * @module
 */
import type { SessionStore } from '../stores/types.js';
import {
  arr,
  codeOf,
  codesOf,
  type FactoryResult,
  type SuiteOptions,
  sleep,
  type TestContextLike,
  type TestRunner,
  text,
  toHarness,
  uid,
} from './runner.js';

/** A {@link SessionStore} with optional test hooks. */
export interface SessionStoreHarness {
  store: SessionStore;
  /** Damages a stored snapshot in place. Enables the corrupt-snapshot test. */
  corruptSnapshot?(sessionId: string, partyId: string): Promise<void>;
  /** Releases what the factory opened. */
  close?(): Promise<void>;
}

/**
 * Registers the {@link SessionStore} conformance tests. `factory` is called once per test and
 * may return a shared store: every test uses fresh random ids.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { sessionStoreSuite } from 'mpc-tss/testing';
 * sessionStoreSuite({ describe, it, expect }, () => createMySessionStore());
 * ```
 */
export function sessionStoreSuite(
  t: TestRunner,
  factory: () =>
    | FactoryResult<SessionStore, SessionStoreHarness>
    | Promise<FactoryResult<SessionStore, SessionStoreHarness>>,
  opts: SuiteOptions = {},
): void {
  const { describe, it, expect } = t;
  const ttl = opts.ttlMs ?? 100;
  const wait = Math.ceil(ttl * 2.5);
  const test = (
    name: string,
    fn: (h: SessionStoreHarness, ctx?: TestContextLike) => Promise<void>,
  ): void =>
    it(name, async (ctx) => {
      const h = toHarness<SessionStore, SessionStoreHarness>(await factory());
      try {
        await fn(h, ctx);
      } finally {
        await h.close?.();
      }
    });

  describe(opts.name ?? 'SessionStore conformance', () => {
    describe('snapshots', () => {
      test('save, load, overwrite, delete', async ({ store }) => {
        const sid = uid('sess');
        expect(await store.loadSnapshot(sid, 'a')).toBe(undefined);
        await store.saveSnapshot(sid, 'a', Uint8Array.from([1, 2, 3]));
        await store.saveSnapshot(sid, 'b', '{"round":2}');
        expect(arr(await store.loadSnapshot(sid, 'a'))).toEqual([1, 2, 3]);
        expect(text(await store.loadSnapshot(sid, 'b'))).toBe('{"round":2}');
        await store.saveSnapshot(sid, 'a', Uint8Array.from([9]));
        expect(arr(await store.loadSnapshot(sid, 'a'))).toEqual([9]);
        expect(await store.deleteSnapshot(sid, 'a')).toBe(true);
        expect(await store.deleteSnapshot(sid, 'a')).toBe(false);
        expect(await store.loadSnapshot(sid, 'a')).toBe(undefined);
        expect(text(await store.loadSnapshot(sid, 'b'))).toBe('{"round":2}');
        expect(await store.loadSnapshot(`${sid}-other`, 'b')).toBe(undefined);
      });

      test('a large snapshot round-trips and reads are copies', async ({ store }) => {
        const sid = uid('sess');
        const big = Buffer.from(new Uint8Array(256 * 1024).map((_, i) => (i * 7) & 0xff));
        await store.saveSnapshot(sid, 'p', big);
        expect(big[0] === 0 && big[1] === 7).toBe(true); // the caller's buffer is not wiped
        big[0] = 1;
        const got = await store.loadSnapshot(sid, 'p');
        expect(got?.[0]).toBe(0);
        got![1] = 0;
        expect((await store.loadSnapshot(sid, 'p'))?.[1]).toBe(7);
        expect((await store.loadSnapshot(sid, 'p'))?.length).toBe(big.length);
      });

      test('a snapshot expires after its TTL; a rewrite renews it', async ({ store }) => {
        const sid = uid('sess');
        await store.saveSnapshot(sid, 'short', 'x', { ttlMs: ttl * 2 });
        expect(text(await store.loadSnapshot(sid, 'short'))).toBe('x');
        await store.saveSnapshot(sid, 'long', 'y', { ttlMs: 60_000 });
        await store.saveSnapshot(sid, 'renewed', 'z', { ttlMs: ttl });
        await sleep(ttl / 2);
        await store.saveSnapshot(sid, 'renewed', 'z2', { ttlMs: 60_000 });
        await sleep(wait + ttl);
        expect(await store.loadSnapshot(sid, 'short')).toBe(undefined);
        expect(text(await store.loadSnapshot(sid, 'long'))).toBe('y');
        expect(text(await store.loadSnapshot(sid, 'renewed'))).toBe('z2');
      });

      test('concurrent writers of one snapshot: the result is one of them, intact', async ({
        store,
      }) => {
        const sid = uid('sess');
        const payloads = Array.from({ length: 10 }, (_, i) => `${i}`.repeat(32 * 1024));
        await Promise.all(payloads.map((p) => store.saveSnapshot(sid, 'p', p)));
        expect(payloads.includes(text(await store.loadSnapshot(sid, 'p'))!)).toBe(true);
      });

      test('bad input is INVALID_ARGUMENT', async ({ store }) => {
        const sid = uid('sess');
        for (const ttlMs of [0, -1, 1.5, Number.NaN]) {
          expect(await codeOf(store.saveSnapshot(sid, 'p', 'x', { ttlMs }))).toBe(
            'INVALID_ARGUMENT',
          );
        }
        expect(await codeOf(store.saveSnapshot('', 'p', 'x'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.saveSnapshot(sid, 'p\n', 'x'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.saveSnapshot(sid, 'p', 7 as never))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.loadSnapshot(sid, ''))).toBe('INVALID_ARGUMENT');
        expect(await store.loadSnapshot(sid, 'p')).toBe(undefined);
      });

      test('a corrupt snapshot gives STORE_CORRUPT; others stay readable', async (h, ctx) => {
        if (!h.corruptSnapshot) return ctx?.skip?.('the harness has no corruptSnapshot() hook');
        const { store } = h;
        const sid = uid('sess');
        await store.saveSnapshot(sid, 'bad', 'secret state 1');
        await store.saveSnapshot(sid, 'good', 'secret state 2');
        await h.corruptSnapshot(sid, 'bad');
        expect(await codeOf(store.loadSnapshot(sid, 'bad'))).toBe('STORE_CORRUPT');
        expect(text(await store.loadSnapshot(sid, 'good'))).toBe('secret state 2');
        await store.saveSnapshot(sid, 'bad', 'rewritten');
        expect(text(await store.loadSnapshot(sid, 'bad'))).toBe('rewritten');
      });
    });

    describe('locks', () => {
      test('acquire, contend, release with fencing', async ({ store }) => {
        const sid = uid('sess');
        const l1 = await store.acquireLock(sid, { ttlMs: 10_000 });
        expect(l1 !== undefined && l1.sessionId === sid && l1.token.length > 0).toBe(true);
        expect(await store.acquireLock(sid)).toBe(undefined);
        expect(await store.releaseLock({ ...l1!, token: `${l1!.token}-forged` })).toBe(false);
        expect(await store.acquireLock(sid)).toBe(undefined);
        expect(await store.releaseLock(l1!)).toBe(true);
        expect(await store.releaseLock(l1!)).toBe(false);
        const l2 = await store.acquireLock(sid);
        expect(l2 !== undefined && l2.fence > l1!.fence && l2.token !== l1!.token).toBe(true);
        expect((await store.acquireLock(`${sid}-other`)) !== undefined).toBe(true);
      });

      test('20 concurrent acquirers: exactly one gets the lock', async ({ store }) => {
        const sid = uid('sess');
        const locks = await Promise.all(
          Array.from({ length: 20 }, () => store.acquireLock(sid, { ttlMs: 10_000 })),
        );
        expect(locks.filter((l) => l !== undefined).length).toBe(1);
      });

      test('a lapsed lock can be taken over; the old holder is fenced out', async ({ store }) => {
        const sid = uid('sess');
        const old = (await store.acquireLock(sid, { ttlMs: ttl }))!;
        await sleep(wait);
        const next = await store.acquireLock(sid, { ttlMs: 10_000 });
        expect(next !== undefined && next.fence > old.fence).toBe(true);
        expect(await store.releaseLock(old)).toBe(false);
        expect(await store.extendLock(old)).toBe(undefined);
        expect(await store.acquireLock(sid)).toBe(undefined);
        expect(await store.releaseLock(next!)).toBe(true);
      });

      test('extend keeps a lock alive past its first TTL', async ({ store }) => {
        const sid = uid('sess');
        const l = (await store.acquireLock(sid, { ttlMs: ttl * 4 }))!;
        await sleep(ttl);
        const ext = await store.extendLock(l, { ttlMs: 10_000 });
        expect(ext !== undefined && ext.token === l.token && ext.fence === l.fence).toBe(true);
        expect(ext!.expiresAt > l.expiresAt).toBe(true);
        await sleep(wait);
        expect(await store.acquireLock(sid)).toBe(undefined);
        expect(await store.releaseLock(ext!)).toBe(true);
      });

      test('bad lock input is INVALID_ARGUMENT', async ({ store }) => {
        expect(await codeOf(store.acquireLock(''))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.acquireLock(uid('s'), { ttlMs: 0 }))).toBe('INVALID_ARGUMENT');
        expect(
          await codeOf(
            store.releaseLock({ sessionId: uid('s'), token: '', fence: 1, expiresAt: 0 }),
          ),
        ).toBe('INVALID_ARGUMENT');
      });
    });

    describe('session ids', () => {
      test('claim once; a second claim is SESSION_REUSED', async ({ store }) => {
        const sid = uid('sess');
        await store.claimSessionId(sid);
        expect(await codeOf(store.claimSessionId(sid))).toBe('SESSION_REUSED');
        expect(await store.markSessionId(sid)).toBe(false);
      });

      test('mark records without failing; a later claim is SESSION_REUSED', async ({ store }) => {
        const sid = uid('sess');
        expect(await store.markSessionId(sid)).toBe(true);
        expect(await store.markSessionId(sid)).toBe(false);
        expect(await codeOf(store.claimSessionId(sid))).toBe('SESSION_REUSED');
      });

      test('20 concurrent claims: exactly one succeeds', async ({ store }) => {
        const sid = uid('sess');
        const codes = await codesOf(Array.from({ length: 20 }, () => store.claimSessionId(sid)));
        expect(codes.filter((c) => c === 'OK').length).toBe(1);
        expect(codes.filter((c) => c === 'SESSION_REUSED').length).toBe(19);
      });

      test('a claim with a TTL can be reclaimed after it lapses', async ({ store }) => {
        const sid = uid('sess');
        await store.claimSessionId(sid, { ttlMs: ttl });
        expect(await codeOf(store.claimSessionId(sid))).toBe('SESSION_REUSED');
        await sleep(wait);
        await store.claimSessionId(sid);
        expect(await codeOf(store.claimSessionId(sid))).toBe('SESSION_REUSED');
      });
    });

    describe('presignature pool', () => {
      test('add, count, reserve (signer order ignored), consume', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        const input = Buffer.from([1, 2]);
        await pool.add(k, [
          { id: uid('ps'), signers: ['a', 'b'], data: input },
          { id: uid('ps'), signers: ['a', 'c'], data: 'ac' },
        ]);
        expect(arr(input)).toEqual([1, 2]);
        expect(await pool.count(k, ['b', 'a'])).toBe(1);
        expect(await pool.count(k, ['a', 'b', 'c'])).toBe(0);
        expect(await pool.reserve(k, ['a', 'b', 'c'])).toBe(undefined);
        expect(await pool.reserve(uid('key'), ['a', 'b'])).toBe(undefined);
        const r = (await pool.reserve(k, ['b', 'a']))!;
        expect([r.keyId, r.signers, arr(r.data)]).toEqual([k, ['a', 'b'], [1, 2]]);
        expect(r.token.length > 0 && r.leaseUntil > Date.now()).toBe(true);
        expect(await pool.count(k, ['a', 'b'])).toBe(0);
        expect(await pool.reserve(k, ['a', 'b'])).toBe(undefined);
        await pool.consume(r);
        expect(await codeOf(pool.consume(r))).toBe('PRESIGNATURE_USED');
        expect(text((await pool.reserve(k, ['c', 'a']))?.data)).toBe('ac');
      });

      test('presignatures are handed out in insertion order', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        const ids = [uid('ps1'), uid('ps2'), uid('ps3')];
        for (const id of ids) await pool.add(k, [{ id, signers: ['a', 'b'], data: id }]);
        const got = [];
        for (let i = 0; i < 3; i++) got.push((await pool.reserve(k, ['a', 'b']))!.id);
        expect(got).toEqual(ids);
      });

      test('reserve racing from 20 callers over 1 presignature: exactly one winner', async ({
        store,
      }) => {
        const pool = store.presignatures;
        const k = uid('key');
        await pool.add(k, [{ id: uid('ps'), signers: ['a', 'b'], data: 'only' }]);
        const rs = await Promise.all(Array.from({ length: 20 }, () => pool.reserve(k, ['a', 'b'])));
        const winners = rs.filter((r) => r !== undefined);
        expect(winners.length).toBe(1);
        expect(text(winners[0]!.data)).toBe('only');
      });

      test('reserve racing from 20 callers over 5 presignatures: 5 winners, all distinct', async ({
        store,
      }) => {
        const pool = store.presignatures;
        const k = uid('key');
        await pool.add(
          k,
          Array.from({ length: 5 }, (_, i) => ({
            id: uid(`ps${i}`),
            signers: ['x', 'y'],
            data: `${i}`,
          })),
        );
        const rs = await Promise.all(Array.from({ length: 20 }, () => pool.reserve(k, ['y', 'x'])));
        const winners = rs.filter((r) => r !== undefined);
        expect(winners.length).toBe(5);
        expect(new Set(winners.map((w) => w.id)).size).toBe(5);
        expect(new Set(winners.map((w) => text(w.data))).size).toBe(5);
        const consumed = await codesOf(winners.map((w) => pool.consume(w)));
        expect(consumed).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
        expect(await pool.count(k, ['x', 'y'])).toBe(0);
      });

      test('concurrent consumes of one reservation: exactly one succeeds', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        await pool.add(k, [{ id: uid('ps'), signers: ['a', 'b'], data: 'd' }]);
        const r = (await pool.reserve(k, ['a', 'b']))!;
        const codes = await codesOf(Array.from({ length: 10 }, () => pool.consume(r)));
        expect(codes.filter((c) => c === 'OK').length).toBe(1);
        expect(codes.filter((c) => c === 'PRESIGNATURE_USED').length).toBe(9);
      });

      test('consume and release are fenced on the token', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        const id = uid('ps');
        await pool.add(k, [{ id, signers: ['a', 'b'], data: 'd' }]);
        const r = (await pool.reserve(k, ['a', 'b']))!;
        const forged = { id, token: `${r.token}-forged` };
        expect(await codeOf(pool.consume(forged))).toBe('PRESIGNATURE_USED');
        expect(await pool.release(forged)).toBe(false);
        expect(await pool.release(r)).toBe(true);
        expect(await pool.release(r)).toBe(false);
        expect(await codeOf(pool.consume(r))).toBe('PRESIGNATURE_USED');
        const again = (await pool.reserve(k, ['a', 'b']))!;
        expect(again.id === id && again.token !== r.token).toBe(true);
        await pool.consume(again);
        expect(await codeOf(pool.consume({ id: uid('ps-unknown'), token: 't' }))).toBe('NOT_FOUND');
      });

      test('a used id can never be added again; a pooled id is STORE_ERROR', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        const id = uid('ps');
        await pool.add(k, [{ id, signers: ['a', 'b'], data: 'd' }]);
        expect(await codeOf(pool.add(k, [{ id, signers: ['a', 'b'], data: 'd' }]))).toBe(
          'STORE_ERROR',
        );
        await pool.consume((await pool.reserve(k, ['a', 'b']))!);
        expect(await codeOf(pool.add(k, [{ id, signers: ['a', 'b'], data: 'd' }]))).toBe(
          'PRESIGNATURE_USED',
        );
        expect(await codeOf(pool.add(uid('key'), [{ id, signers: ['q'], data: 'd' }]))).toBe(
          'PRESIGNATURE_USED',
        );
        expect(await pool.reserve(k, ['a', 'b'])).toBe(undefined);
      });

      test('a presignature past its TTL is never handed out; expire() drops it', async ({
        store,
      }) => {
        const pool = store.presignatures;
        const k = uid('key');
        await pool.add(k, [
          { id: uid('short'), signers: ['a', 'b'], data: 'short', ttlMs: ttl },
          { id: uid('long'), signers: ['a', 'b'], data: 'long', ttlMs: 60_000 },
        ]);
        await sleep(wait);
        expect(await pool.count(k, ['a', 'b'])).toBe(1);
        expect((await pool.expire()) >= 1).toBe(true);
        const r = await pool.reserve(k, ['a', 'b']);
        expect(text(r?.data)).toBe('long');
        expect(await pool.reserve(k, ['a', 'b'])).toBe(undefined);
      });

      test('a lapsed reservation is burned, never handed out again', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        const id = uid('ps');
        await pool.add(k, [{ id, signers: ['a', 'b'], data: 'd' }]);
        const r = (await pool.reserve(k, ['a', 'b'], { leaseMs: ttl }))!;
        expect(r.leaseUntil <= Date.now() + ttl + 1000).toBe(true);
        await sleep(wait);
        expect(await pool.reserve(k, ['a', 'b'])).toBe(undefined);
        await pool.expire();
        expect(await codeOf(pool.consume(r))).toBe('PRESIGNATURE_USED');
        expect(await pool.release(r)).toBe(false);
        expect(await pool.reserve(k, ['a', 'b'])).toBe(undefined);
        expect(await codeOf(pool.add(k, [{ id, signers: ['a', 'b'], data: 'd' }]))).toBe(
          'PRESIGNATURE_USED',
        );
      });

      test('consume after the lease lapsed (before any sweep) is PRESIGNATURE_USED', async ({
        store,
      }) => {
        const pool = store.presignatures;
        const k = uid('key');
        await pool.add(k, [{ id: uid('ps'), signers: ['a', 'b'], data: 'd' }]);
        const r = (await pool.reserve(k, ['a', 'b'], { leaseMs: ttl }))!;
        await sleep(wait);
        expect(await codeOf(pool.consume(r))).toBe('PRESIGNATURE_USED');
        expect(await pool.reserve(k, ['a', 'b'])).toBe(undefined);
      });

      test('bad pool input is INVALID_ARGUMENT', async ({ store }) => {
        const pool = store.presignatures;
        const k = uid('key');
        const bad = [
          [{ id: '', signers: ['a'], data: 'd' }],
          [{ id: 'x', signers: [], data: 'd' }],
          [{ id: 'x', signers: ['a', 'a'], data: 'd' }],
          [{ id: 'x', signers: ['a'], data: 5 }],
          [{ id: 'x', signers: ['a'], data: 'd', ttlMs: 0 }],
          [
            { id: 'x', signers: ['a'], data: 'd' },
            { id: 'x', signers: ['a'], data: 'd' },
          ],
        ];
        for (const items of bad) {
          expect(await codeOf(pool.add(k, items as never))).toBe('INVALID_ARGUMENT');
        }
        expect(await pool.count(k, ['a'])).toBe(0);
        expect(await codeOf(pool.reserve(k, []))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(pool.reserve(k, ['a', 'a']))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(pool.reserve(k, ['a'], { leaseMs: -5 }))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(pool.reserve('', ['a']))).toBe('INVALID_ARGUMENT');
      });
    });
  });
}
