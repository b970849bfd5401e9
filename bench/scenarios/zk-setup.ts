import type { Profile } from '../../src/profile.js';
import { type DlnProof, proveDln, verifyDln } from '../../src/zk/dln.js';
import { type FacProof, proveFac, verifyFac } from '../../src/zk/fac.js';
import { type ModProof, proveMod, verifyMod } from '../../src/zk/mod.js';
import {
  type ProofContext,
  type RingPedersenKeyPair,
  ringPedersenFromSafePrimes,
} from '../../src/zk/ring-pedersen.js';
import { type FixturePrimeSet, fixturePrimeSet } from '../../test/support/primes.js';
import type { Scenario } from '../harness.js';

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
  const s0 = fixturePrimeSet(0);
  const s1 = fixturePrimeSet(1);
  const p = s0.paillierP;
  const q = s0.paillierQ;
  cached = {
    p,
    q,
    N: p * q,
    prover: ringPedersenFromSafePrimes(s0.ntildeP, s0.ntildeQ),
    verifier: ringPedersenFromSafePrimes(s1.ntildeP, s1.ntildeQ),
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
    setup: () => fixturePrimeSet(2),
    run: (s) => {
      const { ntildeP, ntildeQ } = s as FixturePrimeSet;
      ringPedersenFromSafePrimes(ntildeP, ntildeQ);
    },
  },
  ...profileScenarios('native'),
  ...profileScenarios('tss-lib'),
];
