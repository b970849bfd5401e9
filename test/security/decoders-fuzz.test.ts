/**
 * "Fuzz every decoder" (SECURITY.md item 14) for the decoders that had no fuzz test: every
 * message type of GG20 presigning and of the GG20 online round. The decoders are taken from the
 * protocol definitions themselves (each round's `decode` for each declared message type), so a
 * message type added later is fuzzed too. Random bytes and mutated real messages (flipped,
 * overwritten, truncated, extended) must only ever produce a VerifyError: never a TypeError or
 * RangeError, and never a huge allocation.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/errors.js';
import { bigintToBytes } from '../../src/math/bigint.js';
import { CURVE_ORDER } from '../../src/math/curve.js';
import { randomBelow, randomBytes } from '../../src/math/random.js';
import { decodeValue } from '../../src/party/codec.js';
import type { AnyProtocolDef, Party, RoundContext } from '../../src/party/types.js';
import { ONLINE_GG20, ONLINE_MSG } from '../../src/protocols/ecdsa/online-gg20/index.js';
import {
  createPresignParty,
  PRESIGN_GG20,
  type Presignature,
} from '../../src/protocols/ecdsa/presign-gg20/index.js';
import { MSG, newPresignReveal } from '../../src/protocols/ecdsa/presign-gg20/messages.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import { simulate } from '../support/simulate.js';

const q = CURVE_ORDER;
const SIGNERS = ['P1', 'P2', 'P3'];
const scalar = () => 1n + randomBelow(q - 1n);
const big = (bytes: number) => 1n + randomBelow(1n << BigInt(8 * bytes - 1));

interface Decoder {
  readonly name: string;
  readonly decode: (b: Uint8Array) => unknown;
}

/** Every (round, type) decoder of `def`, called as the engine calls it. */
function decodersOf(def: AnyProtocolDef, state: unknown): Decoder[] {
  return def.rounds.flatMap((rd, i) =>
    rd.messages.map((m) => {
      const ctx: RoundContext = {
        protocol: def.protocol,
        sessionId: 'fuzz',
        self: 'P1',
        parties: SIGNERS,
        others: ['P2', 'P3'],
        round: i + 1,
      };
      return {
        name: `${def.protocol} r${i + 1} ${m.type}`,
        decode: (b: Uint8Array) => rd.decode(m.type, b, 'P2', state as never, ctx),
      };
    }),
  );
}

function onlyVerifyErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
  }
}

let decoders: Decoder[] = [];
/** Real payloads by decoder name. */
const samples = new Map<string, Uint8Array>();

beforeAll(() => {
  const shares = makeKeyShares({ n: 3, minSigners: 2 });
  const sessionId = `security-fuzz-${Date.now()}`;
  const parties: Party<Presignature>[] = SIGNERS.map((self) =>
    createPresignParty({
      self,
      signers: SIGNERS,
      keyShare: shares.find((s) => s.self === self)!,
      sessionId,
    }),
  );
  const res = simulate(parties, { order: 'fifo' });
  expect(res.outputs.size).toBe(SIGNERS.length);
  // The decoders read static facts of the state (e.g. the number of signers): a real one.
  const p1 = createPresignParty({ self: 'P1', signers: SIGNERS, keyShare: shares[0]!, sessionId });
  p1.start();
  const state = decodeValue((JSON.parse(p1.snapshot()) as { state: unknown }).state);
  decoders = [...decodersOf(PRESIGN_GG20, state), ...decodersOf(ONLINE_GG20, undefined)];
  for (const p of res.parties.values()) {
    for (const env of p.sent())
      samples.set(`${env.protocol} r${env.round} ${env.type}`, env.payload);
  }
  // The blame-round reveal and the online share do not occur in an honest presigning run.
  const reveal = decoders.find((d) => d.name.endsWith(` ${MSG.r7}`))!.name;
  samples.set(
    reveal,
    newPresignReveal({
      mode: 'sigma',
      k: scalar(),
      rho: big(256),
      entries: [0, 1].map(() => ({ c1: big(512), c2: big(512), m: big(256), nonce: big(256) })),
    }),
  );
  const share = decoders.find((d) => d.name.endsWith(` ${ONLINE_MSG}`))!.name;
  samples.set(share, Uint8Array.from([...randomBytes(32), ...bigintToBytes(scalar(), 32)]));
});

describe('GG20 decoders never throw anything but VerifyError', () => {
  it('every message type has a real sample, and it decodes', () => {
    for (const d of decoders) {
      const s = samples.get(d.name);
      expect(s, `sample for ${d.name}`).toBeDefined();
      expect(() => d.decode(s!), d.name).not.toThrow();
    }
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: decoders.length - 1 }),
        fc.uint8Array({ maxLength: 4000 }),
        (i, b) => onlyVerifyErrors(() => decoders[i]!.decode(b)),
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated real messages: flipped, overwritten, truncated, extended', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: decoders.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'set', 'cut', 'grow'),
        (i, at, v, how) => {
          const d = decoders[i]!;
          const p = samples.get(d.name)!;
          const j = at % p.length;
          const b =
            how === 'flip'
              ? Uint8Array.from(p, (x, k) => (k === j ? x ^ (v | 1) : x))
              : how === 'set'
                ? Uint8Array.from(p, (x, k) => (k === j ? v : x))
                : how === 'cut'
                  ? p.slice(0, j)
                  : Uint8Array.from([...p, v]);
          onlyVerifyErrors(() => d.decode(b));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('every 2-byte window set to 0xffff (maximal lengths and counts) is refused cleanly', () => {
    for (const d of decoders) {
      const p = samples.get(d.name)!;
      for (let j = 0; j + 1 < p.length; j++) {
        const b = p.slice();
        b[j] = 0xff;
        b[j + 1] = 0xff;
        onlyVerifyErrors(() => d.decode(b));
      }
    }
  });
});
