/**
 * Prime generation through OpenSSL (`crypto.generatePrime`), which runs on libuv's thread pool:
 * several searches started together proceed in parallel without blocking the event loop.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import { LocalError } from '../errors.js';

/** Options for the prime generators. */
export interface PrimeOptions {
  /** Cancels the search; the promise rejects with code `CANCELLED`. */
  signal?: AbortSignal;
}

function cancelled(): LocalError {
  return new LocalError('CANCELLED', 'prime generation was cancelled');
}

function gen(
  bits: number,
  opts: nodeCrypto.GeneratePrimeOptionsBigInt,
  signal?: AbortSignal,
): Promise<bigint> {
  if (!Number.isSafeInteger(bits) || bits < 16)
    throw new LocalError('INVALID_ARGUMENT', 'prime size must be ≥ 16 bits');
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    nodeCrypto.generatePrime(bits, { ...opts, bigint: true }, (err, p) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(new LocalError('INTERNAL', 'prime generation failed', { cause: err }));
      else resolve(p);
    });
  });
}

/** A random safe prime p = 2p' + 1 (p' prime) of exactly `bits` bits. */
export function generateSafePrime(bits: number, opts: PrimeOptions = {}): Promise<bigint> {
  return gen(bits, { safe: true, bigint: true }, opts.signal);
}

/** A random Blum prime (p ≡ 3 mod 4) of exactly `bits` bits. */
export function generateBlumPrime(bits: number, opts: PrimeOptions = {}): Promise<bigint> {
  return gen(bits, { add: 4n, rem: 3n, bigint: true }, opts.signal);
}

/** Probabilistic primality test (OpenSSL, ≥ 64 Miller–Rabin rounds for large inputs). */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  return nodeCrypto.checkPrimeSync(n, { checks: 64 });
}

/**
 * Runs `count` searches in parallel and resolves with all of them. OpenSSL's search is
 * CPU-bound on libuv's pool (4 threads by default), so on 2 cores two at a time is optimal.
 */
export function generatePrimes(
  count: number,
  make: (signal?: AbortSignal) => Promise<bigint>,
  opts: PrimeOptions = {},
): Promise<bigint[]> {
  return Promise.all(Array.from({ length: count }, () => make(opts.signal)));
}
