/**
 * Sealed records: AES-256-GCM (node:crypto) with a versioned header, a random 96-bit nonce and
 * the record's address bound as associated data.
 *
 * Layout (version 1):
 * ```
 * 0   4  magic "MTSE"
 * 4   1  version = 1
 * 5   1  algorithm = 1 (AES-256-GCM, 16-byte tag)
 * 6  12  nonce (random)
 * 18  …  ciphertext
 * -16 16 tag
 * ```
 * Associated data = the 6 header bytes, then the purpose label and each address part, each
 * length-prefixed (u32 big-endian). A record copied to another address, or sealed for another
 * purpose, fails to open. Any failure to open is `STORE_CORRUPT`, never garbage plaintext.
 *
 * Random nonces are safe for about 2^32 records per key, far more than a key-share or session
 * store writes; rotate the key long before that.
 *
 * Memory hygiene is best effort: key buffers from the {@link KeyProvider} are wiped after use,
 * but node:crypto copies keys into OpenSSL and JS cannot promise those copies are wiped.
 * @internal
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LocalError } from '../errors.js';
import { zeroize } from '../math/bigint.js';
import type { KeyProvider } from './types.js';
import { corrupt } from './validate.js';

const MAGIC = [0x4d, 0x54, 0x53, 0x45]; // "MTSE"
const VERSION = 1;
const ALG_AES_256_GCM = 1;
const HEADER_LEN = 6;
const NONCE_LEN = 12;
const TAG_LEN = 16;
/** Smallest possible sealed record (empty plaintext). */
export const ENVELOPE_OVERHEAD = HEADER_LEN + NONCE_LEN + TAG_LEN;
/** Largest record a store accepts (64 MiB); larger input is rejected before any work. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** What a record is, bound into its associated data. */
export type EnvelopePurpose = 'key-share' | 'snapshot' | 'presignature';

function header(): Uint8Array {
  return Uint8Array.from([...MAGIC, VERSION, ALG_AES_256_GCM]);
}

function aad(head: Uint8Array, purpose: EnvelopePurpose, parts: readonly string[]): Buffer {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [head];
  for (const p of [`mpc-tss/${purpose}`, ...parts]) {
    const b = enc.encode(p);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    chunks.push(len, b);
  }
  return Buffer.concat(chunks);
}

/** Fetches the key from the provider and checks its length. The caller wipes it. */
export async function fetchKey(provider: KeyProvider): Promise<Uint8Array> {
  let key: unknown;
  try {
    key = await provider.getKey();
  } catch (e) {
    throw new LocalError('STORE_ERROR', 'the key provider failed', { cause: e });
  }
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    if (key instanceof Uint8Array) zeroize(key);
    throw new LocalError('INVALID_ARGUMENT', 'the key provider must return 32 bytes');
  }
  return key;
}

/** Seals `plaintext` under `key` for `purpose` at the address `parts`. */
export function seal(
  key: Uint8Array,
  purpose: EnvelopePurpose,
  parts: readonly string[],
  plaintext: Uint8Array,
): Uint8Array {
  if (plaintext.length > MAX_RECORD_BYTES - ENVELOPE_OVERHEAD) {
    throw new LocalError('INVALID_ARGUMENT', `record exceeds ${MAX_RECORD_BYTES} bytes`);
  }
  const head = header();
  const nonce = randomBytes(NONCE_LEN);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LEN });
  cipher.setAAD(aad(head, purpose, parts));
  const body = cipher.update(plaintext);
  const last = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(HEADER_LEN + NONCE_LEN + body.length + last.length + TAG_LEN);
  out.set(head, 0);
  out.set(nonce, HEADER_LEN);
  out.set(body, HEADER_LEN + NONCE_LEN);
  out.set(last, HEADER_LEN + NONCE_LEN + body.length);
  out.set(tag, out.length - TAG_LEN);
  return out;
}

/**
 * Opens a sealed record. Throws `STORE_CORRUPT` (naming `what`) when the header is unknown,
 * the record is truncated, or authentication fails.
 */
export function unseal(
  key: Uint8Array,
  purpose: EnvelopePurpose,
  parts: readonly string[],
  sealed: Uint8Array,
  what: string,
): Uint8Array {
  if (!(sealed instanceof Uint8Array)) throw corrupt(what, 'not a byte string');
  if (sealed.length < ENVELOPE_OVERHEAD) {
    throw corrupt(what, `truncated (${sealed.length} bytes)`);
  }
  if (sealed.length > MAX_RECORD_BYTES) throw corrupt(what, 'oversized');
  for (let i = 0; i < MAGIC.length; i++) {
    if (sealed[i] !== MAGIC[i]) throw corrupt(what, 'bad magic');
  }
  if (sealed[4] !== VERSION) throw corrupt(what, `unknown version ${sealed[4]}`);
  if (sealed[5] !== ALG_AES_256_GCM) throw corrupt(what, `unknown algorithm ${sealed[5]}`);
  const head = sealed.subarray(0, HEADER_LEN);
  const nonce = sealed.subarray(HEADER_LEN, HEADER_LEN + NONCE_LEN);
  const body = sealed.subarray(HEADER_LEN + NONCE_LEN, sealed.length - TAG_LEN);
  const tag = sealed.subarray(sealed.length - TAG_LEN);
  let a: Buffer | undefined;
  let b: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LEN });
    decipher.setAAD(aad(head, purpose, parts));
    decipher.setAuthTag(tag);
    a = decipher.update(body);
    b = decipher.final();
  } catch (e) {
    zeroize(a, b);
    throw corrupt(what, 'authentication failed (tampered, truncated, or wrong key)', e);
  }
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  zeroize(a, b);
  return out;
}

/** {@link seal} with a key fetched from `provider` and wiped afterwards. */
export async function sealWith(
  provider: KeyProvider,
  purpose: EnvelopePurpose,
  parts: readonly string[],
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const key = await fetchKey(provider);
  try {
    return seal(key, purpose, parts, plaintext);
  } finally {
    zeroize(key);
  }
}

/** {@link unseal} with a key fetched from `provider` and wiped afterwards. */
export async function unsealWith(
  provider: KeyProvider,
  purpose: EnvelopePurpose,
  parts: readonly string[],
  sealed: Uint8Array,
  what: string,
): Promise<Uint8Array> {
  const key = await fetchKey(provider);
  try {
    return unseal(key, purpose, parts, sealed, what);
  } finally {
    zeroize(key);
  }
}

/** A provider holding a random key for the life of the process (for in-memory stores). */
export function ephemeralKeyProvider(): KeyProvider {
  const key = new Uint8Array(randomBytes(32));
  return { getKey: () => new Uint8Array(key) };
}
