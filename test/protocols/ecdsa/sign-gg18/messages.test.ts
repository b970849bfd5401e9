/**
 * GG18 message decoders and validators on hostile input (SECURITY.md item 14): random bytes,
 * mutated real messages and oversized integers never make them throw anything but a
 * VerifyError, and sizes are capped before any arithmetic.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { AnySchema, anyPack } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../../../src/errors.js';
import { SignRound1Message1Schema } from '../../../../src/gen/binance/tsslib/ecdsa/signing/signing_pb.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import {
  decodeSignRound1Message1,
  decodeSignRound1Message2,
  decodeSignRound2Message,
  decodeSignRound3Message,
  decodeSignRound4Message,
  decodeSignRound5Message,
  decodeSignRound6Message,
  decodeSignRound7Message,
  decodeSignRound8Message,
  decodeSignRound9Message,
  decodeSignRound9Reveal,
  MSG,
  newSignRound9Reveal,
} from '../../../../src/protocols/ecdsa/sign-gg18/messages.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import { runSign } from './helpers.js';

const DECODERS: Record<string, (b: Uint8Array) => unknown> = {
  [MSG.r1p2p]: decodeSignRound1Message1,
  [MSG.r1bc]: decodeSignRound1Message2,
  [MSG.r2]: decodeSignRound2Message,
  [MSG.r3]: decodeSignRound3Message,
  [MSG.r4]: decodeSignRound4Message,
  [MSG.r5]: decodeSignRound5Message,
  [MSG.r6]: decodeSignRound6Message,
  [MSG.r7]: decodeSignRound7Message,
  [MSG.r8]: decodeSignRound8Message,
  [MSG.r9]: decodeSignRound9Message,
  [MSG.r9reveal]: decodeSignRound9Reveal,
};

/** Runs f; anything thrown must be a VerifyError. */
function onlyVerifyErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
  }
}

describe('GG18 message decoders', () => {
  const shares = makeKeyShares({ n: 3, minSigners: 2 });
  const real = runSign({ shares, signers: ['P1', 'P2'] }).sent;

  it('decode every real message', () => {
    for (const env of real) expect(() => DECODERS[env.type]!(env.payload)).not.toThrow();
  });

  it('random bytes only ever raise VerifyError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(DECODERS)),
        fc.uint8Array({ maxLength: 3000 }),
        (t, b) => onlyVerifyErrors(() => DECODERS[t]!(b)),
      ),
      { numRuns: 2000 },
    );
  });

  it('mutated real messages (flips, truncation, extension) only ever raise VerifyError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...real),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'cut', 'grow'),
        (env, at, v, how) => {
          const p = env.payload;
          const i = at % p.length;
          const b =
            how === 'flip'
              ? Uint8Array.from(p, (x, j) => (j === i ? x ^ (v | 1) : x))
              : how === 'cut'
                ? p.slice(0, i)
                : Uint8Array.from([...p, v]);
          onlyVerifyErrors(() => DECODERS[env.type]!(b));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a 10 MB integer is refused before any arithmetic', () => {
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0xff);
    const wire = toBinary(
      AnySchema,
      anyPack(
        SignRound1Message1Schema,
        create(SignRound1Message1Schema, { c: huge, rangeProofAlice: [] }),
      ),
    );
    const t = performance.now();
    let err: unknown;
    try {
      decodeSignRound1Message1(wire);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifyError);
    expect((err as VerifyError).code).toBe('OVERSIZED');
    expect(performance.now() - t).toBeLessThan(200);
  });

  it('the native l reveal is exactly 32 bytes in [1, q)', () => {
    expect(decodeSignRound9Reveal(newSignRound9Reveal(5n)).l).toBe(5n);
    for (const b of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(32)]) {
      expect(() => decodeSignRound9Reveal(b)).toThrow(VerifyError);
    }
    const q = Uint8Array.from(Buffer.from(CURVE_ORDER.toString(16), 'hex'));
    expect(() => decodeSignRound9Reveal(q)).toThrow(VerifyError);
  });
});
