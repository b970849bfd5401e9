import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../src/errors.js';
import {
  type CommitmentContext,
  flattenPoints,
  hashCommit,
  hashCommitPoints,
  hashCommitWithRandomness,
  openDecommitment,
  openPointCommitment,
  unflattenPoints,
  verifyDecommitment,
} from '../../src/hash/commitment.js';
import { bytesToBigint, hexToBytes } from '../../src/math/bigint.js';
import { FIELD_PRIME, G, mulG } from '../../src/math/curve.js';
import { PROFILES, type Profile } from '../../src/profile.js';
import { describeInterop, readInterop } from '../support/interop.js';
import { pbFields } from '../support/protobuf.js';

function codeOf(fn: () => unknown): { cls: string; code: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerifyError) return { cls: 'VerifyError', code: e.code };
    if (e instanceof LocalError) return { cls: 'LocalError', code: e.code };
    return { cls: (e as Error)?.name ?? typeof e, code: '' };
  }
  return undefined;
}

function expectVerify(fn: () => unknown, code: string): void {
  expect(codeOf(fn)).toEqual({ cls: 'VerifyError', code });
}

const SSID = hexToBytes('11'.repeat(32));
const ctxFor = (profile: Profile, over: Partial<CommitmentContext> = {}): CommitmentContext => ({
  profile,
  ssid: SSID,
  sender: 1,
  label: 'test',
  ...over,
});

describe.each(PROFILES)('hash commitments (%s)', (profile) => {
  const ctx = ctxFor(profile);

  it('opens what it committed', () => {
    const secrets = [0n, 1n, 2n ** 300n, 12345n];
    const { commitment, decommitment } = hashCommit(ctx, secrets);
    expect(decommitment.length).toBe(5);
    expect(decommitment[0]! < 2n ** 256n).toBe(true);
    expect(commitment < 2n ** 256n).toBe(true);
    verifyDecommitment(ctx, commitment, decommitment, 4);
    expect(openDecommitment(ctx, commitment, decommitment, 4)).toEqual(secrets);
  });

  it('uses fresh randomness', () => {
    const a = hashCommit(ctx, [7n]);
    const b = hashCommit(ctx, [7n]);
    expect(a.commitment).not.toBe(b.commitment);
    expect(a.decommitment[0]).not.toBe(b.decommitment[0]);
  });

  it('rejects a changed element (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 300n }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.bigInt({ min: 1n, max: 2n ** 64n }),
        (secrets, pos, delta) => {
          const { commitment, decommitment } = hashCommit(ctx, secrets);
          const d = [...decommitment];
          const k = pos % d.length;
          d[k] = k === 0 ? (d[k]! + delta) % 2n ** 256n : d[k]! + delta;
          if (d[k] === decommitment[k]) return;
          expectVerify(
            () => verifyDecommitment(ctx, commitment, d, secrets.length),
            'COMMITMENT_INVALID',
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('rejects a wrong commitment value', () => {
    const { commitment, decommitment } = hashCommit(ctx, [1n, 2n]);
    expectVerify(
      () => verifyDecommitment(ctx, commitment ^ 1n, decommitment, 2),
      'COMMITMENT_INVALID',
    );
  });

  it('different integer lists never share a commitment (random splits, item 5)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 48 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (bytes, cutsA, cutsB) => {
          const split = (cuts: number[]): bigint[] => {
            const pts = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
            const out: bigint[] = [];
            let prev = 0;
            for (const p of [...pts, bytes.length]) {
              out.push(bytesToBigint(bytes.slice(prev, p)));
              prev = p;
            }
            return out;
          };
          const a = split(cutsA);
          const b = split(cutsB);
          const same = a.length === b.length && a.every((x, i) => x === b[i]);
          const ca = hashCommitWithRandomness(ctx, 5n, a).commitment;
          const cb = hashCommitWithRandomness(ctx, 5n, b).commitment;
          expect(ca === cb).toBe(same);
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('malformed decommitments never throw a TypeError', () => {
    const { commitment, decommitment } = hashCommit(ctx, [3n, 4n]);
    const [r, s1, s2] = decommitment as [bigint, bigint, bigint];
    const cases: [string, unknown][] = [
      ['missing element (short, tss-lib round 9 panic)', [r, s1]],
      ['only r', [r]],
      ['empty', []],
      ['extra element (long)', [r, s1, s2, 0n]],
      // biome-ignore lint/suspicious/noSparseArray: a hole is exactly what is tested
      ['hole', [r, , s2]],
      ['undefined element', [r, undefined, s2]],
      ['null element', [r, s1, null]],
      ['number element', [r, 3, s2]],
      ['string element', [r, '3', s2]],
      ['negative element', [r, -3n, s2]],
      ['randomness ≥ 2^256', [r + 2n ** 256n, s1, s2]],
      ['null', null],
      ['undefined', undefined],
      ['object', { 0: r, 1: s1, 2: s2, length: 3 }],
      ['string', 'abc'],
    ];
    it.each(cases)('%s → MALFORMED', (_name, d) => {
      expectVerify(() => verifyDecommitment(ctx, commitment, d as bigint[], 2), 'MALFORMED');
    });

    it.each([
      ['negative', -1n],
      ['≥ 2^256', 2n ** 256n],
      ['number', 5],
      ['undefined', undefined],
    ])('commitment %s → MALFORMED', (_n, c) => {
      expectVerify(() => verifyDecommitment(ctx, c as bigint, decommitment, 2), 'MALFORMED');
    });

    it('fuzz: any value is either accepted or a VerifyError', () => {
      fc.assert(
        fc.property(fc.anything(), fc.anything(), (c, d) => {
          const r = codeOf(() => verifyDecommitment(ctx, c as bigint, d as bigint[], 2));
          expect(r?.cls).toBe('VerifyError');
        }),
        { numRuns: 300 },
      );
    });
  });

  it('rejects bad local input with LocalError', () => {
    expect(codeOf(() => hashCommit(ctx, []))).toEqual({
      cls: 'LocalError',
      code: 'INVALID_ARGUMENT',
    });
    expect(codeOf(() => hashCommit(ctx, [-1n]))?.cls).toBe('LocalError');
    expect(codeOf(() => hashCommitWithRandomness(ctx, 2n ** 256n, [1n]))?.cls).toBe('LocalError');
    const { commitment, decommitment } = hashCommit(ctx, [1n]);
    expect(codeOf(() => verifyDecommitment(ctx, commitment, decommitment, 0))?.cls).toBe(
      'LocalError',
    );
  });

  describe('point commitments (tss-lib FlattenECPoints)', () => {
    const pts = [mulG(3n), mulG(5n), mulG(7n)];

    it('flattens to x, y pairs and opens strictly', () => {
      const flat = flattenPoints(pts);
      expect(flat).toEqual(pts.flatMap((p) => [p.toAffine().x, p.toAffine().y]));
      const { commitment, decommitment } = hashCommitPoints(ctx, pts);
      const opened = openPointCommitment(ctx, commitment, decommitment, 3);
      expect(opened.every((p, i) => p.equals(pts[i]!))).toBe(true);
    });

    it('a commitment vector of length t instead of t + 1 is MALFORMED', () => {
      const t = 2;
      const short = hashCommitPoints(ctx, pts.slice(0, t));
      expectVerify(
        () => openPointCommitment(ctx, short.commitment, short.decommitment, t + 1),
        'MALFORMED',
      );
      const long = hashCommitPoints(ctx, pts);
      expectVerify(
        () => openPointCommitment(ctx, long.commitment, long.decommitment, t),
        'MALFORMED',
      );
    });

    it('rejects off-curve and identity points inside a valid commitment', () => {
      const g = G.toAffine();
      const offCurve = hashCommit(ctx, [g.x, g.y + 1n]);
      expectVerify(
        () => openPointCommitment(ctx, offCurve.commitment, offCurve.decommitment, 1),
        'OUT_OF_RANGE',
      );
      const identity = hashCommit(ctx, [0n, 0n]);
      expectVerify(
        () => openPointCommitment(ctx, identity.commitment, identity.decommitment, 1),
        'OUT_OF_RANGE',
      );
      const unreduced = hashCommit(ctx, [g.x + FIELD_PRIME, g.y]);
      expectVerify(
        () => openPointCommitment(ctx, unreduced.commitment, unreduced.decommitment, 1),
        'OUT_OF_RANGE',
      );
    });
  });
});

describe('unflattenPoints', () => {
  const flat = flattenPoints([mulG(2n), mulG(9n)]);
  it('requires the exact length', () => {
    expect(unflattenPoints(flat, 2).length).toBe(2);
    expectVerify(() => unflattenPoints(flat.slice(0, 3), 2), 'MALFORMED');
    expectVerify(() => unflattenPoints(flat, 1), 'MALFORMED');
    expectVerify(() => unflattenPoints([...flat, 1n, 2n], 2), 'MALFORMED');
    expectVerify(() => unflattenPoints([flat[0]!, undefined as unknown as bigint], 1), 'MALFORMED');
    expectVerify(() => unflattenPoints(null as unknown as bigint[], 1), 'MALFORMED');
  });
  it('flattenPoints refuses the identity (local misuse)', () => {
    expect(codeOf(() => flattenPoints([G.subtract(G)]))?.cls).toBe('LocalError');
  });
});

describe('native commitments are bound to the session', () => {
  const ctx = ctxFor('native');
  const { commitment, decommitment } = hashCommit(ctx, [42n]);
  it.each([
    ['another ssid', { ssid: hexToBytes('22'.repeat(32)) }],
    ['another sender', { sender: 2 }],
    ['another label', { label: 'other' }],
  ])('%s → COMMITMENT_INVALID', (_n, over) => {
    expectVerify(
      () => verifyDecommitment(ctxFor('native', over), commitment, decommitment, 1),
      'COMMITMENT_INVALID',
    );
  });
  it('sender 1 as number and bigint is the same party', () => {
    verifyDecommitment(ctxFor('native', { sender: 1n }), commitment, decommitment, 1);
  });
  it('a native commitment does not open under the tss-lib profile, and vice versa', () => {
    expectVerify(
      () => verifyDecommitment(ctxFor('tss-lib'), commitment, decommitment, 1),
      'COMMITMENT_INVALID',
    );
    const t = hashCommit(ctxFor('tss-lib'), [42n]);
    expectVerify(
      () => verifyDecommitment(ctx, t.commitment, t.decommitment, 1),
      'COMMITMENT_INVALID',
    );
  });
  it('the tss-lib profile ignores ssid and sender (tss-lib binds none)', () => {
    const t = hashCommit(ctxFor('tss-lib'), [42n]);
    verifyDecommitment(
      ctxFor('tss-lib', { ssid: hexToBytes('33'), sender: 9 }),
      t.commitment,
      t.decommitment,
      1,
    );
  });
});

// ---- known answers from tss-lib v2 (golden signing transcript) ----

interface GoldenMessage {
  round: string;
  from: number;
  wireBytes: string;
}

function content(m: GoldenMessage): Map<number, Uint8Array[]> {
  const any = pbFields(hexToBytes(m.wireBytes));
  return pbFields(any.get(2)![0]!);
}

describeInterop('tss-lib HashCommitment known answers (ecdsa-sign-transcript-2of3)', () => {
  const golden = JSON.parse(readInterop('golden/ecdsa-sign-transcript-2of3.json')) as {
    messages: GoldenMessage[];
  };
  const msg = (round: string, from: number) => {
    const m = golden.messages.find((x) => x.round.endsWith(`.${round}`) && x.from === from);
    if (!m) throw new Error(`missing ${round} from ${from}`);
    return content(m);
  };
  const ctx = ctxFor('tss-lib');
  const pairs: [string, string, number][] = [
    ['SignRound1Message2', 'SignRound4Message', 1], // Γ_j
    ['SignRound5Message', 'SignRound6Message', 2], // V_j, A_j
    ['SignRound7Message', 'SignRound8Message', 2], // U_j, T_j
  ];

  for (const [cRound, dRound, nPoints] of pairs) {
    for (const from of [0, 1]) {
      it(`${cRound} / ${dRound} from party ${from}`, () => {
        const c = bytesToBigint(msg(cRound, from).get(1)![0]!);
        const d = msg(dRound, from)
          .get(1)!
          .map((x) => bytesToBigint(x));
        expect(d.length).toBe(1 + 2 * nPoints);
        const pts = openPointCommitment(ctx, c, d, nPoints);
        expect(pts.length).toBe(nPoints);
        // a missing element (the tss-lib round-9 panic) is MALFORMED, never a TypeError
        expectVerify(() => verifyDecommitment(ctx, c, d.slice(0, -1), 2 * nPoints), 'MALFORMED');
        // any flipped bit fails
        for (let k = 0; k < d.length; k++) {
          const bad = [...d];
          bad[k] = bad[k]! ^ 1n;
          expectVerify(() => verifyDecommitment(ctx, c, bad, 2 * nPoints), 'COMMITMENT_INVALID');
        }
        expectVerify(() => verifyDecommitment(ctx, c ^ 1n, d, 2 * nPoints), 'COMMITMENT_INVALID');
      });
    }
  }
});
