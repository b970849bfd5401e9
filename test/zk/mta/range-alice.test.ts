import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../../src/errors.js';
import { bigintToBytes } from '../../../src/math/bigint.js';
import { randomBelow } from '../../../src/math/random.js';
import { encrypt } from '../../../src/paillier/paillier.js';
import { PROFILES, type Profile } from '../../../src/profile.js';
import { CAP_MOD_N, CAP_MOD_N2, CAP_S1, CAP_S2, Q, Q3 } from '../../../src/zk/mta/common.js';
import {
  type MtaProofContext,
  proveRangeAlice,
  type RangeProofAlice,
  rangeProofAliceFromBytes,
  rangeProofAliceToBytes,
  verifyRangeAlice,
} from '../../../src/zk/mta/index.js';
import {
  fixturePaillier,
  fixturePaillierPrimes,
  fixtureRingPedersen,
  forgeRangeAlice,
  nonUnit,
  publicParams,
  testSsid,
} from './support.js';

const skA = fixturePaillier(0);
const pkA = skA.publicKey;
const { p } = fixturePaillierPrimes(0);
const N = pkA.n;
const N2 = N * N;
const rpB = fixtureRingPedersen(1);
const bobParams = publicParams(rpB);
const otherParams = publicParams(fixtureRingPedersen(2));

function ctxOf(profile: Profile, prover = 1, ssid = testSsid('range-alice')): MtaProofContext {
  return { profile, ssid, prover };
}

function honest(ctx: MtaProofContext, m = randomBelow(Q)) {
  const { c, r } = encrypt(pkA, m);
  return { c, m, proof: proveRangeAlice(ctx, pkA, bobParams, c, m, r) };
}

function verifyCode(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    return (e as VerifyError).code;
  }
  throw new Error('expected a VerifyError');
}

describe.each(PROFILES)('RangeProofAlice (%s profile)', (profile) => {
  const ctx = ctxOf(profile);
  const base = honest(ctx);

  it('an honest proof verifies, also after a round trip through the tss-lib wire form', () => {
    verifyRangeAlice(ctx, base.proof, pkA, bobParams, base.c);
    const parts = rangeProofAliceToBytes(base.proof);
    expect(parts).toHaveLength(6);
    const back = rangeProofAliceFromBytes(parts);
    expect(back).toEqual(base.proof);
    verifyRangeAlice(ctx, back, pkA, bobParams, base.c);
  });

  it('edge plaintexts 0, 1 and q − 1 prove and verify', () => {
    for (const m of [0n, 1n, Q - 1n]) {
      const h = honest(ctx, m);
      verifyRangeAlice(ctx, h.proof, pkA, bobParams, h.c);
    }
  });

  it('is tied to the ciphertext and to the verifier’s parameters', () => {
    const other = encrypt(pkA, base.m).c;
    expect(verifyCode(() => verifyRangeAlice(ctx, base.proof, pkA, bobParams, other))).toBe(
      'PROOF_INVALID',
    );
    // Under another verifier's Ñ the fields may even fall out of range.
    expect(['PROOF_INVALID', 'OUT_OF_RANGE']).toContain(
      verifyCode(() => verifyRangeAlice(ctx, base.proof, pkA, otherParams, base.c)),
    );
  });

  // SECURITY.md item 8: every field driven to 0, 1, M − 1, M, a non-unit and an oversized value.
  const { P: NtP, nTilde } = rpB;
  const fieldMods: Record<keyof RangeProofAlice, [bigint, bigint]> = {
    z: [nTilde, NtP],
    u: [N2, p],
    w: [nTilde, NtP],
    s: [N, p],
    s1: [N, p],
    s2: [N, p],
  };
  // Expected code: OUT_OF_RANGE for values the range/unit checks catch, PROOF_INVALID for
  // in-range values that only the equations catch.
  const inRangeOnlyEquations = (f: string, name: string): boolean =>
    (name === '1' && (f === 'u' || f === 'w')) ||
    (name === 'M − 1' && f !== 's1') ||
    (f === 's2' && (name === 'M' || name === 'gcd > 1'));
  const cases: [string, string, bigint][] = [];
  for (const [f, [M, F]] of Object.entries(fieldMods)) {
    cases.push(
      [f, '0', 0n],
      [f, '1', 1n],
      [f, 'M − 1', M - 1n],
      [f, 'M', M],
      [f, 'gcd > 1', nonUnit(F, M)],
      [f, 'oversized', 1n << 8000n],
    );
  }
  cases.push(['s1', 'q − 1', Q - 1n], ['s1', 'q³ + 1', Q3 + 1n], ['s2', 'q − 1', Q - 1n]);

  it.each(cases)('rejects %s = %s', (field, name, value) => {
    const bad = { ...base.proof, [field]: value } as RangeProofAlice;
    const code = verifyCode(() => verifyRangeAlice(ctx, bad, pkA, bobParams, base.c));
    expect(code).toBe(inRangeOnlyEquations(field, name) ? 'PROOF_INVALID' : 'OUT_OF_RANGE');
  });

  it('rejects s1 = s2 (tss-lib master)', () => {
    const bad = { ...base.proof, s2: base.proof.s1 };
    expect(verifyCode(() => verifyRangeAlice(ctx, bad, pkA, bobParams, base.c))).toBe(
      'OUT_OF_RANGE',
    );
  });

  it('rejects a missing or non-integer field as MALFORMED', () => {
    const bad = { ...base.proof, s: undefined } as unknown as RangeProofAlice;
    expect(verifyCode(() => verifyRangeAlice(ctx, bad, pkA, bobParams, base.c))).toBe('MALFORMED');
  });

  it('Alpha-Rays: a cheating Alice with m > q³ is rejected', () => {
    for (const m of [Q3 * 2n, Q ** 4n, (N - 1n) / 2n]) {
      const forged = forgeRangeAlice(ctx, pkA, bobParams, m);
      expect(verifyCode(() => verifyRangeAlice(ctx, forged.proof, pkA, bobParams, forged.c))).toBe(
        'OUT_OF_RANGE',
      );
      // Squeezing s1 into range breaks the equations instead.
      const squeezed = forgeRangeAlice(ctx, pkA, bobParams, m, (pf) => ({
        ...pf,
        s1: Q + (pf.s1 % (Q3 - Q)),
      }));
      expect(
        verifyCode(() => verifyRangeAlice(ctx, squeezed.proof, pkA, bobParams, squeezed.c)),
      ).toBe('PROOF_INVALID');
    }
  });

  it('the forger itself is faithful: with an honest m its proof verifies', () => {
    const forged = forgeRangeAlice(ctx, pkA, bobParams, 12345n);
    verifyRangeAlice(ctx, forged.proof, pkA, bobParams, forged.c);
  });

  it('the honest prover refuses m ∉ [0, q) and bad verifier parameters', () => {
    const { c, r } = encrypt(pkA, Q);
    expect(() => proveRangeAlice(ctx, pkA, bobParams, c, Q, r)).toThrow(LocalError);
    expect(() => proveRangeAlice(ctx, pkA, bobParams, c, -1n, r)).toThrow(LocalError);
    const weak = { ...bobParams, h2: bobParams.h1 };
    expect(() => proveRangeAlice(ctx, pkA, weak, c, 1n, r)).toThrow(VerifyError);
    const small = { ...bobParams, nTilde: rpB.P };
    expect(() => proveRangeAlice(ctx, pkA, small, c, 1n, r)).toThrow(VerifyError);
  });
});

describe('RangeProofAlice session binding', () => {
  it('native: a proof replayed under another ssid or prover index is rejected', () => {
    const ctx = ctxOf('native', 1, testSsid('session-A'));
    const h = honest(ctx);
    verifyRangeAlice(ctx, h.proof, pkA, bobParams, h.c);
    for (const other of [
      ctxOf('native', 1, testSsid('session-B')),
      ctxOf('native', 2, testSsid('session-A')),
      ctxOf('native', 0, testSsid('session-A')),
      ctxOf('tss-lib', 1, testSsid('session-A')),
    ]) {
      expect(verifyCode(() => verifyRangeAlice(other, h.proof, pkA, bobParams, h.c))).toBe(
        'PROOF_INVALID',
      );
    }
  });

  it('tss-lib: like tss-lib master, the proof carries no session context', () => {
    const h = honest(ctxOf('tss-lib', 1, testSsid('session-A')));
    verifyRangeAlice(ctxOf('tss-lib', 4, testSsid('session-B')), h.proof, pkA, bobParams, h.c);
    expect(
      verifyCode(() =>
        verifyRangeAlice(ctxOf('native', 1, testSsid('session-A')), h.proof, pkA, bobParams, h.c),
      ),
    ).toBe('PROOF_INVALID');
  });

  it('native contexts need a real ssid', () => {
    const { c, r } = encrypt(pkA, 1n);
    expect(() =>
      proveRangeAlice(
        { profile: 'native', ssid: new Uint8Array(4), prover: 0 },
        pkA,
        bobParams,
        c,
        1n,
        r,
      ),
    ).toThrow(LocalError);
  });
});

describe('rangeProofAliceFromBytes (tss-lib wire form)', () => {
  const h = honest(ctxOf('tss-lib'));
  const parts = rangeProofAliceToBytes(h.proof);
  const caps = [CAP_MOD_N, CAP_MOD_N2, CAP_MOD_N, CAP_MOD_N, CAP_S1, CAP_S2];

  it('requires exactly six parts', () => {
    expect(verifyCode(() => rangeProofAliceFromBytes(parts.slice(0, 5)))).toBe('MALFORMED');
    expect(verifyCode(() => rangeProofAliceFromBytes([...parts, parts[0]!]))).toBe('MALFORMED');
  });

  it.each([0, 1, 2, 3, 4, 5])(
    'part %i: empty → MALFORMED, leading zero → MALFORMED, over cap → OVERSIZED',
    (i) => {
      const withPart = (b: Uint8Array) => parts.map((x, j) => (j === i ? b : x));
      expect(verifyCode(() => rangeProofAliceFromBytes(withPart(new Uint8Array(0))))).toBe(
        'MALFORMED',
      );
      expect(verifyCode(() => rangeProofAliceFromBytes(withPart(new Uint8Array([0, 5]))))).toBe(
        'MALFORMED',
      );
      const big = bigintToBytes(1n << BigInt(8 * caps[i]!));
      expect(big.length).toBe(caps[i]! + 1);
      expect(verifyCode(() => rangeProofAliceFromBytes(withPart(big)))).toBe('OVERSIZED');
    },
  );

  it('a 10 MB field is rejected before conversion', () => {
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0xff);
    const t = performance.now();
    expect(verifyCode(() => rangeProofAliceFromBytes([huge, ...parts.slice(1)]))).toBe('OVERSIZED');
    expect(performance.now() - t).toBeLessThan(50);
  });
});
