import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../../src/errors.js';
import { bigintToBytes, hexToBytes } from '../../../src/math/bigint.js';
import { G, IDENTITY, mulG, type Point } from '../../../src/math/curve.js';
import { randomBelow } from '../../../src/math/random.js';
import { add, encrypt, mulScalar } from '../../../src/paillier/paillier.js';
import { PROFILES, type Profile } from '../../../src/profile.js';
import {
  CAP_COORD,
  CAP_MOD_N,
  CAP_MOD_N2,
  CAP_S1,
  CAP_S2,
  CAP_T1,
  Q,
  Q3,
  Q5,
  Q7,
} from '../../../src/zk/mta/common.js';
import {
  type MtaProofContext,
  type ProofBob,
  type ProofBobWC,
  proofBobFromBytes,
  proofBobToBytes,
  proofBobWCFromBytes,
  proofBobWCToBytes,
  proveBob,
  proveBobWC,
  tssLibSession,
  verifyBob,
  verifyBobWC,
} from '../../../src/zk/mta/index.js';
import {
  fixturePaillier,
  fixturePaillierPrimes,
  fixtureRingPedersen,
  forgeBob,
  nonUnit,
  publicParams,
  testSsid,
} from './support.js';

const skA = fixturePaillier(0);
const pkA = skA.publicKey;
const { p } = fixturePaillierPrimes(0);
const N = pkA.n;
const N2 = N * N;
const rpA = fixtureRingPedersen(2);
const aliceParams = publicParams(rpA);

function ctxOf(profile: Profile, prover = 2, ssid = testSsid('bob')): MtaProofContext {
  return { profile, ssid, prover };
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

/** An honest MtA instance: c1 = Enc_A(a), c2 = c1^x·Enc_A(y; r). */
function instance(x = randomBelow(Q - 1n) + 1n, y = randomBelow(Q5)) {
  const c1 = encrypt(pkA, randomBelow(Q)).c;
  const { c: cy, r } = encrypt(pkA, y);
  const c2 = add(pkA, mulScalar(pkA, c1, x), cy);
  return { c1, c2, x, y, r, X: x === 0n ? IDENTITY : mulG(x) };
}

const FIELDS = ['z', 'zPrm', 't', 'v', 'w', 's', 's1', 's2', 't1', 't2'] as const;
type Field = (typeof FIELDS)[number];

/** Whether a value of this kind passes the range checks, so only the equations catch it. */
function onlyEquationsCatch(f: Field, name: string): boolean {
  const residue = f === 'z' || f === 'zPrm' || f === 't' || f === 'w' || f === 'v' || f === 's';
  if (name === '0' || name === 'oversized') return false;
  if (residue) return name === '1' || name === 'M − 1';
  if (f === 's1') return false; // 1 < q; N − 1, N, 3p > q³
  if (f === 't1') return name === 'gcd > 1'; // 3p (1026 bits) < q⁷ < N − 1
  return name !== '1'; // s2, t2: everything in [q, (q³ + q²)Ñ) passes the bounds
}

describe.each(PROFILES)('ProofBob / ProofBobWC (%s profile)', (profile) => {
  const ctx = ctxOf(profile);
  const inst = instance();
  const pf = proveBob(ctx, pkA, aliceParams, inst.c1, inst.c2, inst.x, inst.y, inst.r);
  const pfWC = proveBobWC(ctx, pkA, aliceParams, inst.c1, inst.c2, inst.x, inst.y, inst.r);

  it('honest proofs verify, also after a round trip through the tss-lib wire form', () => {
    verifyBob(ctx, pf, pkA, aliceParams, inst.c1, inst.c2);
    verifyBobWC(ctx, pfWC, pkA, aliceParams, inst.c1, inst.c2, inst.X);
    const parts = proofBobToBytes(pf);
    expect(parts).toHaveLength(10);
    verifyBob(ctx, proofBobFromBytes(parts), pkA, aliceParams, inst.c1, inst.c2);
    const partsWC = proofBobWCToBytes(pfWC);
    expect(partsWC).toHaveLength(12);
    const back = proofBobWCFromBytes(partsWC);
    expect(back.u.equals(pfWC.u)).toBe(true);
    verifyBobWC(ctx, back, pkA, aliceParams, inst.c1, inst.c2, inst.X);
  });

  it('edge witnesses verify (x = 0 or 1 or q − 1, y = 0 or q⁵ − 1)', () => {
    for (const [x, y] of [
      [0n, 0n],
      [1n, Q5 - 1n],
      [Q - 1n, 0n],
    ] as const) {
      const i = instance(x, y);
      verifyBob(
        ctx,
        proveBob(ctx, pkA, aliceParams, i.c1, i.c2, x, y, i.r),
        pkA,
        aliceParams,
        i.c1,
        i.c2,
      );
      if (x !== 0n) {
        const w = proveBobWC(ctx, pkA, aliceParams, i.c1, i.c2, x, y, i.r);
        verifyBobWC(ctx, w, pkA, aliceParams, i.c1, i.c2, i.X);
      }
    }
  });

  it('the two variants do not verify as each other', () => {
    expect(verifyCode(() => verifyBob(ctx, pfWC, pkA, aliceParams, inst.c1, inst.c2))).toBe(
      'PROOF_INVALID',
    );
    expect(
      verifyCode(() =>
        verifyBobWC(ctx, pf as ProofBobWC, pkA, aliceParams, inst.c1, inst.c2, inst.X),
      ),
    ).toBe('MALFORMED');
    const uFromOther = { ...pf, u: pfWC.u };
    expect(
      verifyCode(() => verifyBobWC(ctx, uFromOther, pkA, aliceParams, inst.c1, inst.c2, inst.X)),
    ).toBe('PROOF_INVALID');
  });

  it('is tied to c1, c2 and the verifier parameters', () => {
    const other = instance();
    expect(verifyCode(() => verifyBob(ctx, pf, pkA, aliceParams, other.c1, inst.c2))).toBe(
      'PROOF_INVALID',
    );
    expect(verifyCode(() => verifyBob(ctx, pf, pkA, aliceParams, inst.c1, other.c2))).toBe(
      'PROOF_INVALID',
    );
    expect(['PROOF_INVALID', 'OUT_OF_RANGE']).toContain(
      verifyCode(() =>
        verifyBob(ctx, pf, pkA, publicParams(fixtureRingPedersen(3)), inst.c1, inst.c2),
      ),
    );
  });

  // SECURITY.md item 8: each field driven to 0, 1, M − 1, M, a non-unit, an oversized value.
  const mods: Record<Field, [bigint, bigint]> = {
    z: [rpA.nTilde, rpA.P],
    zPrm: [rpA.nTilde, rpA.P],
    t: [rpA.nTilde, rpA.Q],
    v: [N2, p],
    w: [rpA.nTilde, rpA.Q],
    s: [N, p],
    s1: [N, p],
    s2: [N, p],
    t1: [N, p],
    t2: [N, p],
  };
  const cases: [Field, string, bigint][] = [];
  for (const f of FIELDS) {
    const [M, F] = mods[f];
    cases.push(
      [f, '0', 0n],
      [f, '1', 1n],
      [f, 'M − 1', M - 1n],
      [f, 'M', M],
      [f, 'gcd > 1', nonUnit(F, M)],
      [f, 'oversized', 1n << 9000n],
    );
  }

  it.each(cases)('ProofBobWC: rejects %s = %s', (field, name, value) => {
    const bad = { ...pfWC, [field]: value } as ProofBobWC;
    const code = verifyCode(() =>
      verifyBobWC(ctx, bad, pkA, aliceParams, inst.c1, inst.c2, inst.X),
    );
    expect(code).toBe(onlyEquationsCatch(field, name) ? 'PROOF_INVALID' : 'OUT_OF_RANGE');
  });

  it.each(cases)('ProofBob: rejects %s = %s', (field, name, value) => {
    const bad = { ...pf, [field]: value } as ProofBob;
    const code = verifyCode(() => verifyBob(ctx, bad, pkA, aliceParams, inst.c1, inst.c2));
    expect(code).toBe(onlyEquationsCatch(field, name) ? 'PROOF_INVALID' : 'OUT_OF_RANGE');
  });

  it.each([
    ['0', 0n],
    ['N²', N2],
    ['a multiple of p', p * 7n],
    ['N', N],
  ])('rejects c1 or c2 = %s', (_name, c) => {
    expect(verifyCode(() => verifyBob(ctx, pf, pkA, aliceParams, c, inst.c2))).toBe('OUT_OF_RANGE');
    expect(verifyCode(() => verifyBob(ctx, pf, pkA, aliceParams, inst.c1, c))).toBe('OUT_OF_RANGE');
  });

  it('rejects bounds just outside s1 ≤ q³, t1 ≤ q⁷ and the lower bounds ≥ q', () => {
    for (const [f, v] of [
      ['s1', Q3 + 1n],
      ['t1', Q7 + 1n],
      ['s1', Q - 1n],
      ['s2', Q - 1n],
      ['t1', Q - 1n],
      ['t2', Q - 1n],
      ['s2', (Q3 + Q * Q) * rpA.nTilde],
      ['t2', (Q3 + Q * Q) * rpA.nTilde],
    ] as const) {
      const bad = { ...pf, [f]: v };
      expect(verifyCode(() => verifyBob(ctx, bad, pkA, aliceParams, inst.c1, inst.c2))).toBe(
        'OUT_OF_RANGE',
      );
    }
  });

  it('MtAwc: rejects the wrong X, an identity X or u, and non-points', () => {
    const wrongX = inst.X.add(G);
    expect(
      verifyCode(() => verifyBobWC(ctx, pfWC, pkA, aliceParams, inst.c1, inst.c2, wrongX)),
    ).toBe('PROOF_INVALID');
    expect(
      verifyCode(() => verifyBobWC(ctx, pfWC, pkA, aliceParams, inst.c1, inst.c2, IDENTITY)),
    ).toBe('OUT_OF_RANGE');
    const idU = { ...pfWC, u: IDENTITY };
    expect(
      verifyCode(() => verifyBobWC(ctx, idU, pkA, aliceParams, inst.c1, inst.c2, inst.X)),
    ).toBe('OUT_OF_RANGE');
    const otherU = { ...pfWC, u: pfWC.u.add(G) };
    expect(
      verifyCode(() => verifyBobWC(ctx, otherU, pkA, aliceParams, inst.c1, inst.c2, inst.X)),
    ).toBe('PROOF_INVALID');
    const notPoint = { ...pfWC, u: { x: 1n } as unknown as Point };
    expect(
      verifyCode(() => verifyBobWC(ctx, notPoint, pkA, aliceParams, inst.c1, inst.c2, inst.X)),
    ).toBe('MALFORMED');
    expect(
      verifyCode(() =>
        verifyBobWC(ctx, pfWC, pkA, aliceParams, inst.c1, inst.c2, undefined as unknown as Point),
      ),
    ).toBe('MALFORMED');
  });

  it('MtAwc: a Bob whose X does not match his multiplier is rejected', () => {
    // Bob multiplies by x but claims X = (x + 1)·G: the curve equation cannot hold.
    const forged = forgeBob(ctx, pkA, aliceParams, inst.c1, inst.x, inst.y, mulG(inst.x + 1n));
    expect(
      verifyCode(() =>
        verifyBobWC(
          ctx,
          forged.proof as ProofBobWC,
          pkA,
          aliceParams,
          inst.c1,
          forged.c2,
          mulG(inst.x + 1n),
        ),
      ),
    ).toBe('PROOF_INVALID');
  });

  it('the forger is faithful: with honest witnesses its proofs verify', () => {
    const f1 = forgeBob(ctx, pkA, aliceParams, inst.c1, inst.x, inst.y);
    verifyBob(ctx, f1.proof, pkA, aliceParams, inst.c1, f1.c2);
    const f2 = forgeBob(ctx, pkA, aliceParams, inst.c1, inst.x, inst.y, inst.X);
    verifyBobWC(ctx, f2.proof as ProofBobWC, pkA, aliceParams, inst.c1, f2.c2, inst.X);
  });

  it('a cheating Bob with β′ beyond q⁷ (or x beyond q³) is rejected', () => {
    for (const y of [Q7 + 1n, Q ** 8n, N - Q]) {
      const forged = forgeBob(ctx, pkA, aliceParams, inst.c1, inst.x, y);
      expect(
        verifyCode(() => verifyBob(ctx, forged.proof, pkA, aliceParams, inst.c1, forged.c2)),
      ).toBe('OUT_OF_RANGE');
      // Pulling t1 back into range breaks the ring-Pedersen equation.
      const squeezed = { ...forged.proof, t1: Q + (forged.proof.t1 % (Q7 - Q)) };
      expect(verifyCode(() => verifyBob(ctx, squeezed, pkA, aliceParams, inst.c1, forged.c2))).toBe(
        'PROOF_INVALID',
      );
    }
    const bigX = Q ** 4n + 5n;
    const forged = forgeBob(ctx, pkA, aliceParams, inst.c1, bigX, inst.y, mulG(bigX % Q));
    expect(
      verifyCode(() =>
        verifyBobWC(
          ctx,
          forged.proof as ProofBobWC,
          pkA,
          aliceParams,
          inst.c1,
          forged.c2,
          mulG(bigX % Q),
        ),
      ),
    ).toBe('OUT_OF_RANGE');
  });

  it('the honest prover refuses out-of-range witnesses', () => {
    const { c1, c2, r } = inst;
    expect(() => proveBob(ctx, pkA, aliceParams, c1, c2, Q, 0n, r)).toThrow(LocalError);
    expect(() => proveBob(ctx, pkA, aliceParams, c1, c2, 1n, Q5, r)).toThrow(LocalError);
    expect(() => proveBob(ctx, pkA, aliceParams, c1, c2, 1n, -1n, r)).toThrow(LocalError);
    expect(() => proveBobWC(ctx, pkA, aliceParams, c1, c2, 0n, 1n, r)).toThrow(LocalError);
    expect(() => proveBob(ctx, pkA, aliceParams, 0n, c2, 1n, 1n, r)).toThrow(VerifyError);
  });
});

describe('Bob proofs: session binding', () => {
  const inst = instance();
  for (const profile of PROFILES) {
    it(`${profile}: a proof replayed under another ssid or prover index is rejected`, () => {
      const ctx = ctxOf(profile, 1, testSsid('session-A'));
      const pf = proveBob(ctx, pkA, aliceParams, inst.c1, inst.c2, inst.x, inst.y, inst.r);
      const pfWC = proveBobWC(ctx, pkA, aliceParams, inst.c1, inst.c2, inst.x, inst.y, inst.r);
      verifyBob(ctx, pf, pkA, aliceParams, inst.c1, inst.c2);
      for (const other of [
        ctxOf(profile, 1, testSsid('session-B')),
        ctxOf(profile, 2, testSsid('session-A')),
        ctxOf(profile, 0, testSsid('session-A')),
        ctxOf(profile === 'native' ? 'tss-lib' : 'native', 1, testSsid('session-A')),
      ]) {
        expect(verifyCode(() => verifyBob(other, pf, pkA, aliceParams, inst.c1, inst.c2))).toBe(
          'PROOF_INVALID',
        );
        expect(
          verifyCode(() => verifyBobWC(other, pfWC, pkA, aliceParams, inst.c1, inst.c2, inst.X)),
        ).toBe('PROOF_INVALID');
      }
    });
  }

  it('tss-lib session is ssid ‖ bytes(index), with nothing appended for index 0', () => {
    const ssid = hexToBytes('00aa');
    expect(tssLibSession({ profile: 'tss-lib', ssid, prover: 0 })).toEqual(ssid);
    expect(tssLibSession({ profile: 'tss-lib', ssid, prover: 1 })).toEqual(hexToBytes('00aa01'));
    expect(tssLibSession({ profile: 'tss-lib', ssid, prover: 256 })).toEqual(
      hexToBytes('00aa0100'),
    );
  });
});

describe('ProofBob / ProofBobWC wire decoding', () => {
  const inst = instance();
  const ctx = ctxOf('tss-lib');
  const partsWC = proofBobWCToBytes(
    proveBobWC(ctx, pkA, aliceParams, inst.c1, inst.c2, inst.x, inst.y, inst.r),
  );
  const parts = partsWC.slice(0, 10);
  const caps = [
    CAP_MOD_N,
    CAP_MOD_N,
    CAP_MOD_N,
    CAP_MOD_N2,
    CAP_MOD_N,
    CAP_MOD_N,
    CAP_S1,
    CAP_S2,
    CAP_T1,
    CAP_S2,
    CAP_COORD,
    CAP_COORD,
  ];

  it('requires exact part counts', () => {
    expect(verifyCode(() => proofBobFromBytes(partsWC))).toBe('MALFORMED');
    expect(verifyCode(() => proofBobFromBytes(parts.slice(0, 9)))).toBe('MALFORMED');
    expect(verifyCode(() => proofBobWCFromBytes(parts))).toBe('MALFORMED');
    expect(verifyCode(() => proofBobWCFromBytes([...partsWC, partsWC[0]!]))).toBe('MALFORMED');
  });

  it.each(caps.map((c, i) => [i, c]))(
    'part %i: empty, non-minimal, over cap %i bytes',
    (i, cap) => {
      const withPart = (b: Uint8Array) => partsWC.map((x, j) => (j === i ? b : x));
      expect(verifyCode(() => proofBobWCFromBytes(withPart(new Uint8Array(0))))).toBe('MALFORMED');
      expect(verifyCode(() => proofBobWCFromBytes(withPart(new Uint8Array([0, 7]))))).toBe(
        'MALFORMED',
      );
      expect(
        verifyCode(() => proofBobWCFromBytes(withPart(bigintToBytes(1n << BigInt(8 * cap))))),
      ).toBe('OVERSIZED');
    },
  );

  it('u must be on the curve', () => {
    const off = [...partsWC];
    off[11] = bigintToBytes(12345n);
    expect(verifyCode(() => proofBobWCFromBytes(off))).toBe('OUT_OF_RANGE');
  });
});
