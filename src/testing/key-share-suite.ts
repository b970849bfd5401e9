/**
 * Conformance suite for {@link KeyShareStore} implementations.
 * @module
 */
import type { KeyShareRef, KeyShareStore } from '../stores/types.js';
import {
  arr,
  codeOf,
  codesOf,
  type FactoryResult,
  type SuiteOptions,
  type TestContextLike,
  type TestRunner,
  text,
  toHarness,
  uid,
} from './runner.js';

/** How a test damages a stored record. */
export type CorruptionKind = 'tamper' | 'truncate';

/** A {@link KeyShareStore} with optional test hooks. */
export interface KeyShareStoreHarness {
  store: KeyShareStore;
  /**
   * Damages the stored record of `ref` in place: `tamper` flips a byte of the ciphertext,
   * `truncate` cuts it short. Enables the corrupt-record tests.
   */
  corrupt?(ref: KeyShareRef, how: CorruptionKind): Promise<void>;
  /** Releases what the factory opened. */
  close?(): Promise<void>;
}

/**
 * Registers the {@link KeyShareStore} conformance tests. `factory` is called once per test and
 * may return a shared store: every test uses fresh random ids.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { keyShareStoreSuite } from 'mpc-tss/testing';
 * keyShareStoreSuite({ describe, it, expect }, () => createMyKeyShareStore());
 * ```
 */
export function keyShareStoreSuite(
  t: TestRunner,
  factory: () =>
    | FactoryResult<KeyShareStore, KeyShareStoreHarness>
    | Promise<FactoryResult<KeyShareStore, KeyShareStoreHarness>>,
  opts: SuiteOptions = {},
): void {
  const { describe, it, expect } = t;
  const test = (
    name: string,
    fn: (h: KeyShareStoreHarness, ctx?: TestContextLike) => Promise<void>,
  ): void =>
    it(name, async (ctx) => {
      const h = toHarness<KeyShareStore, KeyShareStoreHarness>(await factory());
      try {
        await fn(h, ctx);
      } finally {
        await h.close?.();
      }
    });

  describe(opts.name ?? 'KeyShareStore conformance', () => {
    describe('CRUD', () => {
      test('put then get returns the same bytes; strings are stored as UTF-8', async ({
        store,
      }) => {
        const k = uid('key');
        const bytes = Uint8Array.from([0, 1, 2, 255, 128, 7]);
        await store.put(k, 'p1', bytes);
        await store.put(k, 'p2', '{"share":"ünïcødé ✓"}');
        expect(arr(await store.get(k, 'p1'))).toEqual([0, 1, 2, 255, 128, 7]);
        expect(text(await store.get(k, 'p2'))).toBe('{"share":"ünïcødé ✓"}');
      });

      test('get of a missing share is undefined', async ({ store }) => {
        expect(await store.get(uid('key'), 'nobody')).toBe(undefined);
      });

      test('an empty share and a 512 KiB share round-trip', async ({ store }) => {
        const k = uid('key');
        const big = new Uint8Array(512 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
        await store.put(k, 'empty', new Uint8Array(0));
        await store.put(k, 'big', big);
        expect(arr(await store.get(k, 'empty'))).toEqual([]);
        const got = await store.get(k, 'big');
        expect(got?.length).toBe(big.length);
        expect(Buffer.compare(Buffer.from(got!), Buffer.from(big))).toBe(0);
      });

      test('put does not overwrite unless asked (STORE_ERROR), and overwrite replaces', async ({
        store,
      }) => {
        const k = uid('key');
        await store.put(k, 'p', 'v1');
        expect(await codeOf(store.put(k, 'p', 'v2'))).toBe('STORE_ERROR');
        expect(text(await store.get(k, 'p'))).toBe('v1');
        await store.put(k, 'p', 'v3', { overwrite: true });
        expect(text(await store.get(k, 'p'))).toBe('v3');
      });

      test('overwrite of a missing share creates it', async ({ store }) => {
        const k = uid('key');
        await store.put(k, 'p', 'v', { overwrite: true });
        expect(text(await store.get(k, 'p'))).toBe('v');
      });

      test('delete removes a share and reports whether it existed', async ({ store }) => {
        const k = uid('key');
        await store.put(k, 'p', 'v');
        expect(await store.delete(k, 'p')).toBe(true);
        expect(await store.get(k, 'p')).toBe(undefined);
        expect(await store.delete(k, 'p')).toBe(false);
        await store.put(k, 'p', 'again');
        expect(text(await store.get(k, 'p'))).toBe('again');
      });

      test('returned bytes are a copy; mutating input or output does not change the store', async ({
        store,
      }) => {
        const k = uid('key');
        // A Buffer on purpose: Buffer#slice is a view, so a store must copy with care.
        const input = Buffer.from([1, 2, 3]);
        await store.put(k, 'p', input);
        expect(arr(input)).toEqual([1, 2, 3]); // not wiped by the store
        input[0] = 99;
        const out = await store.get(k, 'p');
        out![1] = 99;
        expect(arr(await store.get(k, 'p'))).toEqual([1, 2, 3]);
      });

      test('ids with separators, dots, case and unicode are distinct and round-trip', async ({
        store,
      }) => {
        const k = uid('key');
        const parties = ['a', 'A', 'a/b', '../x', 'a.b', 'a%2Fb', 'with space', 'ключ', '✓'];
        for (const p of parties) await store.put(k, p, `v:${p}`);
        await store.put(`${k}/x`, 'a', 'other-key');
        for (const p of parties) expect(text(await store.get(k, p))).toBe(`v:${p}`);
        const listed = (await store.list({ keyId: k })).map((r) => r.partyId);
        expect(listed).toEqual([...parties].sort());
        expect(await store.list({ keyId: `${k}/x` })).toEqual([{ keyId: `${k}/x`, partyId: 'a' }]);
      });
    });

    describe('list', () => {
      test('lists refs sorted by keyId then partyId, optionally filtered by key', async ({
        store,
      }) => {
        const k1 = uid('key-a');
        const k2 = `${k1}-b`;
        await store.put(k2, 'z', 'x');
        await store.put(k1, 'b', 'x');
        await store.put(k1, 'a', 'x');
        expect(await store.list({ keyId: k1 })).toEqual([
          { keyId: k1, partyId: 'a' },
          { keyId: k1, partyId: 'b' },
        ]);
        const all = (await store.list()).filter((r) => r.keyId === k1 || r.keyId === k2);
        expect(all).toEqual([
          { keyId: k1, partyId: 'a' },
          { keyId: k1, partyId: 'b' },
          { keyId: k2, partyId: 'z' },
        ]);
        expect(await store.list({ keyId: uid('none') })).toEqual([]);
      });

      test('deleted shares disappear from the list', async ({ store }) => {
        const k = uid('key');
        await store.put(k, 'a', 'x');
        await store.put(k, 'b', 'x');
        await store.delete(k, 'a');
        expect(await store.list({ keyId: k })).toEqual([{ keyId: k, partyId: 'b' }]);
      });
    });

    describe('concurrency', () => {
      test('20 concurrent first writers of one share: exactly one wins, intact', async ({
        store,
      }) => {
        const k = uid('key');
        const codes = await codesOf(
          Array.from({ length: 20 }, (_, i) => store.put(k, 'p', `writer-${i}`)),
        );
        expect(codes.filter((c) => c === 'OK').length).toBe(1);
        expect(codes.filter((c) => c === 'STORE_ERROR').length).toBe(19);
        const winner = codes.indexOf('OK');
        expect(text(await store.get(k, 'p'))).toBe(`writer-${winner}`);
      });

      test('two concurrent overwriters: the result is one of them, never a mix', async ({
        store,
      }) => {
        const k = uid('key');
        const a = 'a'.repeat(64 * 1024);
        const b = 'b'.repeat(64 * 1024);
        for (let round = 0; round < 5; round++) {
          await Promise.all([
            store.put(k, 'p', a, { overwrite: true }),
            store.put(k, 'p', b, { overwrite: true }),
          ]);
          const v = text(await store.get(k, 'p'));
          expect(v === a || v === b).toBe(true);
        }
      });

      test('concurrent writes of different shares all land', async ({ store }) => {
        const k = uid('key');
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(k, `p${i}`, `v${i}`)));
        expect((await store.list({ keyId: k })).length).toBe(20);
        for (let i = 0; i < 20; i++) expect(text(await store.get(k, `p${i}`))).toBe(`v${i}`);
      });
    });

    describe('bad input', () => {
      test('rejects empty, overlong and control-character ids with INVALID_ARGUMENT', async ({
        store,
      }) => {
        const k = uid('key');
        expect(await codeOf(store.put('', 'p', 'x'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.put(k, '', 'x'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.put(k, 'a\u0000b', 'x'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.put(k, 'x'.repeat(257), 'x'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.get(k, ''))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.delete('', 'p'))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.get(42 as unknown as string, 'p'))).toBe('INVALID_ARGUMENT');
      });

      test('rejects a share that is neither bytes nor string', async ({ store }) => {
        const k = uid('key');
        expect(await codeOf(store.put(k, 'p', 42 as unknown as string))).toBe('INVALID_ARGUMENT');
        expect(await codeOf(store.put(k, 'p', null as unknown as string))).toBe('INVALID_ARGUMENT');
        expect(await store.get(k, 'p')).toBe(undefined);
      });

      for (const how of ['tamper', 'truncate'] as const) {
        test(`a ${how}ed record gives STORE_CORRUPT and leaves the rest readable`, async (h, ctx) => {
          if (!h.corrupt) return ctx?.skip?.('the harness has no corrupt() hook');
          const { store } = h;
          const k = uid('key');
          await store.put(k, 'bad', 'secret share one');
          await store.put(k, 'good', 'secret share two');
          await h.corrupt({ keyId: k, partyId: 'bad' }, how);
          expect(await codeOf(store.get(k, 'bad'))).toBe('STORE_CORRUPT');
          expect(text(await store.get(k, 'good'))).toBe('secret share two');
          expect((await store.list({ keyId: k })).map((r) => r.partyId)).toEqual(['bad', 'good']);
          expect(await store.delete(k, 'bad')).toBe(true);
          expect(await store.get(k, 'bad')).toBe(undefined);
        });
      }
    });
  });
}
