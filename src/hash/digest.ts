/**
 * Incremental SHA-256 and SHA-512/256 through `node:crypto` (OpenSSL), which is several times
 * faster than a JS implementation on the multi-megabyte inputs of keygen (echo digests, tss-lib
 * challenge chains). Falls back to @noble/hashes where `node:crypto` has no such hash.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { sha256 as nobleSha256, sha512_256 as nobleSha512_256 } from '@noble/hashes/sha2.js';

/** An incremental hash: `update` any number of times, then `digest` once. */
export interface Digest {
  update(data: Uint8Array): Digest;
  digest(): Uint8Array;
}

function has(name: string): boolean {
  try {
    return typeof nodeCrypto.createHash === 'function' && nodeCrypto.getHashes().includes(name);
  } catch {
    return false;
  }
}

const NATIVE_SHA256 = has('sha256');
const NATIVE_SHA512_256 = has('sha512-256');

function native(name: string): Digest {
  const h = nodeCrypto.createHash(name);
  const d: Digest = {
    update(data) {
      h.update(data);
      return d;
    },
    digest() {
      const b = h.digest();
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    },
  };
  return d;
}

function noble(create: () => { update(b: Uint8Array): unknown; digest(): Uint8Array }): Digest {
  const h = create();
  const d: Digest = {
    update(data) {
      h.update(data);
      return d;
    },
    digest: () => h.digest(),
  };
  return d;
}

/** A new incremental SHA-256. */
export function createSha256(): Digest {
  return NATIVE_SHA256 ? native('sha256') : noble(() => nobleSha256.create());
}

/** A new incremental SHA-512/256 (FIPS 180-4 truncated SHA-512, not SHA-512 cut to 32 bytes). */
export function createSha512_256(): Digest {
  return NATIVE_SHA512_256 ? native('sha512-256') : noble(() => nobleSha512_256.create());
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createSha256();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** SHA-512/256 of the concatenation of `parts`. */
export function sha512_256(...parts: Uint8Array[]): Uint8Array {
  const h = createSha512_256();
  for (const p of parts) h.update(p);
  return h.digest();
}
