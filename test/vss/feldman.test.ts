import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import { openPointCommitment } from '../../src/hash/commitment.js';
import { parseLosslessJson } from '../../src/interop/tss-lib/json.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import {
  CURVE_ORDER,
  CurvePoint,
  G,
  IDENTITY,
  invQ,
  modQ,
  mulG,
  type Point,
  pointFromCoords,
} from '../../src/math/curve.js';
import {
  evaluateCommitments,
  reconstructSecret,
  splitSecret,
  type VssShare,
  verifyShare,
} from '../../src/vss/feldman.js';
import { lagrangeCoefficient, lagrangeCoefficients } from '../../src/vss/lagrange.js';
import { describeInterop, readInterop } from '../support/interop.js';
import { pbFields } from '../support/protobuf.js';

const q = CURVE_ORDER;

function errOf(fn: () => unknown): { cls: string; code: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerifyError) return { cls: 'VerifyError', code: e.code };
    if (e instanceof LocalError) return { cls: 'LocalError', code: e.code };
    return { cls: (e as Error)?.name ?? typeof e, code: '' };
  }
  return undefined;
}
const expectVerify = (fn: () => unknown, code: string) =>
  expect(errOf(fn)).toEqual({ cls: 'VerifyError', code });
const expectLocal = (fn: () => unknown) => expect(errOf(fn)?.cls).toBe('LocalError');

/** (t, n, secret, indices) with 1 ≤ t < n ≤ 7 and distinct non-zero indices. */
const dealingArb = fc.integer({ min: 2, max: 7 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    t: fc.integer({ min: 1, max: n - 1 }),
    secret: fc.bigInt({ min: 1n, max: q - 1n }),
    indices: fc.uniqueArray(fc.bigInt({ min: 1n, max: q - 1n }), {
      minLength: n,
      maxLength: n,
    }),
  }),
);

describe('Feldman VSS: properties', () => {
  it('exactly t + 1 commitments, V_0 = secret·G, every share verifies', () => {
    fc.assert(
      fc.property(dealingArb, ({ t, secret, indices }) => {
        const { commitments, shares } = splitSecret(secret, t, indices);
        expect(commitments.length).toBe(t + 1);
        expect(commitments[0]!.equals(mulG(secret))).toBe(true);
        expect(shares.map((s) => s.index)).toEqual(indices);
        for (const s of shares) {
          verifyShare(s.value, s.index, commitments, t);
          expect(evaluateCommitments(commitments, s.index).equals(mulG(s.value))).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('any t + 1 shares reconstruct the secret (and more shares too)', () => {
    fc.assert(
      fc.property(
        dealingArb.chain((d) =>
          fc.record({
            d: fc.constant(d),
            subset: fc.shuffledSubarray(
              Array.from({ length: d.n }, (_, i) => i),
              { minLength: d.t + 1, maxLength: d.n },
            ),
          }),
        ),
        ({ d, subset }) => {
          const { shares } = splitSecret(d.secret, d.t, d.indices);
          const chosen = subset.map((i) => shares[i]!);
          expect(reconstructSecret(chosen, d.t)).toBe(d.secret);
          const lambdas = lagrangeCoefficients(chosen.map((s) => s.index));
          const viaLambda = chosen.reduce((acc, s, k) => modQ(acc + lambdas[k]! * s.value), 0n);
          expect(viaLambda).toBe(d.secret);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('t shares do not determine the secret: every candidate secret is consistent with them', () => {
    fc.assert(
      fc.property(
        dealingArb,
        fc.bigInt({ min: 0n, max: q - 1n }),
        fc.bigInt({ min: 1n, max: q - 1n }),
        ({ t, secret, indices }, candidate, freshIndex) => {
          const { shares } = splitSecret(secret, t, indices);
          const known = shares.slice(0, t);
          if (known.some((s) => s.index === freshIndex)) return;
          expectLocal(() => reconstructSecret(known, t));
          // Find the share at a fresh index that makes the t known shares open to `candidate`:
          // the map y ↦ reconstruct(known ∪ {(x*, y)}) is affine with non-zero slope λ_{x*}.
          const xs = [...known.map((s) => s.index), freshIndex];
          const partial = known.reduce(
            (acc, s) => modQ(acc + lagrangeCoefficient(s.index, xs) * s.value),
            0n,
          );
          const y = modQ((candidate - partial) * invQ(lagrangeCoefficient(freshIndex, xs)));
          expect(reconstructSecret([...known, { index: freshIndex, value: y }], t)).toBe(candidate);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('t shares with a degree-(t − 1) reading give a wrong secret', () => {
    const { shares } = splitSecret(123456789n, 2, [1n, 2n, 3n, 4n]);
    expect(reconstructSecret(shares.slice(0, 2), 1)).not.toBe(123456789n);
  });
});

describe('Feldman VSS: adversarial dealer', () => {
  const t = 2;
  const idx = [11n, 22n, 33n, 44n];
  const { commitments, shares } = splitSecret(987654321n, t, idx);
  const s0 = shares[0]!;

  it('a share that fails the Feldman check → SHARE_INVALID', () => {
    expectVerify(() => verifyShare(modQ(s0.value + 1n), s0.index, commitments, t), 'SHARE_INVALID');
    expectVerify(() => verifyShare(shares[1]!.value, s0.index, commitments, t), 'SHARE_INVALID');
    expectVerify(() => verifyShare(0n, s0.index, commitments, t), 'SHARE_INVALID');
  });

  it('a share checked against another index → SHARE_INVALID', () => {
    expectVerify(() => verifyShare(s0.value, 22n, commitments, t), 'SHARE_INVALID');
  });

  it('commitment vector of length t instead of t + 1 → MALFORMED (tss-lib VSS length check)', () => {
    expectVerify(() => verifyShare(s0.value, s0.index, commitments.slice(0, t), t), 'MALFORMED');
    expectVerify(() => verifyShare(s0.value, s0.index, [...commitments, G], t), 'MALFORMED');
    expectVerify(() => verifyShare(s0.value, s0.index, [], t), 'MALFORMED');
    // a dealer that used a higher degree than agreed is caught by the length check
    const hi = splitSecret(5n, t + 1, idx);
    expectVerify(
      () => verifyShare(hi.shares[0]!.value, hi.shares[0]!.index, hi.commitments, t),
      'MALFORMED',
    );
  });

  it('a dealer hiding a degree-(t + 1) term behind t + 1 commitments is caught', () => {
    const hi = splitSecret(5n, t + 1, idx);
    const truncated = hi.commitments.slice(0, t + 1);
    const failing = hi.shares.filter(
      (s) => errOf(() => verifyShare(s.value, s.index, truncated, t))?.code === 'SHARE_INVALID',
    );
    expect(failing.length).toBe(hi.shares.length);
  });

  it('identity, off-curve or non-point commitments are rejected', () => {
    const withIdentity = [commitments[0]!, IDENTITY, commitments[2]!];
    expectVerify(() => verifyShare(s0.value, s0.index, withIdentity, t), 'OUT_OF_RANGE');
    const g = G.toAffine();
    const offCurve = new CurvePoint(g.x, g.y + 1n, 1n);
    expectVerify(
      () => verifyShare(s0.value, s0.index, [commitments[0]!, offCurve, commitments[2]!], t),
      'OUT_OF_RANGE',
    );
    expectVerify(
      () => verifyShare(s0.value, s0.index, [commitments[0]!, 'x' as unknown as Point, G], t),
      'MALFORMED',
    );
    expectVerify(() => verifyShare(s0.value, s0.index, null as unknown as Point[], t), 'MALFORMED');
  });

  it('shares outside [0, q) are rejected before any arithmetic', () => {
    expectVerify(() => verifyShare(s0.value + q, s0.index, commitments, t), 'OUT_OF_RANGE');
    expectVerify(() => verifyShare(-1n, s0.index, commitments, t), 'OUT_OF_RANGE');
    expectVerify(() => verifyShare(2n ** 4096n, s0.index, commitments, t), 'OUT_OF_RANGE');
  });

  it('bad local index or threshold → LocalError', () => {
    expectLocal(() => verifyShare(s0.value, 0n, commitments, t));
    expectLocal(() => verifyShare(s0.value, q, commitments, t));
    expectLocal(() => verifyShare(s0.value, s0.index, commitments, 0));
    expectLocal(() => verifyShare(s0.value, s0.index, commitments, 1.5));
    // index i + q is index i
    verifyShare(s0.value, s0.index + q, commitments, t);
  });

  it('reconstruction rejects an inconsistent extra share', () => {
    const bad: VssShare[] = shares.map((s, k) =>
      k === 3 ? { ...s, value: modQ(s.value + 1n) } : s,
    );
    expectVerify(() => reconstructSecret(bad, t), 'SHARE_INVALID');
    expectLocal(() =>
      reconstructSecret(
        [shares[0]!, shares[1]!, { ...shares[0]!, index: shares[0]!.index + q }],
        t,
      ),
    );
  });
});

describe('splitSecret input validation', () => {
  it.each([
    ['t = 0', 5n, 0, [1n, 2n]],
    ['t = n', 5n, 2, [1n, 2n]],
    ['t > n', 5n, 3, [1n, 2n]],
    ['secret 0', 0n, 1, [1n, 2n]],
    ['secret q', q, 1, [1n, 2n]],
    ['index 0', 5n, 1, [0n, 2n]],
    ['index q', 5n, 1, [q, 2n]],
    ['indices i and i + q', 5n, 1, [1n, 2n, 1n + q]],
  ] as [string, bigint, number, bigint[]][])('%s → LocalError', (_n, s, t, xs) => {
    expectLocal(() => splitSecret(s, t, xs));
  });
});

// ---- known answers from tss-lib v2 (golden 2-of-3 keygen) ----

interface GoldenMessage {
  round: string;
  from: number;
  to: number[] | null;
  wireBytes: string;
}

type Json = Record<string, unknown>;
const goPoint = (v: unknown): Point => {
  const [x, y] = (v as { Coords: [bigint, bigint] }).Coords;
  return pointFromCoords(x, y);
};

describeInterop('Feldman VSS known answers (ecdsa-keygen-transcript-2of3, t = 1)', () => {
  const golden = JSON.parse(readInterop('golden/ecdsa-keygen-transcript-2of3.json')) as {
    threshold: number;
    parties: { index: number; key: string }[];
    messages: GoldenMessage[];
  };
  const t = golden.threshold;
  const keys = golden.parties.map((p) => BigInt(p.key));
  const saves = [0, 1, 2].map(
    (i) => parseLosslessJson(readInterop(`golden/keygen-2of3-party${i}.json`)) as Json,
  );
  const content = (m: GoldenMessage) => pbFields(pbFields(hexToBytes(m.wireBytes)).get(2)![0]!);
  const find = (round: string, from: number, to?: number) => {
    const m = golden.messages.find(
      (x) =>
        x.round.endsWith(`.${round}`) && x.from === from && (to === undefined || x.to?.[0] === to),
    );
    if (!m) throw new Error(`missing ${round} ${from}→${to}`);
    return content(m);
  };
  const tss = { profile: 'tss-lib' as const, ssid: new Uint8Array([1]), sender: 0 };
  const vss = [0, 1, 2].map((i) => {
    const c = bytesToBigint(find('KGRound1Message', i).get(1)![0]!);
    const d = find('KGRound2Message2', i).get(1)!.map(bytesToBigint);
    return openPointCommitment(tss, c, d, t + 1, 'vss');
  });

  it('key files agree with the transcript (Ks = sorted party keys)', () => {
    for (const s of saves) expect(s.Ks).toEqual(keys);
  });

  it('every recorded share passes the Feldman check against its dealer', () => {
    let checked = 0;
    for (const m of golden.messages.filter((x) => x.round.endsWith('.KGRound2Message1'))) {
      const j = m.to![0]!;
      const share = bytesToBigint(content(m).get(1)![0]!);
      verifyShare(share, keys[j]!, vss[m.from]!, t);
      // adversarial: wrong receiver index, tampered share, wrong dealer, short vector
      expectVerify(() => verifyShare(share, keys[(j + 1) % 3]!, vss[m.from]!, t), 'SHARE_INVALID');
      expectVerify(() => verifyShare(modQ(share + 1n), keys[j]!, vss[m.from]!, t), 'SHARE_INVALID');
      expectVerify(() => verifyShare(share, keys[j]!, vss[(m.from + 1) % 3]!, t), 'SHARE_INVALID');
      expectVerify(() => verifyShare(share, keys[j]!, vss[m.from]!.slice(0, t), t), 'MALFORMED');
      checked++;
    }
    expect(checked).toBe(6);
  });

  it('Σ V_0 is the public key and the summed commitments give every BigXj', () => {
    const summed = [0, 1].map((k) => vss[0]![k]!.add(vss[1]![k]!).add(vss[2]![k]!));
    const pub = goPoint(saves[0]!.ECDSAPub);
    expect(summed[0]!.equals(pub)).toBe(true);
    const bigXj = (saves[0]!.BigXj as unknown[]).map(goPoint);
    keys.forEach((k, j) => {
      expect(evaluateCommitments(summed, k).equals(bigXj[j]!)).toBe(true);
    });
  });

  it('Lagrange over signers {0, 2} recombines the key (public and secret side)', () => {
    const pub = goPoint(saves[0]!.ECDSAPub);
    const bigXj = (saves[0]!.BigXj as unknown[]).map(goPoint);
    const signers = [keys[0]!, keys[2]!];
    const l0 = lagrangeCoefficient(keys[0]!, signers);
    const l2 = lagrangeCoefficient(keys[2]!, signers);
    expect(bigXj[0]!.multiply(l0).add(bigXj[2]!.multiply(l2)).equals(pub)).toBe(true);
    const x0 = saves[0]!.Xi as bigint;
    const x2 = saves[2]!.Xi as bigint;
    expect(mulG(x0).equals(bigXj[0]!)).toBe(true);
    expect(mulG(modQ(l0 * x0 + l2 * x2)).equals(pub)).toBe(true);
    const shares = saves.map((s) => ({ index: s.ShareID as bigint, value: s.Xi as bigint }));
    expect(mulG(reconstructSecret(shares, t)).equals(pub)).toBe(true);
  });
});
