/**
 * Placeholder until the protocols land: exercises the primitives end to end.
 * Replaced by the 2-of-3 keygen + sign example.
 */
import { modPow, modPowBigInt } from '../src/math/modexp.js';
import { randomBits } from '../src/math/random.js';

const m = randomBits(4096) | 1n | (1n << 4095n);
const b = randomBits(4000);
const e = randomBits(2048);
let t = performance.now();
const r1 = modPow(b, e, m);
const native = performance.now() - t;
t = performance.now();
const r2 = modPowBigInt(b, e, m);
const big = performance.now() - t;
console.log(
  `modexp 4096/2048: native ${native.toFixed(1)} ms, BigInt ${big.toFixed(1)} ms, agree=${r1 === r2}`,
);
