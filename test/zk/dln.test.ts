import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { tssSha512_256i } from '../../src/hash/tss-lib.js';
import { modInv } from '../../src/math/bigint.js';
import { modPowBigInt } from '../../src/math/modexp.js';
import { randomBelow, randomBytes } from '../../src/math/random.js';
import { PROFILES } from '../../src/profile.js';
import {
  DLN_ITERATIONS,
  DLN_PROOF_PARTS,
  type DlnProof,
  dlnProofFromBytes,
  dlnProofToBytes,
  proveDln,
  proveDlnPair,
  verifyDln,
  verifyDlnPair,
} from '../../src/zk/dln.js';
import {
  type ProofContext,
  type RingPedersenPublic,
  ringPedersenFromSafePrimes,
} from '../../src/zk/ring-pedersen.js';
import { FIXTURE_PRIME_SETS } from '../support/primes.js';

const sets = FIXTURE_PRIME_SETS;

const keys = ringPedersenFromSafePrimes(sets[0]!.ntildeP, sets[0]!.ntildeQ);
const other = ringPedersenFromSafePrimes(sets[1]!.ntildeP, sets[1]!.ntildeQ);
const { ntilde, h1, h2 } = keys.pub;
const reversed: RingPedersenPublic = { ntilde, h1: h2, h2: h1 };

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

const with_ = (proof: DlnProof, field: 'alpha' | 't', i: number, v: bigint): DlnProof => {
  const arr = [...proof[field]];
  arr[i] = v;
  return { ...proof, [field]: arr };
};

describe('DLN proof', () => {
  const proofs = Object.fromEntries(
    PROFILES.map((p) => [p, proveDlnPair(ctxOf(p), keys)]),
  ) as Record<ProofContext['profile'], ReturnType<typeof proveDlnPair>>;

  for (const profile of PROFILES) {
    it(`${profile}: prove → verify round trip, both directions, through bytes`, () => {
      const ctx = ctxOf(profile);
      const pair = proofs[profile];
      expect(pair.proof1.alpha).toHaveLength(DLN_ITERATIONS);
      expect(pair.proof1.t).toHaveLength(DLN_ITERATIONS);
      verifyDlnPair(ctx, keys.pub, pair);
      const bytes = dlnProofToBytes(pair.proof1);
      expect(bytes).toHaveLength(DLN_PROOF_PARTS);
      verifyDln(ctx, keys.pub, dlnProofFromBytes(bytes));
      // Each proof is for its own direction only.
      rejects(() => verifyDln(ctx, reversed, pair.proof1), 'PROOF_INVALID');
      rejects(() => verifyDln(ctx, keys.pub, pair.proof2), 'PROOF_INVALID');
      // And for its own parameters only.
      rejects(() => verifyDln(ctx, other.pub, pair.proof1));
    });
  }

  it('native: a proof replayed under another ssid, prover index or profile fails', () => {
    const proof = proofs.native.proof1;
    rejects(() => verifyDln({ ...ctxOf('native'), ssid: randomBytes(32) }, keys.pub, proof));
    rejects(() => verifyDln(ctxOf('native', 2), keys.pub, proof), 'PROOF_INVALID');
    rejects(() => verifyDln(ctxOf('tss-lib'), keys.pub, proof), 'PROOF_INVALID');
    rejects(() => verifyDln(ctxOf('native'), keys.pub, proofs['tss-lib'].proof1));
  });

  it('tss-lib: hashes (h1, h2, Ñ, α…) with SHA512_256i, challenge bit i = bit i of the hash', () => {
    const proof = proofs['tss-lib'].proof1;
    const c = tssSha512_256i(h1, h2, ntilde, ...proof.alpha);
    for (let i = 0; i < DLN_ITERATIONS; i++) {
      const bit = (c >> BigInt(i)) & 1n;
      const rhs = bit ? (proof.alpha[i]! * h2) % ntilde : proof.alpha[i]!;
      expect(modPowBigInt(h1, proof.t[i]!, ntilde)).toBe(rhs);
    }
    // tss-lib binds no session: the same proof verifies under any ssid and index.
    verifyDln({ profile: 'tss-lib', ssid: new Uint8Array(0), prover: 7 }, keys.pub, proof);
  });

  describe('tampered fields are rejected (table-driven)', () => {
    const proof = proofs['tss-lib'].proof1;
    const table: [string, (x: bigint) => bigint][] = [
      ['0', () => 0n],
      ['1', () => 1n],
      ['Ñ−1', () => ntilde - 1n],
      ['Ñ', () => ntilde],
      ['Ñ+1', () => ntilde + 1n],
      ['P (gcd > 1)', () => sets[0]!.ntildeP],
      ['3P (gcd > 1)', () => 3n * sets[0]!.ntildeP],
      ['x+1 (off by one)', (x) => x + 1n],
      ['x−1 (off by one)', (x) => x - 1n],
      ['−x', (x) => -x],
      ['10 MB integer', () => 1n << 80_000_000n],
    ];
    for (const field of ['alpha', 't'] as const) {
      for (const [name, f] of table) {
        for (const i of [0, DLN_ITERATIONS - 1]) {
          it(`${field}[${i}] = ${name}`, () => {
            rejects(() =>
              verifyDln(ctxOf('tss-lib'), keys.pub, with_(proof, field, i, f(proof[field][i]!))),
            );
          });
        }
      }
    }

    it('statement fields: Ñ, h1, h2 degenerate', () => {
      for (const bad of [
        { ...keys.pub, h1: 1n },
        { ...keys.pub, h2: 0n },
        { ...keys.pub, h2: ntilde - 1n },
        { ...keys.pub, h1: sets[0]!.ntildeP },
        { ...keys.pub, h2: h1 },
        { ...keys.pub, ntilde: ntilde + 2n },
        { ...keys.pub, ntilde: ntilde >> 1n },
      ]) {
        rejects(() => verifyDln(ctxOf('tss-lib'), bad, proof));
      }
    });
  });

  describe('wrong lengths, shapes, sizes', () => {
    const proof = proofs['tss-lib'].proof1;
    it('rejects 127, 129, 0 and 1 iterations', () => {
      for (const n of [127, 129, 0, 1]) {
        const cut = (xs: readonly bigint[]) =>
          n <= xs.length ? xs.slice(0, n) : [...xs, ...xs.slice(0, n - xs.length)];
        rejects(
          () => verifyDln(ctxOf('tss-lib'), keys.pub, { alpha: cut(proof.alpha), t: cut(proof.t) }),
          'MALFORMED',
        );
        rejects(
          () => verifyDln(ctxOf('tss-lib'), keys.pub, { alpha: proof.alpha, t: cut(proof.t) }),
          'MALFORMED',
        );
      }
    });

    it('rejects non-arrays, non-bigints, a missing proof', () => {
      const bad = [
        null,
        { alpha: proof.alpha },
        { alpha: 'x', t: proof.t },
        { alpha: proof.alpha.map(Number), t: proof.t },
        { alpha: [...proof.alpha.slice(0, 127), undefined], t: proof.t },
      ];
      for (const b of bad)
        rejects(() => verifyDln(ctxOf('tss-lib'), keys.pub, b as never), 'MALFORMED');
    });

    it('byte decoder: exact parts, prefixes, caps before conversion', () => {
      const bytes = dlnProofToBytes(proof);
      rejects(() => dlnProofFromBytes(bytes.slice(0, -1)), 'MALFORMED');
      rejects(() => dlnProofFromBytes([...bytes, new Uint8Array([1])]), 'MALFORMED');
      const wrongPrefix = [...bytes];
      wrongPrefix[0] = new Uint8Array([127]);
      rejects(() => dlnProofFromBytes(wrongPrefix), 'MALFORMED');
      const second = [...bytes];
      second[DLN_ITERATIONS + 1] = new Uint8Array([0, 128]);
      rejects(() => dlnProofFromBytes(second), 'MALFORMED');
      const empty = [...bytes];
      empty[5] = new Uint8Array(0);
      rejects(() => dlnProofFromBytes(empty), 'MALFORMED');
      const leadingZero = [...bytes];
      leadingZero[5] = new Uint8Array([0, 5]);
      rejects(() => dlnProofFromBytes(leadingZero), 'MALFORMED');
      const huge = [...bytes];
      huge[200] = new Uint8Array(10_000_000).fill(0xff);
      rejects(() => dlnProofFromBytes(huge), 'OVERSIZED');
      const just = [...bytes];
      just[3] = new Uint8Array(257).fill(0xff);
      rejects(() => dlnProofFromBytes(just), 'OVERSIZED');
      rejects(() => dlnProofFromBytes('x' as never), 'MALFORMED');
    });
  });

  describe('forgeries', () => {
    // A statement whose discrete log nobody knows: h2' = a random square.
    const f = randomBelow(ntilde);
    const target = (f * f) % ntilde;
    const stmt: RingPedersenPublic = { ntilde, h1, h2: target };

    /** Grinds a 1-iteration proof against tss-lib's hash: guess c, retry until it matches. */
    function forgeOne(): DlnProof {
      const h2Inv = modInv(target, ntilde);
      for (;;) {
        const t = randomBelow(ntilde >> 2n);
        const guess = randomBelow(2n);
        const a = guess
          ? (modPowBigInt(h1, t, ntilde) * h2Inv) % ntilde
          : modPowBigInt(h1, t, ntilde);
        const c = tssSha512_256i(h1, target, ntilde, a) & 1n;
        if (c === guess) return { alpha: [a], t: [t] };
      }
    }

    it('a ground 1-iteration proof satisfies its equation but is rejected', () => {
      const forged = forgeOne();
      // What a verifier that trusts the array length would check: it passes.
      const c = tssSha512_256i(h1, target, ntilde, ...forged.alpha) & 1n;
      const rhs = c ? (forged.alpha[0]! * target) % ntilde : forged.alpha[0]!;
      expect(modPowBigInt(h1, forged.t[0]!, ntilde)).toBe(rhs);
      rejects(() => verifyDln(ctxOf('tss-lib'), stmt, forged), 'MALFORMED');
    });

    it('the ground iteration copied 128 times is rejected', () => {
      const one = forgeOne();
      const padded: DlnProof = {
        alpha: Array(DLN_ITERATIONS).fill(one.alpha[0]),
        t: Array(DLN_ITERATIONS).fill(one.t[0]),
      };
      rejects(() => verifyDln(ctxOf('tss-lib'), stmt, padded), 'PROOF_INVALID');
    });

    it('a 127-iteration proof (honest, last pair dropped) is rejected', () => {
      const honest = proofs['tss-lib'].proof1;
      rejects(
        () =>
          verifyDln(ctxOf('tss-lib'), keys.pub, {
            alpha: honest.alpha.slice(0, 127),
            t: honest.t.slice(0, 127),
          }),
        'MALFORMED',
      );
    });

    it('an honest-looking proof for an unknown discrete log fails', () => {
      // Prover guesses every challenge bit as 0 (α = h1^t); the hash disagrees somewhere.
      const t = Array.from({ length: DLN_ITERATIONS }, () => randomBelow(ntilde >> 2n) + 2n);
      const alpha = t.map((ti) => modPowBigInt(h1, ti, ntilde));
      rejects(() => verifyDln(ctxOf('tss-lib'), stmt, { alpha, t }), 'PROOF_INVALID');
      rejects(() => verifyDln(ctxOf('native'), stmt, { alpha, t }), 'PROOF_INVALID');
    });
  });

  describe('fuzz', () => {
    const honest = dlnProofToBytes(proofs['tss-lib'].proof1);

    it('the byte decoder only ever returns a proof or throws VerifyError', () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 300 }),
          fc.nat(),
          fc.uint8Array({ maxLength: 300 }),
          (random, at, part) => {
            const mutated = [...honest];
            mutated[at % mutated.length] = part;
            for (const parts of [random, mutated]) {
              try {
                const pf = dlnProofFromBytes(parts);
                expect(pf.alpha).toHaveLength(DLN_ITERATIONS);
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
      const proof = proofs['tss-lib'].proof1;
      fc.assert(
        fc.property(
          fc.constantFrom('alpha' as const, 't' as const),
          fc.integer({ min: 0, max: DLN_ITERATIONS - 1 }),
          fc.bigInt({ min: -(1n << 2100n), max: 1n << 2100n }),
          (field, i, v) => {
            fc.pre(v !== proof[field][i]);
            rejects(() => verifyDln(ctxOf('tss-lib'), keys.pub, with_(proof, field, i, v)));
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  it('prover refuses a false statement or wrong secrets', () => {
    expect(() => proveDln(ctxOf('native'), keys.pub, keys.secret.alpha + 1n, keys.secret)).toThrow(
      LocalError,
    );
    expect(() => proveDln(ctxOf('native'), keys.pub, keys.secret.alpha, other.secret)).toThrow(
      LocalError,
    );
    expect(() =>
      proveDln(
        { profile: 'native', ssid: new Uint8Array(0), prover: 0 },
        keys.pub,
        1n,
        keys.secret,
      ),
    ).toThrow(LocalError);
  });
});
