/**
 * `mpc-tss/file`: a {@link KeyShareStore} on the local filesystem.
 *
 * - One file per share, `<keyId>.<partyId>.share`, each id percent-encoded so that only
 *   `[a-z0-9_-]` appear literally. Names are safe on case-insensitive filesystems, cannot
 *   traverse directories, and decode back to the ids for `list()`.
 * - Each file is a sealed record (see the envelope format in `docs/stores.md`): AES-256-GCM with
 *   a key from a {@link KeyProvider}, a random 96-bit nonce, a versioned header, and keyId and
 *   partyId bound as associated data. A tampered, truncated, or moved file fails with
 *   `STORE_CORRUPT`, never garbage.
 * - Writes are atomic: a temporary file in the same directory is written, fsynced and then
 *   renamed over the target (or hard-linked, which fails if the target exists, for a write that
 *   must not overwrite); then the directory is fsynced. Files have mode 0600, the directory
 *   0700.
 *
 * Back up the directory and, separately, the key: neither is useful without the other.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  constants,
  copyFile,
  link,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { LocalError } from '../../errors.js';
import { zeroize } from '../../math/bigint.js';
import { MAX_RECORD_BYTES, sealWith, unsealWith } from '../../stores/envelope.js';
import type {
  KeyProvider,
  KeySharePutOptions,
  KeyShareRef,
  KeyShareStore,
} from '../../stores/types.js';
import { checkId, compareRefs, corrupt, payloadBytes, storeError } from '../../stores/validate.js';

/** Options of {@link createFileKeyShareStore}. */
export interface FileKeyShareStoreOptions {
  /** Directory holding the share files; created with mode 0700 on first write. */
  dir: string;
  /** Source of the 32-byte encryption key. */
  keyProvider: KeyProvider;
  /**
   * fsync each file and the directory after writes and deletes (default `true`). Turning it off
   * trades durability on power loss for speed; atomicity is kept either way.
   */
  fsync?: boolean;
}

/** A {@link KeyShareStore} on the filesystem, with housekeeping helpers. */
export interface FileKeyShareStore extends KeyShareStore {
  /** The directory holding the share files. */
  readonly dir: string;
  /** The path of the file holding a share (whether or not it exists). */
  pathOf(keyId: string, partyId: string): string;
  /**
   * Removes temporary files left by writes interrupted by a crash (default: older than 1 min).
   * Returns how many were removed.
   */
  removeStaleTempFiles(olderThanMs?: number): Promise<number>;
}

const SUFFIX = '.share';
const TMP_PREFIX = '.tmp-';
const MAX_NAME_BYTES = 255;
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

function isLiteral(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x2d;
}

/** Percent-encodes an id: `[a-z0-9_-]` stay, every other UTF-8 byte becomes `%XX`. */
export function encodeFileId(id: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(id)) {
    out += isLiteral(b)
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of {@link encodeFileId}; `undefined` for anything it would not have produced. */
export function decodeFileId(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      const b = Number.parseInt(hex, 16);
      if (isLiteral(b)) return undefined; // not canonical
      bytes.push(b);
      i += 2;
    } else if (isLiteral(c)) bytes.push(c);
    else return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

class FileStore implements FileKeyShareStore {
  readonly dir: string;
  readonly #kp: KeyProvider;
  readonly #fsync: boolean;

  constructor(opts: FileKeyShareStoreOptions) {
    if (typeof opts?.dir !== 'string' || opts.dir.length === 0) {
      throw new LocalError('INVALID_ARGUMENT', '"dir" must be a non-empty path');
    }
    if (typeof opts.keyProvider?.getKey !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"keyProvider" is required');
    }
    this.dir = opts.dir;
    this.#kp = opts.keyProvider;
    this.#fsync = opts.fsync ?? true;
  }

  #name(keyId: string, partyId: string): string {
    checkId('keyId', keyId);
    checkId('partyId', partyId);
    const name = `${encodeFileId(keyId)}.${encodeFileId(partyId)}${SUFFIX}`;
    if (name.length > MAX_NAME_BYTES) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `keyId and partyId are too long for a file name (${name.length} > ${MAX_NAME_BYTES} bytes encoded)`,
      );
    }
    return name;
  }

  pathOf(keyId: string, partyId: string): string {
    return join(this.dir, this.#name(keyId, partyId));
  }

  async #syncDir(): Promise<void> {
    if (!this.#fsync || process.platform === 'win32') return;
    const fh = await open(this.dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async put(
    keyId: string,
    partyId: string,
    share: Uint8Array | string,
    opts: KeySharePutOptions = {},
  ): Promise<void> {
    const final = this.pathOf(keyId, partyId);
    const plain = payloadBytes('share', share);
    let sealed: Uint8Array;
    try {
      sealed = await sealWith(this.#kp, 'key-share', [keyId, partyId], plain);
    } finally {
      zeroize(plain);
    }
    const tmp = join(this.dir, `${TMP_PREFIX}${randomBytes(12).toString('hex')}`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.chmod(0o600);
        await fh.writeFile(sealed);
        if (this.#fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      if (opts.overwrite) {
        await rename(tmp, final);
      } else {
        await this.#linkNoReplace(tmp, final, keyId, partyId);
      }
      await this.#syncDir();
    } catch (e) {
      throw storeError(`writing key share (${keyId}, ${partyId})`, e);
    } finally {
      await rm(tmp, { force: true }).catch(() => {});
    }
  }

  /** Publishes `tmp` as `final` only if `final` does not exist, atomically where possible. */
  async #linkNoReplace(tmp: string, final: string, keyId: string, partyId: string): Promise<void> {
    const exists = (): LocalError =>
      new LocalError('STORE_ERROR', `key share (${keyId}, ${partyId}) already exists`);
    try {
      await link(tmp, final);
      return;
    } catch (e) {
      if (errCode(e) === 'EEXIST') throw exists();
      if (!LINK_UNSUPPORTED.has(errCode(e) ?? '')) throw e;
    }
    // Filesystems without hard links: an exclusive copy (not atomic for readers, but never
    // replaces an existing share).
    try {
      await copyFile(tmp, final, constants.COPYFILE_EXCL);
    } catch (e) {
      if (errCode(e) === 'EEXIST') throw exists();
      throw e;
    }
  }

  async get(keyId: string, partyId: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(keyId, partyId);
    const what = `key share (${keyId}, ${partyId})`;
    let sealed: Buffer;
    try {
      const fh = await open(path, 'r');
      try {
        const st = await fh.stat();
        if (st.size > MAX_RECORD_BYTES) throw corrupt(what, 'oversized file');
        sealed = await fh.readFile();
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (errCode(e) === 'ENOENT') return undefined;
      throw storeError(`reading ${what}`, e);
    }
    return unsealWith(this.#kp, 'key-share', [keyId, partyId], sealed, what);
  }

  async delete(keyId: string, partyId: string): Promise<boolean> {
    const path = this.pathOf(keyId, partyId);
    try {
      await unlink(path);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return false;
      throw storeError(`deleting key share (${keyId}, ${partyId})`, e);
    }
    await this.#syncDir().catch(() => {});
    return true;
  }

  async list(filter: { keyId?: string } = {}): Promise<KeyShareRef[]> {
    if (filter.keyId !== undefined) checkId('keyId', filter.keyId);
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return [];
      throw storeError('listing key shares', e);
    }
    const out: KeyShareRef[] = [];
    for (const name of names) {
      if (!name.endsWith(SUFFIX)) continue;
      const parts = name.slice(0, -SUFFIX.length).split('.');
      if (parts.length !== 2) continue;
      const keyId = decodeFileId(parts[0]!);
      const partyId = decodeFileId(parts[1]!);
      if (keyId === undefined || partyId === undefined) continue;
      if (filter.keyId !== undefined && filter.keyId !== keyId) continue;
      out.push({ keyId, partyId });
    }
    return out.sort(compareRefs);
  }

  async removeStaleTempFiles(olderThanMs = 60_000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return 0;
      throw storeError('listing temporary files', e);
    }
    let n = 0;
    for (const name of names) {
      if (!name.startsWith(TMP_PREFIX)) continue;
      const path = join(this.dir, name);
      try {
        const st = await stat(path);
        if (Date.now() - st.mtimeMs < olderThanMs) continue;
        await unlink(path);
        n++;
      } catch (e) {
        if (errCode(e) !== 'ENOENT') throw storeError('removing a temporary file', e);
      }
    }
    return n;
  }
}

/**
 * Creates a {@link KeyShareStore} that keeps one encrypted file per share in `dir`.
 *
 * @example
 * ```ts
 * import { envKeyProvider } from 'mpc-tss';
 * import { createFileKeyShareStore } from 'mpc-tss/file';
 *
 * const shares = createFileKeyShareStore({ dir: '/var/lib/mpc/shares', keyProvider: envKeyProvider() });
 * await shares.put(keyId, partyId, JSON.stringify(keyShare));
 * ```
 */
export function createFileKeyShareStore(opts: FileKeyShareStoreOptions): FileKeyShareStore {
  return new FileStore(opts);
}
