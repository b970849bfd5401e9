/**
 * EIP-191 version 0x45 ("personal_sign") message hashing.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { LocalError } from '../../errors.js';

const _utf8 = new TextEncoder();

/**
 * keccak256("\x19Ethereum Signed Message:\n" ‖ len(message) ‖ message).
 *
 * A string is encoded as UTF-8, even when it looks like hex; pass a Uint8Array to sign raw bytes
 * (what `personal_sign` does with a `0x…` payload).
 */
export function hashPersonalMessage(message: string | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (typeof message === 'string') bytes = _utf8.encode(message);
  else if (message instanceof Uint8Array) bytes = message;
  else {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '[ethereum] "message" expected a string or Uint8Array',
    );
  }
  const prefix = _utf8.encode(`\x19Ethereum Signed Message:\n${bytes.length}`);
  const buf = new Uint8Array(prefix.length + bytes.length);
  buf.set(prefix);
  buf.set(bytes, prefix.length);
  return keccak_256(buf);
}
