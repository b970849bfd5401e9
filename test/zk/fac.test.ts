import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { tssRejectionSample, tssSha512_256iTagged } from '../../src/hash/tss-lib.js';
import { bitLength, byteLength, isqrt, modInv } from '../../src/math/bigint.js';
import { CURVE_ORDER } from '../../src/math/curve.js';
import { modPow } from '../../src/math/modexp.js';
import { randomBelow, randomBytes } from '../../src/math/random.js';
import { PROFILES } from '../../src/profile.js';
import {
  FAC_FIELD_BYTES,
  FAC_PROOF_PARTS,
  type FacProof,
  facBounds,
  facProofFromBytes,
  facProofToBytes,
  proveFac,
  verifyFac,
} from '../../src/zk/fac.js';
import {
  type ProofContext,
  type RingPedersenPublic,
  ringPedersenFromSafePrimes,
  tssLibSession,
} from '../../src/zk/ring-pedersen.js';
import { FIXTURE_PRIME_SETS } from '../support/primes.js';

const sets = FIXTURE_PRIME_SETS;

const { paillierP: p, paillierQ: q } = sets[0]!;
const N0 = p * q;
const N0other = sets[3]!.paillierP * sets[3]!.paillierQ;
const verifier = ringPedersenFromSafePrimes(sets[1]!.ntildeP, sets[1]!.ntildeQ);
const otherVerifier = ringPedersenFromSafePrimes(sets[2]!.ntildeP, sets[2]!.ntildeQ);
const { ntilde: Nt, h1: s, h2: t } = verifier.pub;
const qc = CURVE_ORDER;

const ssid = randomBytes(32);
const ctxOf = (profile: ProofContext['profile'], index = 1): ProofContext => ({
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

const pw = (b: bigint, e: bigint) => modPow(b, e, Nt);
const mul = (...xs: bigint[]) => xs.reduce((acc, x) => (acc * x) % Nt, 1n);

/** The three equations of fig. 28 for a given challenge e (no range or hash checks). */
function equationsHold(n0: bigint, pf: FacProof, e: bigint): boolean {
  const R = mul(pw(s, n0), pw(t, pf.sigma));
  return (
    mul(pw(s, pf.z1), pw(t, pf.w1)) === mul(pf.A, pw(pf.P, e)) &&
    mul(pw(s, pf.z2), pw(t, pf.w2)) === mul(pf.B, pw(pf.Q, e)) &&
    mul(pw(pf.Q, pf.z1), pw(t, pf.v)) === mul(pf.T, pw(R, e))
  );
}

/** A flawed challenge that omits A, B and T (the bug of a shipped TS library). */
function weakChallenge(ctx: ProofContext, n0: bigint, pf: Pick<FacProof, 'P' | 'Q' | 'sigma'>) {
  return tssRejectionSample(
    qc,
    tssSha512_256iTagged(tssLibSession(ctx), n0, Nt, s, t, pf.P, pf.Q, pf.sigma),
  );
}

/** A verifier using {@link weakChallenge} but every range check. */
function weakVerify(ctx: ProofContext, n0: bigint, pf: FacProof): boolean {
  const b = facBounds(n0, Nt);
  if (pf.z1 < 0n || pf.z1 >= b.z || pf.z2 < 0n || pf.z2 >= b.z) return false;
  return equationsHold(n0, pf, weakChallenge(ctx, n0, pf));
}

describe('Π^fac', () => {
  const proofs = Object.fromEntries(
    PROFILES.map((pr) => [pr, proveFac(ctxOf(pr), N0, p, q, verifier.pub)]),
  ) as Record<ProofContext['profile'], FacProof>;

  for (const profile of PROFILES) {
    it(`${profile}: prove → verify round trip (public and own-secret paths), through bytes`, () => {
      const ctx = ctxOf(profile);
      const proof = proofs[profile];
      verifyFac(ctx, N0, verifier.pub, proof);
      verifyFac(ctx, N0, verifier, proof);
      const bytes = facProofToBytes(proof);
      expect(bytes).toHaveLength(FAC_PROOF_PARTS);
      verifyFac(ctx, N0, verifier, facProofFromBytes(bytes));
    });

    it(`${profile}: only verifies under the verifier's own Ñ and for its own N0`, () => {
      const ctx = ctxOf(profile);
      rejects(() => verifyFac(ctx, N0, otherVerifier.pub, proofs[profile]));
      rejects(() => verifyFac(ctx, N0, otherVerifier, proofs[profile]));
      rejects(() => verifyFac(ctx, N0other, verifier, proofs[profile]), 'PROOF_INVALID');
    });
  }

  it('the honest proof fits every bound and byte cap', () => {
    const b = facBounds(N0, Nt);
    for (const pf of Object.values(proofs)) {
      expect(pf.z1 < b.z && pf.z2 < b.z && pf.sigma < b.sigma).toBe(true);
      expect(pf.w1 < b.w && pf.w2 < b.w && pf.v < b.v && pf.v >= 0n).toBe(true);
      for (const [k, cap] of Object.entries(FAC_FIELD_BYTES)) {
        expect(byteLength(pf[k as keyof FacProof])).toBeLessThanOrEqual(cap);
      }
    }
    expect(b.z).toBe(qc ** 3n * isqrt(N0));
  });

  it('a proof replayed under another ssid, prover index or profile fails', () => {
    for (const profile of PROFILES) {
      const pf = proofs[profile];
      rejects(() => verifyFac({ ...ctxOf(profile), ssid: randomBytes(32) }, N0, verifier, pf));
      rejects(() => verifyFac(ctxOf(profile, 2), N0, verifier, pf), 'PROOF_INVALID');
    }
    rejects(() => verifyFac(ctxOf('native'), N0, verifier, proofs['tss-lib']), 'PROOF_INVALID');
    rejects(() => verifyFac(ctxOf('tss-lib'), N0, verifier, proofs.native), 'PROOF_INVALID');
  });

  describe('tampered fields are rejected (table-driven)', () => {
    const proof = proofs.native;
    const bounds = facBounds(N0, Nt);
    const common: [string, (v: bigint) => bigint][] = [
      ['0', () => 0n],
      ['1', () => 1n],
      ['Ñ−1', () => Nt - 1n],
      ['Ñ', () => Nt],
      ['P̃ (gcd > 1 with Ñ)', () => sets[1]!.ntildeP],
      ['v+1 (off by one)', (v) => v + 1n],
      ['v−1 (off by one)', (v) => v - 1n],
      ['−v', (v) => -v],
      ['10 MB integer', () => 1n << 80_000_000n],
    ];
    const extra: Partial<Record<keyof FacProof, [string, bigint][]>> = {
      z1: [
        ['q³√N0 (bound)', bounds.z],
        ['q³√N0 − 1 (just inside)', bounds.z - 1n],
      ],
      z2: [['q³√N0 (bound)', bounds.z]],
      sigma: [['q·N0·Ñ', bounds.sigma]],
      w1: [['2q³Ñ', bounds.w]],
      v: [['2q³N0Ñ', bounds.v]],
    };
    for (const field of ['P', 'Q', 'A', 'B', 'T', 'sigma', 'z1', 'z2', 'w1', 'w2', 'v'] as const) {
      const rows: [string, bigint][] = [
        ...common.map(([n, f]): [string, bigint] => [n, f(proof[field])]),
        ...(extra[field] ?? []),
      ];
      for (const [name, value] of rows) {
        it(`${field} = ${name}`, () => {
          rejects(() => verifyFac(ctxOf('native'), N0, verifier, { ...proof, [field]: value }));
        });
      }
    }

    it('P, Q, A, B, T equal to 1 or Ñ−1 are refused as degenerate before any equation', () => {
      for (const field of ['P', 'Q', 'A', 'B', 'T'] as const) {
        for (const v of [1n, Nt - 1n]) {
          const err = rejects(
            () => verifyFac(ctxOf('native'), N0, verifier, { ...proof, [field]: v }),
            'OUT_OF_RANGE',
          );
          expect(err.shortMessage).toContain(field);
        }
      }
    });
  });

  describe('statement and shape', () => {
    const proof = proofs['tss-lib'];
    it('rejects N0 even, of 2047 or 2049 bits, negative, huge', () => {
      for (const n of [N0 + 1n, N0 >> 1n, N0 << 1n, -N0, 1n << 80_000_000n]) {
        rejects(() => verifyFac(ctxOf('tss-lib'), n, verifier, proof), 'OUT_OF_RANGE');
      }
    });

    it('rejects missing and non-bigint fields', () => {
      for (const bad of [null, { ...proof, v: undefined }, { ...proof, sigma: 3 }, {}]) {
        rejects(() => verifyFac(ctxOf('tss-lib'), N0, verifier, bad as never), 'MALFORMED');
      }
    });

    it('refuses own parameters whose secret does not match', () => {
      expect(() =>
        verifyFac(ctxOf('tss-lib'), N0, { pub: verifier.pub, secret: otherVerifier.secret }, proof),
      ).toThrow(LocalError);
    });

    it('byte decoder: exactly 11 parts, caps before conversion', () => {
      const bytes = facProofToBytes(proof);
      rejects(() => facProofFromBytes(bytes.slice(1)), 'MALFORMED');
      rejects(() => facProofFromBytes([...bytes, new Uint8Array([1])]), 'MALFORMED');
      const empty = [...bytes];
      empty[5] = new Uint8Array(0);
      rejects(() => facProofFromBytes(empty), 'MALFORMED');
      const lz = [...bytes];
      lz[0] = new Uint8Array([0, 9]);
      rejects(() => facProofFromBytes(lz), 'MALFORMED');
      const fields = ['P', 'Q', 'A', 'B', 'T', 'sigma', 'z1', 'z2', 'w1', 'w2', 'v'] as const;
      fields.forEach((k, i) => {
        const over = [...bytes];
        over[i] = new Uint8Array(FAC_FIELD_BYTES[k] + 1).fill(1);
        rejects(() => facProofFromBytes(over), 'OVERSIZED');
      });
      const huge = [...bytes];
      huge[10] = new Uint8Array(10_000_000).fill(1);
      rejects(() => facProofFromBytes(huge), 'OVERSIZED');
    });
  });

  describe('small factors', () => {
    // N0 = 3·X with X odd (X need not be prime: the point is the factor 3), 2048 bits.
    let X = (1n << 2047n) / 3n + 12345n;
    if (X % 2n === 0n) X += 1n;
    const bad = 3n * X;

    it('setup: N0 = 3·X is a 2048-bit odd modulus', () => {
      expect(bitLength(bad)).toBe(2048);
      expect(bad % 2n).toBe(1n);
    });

    it('the prover refuses a factorization with a factor beyond the proof range', () => {
      expect(() => proveFac(ctxOf('native'), bad, 3n, X, verifier.pub)).toThrow(LocalError);
      expect(() => proveFac(ctxOf('native'), N0, p, q + 2n, verifier.pub)).toThrow(LocalError);
    });

    for (const profile of PROFILES) {
      it(`${profile}: the honest algorithm run on 3·X produces an out-of-range z2`, () => {
        const ctx = ctxOf(profile);
        const b = facBounds(bad, Nt);
        const alpha = randomBelow(b.z);
        const beta = randomBelow(b.z);
        const mu = randomBelow(qc * Nt);
        const nu = randomBelow(qc * Nt);
        const sigma = randomBelow(b.sigma);
        const r = randomBelow(qc ** 3n * bad * Nt);
        const x = randomBelow(qc ** 3n * Nt);
        const y = randomBelow(qc ** 3n * Nt);
        const P = mul(pw(s, 3n), pw(t, mu));
        const Q = mul(pw(s, X), pw(t, nu));
        const A = mul(pw(s, alpha), pw(t, x));
        const B = mul(pw(s, beta), pw(t, y));
        const T = mul(pw(Q, alpha), pw(t, r));
        // Whatever e the verifier derives (use a non-zero one), z2 = β + e·X is far out of range.
        const e = 1n + randomBelow(qc - 1n);
        const pf: FacProof = {
          P,
          Q,
          A,
          B,
          T,
          sigma,
          z1: alpha + e * 3n,
          z2: beta + e * X,
          w1: x + e * mu,
          w2: y + e * nu,
          v: r + e * (sigma - nu * 3n),
        };
        expect(equationsHold(bad, pf, e)).toBe(true);
        const err = rejects(() => verifyFac(ctx, bad, verifier, pf), 'OUT_OF_RANGE');
        expect(err.shortMessage).toContain('z2');
      });
    }

    for (const profile of PROFILES) {
      it(`${profile}: fixing e first and solving for A, B, T fools a weak hash, not ours`, () => {
        const ctx = ctxOf(profile);
        const b = facBounds(bad, Nt);
        // First messages the weak challenge does hash: honest-looking P, Q, σ.
        const P = mul(pw(s, 3n), pw(t, randomBelow(qc * Nt)));
        const Q = mul(pw(s, X), pw(t, randomBelow(qc * Nt)));
        const sigma = randomBelow(b.sigma);
        const e = weakChallenge(ctx, bad, { P, Q, sigma });
        // Responses picked freely inside every range...
        const z1 = randomBelow(b.z);
        const z2 = randomBelow(b.z);
        const w1 = randomBelow(qc ** 3n * Nt);
        const w2 = randomBelow(qc ** 3n * Nt);
        const v = randomBelow(qc ** 3n * bad * Nt);
        // ...and A, B, T solved from the verification equations.
        const R = mul(pw(s, bad), pw(t, sigma));
        const A = mul(pw(s, z1), pw(t, w1), modInv(pw(P, e), Nt));
        const B = mul(pw(s, z2), pw(t, w2), modInv(pw(Q, e), Nt));
        const T = mul(pw(Q, z1), pw(t, v), modInv(pw(R, e), Nt));
        const forged: FacProof = { P, Q, A, B, T, sigma, z1, z2, w1, w2, v };
        // A real attack: the weakened verifier accepts N0 = 3·X.
        expect(weakVerify(ctx, bad, forged)).toBe(true);
        // Ours hashes A, B, T too, so the solved values do not match its challenge.
        rejects(() => verifyFac(ctx, bad, verifier, forged), 'PROOF_INVALID');
        rejects(() => verifyFac(ctx, bad, verifier.pub, forged), 'PROOF_INVALID');
      });
    }
  });

  describe('fuzz', () => {
    const honest = facProofToBytes(proofs['tss-lib']);
    const fields = ['P', 'Q', 'A', 'B', 'T', 'sigma', 'z1', 'z2', 'w1', 'w2', 'v'] as const;

    it('the byte decoder only ever returns a proof or throws VerifyError', () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 14 }),
          fc.nat(),
          fc.uint8Array({ maxLength: 700 }),
          (random, at, part) => {
            const mutated = [...honest];
            mutated[at % mutated.length] = part;
            for (const parts of [random, mutated]) {
              try {
                const pf = facProofFromBytes(parts);
                expect(typeof pf.v).toBe('bigint');
              } catch (e) {
                expect(e).toBeInstanceOf(VerifyError);
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('a random value in any field is rejected with VerifyError', () => {
      const proof = proofs['tss-lib'];
      fc.assert(
        fc.property(
          fc.constantFrom(...fields),
          fc.bigInt({ min: -(1n << 5000n), max: 1n << 5000n }),
          (field, v) => {
            fc.pre(v !== proof[field]);
            rejects(() => verifyFac(ctxOf('tss-lib'), N0, verifier, { ...proof, [field]: v }));
          },
        ),
        { numRuns: 100 },
      );
    });
  });

  it('prover checks its inputs', () => {
    const ctx = ctxOf('native');
    expect(() => proveFac(ctx, N0 + 2n, p, q, verifier.pub)).toThrow(LocalError);
    expect(() => proveFac(ctx, N0 >> 1n, p, q / 2n, verifier.pub)).toThrow(LocalError);
    const badVerifier: RingPedersenPublic = { ...verifier.pub, h2: verifier.pub.h1 };
    expect(() => proveFac(ctx, N0, p, q, badVerifier)).toThrow(VerifyError);
  });
});
