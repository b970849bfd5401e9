import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { tssRejectionSample, tssSha512_256iTagged } from '../../src/hash/tss-lib.js';
import { bitLength, gcd, jacobi, mod, modInv } from '../../src/math/bigint.js';
import { modPow } from '../../src/math/modexp.js';
import { generateBlumPrime, isProbablePrime } from '../../src/math/primes.js';
import { randomBytes, randomInRange } from '../../src/math/random.js';
import { PROFILES } from '../../src/profile.js';
import {
  MOD_ITERATIONS,
  MOD_PROOF_PARTS,
  MOD_TAG,
  type ModProof,
  modProofFromBytes,
  modProofToBytes,
  proveMod,
  verifyMod,
} from '../../src/zk/mod.js';
import { type ProofContext, proofTranscript, tssLibSession } from '../../src/zk/ring-pedersen.js';
import { FIXTURE_PRIME_SETS } from '../support/primes.js';

const sets = FIXTURE_PRIME_SETS;
const { paillierP: p, paillierQ: q } = sets[0]!;
const N = p * q;
const N2 = sets[1]!.paillierP * sets[1]!.paillierQ;

const ssid = randomBytes(32);
const ctxOf = (profile: ProofContext['profile'], index = 2): ProofContext => ({
  profile,
  ssid,
  prover: index,
});

function rejects(f: () => void, code?: string): VerifyError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(VerifyError);
  if (code) expect((err as VerifyError).code).toBe(code);
  return err as VerifyError;
}

/** The verifier's challenges, recomputed from the public recipe (for the forgeries). */
function challengesFor(ctx: ProofContext, n: bigint, w: bigint): bigint[] {
  if (ctx.profile === 'tss-lib') {
    const ys: bigint[] = [];
    for (let i = 0; i < MOD_ITERATIONS; i++) {
      ys.push(tssRejectionSample(n, tssSha512_256iTagged(tssLibSession(ctx), w, n, ...ys)));
    }
    return ys;
  }
  return proofTranscript(MOD_TAG, ctx)
    .append('N', n)
    .append('w', w)
    .challengesMod('y', n, MOD_ITERATIONS);
}

/**
 * tss-lib v2.0.2's Π^mod verifier (before master's "add checker in modproof"): it only refuses
 * Jacobi(w, N) = +1, and checks neither gcd(w, N) nor that xᵢ, zᵢ are units. Used to show the
 * forgeries below are real.
 */
function weakVerify(ctx: ProofContext, n: bigint, pf: ModProof): boolean {
  if (jacobi(pf.w, n) === 1 || pf.w <= 0n || pf.w >= n) return false;
  if (![...pf.x, ...pf.z].every((v) => v > 0n && v < n)) return false;
  if (bitLength(pf.a) !== 81 || bitLength(pf.b) !== 81) return false;
  if (n % 2n === 0n || isProbablePrime(n)) return false;
  const ys = challengesFor(ctx, n, pf.w);
  for (let i = 0; i < MOD_ITERATIONS; i++) {
    if (modPow(pf.z[i]!, n, n) !== ys[i]) return false;
    let rhs = ys[i]!;
    if ((pf.a >> BigInt(i)) & 1n) rhs = mod(-rhs, n);
    if ((pf.b >> BigInt(i)) & 1n) rhs = (rhs * pf.w) % n;
    if (modPow(pf.x[i]!, 4n, n) !== rhs) return false;
  }
  return true;
}

describe('Π^mod', () => {
  const proofs = Object.fromEntries(
    PROFILES.map((pr) => [pr, proveMod(ctxOf(pr), N, p, q)]),
  ) as Record<ProofContext['profile'], ModProof>;

  for (const profile of PROFILES) {
    it(`${profile}: prove → verify round trip, through bytes`, () => {
      const proof = proofs[profile];
      expect(proof.x).toHaveLength(MOD_ITERATIONS);
      expect(bitLength(proof.a)).toBe(MOD_ITERATIONS + 1);
      expect(jacobi(proof.w, N)).toBe(-1);
      verifyMod(ctxOf(profile), N, proof);
      const bytes = modProofToBytes(proof);
      expect(bytes).toHaveLength(MOD_PROOF_PARTS);
      verifyMod(ctxOf(profile), N, modProofFromBytes(bytes));
      expect(weakVerify(ctxOf(profile), N, proof)).toBe(true);
      rejects(() => verifyMod(ctxOf(profile), N2, proof));
    });
  }

  it('tss-lib challenges are 256-bit hashes; native ones are full width and distinct', () => {
    const yt = challengesFor(ctxOf('tss-lib'), N, proofs['tss-lib'].w);
    expect(yt.every((y) => bitLength(y) <= 256)).toBe(true);
    const yn = challengesFor(ctxOf('native'), N, proofs.native.w);
    expect(yn.filter((y) => bitLength(y) > 2000).length).toBeGreaterThan(70);
    expect(new Set(yn).size).toBe(MOD_ITERATIONS);
  });

  it('a proof replayed under another ssid, prover index or profile fails', () => {
    for (const profile of PROFILES) {
      const proof = proofs[profile];
      rejects(
        () => verifyMod({ ...ctxOf(profile), ssid: randomBytes(32) }, N, proof),
        'PROOF_INVALID',
      );
      rejects(() => verifyMod(ctxOf(profile, 3), N, proof), 'PROOF_INVALID');
    }
    rejects(() => verifyMod(ctxOf('native'), N, proofs['tss-lib']), 'PROOF_INVALID');
  });

  describe('tampered fields are rejected (table-driven)', () => {
    const proof = proofs.native;
    const values: [string, (v: bigint) => bigint][] = [
      ['0', () => 0n],
      ['1', () => 1n],
      ['N−1', () => N - 1n],
      ['N', () => N],
      ['N+1', () => N + 1n],
      ['p (gcd > 1)', () => p],
      ['2q (gcd > 1)', () => 2n * q],
      ['v+1 (off by one)', (v) => v + 1n],
      ['v−1 (off by one)', (v) => v - 1n],
      ['−v', (v) => -v],
      ['10 MB integer', () => 1n << 80_000_000n],
    ];
    const variants: [string, (v: bigint) => ModProof][] = [];
    for (const [name, f] of values) {
      variants.push([`w = ${name}`, () => ({ ...proof, w: f(proof.w) })]);
      for (const i of [0, MOD_ITERATIONS - 1]) {
        for (const field of ['x', 'z'] as const) {
          variants.push([
            `${field}[${i}] = ${name}`,
            () => {
              const arr = [...proof[field]];
              arr[i] = f(arr[i]!);
              return { ...proof, [field]: arr };
            },
          ]);
        }
      }
    }
    for (const field of ['a', 'b'] as const) {
      const v = proof[field];
      for (const [name, nv] of [
        ['bit 0 flipped', v ^ 1n],
        ['bit 79 flipped', v ^ (1n << 79n)],
        ['80 bits', v ^ (1n << 80n)],
        ['82 bits', v | (1n << 81n)],
        ['0', 0n],
        ['−a', -v],
      ] as const) {
        variants.push([`${field} ${name}`, () => ({ ...proof, [field]: nv })]);
      }
    }
    for (const [name, make] of variants) {
      it(name, () => rejects(() => verifyMod(ctxOf('native'), N, make(0n))));
    }
  });

  describe('statement and shape', () => {
    const proof = proofs['tss-lib'];
    it('rejects N that is even, 2047 or 2049 bits, negative, huge', () => {
      for (const n of [N + 1n, N >> 1n, N << 1n, N * 3n, -N, 1n << 80_000_000n]) {
        rejects(() => verifyMod(ctxOf('tss-lib'), n, proof), 'OUT_OF_RANGE');
      }
      rejects(() => verifyMod(ctxOf('tss-lib'), Number(N) as never, proof), 'MALFORMED');
    });

    it('requires exactly 80 responses', () => {
      for (const n of [79, 81, 0, 1]) {
        const cut = (xs: readonly bigint[]) =>
          n <= xs.length ? xs.slice(0, n) : [...xs, ...xs.slice(0, n - xs.length)];
        rejects(() => verifyMod(ctxOf('tss-lib'), N, { ...proof, x: cut(proof.x) }), 'MALFORMED');
        rejects(() => verifyMod(ctxOf('tss-lib'), N, { ...proof, z: cut(proof.z) }), 'MALFORMED');
      }
    });

    it('rejects missing and non-bigint fields', () => {
      for (const bad of [
        null,
        { ...proof, w: undefined },
        { ...proof, a: 5 },
        { ...proof, x: proof.x.map(String) },
        { ...proof, z: 'zz' },
      ]) {
        rejects(() => verifyMod(ctxOf('tss-lib'), N, bad as never), 'MALFORMED');
      }
    });

    it('byte decoder: exact parts, caps before conversion', () => {
      const bytes = modProofToBytes(proof);
      rejects(() => modProofFromBytes(bytes.slice(1)), 'MALFORMED');
      rejects(() => modProofFromBytes([...bytes, new Uint8Array([1])]), 'MALFORMED');
      const empty = [...bytes];
      empty[MOD_ITERATIONS + 1] = new Uint8Array(0);
      rejects(() => modProofFromBytes(empty), 'MALFORMED');
      const lz = [...bytes];
      lz[0] = new Uint8Array([0, 7]);
      rejects(() => modProofFromBytes(lz), 'MALFORMED');
      const bigA = [...bytes];
      bigA[MOD_ITERATIONS + 1] = new Uint8Array(12).fill(1);
      rejects(() => modProofFromBytes(bigA), 'OVERSIZED');
      const huge = [...bytes];
      huge[100] = new Uint8Array(10_000_000).fill(1);
      rejects(() => modProofFromBytes(huge), 'OVERSIZED');
    });
  });

  describe('adversarial moduli', () => {
    /**
     * The multi-prime forgery: N = P·M·R with P a Blum prime, M a product of many ~17-bit
     * primes and R a medium prime (a BitForge-style modulus), gcd(N, φ(N)) = 1.
     * w ≡ 1 (mod P), w ≡ 0 (mod M·R), so Jacobi(w, N) = 0. With bᵢ = 1 the fourth-root equation
     * is 0 ≡ 0 modulo M·R, and modulo P one of ±yᵢ is a fourth power.
     */
    function multiPrimeModulus(): { n: bigint; P: bigint; rest: bigint; lambda: bigint } {
      const P = sets[2]!.paillierP;
      let M = 1n;
      let lambda = P - 1n;
      const small: bigint[] = [];
      for (let r = 65537n; small.length < 40; r += 2n) {
        if (!isProbablePrime(r) || gcd(r, P - 1n) !== 1n) continue;
        small.push(r);
        M *= r;
        lambda = (lambda * (r - 1n)) / gcd(lambda, r - 1n);
      }
      const lo = (1n << 2047n) / (P * M) + 1n;
      const hi = ((1n << 2048n) - 1n) / (P * M);
      for (;;) {
        const R = randomInRange(lo, hi) | 1n;
        if (R > hi || !isProbablePrime(R)) continue;
        if (gcd(R - 1n, P * M) !== 1n || gcd(R, lambda) !== 1n) continue;
        const l = (lambda * (R - 1n)) / gcd(lambda, R - 1n);
        const n = P * M * R;
        if (bitLength(n) !== 2048 || gcd(n, l) !== 1n) continue;
        return { n, P, rest: M * R, lambda: l };
      }
    }

    function forgeMultiPrime(ctx: ProofContext, mp: ReturnType<typeof multiPrimeModulus>) {
      const { n, P, rest, lambda } = mp;
      const crtP = rest * modInv(rest, P); // ≡ 1 mod P, ≡ 0 mod rest
      const w = crtP % n;
      const ys = challengesFor(ctx, n, w);
      const d = modInv(n, lambda);
      const e4 = ((P + 1n) / 4n) ** 2n % (P - 1n);
      let a = 1n << 80n;
      const b = (1n << 81n) - 1n; // every bᵢ = 1
      const x: bigint[] = [];
      const z: bigint[] = [];
      ys.forEach((y, i) => {
        const yP = y % P;
        const ai = modPow(yP, (P - 1n) / 2n, P) === 1n ? 0n : 1n;
        const u = ai ? P - yP : yP;
        x.push((modPow(u, e4, P) * crtP) % n);
        z.push(modPow(y, d, n));
        a |= ai << BigInt(i);
      });
      return { w, x, a, b, z } satisfies ModProof;
    }

    const mp = multiPrimeModulus();

    for (const profile of PROFILES) {
      it(`${profile}: the multi-prime forgery (w ≡ 1 mod P, w ≡ 0 mod Q) is rejected`, () => {
        const forged = forgeMultiPrime(ctxOf(profile), mp);
        expect(jacobi(forged.w, mp.n)).toBe(0);
        // It is a real forgery: tss-lib v2.0.2's checks accept it.
        expect(weakVerify(ctxOf(profile), mp.n, forged)).toBe(true);
        const err = rejects(() => verifyMod(ctxOf(profile), mp.n, forged), 'PROOF_INVALID');
        expect(err.shortMessage).toMatch(/Jacobi/);
      });
    }

    it('a prime N (valid proof except primality) is rejected', async () => {
      const n = await generateBlumPrime(2048);
      const ctx = ctxOf('tss-lib');
      let w = 2n;
      while (jacobi(w, n) !== -1) w++;
      const ys = challengesFor(ctx, n, w);
      const d = modInv(n, n - 1n);
      const e4 = ((n + 1n) / 4n) ** 2n % (n - 1n);
      let a = 1n << 80n;
      const x: bigint[] = [];
      const z: bigint[] = [];
      ys.forEach((y, i) => {
        const ai = modPow(y, (n - 1n) / 2n, n) === 1n ? 0n : 1n;
        x.push(modPow(ai ? n - y : y, e4, n));
        z.push(modPow(y, d, n));
        a |= ai << BigInt(i);
      });
      const forged: ModProof = { w, x, a, b: 1n << 80n, z };
      // Every equation holds; only the primality check stands in the way.
      const ysOk = forged.z.every((zi, i) => modPow(zi, n, n) === ys[i]);
      expect(ysOk).toBe(true);
      const err = rejects(() => verifyMod(ctx, n, forged), 'PROOF_INVALID');
      expect(err.shortMessage).toMatch(/prime/);
    });
  });

  describe('fuzz', () => {
    const honest = modProofToBytes(proofs['tss-lib']);

    it('the byte decoder only ever returns a proof or throws VerifyError', () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 200 }),
          fc.nat(),
          fc.uint8Array({ maxLength: 300 }),
          (random, at, part) => {
            const mutated = [...honest];
            mutated[at % mutated.length] = part;
            for (const parts of [random, mutated]) {
              try {
                const pf = modProofFromBytes(parts);
                expect(pf.z).toHaveLength(MOD_ITERATIONS);
              } catch (e) {
                expect(e).toBeInstanceOf(VerifyError);
              }
            }
          },
        ),
        { numRuns: 200 },
      );
    });

    it('a random value in any slot is rejected with VerifyError', () => {
      const proof = proofs['tss-lib'];
      fc.assert(
        fc.property(
          fc.constantFrom('w', 'x', 'z', 'a', 'b'),
          fc.integer({ min: 0, max: MOD_ITERATIONS - 1 }),
          fc.bigInt({ min: -(1n << 2100n), max: 1n << 2100n }),
          (field, i, v) => {
            let tampered: ModProof;
            if (field === 'x' || field === 'z') {
              fc.pre(v !== proof[field][i]);
              const arr = [...proof[field]];
              arr[i] = v;
              tampered = { ...proof, [field]: arr };
            } else {
              fc.pre(v !== proof[field]);
              tampered = { ...proof, [field]: v };
            }
            rejects(() => verifyMod(ctxOf('tss-lib'), N, tampered));
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  it('prover refuses inconsistent or non-Blum inputs', () => {
    const ctx = ctxOf('native');
    expect(() => proveMod(ctx, N + 2n, p, q)).toThrow(LocalError);
    expect(() => proveMod(ctx, p * p, p, p)).toThrow(LocalError);
    expect(() => proveMod(ctx, N, q, p + 4n)).toThrow(LocalError);
    expect(() => proveMod(ctx, 21n, 3n, 7n)).toThrow(LocalError);
  });
});
