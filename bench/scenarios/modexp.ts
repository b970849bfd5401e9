import { modPow, modPowBigInt, modPowNative } from '../../src/math/modexp.js';
import { randomBits } from '../../src/math/random.js';
import type { Scenario } from '../harness.js';

function setupFor(modBits: number, expBits: number) {
  return () => ({
    m: randomBits(modBits) | 1n | (1n << BigInt(modBits - 1)),
    b: randomBits(modBits - 8),
    e: randomBits(expBits) | (1n << BigInt(expBits - 1)),
  });
}

type Ctx = { m: bigint; b: bigint; e: bigint };

export const scenarios: Scenario[] = [
  {
    group: 'modexp',
    name: '4096-bit modulus, 2048-bit exp, native',
    runs: 40,
    warmup: 3,
    setup: setupFor(4096, 2048),
    run: (c) => modPowNative((c as Ctx).b, (c as Ctx).e, (c as Ctx).m),
    targetMs: 7.1 * 1.3,
  },
  {
    group: 'modexp',
    name: '4096-bit modulus, 2048-bit exp, BigInt',
    runs: 10,
    setup: setupFor(4096, 2048),
    run: (c) => modPowBigInt((c as Ctx).b, (c as Ctx).e, (c as Ctx).m),
  },
  {
    group: 'modexp',
    name: '2048-bit modulus, 2048-bit exp, native',
    runs: 60,
    warmup: 3,
    setup: setupFor(2048, 2048),
    run: (c) => modPow((c as Ctx).b, (c as Ctx).e, (c as Ctx).m),
    targetMs: 1.8 * 1.3,
  },
  {
    group: 'modexp',
    name: '2048-bit modulus, 2048-bit exp, BigInt',
    runs: 20,
    setup: setupFor(2048, 2048),
    run: (c) => modPowBigInt((c as Ctx).b, (c as Ctx).e, (c as Ctx).m),
  },
];
