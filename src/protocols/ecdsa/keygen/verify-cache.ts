/**
 * A process-wide memo of proof verifications that succeeded, so the same broadcast proof is not
 * verified twice in one process.
 *
 * Why: a broadcast proof (the DLN pair, Π^mod, the Paillier-key proof) is checked by every other
 * party. When several parties of a session run in one process (tests, simulations, a node hosting
 * several shares, replaying a recorded transcript), each would repeat the same 128–256 modular
 * exponentiations. Verification is a pure function of its inputs, so a success can be reused.
 *
 * Soundness: the key is SHA-512/256 over the canonical, length-prefixed encoding
 * ({@link hashItems}) of a kind tag and **every** input of the verification (profile, ssid,
 * prover index, statement, and the digest of the exact message bytes that carry the proof). A hit
 * therefore means this very verification already passed. Only successes are stored; failures are
 * re-checked every time. The memo holds no secrets (only digests of public data) and is bounded
 * (least recently used entries are evicted).
 * @module
 */
import { hashItems, type TranscriptValue } from '../../../hash/transcript.js';
import { bytesToHex } from '../../../math/bigint.js';

const TAG = 'mpc-tss/ecdsa/keygen/verify-cache/v1';
/** Most remembered verifications. */
export const VERIFY_CACHE_SIZE = 4096;

const memo = new Map<string, true>();
let enabled = true;

/**
 * Runs `verify` unless the same verification (same `kind` and `inputs`) already succeeded in this
 * process. `inputs` must list everything `verify` depends on.
 * @internal
 */
export function verifyOnce(
  kind: string,
  inputs: readonly (readonly [string, TranscriptValue])[],
  verify: () => void,
): void {
  if (!enabled) {
    verify();
    return;
  }
  const key = bytesToHex(hashItems(TAG, [['kind', kind], ...inputs]));
  if (memo.has(key)) {
    // Refresh recency.
    memo.delete(key);
    memo.set(key, true);
    return;
  }
  verify();
  memo.set(key, true);
  if (memo.size > VERIFY_CACHE_SIZE) memo.delete(memo.keys().next().value as string);
}

/**
 * Turns the keygen verification memo on or off (default on) and clears it. Off means every party
 * verifies every proof itself even when parties share a process (e.g. to measure per-party cost).
 * Returns the previous setting.
 */
export function setKeygenVerifyCache(on: boolean): boolean {
  const old = enabled;
  enabled = on;
  memo.clear();
  return old;
}

/** Forgets every remembered verification. */
export function clearKeygenVerifyCache(): void {
  memo.clear();
}
