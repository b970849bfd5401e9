/**
 * Test doubles for the chain layer: a {@link ThresholdSigner} backed by one plain private key
 * (@noble/curves, RFC 6979), plus wrappers that misbehave in controlled ways.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { RecoveryId, ThresholdSigner } from '../../src/chains/types.js';

export const CURVE_N: bigint = secp256k1.Point.Fn.ORDER;

/** A deterministic test key: sha-free, just bytes 1..32 offset by `seed`. */
export function testKey(seed: number): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = new Uint8Array(32);
  secretKey[31] = seed;
  secretKey[0] = 0x11;
  return { secretKey, publicKey: secp256k1.getPublicKey(secretKey, true) };
}

/** Signs with one key: what the threshold protocol computes, without the threshold. */
export function singleKeySigner(secretKey: Uint8Array): ThresholdSigner {
  return async (digest) => {
    const bytes = secp256k1.sign(digest, secretKey, {
      prehash: false,
      lowS: true,
      format: 'recovered',
    });
    const sig = secp256k1.Signature.fromBytes(bytes, 'recovered');
    return { r: sig.r, s: sig.s, recoveryId: sig.recovery as RecoveryId };
  };
}

/** Wraps a signer and rewrites its output. */
export function tamper(
  inner: ThresholdSigner,
  f: (sig: { r: bigint; s: bigint; recoveryId?: RecoveryId | undefined }) => unknown,
): ThresholdSigner {
  return (async (digest: Uint8Array) => f(await inner(digest))) as ThresholdSigner;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
