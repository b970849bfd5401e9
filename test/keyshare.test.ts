import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalError } from '../src/errors.js';
import type { JsonObject, JsonValue } from '../src/interop/tss-lib/json.js';
import { parseLosslessJson, stringifyLosslessJson } from '../src/interop/tss-lib/json.js';
import {
  KEY_SHARE_MAX_PARTIES,
  type KeyShare,
  keyShareSelf,
  parseKeyShare,
  serializeKeyShare,
  validateKeyShare,
} from '../src/keyshare.js';
import { CURVE_ORDER, G, mulG } from '../src/math/curve.js';
import { makeKeyShares } from './support/keyshare-fixture.js';
import { interpolateAtZero, subsets } from './support/lagrange.js';

const q = CURVE_ORDER;

function expectInvalid(f: () => unknown, field?: string): LocalError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LocalError);
  const le = err as LocalError;
  expect(le.code).toBe('INVALID_KEY_SHARE');
  if (field !== undefined) expect(le.shortMessage).toContain(`"${field}"`);
  return le;
}

/** Secret values of a share, in the encodings that might leak into a message. */
function secretStrings(s: KeyShare): string[] {
  const vals = [s.secret.xi, s.secret.paillier.p, s.secret.paillier.q];
  if (s.secret.ntilde) {
    const t = s.secret.ntilde;
    vals.push(t.alpha, t.beta, t.sophieGermainP, t.sophieGermainQ);
  }
  return vals.flatMap((v) => [v.toString(16), v.toString(10)]);
}

function withJson(share: KeyShare, edit: (o: JsonObject) => void): string {
  const o = parseLosslessJson(serializeKeyShare(share), { integers: 'auto' }) as JsonObject;
  edit(o);
  return stringifyLosslessJson(o);
}

function obj(v: JsonValue | undefined): JsonObject {
  return v as JsonObject;
}

describe('KeyShare', () => {
  let shares: KeyShare[];
  let share: KeyShare;
  beforeAll(() => {
    shares = makeKeyShares({ n: 3, minSigners: 2, chainCode: 'ab'.repeat(32) });
    share = shares[0]!;
  });

  it('validates freshly built shares, and any minSigners-subset reconstructs the key', () => {
    for (const s of shares) validateKeyShare(s);
    const values = shares.map((s) => ({ index: keyShareSelf(s).index, value: s.secret.xi }));
    for (const sub of subsets(values, 2)) {
      expect(mulG(interpolateAtZero(sub)).toHex(true)).toBe(share.publicKey.compressed);
    }
  });

  it('serialize → parse round-trips exactly (with and without optional fields)', () => {
    for (const s of shares) expect(parseKeyShare(serializeKeyShare(s))).toEqual(s);
    const { chainCode: _c, ...noChain } = share;
    expect(parseKeyShare(serializeKeyShare(noChain))).toEqual(noChain);
    const { ntilde: _n, ...secret } = share.secret;
    const noTrapdoor: KeyShare = { ...share, secret };
    expect(parseKeyShare(serializeKeyShare(noTrapdoor))).toEqual(noTrapdoor);
  });

  it('writes a versioned JSON document with hex integers', () => {
    const o = JSON.parse(serializeKeyShare(share)) as Record<string, unknown>;
    expect(o.kind).toBe('mpc-tss/key-share');
    expect(o.version).toBe(1);
    expect(o.minSigners).toBe(2);
    const p0 = (o.parties as Record<string, unknown>[])[0]!;
    expect(p0.index).toBe(share.parties[0]!.index.toString(16));
    expect(p0.publicShare).toBe(share.parties[0]!.publicShare);
  });

  it('supports larger keys (5 parties, 3 signers)', () => {
    const five = makeKeyShares({ n: 5, minSigners: 3 });
    for (const s of five) expect(parseKeyShare(serializeKeyShare(s))).toEqual(s);
  });

  const mutations: [string, string, (o: JsonObject) => void][] = [
    ['kind', 'kind', (o) => (o.kind = 'other')],
    ['version', 'version', (o) => (o.version = 2)],
    ['curve', 'curve', (o) => (o.curve = 'ed25519')],
    ['minSigners 1', 'minSigners', (o) => (o.minSigners = 1)],
    ['minSigners > n', 'minSigners', (o) => (o.minSigners = 4)],
    ['minSigners too high for the shares', 'minSigners', (o) => (o.minSigners = 3)],
    ['minSigners fractional', 'minSigners', (o) => (o.minSigners = 2.5)],
    ['self unknown', 'self', (o) => (o.self = 'nobody')],
    ['unknown field', 'extra', (o) => (o.extra = 1)],
    ['missing field', 'secret', (o) => delete o.secret],
    [
      'parties unsorted',
      'parties[1].id',
      (o) => {
        const ps = o.parties as JsonValue[];
        [ps[0], ps[1]] = [ps[1]!, ps[0]!];
      },
    ],
    ['duplicate id', 'parties[1].id', (o) => (obj((o.parties as JsonValue[])[1]).id = 'P1')],
    ['empty id', 'parties[0].id', (o) => (obj((o.parties as JsonValue[])[0]).id = '')],
    ['index 0', 'parties[0].index', (o) => (obj((o.parties as JsonValue[])[0]).index = '0')],
    [
      'index = q',
      'parties[0].index',
      (o) => (obj((o.parties as JsonValue[])[0]).index = q.toString(16)),
    ],
    [
      'duplicate index',
      'parties[1].index',
      (o) => {
        const ps = o.parties as JsonValue[];
        obj(ps[1]).index = obj(ps[0]).index!;
      },
    ],
    [
      'index with a leading zero',
      'parties[0].index',
      (o) => {
        const p = obj((o.parties as JsonValue[])[0]);
        p.index = `0${p.index}`;
      },
    ],
    [
      'uppercase hex',
      'parties[0].paillierN',
      (o) => {
        const p = obj((o.parties as JsonValue[])[0]);
        p.paillierN = String(p.paillierN).toUpperCase();
      },
    ],
    ['integer as number', 'parties[0].h1', (o) => (obj((o.parties as JsonValue[])[0]).h1 = 5)],
    [
      'public share not on the curve',
      'parties[0].publicShare',
      (o) => (obj((o.parties as JsonValue[])[0]).publicShare = `02${'00'.repeat(31)}07`),
    ],
    [
      'public share of another party',
      'parties',
      (o) => {
        const ps = o.parties as JsonValue[];
        obj(ps[2]).publicShare = obj(ps[1]).publicShare!;
      },
    ],
    [
      'public share uncompressed',
      'parties[0].publicShare',
      (o) => (obj((o.parties as JsonValue[])[0]).publicShare = G.toHex(false)),
    ],
    [
      'paillier N 2047 bits',
      'parties[1].paillierN',
      (o) => (obj((o.parties as JsonValue[])[1]).paillierN = ((1n << 2046n) + 1n).toString(16)),
    ],
    [
      'paillier N even',
      'parties[1].paillierN',
      (o) => (obj((o.parties as JsonValue[])[1]).paillierN = (1n << 2047n).toString(16)),
    ],
    [
      'paillier N reused',
      'parties[1].paillierN',
      (o) => {
        const ps = o.parties as JsonValue[];
        obj(ps[1]).paillierN = obj(ps[0]).paillierN!;
      },
    ],
    [
      'Ñ reused as another N',
      'parties[1].ntilde',
      (o) => {
        const ps = o.parties as JsonValue[];
        obj(ps[1]).ntilde = obj(ps[0]).paillierN!;
      },
    ],
    ['h1 = 1', 'parties[1].h1', (o) => (obj((o.parties as JsonValue[])[1]).h1 = '1')],
    [
      'h1 ≥ Ñ',
      'parties[1].h1',
      (o) => {
        const p = obj((o.parties as JsonValue[])[1]);
        p.h1 = p.ntilde!;
      },
    ],
    [
      'h1 = h2',
      'parties[1].h2',
      (o) => {
        const p = obj((o.parties as JsonValue[])[1]);
        p.h2 = p.h1!;
      },
    ],
    [
      'uncompressed key mismatch',
      'publicKey.uncompressed',
      (o) => (obj(o.publicKey).uncompressed = G.toHex(false)),
    ],
    ['bad chain code', 'chainCode', (o) => (o.chainCode = 'abc')],
    ['xi = 0', 'secret.xi', (o) => (obj(o.secret).xi = '0')],
    ['xi wrong', 'secret.xi', (o) => (obj(o.secret).xi = '1')],
    [
      'paillier p wrong',
      'secret.paillier',
      (o) => (obj(obj(o.secret).paillier).p = ((1n << 1023n) + 1n).toString(16)),
    ],
    [
      'paillier p = q',
      'secret.paillier',
      (o) => {
        const pl = obj(obj(o.secret).paillier);
        pl.p = pl.q!;
      },
    ],
    ['Ñ prime wrong', 'secret.ntilde', (o) => (obj(obj(o.secret).ntilde).sophieGermainP = 'b')],
    ['alpha wrong', 'secret.ntilde.alpha', (o) => (obj(obj(o.secret).ntilde).alpha = '2')],
    ['beta wrong', 'secret.ntilde.beta', (o) => (obj(obj(o.secret).ntilde).beta = '2')],
    ['hex too long', 'secret.xi', (o) => (obj(o.secret).xi = `1${'0'.repeat(2000)}`)],
    ['unknown secret field', 'secret.extra', (o) => (obj(o.secret).extra = '1')],
  ];

  it.each(mutations)('parseKeyShare rejects: %s', (_name, field, edit) => {
    const e = expectInvalid(() => parseKeyShare(withJson(share, edit)), field);
    for (const s of secretStrings(share)) expect(e.message).not.toContain(s);
  });

  it('rejects h1 sharing a factor with Ñ', () => {
    const mine = keyShareSelf(share);
    const t = share.secret.ntilde!;
    const factor = 2n * t.sophieGermainP + 1n;
    const idx = share.parties.indexOf(mine);
    const parties = share.parties.map((p) => (p === mine ? { ...p, h1: factor * 3n } : p));
    expectInvalid(() => validateKeyShare({ ...share, parties }), `parties[${idx}].h1`);
  });

  it('rejects malformed JSON and oversized input as INVALID_KEY_SHARE', () => {
    expectInvalid(() => parseKeyShare('{'));
    expectInvalid(() => parseKeyShare('[]'), '(root)');
    expectInvalid(() => parseKeyShare(' '.repeat(2 * 1024 * 1024)));
    expectInvalid(() => parseKeyShare(`{"a":${'1'.repeat(100)}}`));
  });

  it('rejects too many parties', () => {
    expect(KEY_SHARE_MAX_PARTIES).toBe(32);
    const parties = Array.from({ length: 33 }, () => share.parties[0]!);
    expectInvalid(() => validateKeyShare({ ...share, parties }), 'parties');
  });

  it('validateKeyShare catches a share whose public shares imply fewer signers', () => {
    const low = makeKeyShares({ n: 3, minSigners: 2 });
    expectInvalid(() => validateKeyShare({ ...low[0]!, minSigners: 3 }), 'minSigners');
  });

  it('serializeKeyShare rejects wrongly typed fields', () => {
    expectInvalid(
      () =>
        serializeKeyShare({ ...share, secret: { ...share.secret, xi: 5 as unknown as bigint } }),
      'secret.xi',
    );
    expectInvalid(() => serializeKeyShare(null as unknown as KeyShare), '(root)');
  });

  it('fuzz: any single-field mutation fails with INVALID_KEY_SHARE or parses to a valid share', () => {
    const text = serializeKeyShare(share);
    fc.assert(
      fc.property(
        fc.nat({ max: text.length - 1 }),
        fc.constantFrom(...'0123456789abcdef"{}[],:x'.split('')),
        (pos, ch) => {
          const mutated = text.slice(0, pos) + ch + text.slice(pos + 1);
          try {
            const s = parseKeyShare(mutated);
            validateKeyShare(s);
          } catch (e) {
            expect(e).toBeInstanceOf(LocalError);
            expect((e as LocalError).code).toBe('INVALID_KEY_SHARE');
            for (const s of secretStrings(share)) expect((e as Error).message).not.toContain(s);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
