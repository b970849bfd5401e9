import { expect } from 'vitest';
import { isMpcError, type MpcError, PeerError, VerifyError } from '../../src/errors.js';
import { type PaillierPrivateKey, paillierKeyFromPrimes } from '../../src/paillier/paillier.js';
import {
  type RingPedersenKeyPair,
  ringPedersenFromSafePrimes,
} from '../../src/zk/ring-pedersen.js';
import { fixturePrimeSet } from '../support/primes.js';

const _hex = (s: string): bigint => BigInt(`0x${s}`);

/** The raw primes of fixture set `i`. */
export function primes(i: number): { p: bigint; q: bigint; P: bigint; Q: bigint } {
  const s = fixturePrimeSet(i);
  return { p: s.paillierP, q: s.paillierQ, P: s.ntildeP, Q: s.ntildeQ };
}

const paillier = new Map<number, PaillierPrivateKey>();
const pedersen = new Map<number, RingPedersenKeyPair>();

/** The Paillier key of fixture set `i` (cached). */
export function paillierKey(i: number): PaillierPrivateKey {
  let sk = paillier.get(i);
  if (sk === undefined) {
    const { p, q } = primes(i);
    sk = paillierKeyFromPrimes(p, q);
    paillier.set(i, sk);
  }
  return sk;
}

/** Ring-Pedersen parameters of fixture set `i`, built by the library itself (cached). */
export function ringPedersen(i: number): RingPedersenKeyPair {
  let rp = pedersen.get(i);
  if (rp === undefined) {
    const { P, Q } = primes(i);
    rp = ringPedersenFromSafePrimes(P, Q);
    pedersen.set(i, rp);
  }
  return rp;
}

/** Runs `f`, requires a {@link VerifyError} (with `code`, when given) and returns it. */
export function rejects(f: () => unknown, code?: string): VerifyError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a VerifyError').toBeInstanceOf(VerifyError);
  if (code !== undefined) expect((err as VerifyError).code).toBe(code);
  return err as VerifyError;
}

/**
 * Every honest party aborted with a {@link PeerError} that names `culprit` (and only it when
 * `exact`), never itself, with `code` when given, and produced no output.
 */
export function expectNamed(
  results: ReadonlyMap<string, { status: string; error?: MpcError | undefined; output?: unknown }>,
  honest: readonly string[],
  culprit: string,
  opts: { code?: string; exact?: boolean; secrets?: readonly bigint[] } = {},
): void {
  for (const id of honest) {
    const step = results.get(id);
    expect(step, `${id} ran`).toBeDefined();
    expect(step!.status, `${id}: ${step!.error?.message ?? 'no error'}`).toBe('aborted');
    expect(step!.output, `${id} output`).toBeUndefined();
    const err = step!.error;
    expect(isMpcError(err), `${id} error is an MpcError`).toBe(true);
    expect(err, `${id} error class`).toBeInstanceOf(PeerError);
    if (opts.code !== undefined) expect(err!.code, `${id}: ${err!.message}`).toBe(opts.code);
    expect(err!.culprits, `${id} culprits`).toContain(culprit);
    expect(err!.culprits, `${id} never blames itself`).not.toContain(id);
    if (opts.exact) expect([...err!.culprits], `${id} culprits`).toEqual([culprit]);
    if (opts.secrets) expectNoSecret(err, opts.secrets);
  }
}

/**
 * No secret appears, in hex or decimal, in an error: its message, stack, JSON view (what goes to
 * logs and audit events) or anywhere along its `cause` chain.
 */
export function expectNoSecret(err: unknown, secrets: readonly bigint[]): void {
  const texts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (!(e instanceof Error)) {
      texts.push(String(e));
      break;
    }
    texts.push(e.message, e.stack ?? '');
    if (isMpcError(e)) texts.push(JSON.stringify(e.toJSON()));
    e = e.cause;
  }
  const hay = texts.join('\n').toLowerCase();
  for (const s of secrets) {
    expect(hay.includes(s.toString(16)), 'a secret (hex) leaked into an error').toBe(false);
    expect(hay.includes(s.toString(10)), 'a secret (decimal) leaked into an error').toBe(false);
  }
}
