/**
 * Ethereum addresses: keccak256 of the uncompressed public key (without its 0x04 prefix), last
 * 20 bytes, with the EIP-55 mixed-case checksum.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { LocalError } from '../../errors.js';
import { bytesToHex } from '../../math/bigint.js';
import { _publicKeyPoint, type PublicKeyInput } from '../types.js';

/** A `0x`-prefixed hex string. */
export type Hex = `0x${string}`;

const _utf8 = new TextEncoder();

/**
 * EIP-55 checksum form of a 20-byte address. Accepts any case; mixed-case input must already
 * carry a valid checksum (a typo guard), otherwise `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * toChecksumAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed');
 * // '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'
 * ```
 */
export function toChecksumAddress(address: string, title = 'address'): Hex {
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `[ethereum] "${title}" expected 0x followed by 40 hex digits`,
    );
  }
  const body = address.slice(2);
  const lower = body.toLowerCase();
  const hash = bytesToHex(keccak_256(_utf8.encode(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += Number.parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  const mixed = body !== lower && body !== body.toUpperCase();
  if (mixed && out.slice(2) !== body) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `[ethereum] "${title}" has an invalid EIP-55 checksum`,
    );
  }
  return out as Hex;
}

/** The 20 address bytes of a public key. @internal */
export function _addressBytes(key: PublicKeyInput): Uint8Array {
  const uncompressed = _publicKeyPoint(key, 'ethereum').toBytes(false);
  return keccak_256(uncompressed.subarray(1)).subarray(12);
}

/**
 * EIP-55 address of a secp256k1 public key (the threshold key or a derived child key).
 *
 * @example
 * ```ts
 * ethereumAddress(keyShare); // '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf' for the key 1·G
 * ```
 */
export function ethereumAddress(key: PublicKeyInput): Hex {
  return toChecksumAddress(`0x${bytesToHex(_addressBytes(key))}`);
}
