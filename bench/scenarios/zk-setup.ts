/**
 * Setup-proof timings at 2048 bits: DLN (128 iterations), Π^mod (80), Π^fac, ring-Pedersen
 * parameters from given safe primes. Fixture primes only; no prime search.
 *
 * Exports `scenarios` in the shape of bench/scenarios/*.ts.
 */
import { readFileSync } from 'node:fs';
import type { Profile } from '../../src/profile.js';
import { type DlnProof, proveDln, verifyDln } from '../../src/zk/dln.js';
import { type FacProof, proveFac, verifyFac } from '../../src/zk/fac.js';
import { type ModProof, proveMod, verifyMod } from '../../src/zk/mod.js';
import {
  type ProofContext,
  type RingPedersenKeyPair,
  ringPedersenFromSafePrimes,
} from '../../src/zk/ring-pedersen.js';
import type { Scenario } from '../harness.js';

interface Fixture {
  sets: { paillierP: string; paillierQ: string; ntildeP: string; ntildeQ: string }[];
}

interface Setup {
  p: bigint;
  q: bigint;
  N: bigint;
  prover: RingPedersenKeyPair;
  verifier: RingPedersenKeyPair;
}

let cached: Setup | undefined;
function setup(): Setup {
  if (cached) return cached;
  const fx = JSON.parse(
    readFileSync(new URL('../../test/fixtures/primes.json', import.meta.url), 'utf8'),
  ) as Fixture;
  const hex = (s: string) => BigInt(`0x${s}`);
  const s0 = fx.sets[0]!;
  const s1 = fx.sets[1]!;
  const p = hex(s0.paillierP);
  const q = hex(s0.paillierQ);
  cached = {
    p,
    q,
    N: p * q,
    prover: ringPedersenFromSafePrimes(hex(s0.ntildeP), hex(s0.ntildeQ)),
    verifier: ringPedersenFromSafePrimes(hex(s1.ntildeP), hex(s1.ntildeQ)),
  };
  return cached;
}

const ctxOf = (profile: Profile): ProofContext => ({
  profile,
  ssid: new Uint8Array(32).fill(1),
  prover: 1,
});

function profileScenarios(profile: Profile): Scenario[] {
  const ctx = ctxOf(profile);
  const group = `zk setup proofs (${profile}, 2048-bit)`;
  return [
    {
      group,
      name: 'DLN prove (128 iterations, CRT)',
      run: () => {
        const { prover } = setup();
        proveDln(ctx, prover.pub, prover.secret.alpha, prover.secret);
      },
    },
    {
      group,
      name: 'DLN verify',
      setup: () => {
        const { prover } = setup();
        return proveDln(ctx, prover.pub, prover.secret.alpha, prover.secret);
      },
      run: (pf) => verifyDln(ctx, setup().prover.pub, pf as DlnProof),
    },
    {
      group,
      name: 'Π^mod prove (80 iterations)',
      run: () => {
        const { N, p, q } = setup();
        proveMod(ctx, N, p, q);
      },
    },
    {
      group,
      name: 'Π^mod verify',
      setup: () => {
        const { N, p, q } = setup();
        return proveMod(ctx, N, p, q);
      },
      run: (pf) => verifyMod(ctx, setup().N, pf as ModProof),
    },
    {
      group,
      name: 'Π^fac prove (per verifier)',
      run: () => {
        const { N, p, q, verifier } = setup();
        proveFac(ctx, N, p, q, verifier.pub);
      },
    },
    {
      group,
      name: 'Π^fac verify (public Ñ only)',
      setup: () => {
        const { N, p, q, verifier } = setup();
        return proveFac(ctx, N, p, q, verifier.pub);
      },
      run: (pf) => verifyFac(ctx, setup().N, setup().verifier.pub, pf as FacProof),
    },
    {
      group,
      name: 'Π^fac verify (own Ñ secret, CRT)',
      setup: () => {
        const { N, p, q, verifier } = setup();
        return proveFac(ctx, N, p, q, verifier.pub);
      },
      run: (pf) => verifyFac(ctx, setup().N, setup().verifier, pf as FacProof),
    },
  ];
}

/** Scenarios for `npm run bench`. */
export const scenarios: Scenario[] = [
  {
    group: 'zk setup',
    name: 'ring-Pedersen params from safe primes',
    run: () => {
      const fx = JSON.parse(
        readFileSync(new URL('../../test/fixtures/primes.json', import.meta.url), 'utf8'),
      ) as Fixture;
      const s = fx.sets[2]!;
      ringPedersenFromSafePrimes(BigInt(`0x${s.ntildeP}`), BigInt(`0x${s.ntildeQ}`));
    },
  },
  ...profileScenarios('native'),
  ...profileScenarios('tss-lib'),
];
