/**
 * Input checks shared by every store, so all adapters reject the same bad input with the same
 * `INVALID_ARGUMENT` error, and the codes they throw stay consistent.
 * @internal
 * @module
 */
import { LocalError, MpcError } from '../errors.js';
import type { KeyShareRef } from './types.js';

/** Longest id accepted by any store (characters). */
export const MAX_ID_LENGTH = 256;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Checks an id (1..256 chars, no control characters) and returns it. */
export function checkId(title: string, v: unknown): string {
  if (typeof v !== 'string') throw new LocalError('INVALID_ARGUMENT', `"${title}" expected string`);
  if (v.length === 0 || v.length > MAX_ID_LENGTH) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `"${title}" must have 1 to ${MAX_ID_LENGTH} characters, got ${v.length}`,
    );
  }
  if (CONTROL.test(v)) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must not contain control characters`);
  }
  return v;
}

/** Checks an optional TTL (positive safe integer, at most ~10 years) and applies a default. */
export function checkTtl(title: string, v: unknown, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > 315_360_000_000) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a positive integer (ms)`);
  }
  return v;
}

/** Checks a list limit (default 1000, at most 10000). */
export function checkLimit(v: unknown): number {
  if (v === undefined) return 1000;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > 10_000) {
    throw new LocalError('INVALID_ARGUMENT', '"limit" must be an integer in [1, 10000]');
  }
  return v;
}

/** Checks a list of ids: non-empty unless `allowEmpty`, no duplicates. Returns a copy. */
export function checkIdList(title: string, v: unknown, allowEmpty = false): string[] {
  if (!Array.isArray(v)) throw new LocalError('INVALID_ARGUMENT', `"${title}" expected an array`);
  if (!allowEmpty && v.length === 0) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must not be empty`);
  }
  if (v.length > 10_000) throw new LocalError('INVALID_ARGUMENT', `"${title}" is too long`);
  const out = v.map((x, i) => checkId(`${title}[${i}]`, x));
  if (new Set(out).size !== out.length) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" has duplicates`);
  }
  return out;
}

/** Sorted signer set and its canonical string form (used as an index key). */
export function signerSet(v: unknown): { signers: string[]; key: string } {
  const signers = checkIdList('signers', v).sort();
  return { signers, key: JSON.stringify(signers) };
}

/** Bytes of a payload given as bytes or as a string (UTF-8). Always a fresh copy. */
export function payloadBytes(title: string, v: unknown): Uint8Array {
  if (typeof v === 'string') return new TextEncoder().encode(v);
  // A real copy (Buffer#slice would be a view): callers wipe it, which must not touch `v`.
  if (v instanceof Uint8Array) return new Uint8Array(v);
  throw new LocalError('INVALID_ARGUMENT', `"${title}" expected Uint8Array or string`);
}

/** Checks a free-form text field (1..4096 chars). */
export function checkText(title: string, v: unknown, max = 4096): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a string of 1 to ${max} chars`);
  }
  return v;
}

/** Checks that `v` is one of `allowed`. */
export function checkEnum<T extends string>(title: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** Checks a non-negative safe integer. */
export function checkCount(title: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be an integer ≥ ${min}`);
  }
  return v;
}

/** A `STORE_CORRUPT` error for a record (the message names the record, never its content). */
export function corrupt(what: string, detail: string, cause?: unknown): MpcError {
  return new LocalError('STORE_CORRUPT', `${what} is corrupt: ${detail}`, { cause });
}

/** A `STORE_ERROR` wrapping a backend failure. Passes `MpcError`s through unchanged. */
export function storeError(what: string, cause: unknown): MpcError {
  if (cause instanceof MpcError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LocalError('STORE_ERROR', `${what} failed: ${detail}`, { cause });
}

/** Code-unit order of strings (the same in every locale). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders key-share refs by keyId then partyId. */
export function compareRefs(a: KeyShareRef, b: KeyShareRef): number {
  return cmp(a.keyId, b.keyId) || cmp(a.partyId, b.partyId);
}

/** A validated presignature to add (its `plain` bytes are a copy the caller must wipe). */
export interface CheckedPresignature {
  id: string;
  signers: string[];
  signersKey: string;
  ttlMs: number | undefined;
  plain: Uint8Array;
}

/** Checks a whole batch before anything is stored: ids, signer sets, TTLs, no repeats. */
export function checkPresignatureItems(items: unknown): CheckedPresignature[] {
  if (!Array.isArray(items)) throw new LocalError('INVALID_ARGUMENT', '"items" expected an array');
  const seen = new Set<string>();
  const out: CheckedPresignature[] = [];
  for (const it of items as {
    id?: unknown;
    signers?: unknown;
    data?: unknown;
    ttlMs?: unknown;
  }[]) {
    const id = checkId('id', it?.id);
    if (seen.has(id)) throw new LocalError('INVALID_ARGUMENT', `presignature "${id}" is repeated`);
    seen.add(id);
    const { signers, key } = signerSet(it.signers);
    const ttlMs = checkTtl('ttlMs', it.ttlMs, undefined);
    out.push({ id, signers, signersKey: key, ttlMs, plain: new Uint8Array(0) });
  }
  // Copy payloads last, so a validation failure leaves no secret copy behind.
  (items as { data?: unknown }[]).forEach((it, i) => {
    try {
      out[i]!.plain = payloadBytes('data', it.data);
    } catch (e) {
      for (const o of out) o.plain.fill(0);
      throw e;
    }
  });
  return out;
}
