import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gcd } from '../../../src/math/bigint.js';
import { mulG, type Point } from '../../../src/math/curve.js';
import { modPow } from '../../../src/math/modexp.js';
import { randomBelow, randomUnit } from '../../../src/math/random.js';
import {
  encryptWithNonce,
  generatorPow,
  nSquare,
  type PaillierPrivateKey,
  type PaillierPublicKey,
  paillierKeyFromPrimes,
} from '../../../src/paillier/paillier.js';
import { bobChallenge, type ProofBob, type ProofBobWC } from '../../../src/zk/mta/bob.js';
import {
  type MtaProofContext,
  Q,
  Q3,
  Q7,
  type RingPedersenParams,
} from '../../../src/zk/mta/common.js';
import { type RangeProofAlice, rangeAliceChallenge } from '../../../src/zk/mta/range-alice.js';
import { FIXTURE_PRIME_SETS } from '../../support/primes.js';

const _here = dirname(fileURLToPath(import.meta.url));

const sets = FIXTURE_PRIME_SETS;

const _hex = (s: string) => BigInt(`0x${s}`);

/** Number of fixture sets. */
export const FIXTURE_SETS = sets.length;

const paillierCache = new Map<number, PaillierPrivateKey>();

/** The Paillier private key of fixture set `i` (cached). */
export function fixturePaillier(i: number): PaillierPrivateKey {
  let sk = paillierCache.get(i);
  if (!sk) {
    const s = sets[i]!;
    sk = paillierKeyFromPrimes(s.paillierP, s.paillierQ);
    paillierCache.set(i, sk);
  }
  return sk;
}

/** The Paillier primes of fixture set `i`. */
export function fixturePaillierPrimes(i: number): { p: bigint; q: bigint } {
  const s = sets[i]!;
  return { p: s.paillierP, q: s.paillierQ };
}

/** Ring-Pedersen parameters of party `i`, with the factors of Ñ (for gcd > 1 test values). */
export interface TestRingPedersen extends RingPedersenParams {
  readonly P: bigint;
  readonly Q: bigint;
}

const rpCache = new Map<number, TestRingPedersen>();

/** Ring-Pedersen parameters from fixture set `i`'s safe primes: h1 = f², h2 = h1^λ. */
export function fixtureRingPedersen(i: number): TestRingPedersen {
  let rp = rpCache.get(i);
  if (!rp) {
    const s = sets[i]!;
    const P = s.ntildeP;
    const Qf = s.ntildeQ;
    const nTilde = P * Qf;
    const f = randomUnit(nTilde);
    const h1 = (f * f) % nTilde;
    const lambda = randomBelow(((P - 1n) / 2n) * ((Qf - 1n) / 2n) - 2n) + 2n;
    const h2 = modPow(h1, lambda, nTilde);
    rp = { nTilde, h1, h2, P, Q: Qf };
    rpCache.set(i, rp);
  }
  return rp;
}

/** Strips the factors (the verifier/prover API takes only public parameters). */
export function publicParams(rp: TestRingPedersen): RingPedersenParams {
  return { nTilde: rp.nTilde, h1: rp.h1, h2: rp.h2 };
}

function ped(v: RingPedersenParams, a: bigint, b: bigint): bigint {
  return (modPow(v.h1, a, v.nTilde) * modPow(v.h2, b, v.nTilde)) % v.nTilde;
}

/**
 * A cheating Alice: runs the range-proof equations for any m (e.g. m > q³), without the honest
 * prover's refusal. `tweak` may rewrite s1 before returning (e.g. reduce it into range).
 */
export function forgeRangeAlice(
  ctx: MtaProofContext,
  pk: PaillierPublicKey,
  v: RingPedersenParams,
  m: bigint,
  tweak: (p: RangeProofAlice) => RangeProofAlice = (p) => p,
): { c: bigint; proof: RangeProofAlice } {
  const r = randomUnit(pk.n);
  const c = encryptWithNonce(pk, m % pk.n, r);
  const n2 = nSquare(pk);
  const alpha = randomBelow(Q3);
  const beta = randomUnit(pk.n);
  const gamma = randomBelow(Q3 * v.nTilde);
  const rho = randomBelow(Q * v.nTilde);
  const z = ped(v, m, rho);
  const u = (generatorPow(pk, alpha) * modPow(beta, pk.n, n2)) % n2;
  const w = ped(v, alpha, gamma);
  const e = rangeAliceChallenge(ctx, pk, v, c, z, u, w);
  const s = (modPow(r, e, pk.n) * beta) % pk.n;
  return { c, proof: tweak({ z, u, w, s, s1: e * m + alpha, s2: e * rho + gamma }) };
}

/**
 * A cheating Bob: c2 = c1^x·Enc(y) and Bob's proof for any x, y (e.g. y ≥ q⁷), without the
 * honest prover's refusals. With `X`, makes the proof with check against that point.
 */
export function forgeBob(
  ctx: MtaProofContext,
  pk: PaillierPublicKey,
  v: RingPedersenParams,
  c1: bigint,
  x: bigint,
  y: bigint,
  X?: Point,
): { c2: bigint; proof: ProofBob | ProofBobWC } {
  const n2 = nSquare(pk);
  const r = randomUnit(pk.n);
  const c2 = (modPow(c1, x, n2) * encryptWithNonce(pk, y % pk.n, r)) % n2;
  const alpha = randomBelow(Q3 - 1n) + 1n;
  const rho = randomBelow(Q * v.nTilde);
  const sigma = randomBelow(Q * v.nTilde);
  const tau = randomBelow(Q3 * v.nTilde);
  const rhoPrm = randomBelow(Q3 * v.nTilde);
  const beta = randomUnit(pk.n);
  const gamma = randomBelow(Q7);
  const z = ped(v, x, rho);
  const zPrm = ped(v, alpha, rhoPrm);
  const t = ped(v, y, sigma);
  const vv =
    (((modPow(c1, alpha, n2) * generatorPow(pk, gamma)) % n2) * modPow(beta, pk.n, n2)) % n2;
  const w = ped(v, gamma, tau);
  const u = X === undefined ? undefined : mulG(alpha);
  const e = bobChallenge(
    ctx,
    { pk, verifier: v, c1, c2 },
    { z, zPrm, t, v: vv, w },
    X === undefined ? undefined : { X, u: u! },
  );
  const proof: ProofBob = {
    z,
    zPrm,
    t,
    v: vv,
    w,
    s: (modPow(r, e, pk.n) * beta) % pk.n,
    s1: e * x + alpha,
    s2: e * rho + rhoPrm,
    t1: e * y + gamma,
    t2: e * sigma + tau,
  };
  return { c2, proof: u === undefined ? proof : { ...proof, u } };
}

/** A value sharing a factor with `m` (given one factor), in [2, m). */
export function nonUnit(factor: bigint, m: bigint): bigint {
  const x = factor * 3n;
  if (x >= m || gcd(x, m) === 1n) throw new Error('bad nonUnit test value');
  return x;
}

/** A 32-byte test ssid. */
export function testSsid(tag: string): Uint8Array {
  const out = new Uint8Array(32);
  const b = new TextEncoder().encode(tag);
  out.set(b.subarray(0, 32));
  out[31] = (out[31] ?? 0) ^ 0x5a;
  return out;
}
