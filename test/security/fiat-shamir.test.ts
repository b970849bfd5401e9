/**
 * Every first message is bound into its Fiat–Shamir challenge (SECURITY.md items 3, 4, 6, 7).
 *
 * The attack on a challenge that omits a first message (the Π^fac bug of a shipped TS library):
 * the prover fixes e first and then solves the verification equations for the omitted value.
 * Each test below performs exactly that step on an honest proof, without knowing e: it changes
 * one response by one unit and multiplies the corresponding first message by the matching
 * generator, so every verification equation still holds *for the same challenge*. Only the hash
 * stands in the way: if the challenge did not cover that first message, the mutated proof would
 * verify. (The existing Π^fac test forges against a hash that omits A, B and T together, so it
 * cannot catch a challenge that omits just one of them, or one in the native profile.)
 */
import { describe, expect, it } from 'vitest';
import { CurvePoint, G, mulG } from '../../src/math/curve.js';
import { modPow } from '../../src/math/modexp.js';
import { randomBelow, randomBytes, randomUnit } from '../../src/math/random.js';
import { add, encrypt, mulScalar, nSquare } from '../../src/paillier/paillier.js';
import { PROFILES, type Profile } from '../../src/profile.js';
import { proveDln, verifyDln } from '../../src/zk/dln.js';
import { proveFac, verifyFac } from '../../src/zk/fac.js';
import { Q, Q5 } from '../../src/zk/mta/common.js';
import {
  type MtaProofContext,
  type ProofBob,
  proveBob,
  proveBobWC,
  proveRangeAlice,
  verifyBob,
  verifyBobWC,
  verifyRangeAlice,
} from '../../src/zk/mta/index.js';
import type { ProofContext } from '../../src/zk/ring-pedersen.js';
import { proveSchnorr, verifySchnorr } from '../../src/zk/schnorr.js';
import { paillierKey, primes, rejects, ringPedersen } from './support.js';

const ssid = randomBytes(32);
const ctxOf = (profile: Profile): ProofContext & MtaProofContext => ({ profile, ssid, prover: 1 });

// Alice / the Paillier owner is fixture set 0; the verifier's ring-Pedersen parameters are set 1.
const sk = paillierKey(0);
const pk = sk.publicKey;
const N = pk.n;
const N2 = nSquare(pk);
const own = ringPedersen(1);
const { ntilde: Nt, h1, h2 } = own.pub;
const verifier = { nTilde: Nt, h1, h2 };
const modNt = (x: bigint) => x % Nt;

describe.each(PROFILES)('Fiat–Shamir binding of first messages (%s)', (profile) => {
  const ctx = ctxOf(profile);

  it('Π^fac: A, B and T are each hashed (item 3: a prover cannot fix e and solve for them)', () => {
    const { p, q } = primes(0);
    const pf = proveFac(ctx, N, p, q, own.pub);
    verifyFac(ctx, N, own, pf);
    // s^{z1}·t^{w1} = A·P^e, s^{z2}·t^{w2} = B·Q^e, Q^{z1}·t^{v} = T·R^e (t = h2).
    const variants = {
      A: { ...pf, A: modNt(pf.A * h2), w1: pf.w1 + 1n },
      B: { ...pf, B: modNt(pf.B * h2), w2: pf.w2 + 1n },
      T: { ...pf, T: modNt(pf.T * h2), v: pf.v + 1n },
    };
    for (const [name, forged] of Object.entries(variants)) {
      const err = rejects(() => verifyFac(ctx, N, own, forged), 'PROOF_INVALID');
      expect(err.shortMessage, name).toMatch(/equation/);
    }
  });

  it('DLN: every commitment α_i is hashed (item 4)', () => {
    const { secret, pub } = own;
    const pf = proveDln(ctx, pub, secret.alpha, secret);
    verifyDln(ctx, pub, pf);
    // h1^{t_i} = α_i·h2^{c_i}: α_i·h1 with t_i + 1 satisfies iteration i for the same c_i.
    for (const i of [0, 64, 127]) {
      const alpha = [...pf.alpha];
      const t = [...pf.t];
      alpha[i] = modNt(alpha[i]! * h1);
      t[i] = t[i]! + 1n;
      rejects(() => verifyDln(ctx, pub, { alpha, t }), 'PROOF_INVALID');
    }
  });

  it("Alice's range proof: u and w are hashed (item 7)", () => {
    const m = randomBelow(Q);
    const { c, r } = encrypt(pk, m);
    const pf = proveRangeAlice(ctx, pk, verifier, c, m, r);
    verifyRangeAlice(ctx, pf, pk, verifier, c);
    // u·c^e = Γ^{s1}·s^N (mod N²): s·x with u·x^N; w·z^e = h1^{s1}·h2^{s2}: s2 + 1 with w·h2.
    const x = randomUnit(N);
    const forgedU = { ...pf, s: (pf.s * x) % N, u: (pf.u * modPow(x, N, N2)) % N2 };
    const forgedW = { ...pf, w: modNt(pf.w * h2), s2: pf.s2 + 1n };
    rejects(() => verifyRangeAlice(ctx, forgedU, pk, verifier, c), 'PROOF_INVALID');
    rejects(() => verifyRangeAlice(ctx, forgedW, pk, verifier, c), 'PROOF_INVALID');
  });

  it("Bob's proofs (MtA and MtAwc): v, w and z′ are hashed (item 7)", () => {
    const { c: c1 } = encrypt(pk, randomBelow(Q));
    const b = 1n + randomBelow(Q - 1n);
    const betaPrm = randomBelow(Q5);
    const enc = encrypt(pk, betaPrm);
    const c2 = add(pk, mulScalar(pk, c1, b), enc.c);
    const bob = proveBob(ctx, pk, verifier, c1, c2, b, betaPrm, enc.r);
    const bobWC = proveBobWC(ctx, pk, verifier, c1, c2, b, betaPrm, enc.r);
    const X = mulG(b);
    verifyBob(ctx, bob, pk, verifier, c1, c2);
    verifyBobWC(ctx, bobWC, pk, verifier, c1, c2, X);
    const x = randomUnit(N);
    // c1^{s1}·s^N·Γ^{t1} = c2^e·v; h1^{t1}·h2^{t2} = t^e·w; h1^{s1}·h2^{s2} = z^e·z′.
    const variants = <P extends ProofBob>(pf: P): P[] => [
      { ...pf, s: (pf.s * x) % N, v: (pf.v * modPow(x, N, N2)) % N2 },
      { ...pf, w: modNt(pf.w * h2), t2: pf.t2 + 1n },
      { ...pf, zPrm: modNt(pf.zPrm * h2), s2: pf.s2 + 1n },
    ];
    for (const forged of variants(bob)) {
      rejects(() => verifyBob(ctx, forged, pk, verifier, c1, c2), 'PROOF_INVALID');
    }
    for (const forged of variants(bobWC)) {
      rejects(() => verifyBobWC(ctx, forged, pk, verifier, c1, c2, X), 'PROOF_INVALID');
    }
  });

  it('Schnorr: α is hashed (item 9, item 11)', () => {
    const x = 1n + randomBelow(Q - 1n);
    const sctx = { profile, ssid, prover: 1, label: 'test' };
    const pf = proveSchnorr(sctx, x);
    verifySchnorr(sctx, mulG(x), pf);
    // t·G = α + c·X: α + G with t + 1 satisfies the equation for the same c.
    const alpha = CurvePoint.fromBytes(pf.alpha).add(G).toBytes(true);
    rejects(() => verifySchnorr(sctx, mulG(x), { alpha, t: (pf.t + 1n) % Q }), 'PROOF_INVALID');
  });
});
