/**
 * MtA masks have the widths the proofs' statistical hiding relies on (SECURITY.md item 7:
 * "β′ ∈ [0, q⁵), γ ∈ [0, q⁷)"). A narrower mask still gives correct shares mod q, so every
 * functional test passes, but it leaks: with β′ < q, Alice decrypts a·b + β′ and learns b to
 * within one part in q; a narrow γ (or α, ρ′, τ) in Bob's proof leaks y (or x) through t1 (s1,
 * s2, t2). The existing tests only check the upper bounds (the honest prover's refusals and the
 * verifier's range checks); these check that the masks are actually that wide, in the library
 * API (zk/mta) and in the MtA that GG18 and GG20 signing really run (sign-gg18/round1.ts).
 */
import { describe, expect, it } from 'vitest';
import { bitLength } from '../../src/math/bigint.js';
import { randomBelow, randomBytes } from '../../src/math/random.js';
import {
  add,
  decrypt,
  encrypt,
  mulScalar,
  paillierKeyFromPrimes,
} from '../../src/paillier/paillier.js';
import { decodeValue } from '../../src/party/codec.js';
import { decodeSignRound2Message, MSG } from '../../src/protocols/ecdsa/sign-gg18/messages.js';
import type { SignState } from '../../src/protocols/ecdsa/sign-gg18/state.js';
import { Q, Q5 } from '../../src/zk/mta/common.js';
import {
  type MtaProofContext,
  mtaAliceInit,
  mtaBobMid,
  proveBob,
  proveBobWC,
  proveRangeAlice,
} from '../../src/zk/mta/index.js';
import { makeParties } from '../protocols/ecdsa/sign-gg18/helpers.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import { simulate } from '../support/simulate.js';
import { paillierKey, ringPedersen } from './support.js';

// Bit widths: q ≈ 2²⁵⁶, Ñ ≈ 2²⁰⁴⁸. A uniform value below 2^b has fewer than b − 40 bits with
// probability 2⁻⁴⁰, so each bound below leaves 40+ bits of slack over the honest mask width and
// is far above what the masked product alone (e·x, e·y, e·ρ …) could reach.
const SAMPLES = 6;
const ctx: MtaProofContext = { profile: 'native', ssid: randomBytes(32), prover: 1 };
const sk = paillierKey(0);
const pk = sk.publicKey;
const rp = ringPedersen(1).pub;
const verifier = { nTilde: rp.ntilde, h1: rp.h1, h2: rp.h2 };
const minBits = (xs: bigint[]) => Math.min(...xs.map(bitLength));

describe('MtA proof masks (zk/mta)', () => {
  it("Alice's range proof: s1 = e·m + α with α < q³, s2 = e·ρ + γ with γ < q³·Ñ", () => {
    const s1: bigint[] = [];
    const s2: bigint[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const m = randomBelow(Q);
      const { c, r } = encrypt(pk, m);
      const pf = proveRangeAlice(ctx, pk, verifier, c, m, r);
      s1.push(pf.s1);
      s2.push(pf.s2);
    }
    expect(minBits(s1)).toBeGreaterThan(768 - 40); // e·m alone < 2^512
    expect(minBits(s2)).toBeGreaterThan(768 + 2047 - 40); // e·ρ alone < 2^(512 + 2048)
  });

  it("Bob's proofs: s1 (α < q³), t1 (γ < q⁷), s2 (ρ′ < q³·Ñ), t2 (τ < q³·Ñ)", () => {
    const fields: Record<'s1' | 't1' | 's2' | 't2', bigint[]> = { s1: [], t1: [], s2: [], t2: [] };
    for (let i = 0; i < SAMPLES; i++) {
      const { c: c1 } = encrypt(pk, randomBelow(Q));
      const x = 1n + randomBelow(Q - 1n);
      const y = randomBelow(Q5);
      const e = encrypt(pk, y);
      const c2 = add(pk, mulScalar(pk, c1, x), e.c);
      const prove = i % 2 === 0 ? proveBob : proveBobWC;
      const pf = prove(ctx, pk, verifier, c1, c2, x, y, e.r);
      for (const f of ['s1', 't1', 's2', 't2'] as const) fields[f].push(pf[f]);
    }
    expect(minBits(fields.s1)).toBeGreaterThan(768 - 40); // e·x alone < 2^512
    expect(minBits(fields.t1)).toBeGreaterThan(1792 - 40); // e·y alone < 2^(256 + 1280)
    expect(minBits(fields.s2)).toBeGreaterThan(768 + 2047 - 40);
    expect(minBits(fields.t2)).toBeGreaterThan(768 + 2047 - 40);
  });

  it("mtaBobMid: Alice's plaintext is a·b + β′ with β′ ∈ [0, q⁵), about 1280 bits", () => {
    const ctxMta = { profile: 'native' as const, ssid: randomBytes(32), alice: 0, bob: 1 };
    const alice = ringPedersen(2).pub;
    const aliceParams = { nTilde: alice.ntilde, h1: alice.h1, h2: alice.h2 };
    const masks: bigint[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const a = randomBelow(Q);
      const b = randomBelow(Q);
      const msg = mtaAliceInit(ctxMta, { pkA: pk, a, bobParams: verifier });
      const bob = mtaBobMid(ctxMta, { pkA: pk, aliceParams, bobParams: verifier, msg, b });
      const mask = decrypt(sk, bob.cB) - a * b;
      expect(mask >= 0n && mask < Q5).toBe(true);
      masks.push(mask);
    }
    expect(minBits(masks)).toBeGreaterThan(1280 - 40);
  });
});

describe('the MtA that GG18/GG20 signing runs (sign-gg18/round1.ts)', () => {
  it('both of Bob’s masks (β′ for γ, ν′ for w) are in [0, q⁵) and about 1280 bits wide', () => {
    const shares = makeKeyShares({ n: 2, minSigners: 2 });
    const parties = makeParties({ shares, signers: ['P1', 'P2'] });
    for (const p of parties) p.start();
    const state = (id: string) =>
      decodeValue(
        (JSON.parse(parties.find((p) => p.self === id)!.snapshot()) as { state: unknown }).state,
      ) as SignState;
    const alice = state('P1');
    const bob = state('P2');
    let reply: Uint8Array | undefined;
    const res = simulate(parties, {
      order: 'fifo',
      tamper: (env) => {
        if (env.type === MSG.r2 && env.from === 'P2') reply = env.payload;
        return undefined;
      },
    });
    for (const p of res.steps.values()) expect(p.status).toBe('done');
    const { c1, c2 } = decodeSignRound2Message(reply!);
    const secret = shares[0]!.secret.paillier;
    const skAlice = paillierKeyFromPrimes(secret.p, secret.q);
    // Alice's plaintexts as integers: k_A·γ_B + β′ and k_A·w_B + ν′.
    const betaPrm = decrypt(skAlice, c1) - alice.k! * bob.gamma!;
    const nuPrm = decrypt(skAlice, c2) - alice.k! * bob.w!;
    for (const mask of [betaPrm, nuPrm]) {
      expect(mask >= 0n && mask < Q5).toBe(true);
      expect(bitLength(mask)).toBeGreaterThan(1280 - 40);
    }
  });
});
