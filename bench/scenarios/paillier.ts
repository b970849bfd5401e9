import { mulG } from '../../src/math/curve.js';
import { modPow } from '../../src/math/modexp.js';
import { randomBelow, randomUnit } from '../../src/math/random.js';
import {
  add,
  decrypt,
  encrypt,
  mulScalar,
  type PaillierPrivateKey,
  paillierKeyFromPrimes,
} from '../../src/paillier/index.js';
import type { Profile } from '../../src/profile.js';
import { Q, Q5 } from '../../src/zk/mta/common.js';
import {
  type MtaContext,
  type MtaProofContext,
  mtaAliceEnd,
  mtaAliceEndWC,
  mtaAliceInit,
  mtaBobMid,
  mtaBobMidPair,
  mtaBobMidWC,
  proveBob,
  proveBobWC,
  proveRangeAlice,
  type RingPedersenParams,
  verifyBob,
  verifyBobWC,
  verifyRangeAlice,
} from '../../src/zk/mta/index.js';
import { fixturePrimeSet } from '../../test/support/primes.js';
import type { Scenario } from '../harness.js';

function load(): { sk: PaillierPrivateKey; alice: RingPedersenParams; bob: RingPedersenParams } {
  const params = (i: number): RingPedersenParams => {
    const s = fixturePrimeSet(i);
    const nTilde = s.ntildeP * s.ntildeQ;
    const f = randomUnit(nTilde);
    const h1 = (f * f) % nTilde;
    return { nTilde, h1, h2: modPow(h1, randomBelow(nTilde >> 2n) + 2n, nTilde) };
  };
  const s0 = fixturePrimeSet(0);
  return {
    sk: paillierKeyFromPrimes(s0.paillierP, s0.paillierQ),
    alice: params(0),
    bob: params(1),
  };
}

const fx = load();
/** Alice's view of her key (owner: CRT fast path) and everyone else's view (public N only). */
const pk = fx.sk.publicKey;
const pkPub = { n: pk.n };

function proofScenarios(profile: Profile): Scenario[] {
  const pc: MtaProofContext = { profile, ssid: new Uint8Array(32).fill(7), prover: 1 };
  const m = randomBelow(Q);
  const { c, r } = encrypt(pk, m);
  const rangeProof = proveRangeAlice(pc, pk, fx.bob, c, m, r);
  const x = randomBelow(Q - 1n) + 1n;
  const y = randomBelow(Q5);
  const { c: cy, r: ry } = encrypt(pk, y);
  const c2 = add(pk, mulScalar(pk, c, x), cy);
  const bob = proveBob(pc, pk, fx.alice, c, c2, x, y, ry);
  const bobWC = proveBobWC(pc, pk, fx.alice, c, c2, x, y, ry);
  const X = mulG(x);
  const g = `mta proofs (${profile})`;
  return [
    {
      group: g,
      name: 'RangeProofAlice prove',
      runs: 20,
      run: () => proveRangeAlice(pc, pk, fx.bob, c, m, r),
    },
    {
      group: g,
      name: 'RangeProofAlice verify',
      runs: 20,
      run: () => verifyRangeAlice(pc, rangeProof, pkPub, fx.bob, c), // Bob: public N only
    },
    {
      group: g,
      name: 'ProofBob prove',
      runs: 20,
      run: () => proveBob(pc, pkPub, fx.alice, c, c2, x, y, ry), // Bob: public N only
    },
    {
      group: g,
      name: 'ProofBob verify',
      runs: 20,
      run: () => verifyBob(pc, bob, pk, fx.alice, c, c2),
    },
    {
      group: g,
      name: 'ProofBobWC prove',
      runs: 20,
      run: () => proveBobWC(pc, pkPub, fx.alice, c, c2, x, y, ry),
    },
    {
      group: g,
      name: 'ProofBobWC verify',
      runs: 20,
      run: () => verifyBobWC(pc, bobWC, pk, fx.alice, c, c2, X),
    },
  ];
}

const mtaCtx: MtaContext = {
  profile: 'native',
  ssid: new Uint8Array(32).fill(9),
  alice: 0,
  bob: 1,
};

export const scenarios: Scenario[] = [
  {
    group: 'paillier 2048',
    name: 'encrypt',
    runs: 40,
    warmup: 3,
    run: () => encrypt(pk, randomBelow(Q)),
  },
  {
    group: 'paillier 2048',
    name: 'encrypt (public N only)',
    runs: 40,
    warmup: 3,
    run: () => encrypt(pkPub, randomBelow(Q)),
  },
  {
    group: 'paillier 2048',
    name: 'decrypt (CRT)',
    runs: 40,
    warmup: 3,
    setup: () => encrypt(pk, randomBelow(pk.n)).c,
    run: (c) => decrypt(fx.sk, c as bigint),
  },
  {
    group: 'paillier 2048',
    name: 'mulScalar (256-bit scalar)',
    runs: 40,
    setup: () => encrypt(pk, randomBelow(pk.n)).c,
    run: (c) => mulScalar(pk, c as bigint, randomBelow(Q)),
  },
  ...proofScenarios('native'),
  ...proofScenarios('tss-lib'),
  {
    group: 'mta share protocol (native)',
    name: 'MtA: init + mid + end',
    runs: 10,
    run: () => {
      const msg = mtaAliceInit(mtaCtx, { pkA: pk, a: randomBelow(Q), bobParams: fx.bob });
      const b = mtaBobMid(mtaCtx, {
        pkA: pkPub,
        aliceParams: fx.alice,
        bobParams: fx.bob,
        msg,
        b: randomBelow(Q),
      });
      return mtaAliceEnd(mtaCtx, {
        skA: fx.sk,
        aliceParams: fx.alice,
        cA: msg.c,
        cB: b.cB,
        proof: b.proof,
      });
    },
  },
  {
    group: 'mta share protocol (native)',
    name: 'MtAwc: init + mid + end',
    runs: 10,
    run: () => {
      const msg = mtaAliceInit(mtaCtx, { pkA: pk, a: randomBelow(Q), bobParams: fx.bob });
      const bb = randomBelow(Q - 1n) + 1n;
      const b = mtaBobMidWC(mtaCtx, {
        pkA: pkPub,
        aliceParams: fx.alice,
        bobParams: fx.bob,
        msg,
        b: bb,
      });
      return mtaAliceEndWC(mtaCtx, {
        skA: fx.sk,
        aliceParams: fx.alice,
        cA: msg.c,
        cB: b.cB,
        proof: b.proof,
        X: b.X,
      });
    },
  },
  {
    group: 'mta share protocol (native)',
    name: 'GG18 per peer: init + pair + 2 ends',
    runs: 10,
    run: () => {
      const msg = mtaAliceInit(mtaCtx, { pkA: pk, a: randomBelow(Q), bobParams: fx.bob });
      const { mta, mtaWC } = mtaBobMidPair(mtaCtx, {
        pkA: pkPub,
        aliceParams: fx.alice,
        bobParams: fx.bob,
        msg,
        b: randomBelow(Q),
        bWC: randomBelow(Q - 1n) + 1n,
      });
      const end = { skA: fx.sk, aliceParams: fx.alice, cA: msg.c };
      mtaAliceEnd(mtaCtx, { ...end, cB: mta.cB, proof: mta.proof });
      return mtaAliceEndWC(mtaCtx, { ...end, cB: mtaWC.cB, proof: mtaWC.proof, X: mtaWC.X });
    },
  },
];
