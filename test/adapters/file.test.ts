import { randomBytes } from 'node:crypto';
import {
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFileKeyShareStore,
  decodeFileId,
  encodeFileId,
} from '../../src/adapters/file/index.js';
import { isMpcError } from '../../src/errors.js';
import { callbackKeyProvider, staticKeyProvider } from '../../src/stores/key-provider.js';
import { keyShareStoreSuite } from '../../src/testing/index.js';

const root = await mkdtemp(join(tmpdir(), 'mpc-tss-file-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const keyProvider = staticKeyProvider(randomBytes(32));
let n = 0;
const freshDir = () => join(root, `store-${n++}`);
const posix = process.platform !== 'win32';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return isMpcError(e) ? e.code : `non-MpcError ${String(e)}`;
  }
}

keyShareStoreSuite(
  { describe, it, expect },
  () => {
    const store = createFileKeyShareStore({ dir: freshDir(), keyProvider });
    return {
      store,
      async corrupt(ref, how) {
        const path = store.pathOf(ref.keyId, ref.partyId);
        if (how === 'truncate') {
          await truncate(path, (await stat(path)).size - 5);
        } else {
          const b = await readFile(path);
          b[b.length - 20]! ^= 0x01;
          await writeFile(path, b);
        }
      },
    };
  },
  { name: 'file KeyShareStore' },
);

describe('file KeyShareStore specifics', () => {
  it('files are 0600 in a 0700 directory, one per share, no temp files left', async () => {
    const dir = freshDir();
    const store = createFileKeyShareStore({ dir, keyProvider });
    await store.put('key-1', 'alice', 'a');
    await store.put('key-1', 'bob', 'b');
    await store.put('key-1', 'bob', 'b2', { overwrite: true });
    expect((await readdir(dir)).sort()).toEqual(['key-1.alice.share', 'key-1.bob.share']);
    if (posix) {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      for (const f of await readdir(dir))
        expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    }
  });

  it('file names are encoded: no traversal, no separators, safe on case-insensitive disks', async () => {
    const dir = freshDir();
    const store = createFileKeyShareStore({ dir, keyProvider });
    await store.put('../../etc', 'passwd', 'x');
    await store.put('A/B\\C', 'Party:1', 'y');
    const names = await readdir(dir);
    expect(names.every((f) => /^[a-z0-9_%A-F.-]+$/.test(f) && !f.includes('/'))).toBe(true);
    expect(await readdir(root)).not.toContain('etc');
    expect(store.pathOf('../../etc', 'passwd').startsWith(dir)).toBe(true);
    expect(await store.list()).toEqual([
      { keyId: '../../etc', partyId: 'passwd' },
      { keyId: 'A/B\\C', partyId: 'Party:1' },
    ]);
  });

  it('encodeFileId is injective even after case folding, and decodes back', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (a, b) => {
          const ea = encodeFileId(a);
          expect(/^([a-z0-9_-]|%[0-9A-F]{2})+$/.test(ea)).toBe(true);
          expect(decodeFileId(ea)).toBe(a);
          if (a !== b) expect(ea.toLowerCase()).not.toBe(encodeFileId(b).toLowerCase());
        },
      ),
    );
    expect(decodeFileId('%61')).toBe(undefined); // non-canonical
    expect(decodeFileId('%zz')).toBe(undefined);
    expect(decodeFileId('A')).toBe(undefined);
    expect(decodeFileId('%FF')).toBe(undefined); // not UTF-8
  });

  it('ids too long for one file name are rejected up front', async () => {
    const store = createFileKeyShareStore({ dir: freshDir(), keyProvider });
    expect(await codeOf(store.put('é'.repeat(60), 'p', 'x'))).toBe('INVALID_ARGUMENT');
  });

  it('a share moved to another name does not open (ids are associated data)', async () => {
    const dir = freshDir();
    const store = createFileKeyShareStore({ dir, keyProvider });
    await store.put('k', 'alice', 'alice-share');
    await rename(store.pathOf('k', 'alice'), store.pathOf('k', 'mallory'));
    expect(await codeOf(store.get('k', 'mallory'))).toBe('STORE_CORRUPT');
  });

  it('wrong key, bad header, empty file, oversized header version: STORE_CORRUPT, no garbage', async () => {
    const dir = freshDir();
    const store = createFileKeyShareStore({ dir, keyProvider });
    await store.put('k', 'p', 'share');
    const other = createFileKeyShareStore({ dir, keyProvider: staticKeyProvider(randomBytes(32)) });
    expect(await codeOf(other.get('k', 'p'))).toBe('STORE_CORRUPT');
    const path = store.pathOf('k', 'p');
    const good = await readFile(path);
    for (const [at, v] of [
      [0, 0x00],
      [4, 0x02],
      [5, 0x07],
    ] as const) {
      const b = Buffer.from(good);
      b[at] = v;
      await writeFile(path, b);
      expect(await codeOf(store.get('k', 'p'))).toBe('STORE_CORRUPT');
    }
    await writeFile(path, Buffer.alloc(0));
    expect(await codeOf(store.get('k', 'p'))).toBe('STORE_CORRUPT');
    await writeFile(path, good.subarray(0, 33));
    expect(await codeOf(store.get('k', 'p'))).toBe('STORE_CORRUPT');
    await writeFile(path, good);
    expect(new TextDecoder().decode(await store.get('k', 'p'))).toBe('share');
  });

  it('a failed write leaves the old share intact and no temp file behind', async () => {
    const dir = freshDir();
    let fail = false;
    const flaky = callbackKeyProvider(async () => {
      if (fail) throw new Error('kms unavailable');
      return keyProvider.getKey();
    });
    const store = createFileKeyShareStore({ dir, keyProvider: flaky });
    await store.put('k', 'p', 'old');
    fail = true;
    expect(await codeOf(store.put('k', 'p', 'new', { overwrite: true }))).toBe('STORE_ERROR');
    fail = false;
    expect(new TextDecoder().decode(await store.get('k', 'p'))).toBe('old');
    expect(await readdir(dir)).toEqual(['k.p.share']);
  });

  it('a reader racing 40 overwrites always sees a complete share', async () => {
    const store = createFileKeyShareStore({ dir: freshDir(), keyProvider, fsync: false });
    const versions = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(20_000, String(i % 10)));
    await store.put('k', 'p', versions[0]!);
    let done = false;
    const seen = new Set<string>();
    const reader = (async () => {
      while (!done) {
        const v = new TextDecoder().decode(await store.get('k', 'p'));
        seen.add(v);
        expect(versions.includes(v)).toBe(true);
      }
    })();
    for (const v of versions.slice(1)) await store.put('k', 'p', v, { overwrite: true });
    done = true;
    await reader;
    expect(seen.size).toBeGreaterThan(0);
  });

  it('does not wipe or keep a reference to the caller buffer', async () => {
    const store = createFileKeyShareStore({ dir: freshDir(), keyProvider });
    const input = Buffer.from('caller-owned secret');
    await store.put('k', 'p', input);
    expect(input.toString()).toBe('caller-owned secret');
    input.fill(0);
    expect(new TextDecoder().decode(await store.get('k', 'p'))).toBe('caller-owned secret');
  });

  it('list and get on a missing directory are empty, not errors', async () => {
    const store = createFileKeyShareStore({ dir: join(root, 'never-created'), keyProvider });
    expect(await store.list()).toEqual([]);
    expect(await store.get('k', 'p')).toBe(undefined);
    expect(await store.delete('k', 'p')).toBe(false);
  });

  it('removeStaleTempFiles clears leftovers of a crashed write and ignores fresh ones', async () => {
    const dir = freshDir();
    const store = createFileKeyShareStore({ dir, keyProvider });
    await store.put('k', 'p', 'x');
    await writeFile(join(dir, '.tmp-crashed'), 'partial');
    await writeFile(join(dir, '.tmp-inflight'), 'partial');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, '.tmp-crashed'), old, old);
    expect(await store.list()).toEqual([{ keyId: 'k', partyId: 'p' }]);
    expect(await store.removeStaleTempFiles()).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.tmp-inflight', 'k.p.share']);
  });

  it('rejects missing options', () => {
    expect(() => createFileKeyShareStore({ dir: '', keyProvider })).toThrow(/INVALID_ARGUMENT/);
    expect(() => createFileKeyShareStore({ dir: root } as never)).toThrow(/INVALID_ARGUMENT/);
  });
});
