/**
 * Transitional alias: {@link modPow} now returns the degenerate results OpenSSL refuses
 * (0, 1, m − 1) itself. Callers should use `modPow` directly.
 * @module
 */
import { LocalError } from '../errors.js';
import { modPow } from '../math/modexp.js';

/**
 * b^e mod m for e ≥ 0 (see {@link modPow}).
 * @internal
 */
export function modPowSafe(b: bigint, e: bigint, m: bigint): bigint {
  if (e < 0n) throw new LocalError('INVALID_ARGUMENT', 'modPowSafe needs a non-negative exponent');
  return modPow(b, e, m);
}
