/**
 * Keygen message parsers: round trips, and fuzzing (SECURITY.md item 14): random bytes and random
 * mutations of real messages only ever raise a VerifyError, never anything else.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyError } from '../../../../src/errors.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import {
  decodeRound1,
  decodeRound2Decommit,
  decodeRound2Share,
  decodeRound3,
  decodeSchnorr,
  encodeRound1,
  encodeRound2Decommit,
  encodeRound2Share,
  encodeRound3,
  encodeSchnorr,
  KEYGEN_MESSAGE_TYPES as MSG,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { partyIds, restore, run, startedSnapshots } from './harness.js';

type Decoder = (b: Uint8Array) => unknown;
const decoders: Record<string, Decoder> = {
  [MSG.r1]: decodeRound1,
  [MSG.r2Share]: decodeRound2Share,
  [MSG.r2Decommit]: (b) => decodeRound2Decommit(b, 1),
  [MSG.r3]: decodeRound3,
  [MSG.r3Schnorr]: decodeSchnorr,
};

/** One real payload of each type, captured from a finished native 2-of-3 keygen. */
const samples = new Map<string, Uint8Array>();

beforeAll(() => {
  const S = { profile: 'native' as const, ids: partyIds(3), minSigners: 2, sessionId: 'msgs' };
  const snaps = startedSnapshots(S);
  const res = run(S.ids.map((id) => restore(snaps.get(id)!)));
  for (const p of res.parties.values()) {
    for (const env of p.sent()) if (!samples.has(env.type)) samples.set(env.type, env.payload);
  }
});

function onlyVerifyErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
  }
}

describe('keygen messages', () => {
  it('every message type round-trips through its constructor and parser', () => {
    const r1 = decodeRound1(samples.get(MSG.r1)!);
    expect(encodeRound1(r1)).toEqual(samples.get(MSG.r1));
    const r2s = decodeRound2Share(samples.get(MSG.r2Share)!);
    expect(r2s.share < CURVE_ORDER).toBe(true);
    expect(encodeRound2Share(r2s)).toEqual(samples.get(MSG.r2Share));
    const r2d = decodeRound2Decommit(samples.get(MSG.r2Decommit)!, 1);
    expect(r2d.decommitment).toHaveLength(5);
    expect(encodeRound2Decommit(r2d)).toEqual(samples.get(MSG.r2Decommit));
    const r3 = decodeRound3(samples.get(MSG.r3)!);
    expect(r3.proof).toHaveLength(13);
    expect(encodeRound3(r3)).toEqual(samples.get(MSG.r3));
    const sch = decodeSchnorr(samples.get(MSG.r3Schnorr)!);
    expect(encodeSchnorr(sch)).toEqual(samples.get(MSG.r3Schnorr));
  });

  it('a decommitment for another threshold is malformed', () => {
    expect(() => decodeRound2Decommit(samples.get(MSG.r2Decommit)!, 2)).toThrow(VerifyError);
  });

  it('parsers throw only VerifyError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        for (const d of Object.values(decoders)) onlyVerifyErrors(() => d(b));
      }),
      { numRuns: 300 },
    );
  });

  it('parsers throw only VerifyError on mutated real messages', () => {
    const types = [...Object.keys(decoders)];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        (type, edits, cut) => {
          const b = samples.get(type)!.slice();
          for (const [i, v] of edits) b[i % b.length] = v;
          const input = cut === undefined ? b : b.slice(0, cut % (b.length + 1));
          onlyVerifyErrors(() => decoders[type]!(input));
        },
      ),
      { numRuns: 200 },
    );
  });
});
