/**
 * Keygen configuration (SECURITY.md items 9 and 10): minSigners and party-count bounds, Shamir
 * index validation, session ids, and the tss-lib-profile blame rules that differ from native.
 */
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../../src/errors.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import {
  createKeygenParty,
  defaultTssLibKey,
  KEYGEN_MESSAGE_TYPES as MSG,
  newSessionId,
  resolveKeygenSetup,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { tssLibKeygenSsid } from '../../../../src/protocols/ecdsa/ssid.js';
import { fixturePreParams } from './fixtures.js';
import {
  expectBlamed,
  maliciousParty,
  optionsFor,
  partyIds,
  restore,
  run,
  type Session,
  startedSnapshots,
} from './harness.js';
import { editWire, mapType } from './tamper.js';

const ids = partyIds(3);
const base = {
  self: ids[0]!,
  parties: ids,
  minSigners: 2,
  sessionId: 'cfg',
  preParams: fixturePreParams(0),
};

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocalError);
    return (e as LocalError).code;
  }
  return 'OK';
}

describe('keygen options', () => {
  it('accepts 2 ≤ minSigners ≤ n and rejects everything else (never a "threshold")', () => {
    expect(code(() => createKeygenParty(base))).toBe('OK');
    expect(code(() => createKeygenParty({ ...base, minSigners: 3 }))).toBe('OK');
    for (const m of [0, 1, 4, 2.5, Number.NaN]) {
      expect(code(() => createKeygenParty({ ...base, minSigners: m }))).toBe('INVALID_ARGUMENT');
    }
    expect(resolveKeygenSetup({ ...base, minSigners: 3 }).t).toBe(2);
  });

  it('requires 2 ≤ n ≤ 32, unique ids, self among them, a valid session id', () => {
    expect(code(() => createKeygenParty({ ...base, parties: [ids[0]!] }))).toBe('INVALID_ARGUMENT');
    const many = partyIds(26).concat(Array.from({ length: 7 }, (_, i) => `x${i}`));
    expect(many.length).toBe(33);
    expect(code(() => createKeygenParty({ ...base, parties: many }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createKeygenParty({ ...base, parties: [ids[0]!, ids[0]!] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => createKeygenParty({ ...base, self: 'zz' }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createKeygenParty({ ...base, sessionId: 'has space' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => createKeygenParty({ ...base, profile: 'gg20' as never }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('rejects zero, q, duplicate and i / i + q indices, and missing ones', () => {
    const q = CURVE_ORDER;
    const bad: Record<string, bigint>[] = [
      { [ids[0]!]: 0n, [ids[1]!]: 2n, [ids[2]!]: 3n },
      { [ids[0]!]: q, [ids[1]!]: 2n, [ids[2]!]: 3n },
      { [ids[0]!]: 2n, [ids[1]!]: 2n, [ids[2]!]: 3n },
      { [ids[0]!]: 1n, [ids[1]!]: 1n + q, [ids[2]!]: 3n },
      { [ids[0]!]: -1n, [ids[1]!]: 2n, [ids[2]!]: 3n },
      { [ids[0]!]: 1n, [ids[1]!]: 2n },
    ];
    for (const indices of bad) {
      expect(code(() => createKeygenParty({ ...base, indices }))).toBe('INVALID_ARGUMENT');
    }
    // tss-lib party keys must be below q (tss-lib hashes the raw key).
    expect(
      code(() =>
        createKeygenParty({
          ...base,
          profile: 'tss-lib',
          indices: { [ids[0]!]: q + 1n, [ids[1]!]: 2n, [ids[2]!]: 3n },
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    // Large native indices are reduced mod q.
    const s = resolveKeygenSetup({
      ...base,
      indices: new Map([
        [ids[0]!, q + 7n],
        [ids[1]!, 5n],
        [ids[2]!, 6n],
      ]),
    });
    expect(s.keys).toEqual([5n, 6n, 7n]);
    expect(s.ids).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('derives default indices: native 1..n by id, tss-lib SHA-256(id) sorted like SortPartyIDs', () => {
    const n = resolveKeygenSetup({ ...base, self: ids[2]! });
    expect(n.keys).toEqual([1n, 2n, 3n]);
    expect(n.me).toBe(2);
    const t = resolveKeygenSetup({ ...base, profile: 'tss-lib' });
    const keys = ids.map(defaultTssLibKey).sort((a, b) => (a < b ? -1 : 1));
    expect(t.keys).toEqual(keys);
    expect(Buffer.from(t.ssid)).toEqual(Buffer.from(tssLibKeygenSsid(keys)));
  });

  it('binds the native ssid to the session id, and newSessionId is 32 fresh bytes', () => {
    const a = resolveKeygenSetup(base).ssid;
    const b = resolveKeygenSetup({ ...base, sessionId: 'cfg2' }).ssid;
    expect(Buffer.from(a)).not.toEqual(Buffer.from(b));
    const s1 = newSessionId();
    expect(s1).toMatch(/^[0-9a-f]{64}$/);
    expect(newSessionId()).not.toBe(s1);
  });

  it('rejects invalid pre-params', () => {
    const p = fixturePreParams(0);
    expect(code(() => createKeygenParty({ ...base, preParams: { ...p, h2: p.h1 } }))).toBe(
      'INVALID_KEY_SHARE',
    );
  });
});

describe('tss-lib profile blame rules', () => {
  const S: Session = { profile: 'tss-lib', ids, minSigners: 2, sessionId: 'cfg-tss' };
  const [A, B, M] = ids as [string, string, string];

  it('a party configured with another key is caught by its session-bound Π^mod / Π^fac', () => {
    const snaps = startedSnapshots(S);
    const keys = Object.fromEntries(ids.map((id) => [id, defaultTssLibKey(id)]));
    const liar = maliciousParty({ ...S, indices: { ...keys, [M]: keys[M]! + 1n } }, M, {});
    const res = run([restore(snaps.get(A)!), restore(snaps.get(B)!), liar]);
    expectBlamed(res, [A, B], [M], 'PROOF_INVALID');
  });

  it('a copied Ñ with replayed (unbound) DLN proofs: the owner names the copier, a third party both', () => {
    const snaps = startedSnapshots(S);
    const a = restore(snaps.get(A)!);
    const src = a.sent({ round: 1 })[0]!.payload;
    const copier = maliciousParty(S, M, {
      r1: (out) => ({
        out: mapType(out, MSG.r1, (p) =>
          editWire(MSG.r1, p, (m) =>
            editWire(MSG.r1, src, (x) => {
              for (const k of ['nTilde', 'h1', 'h2', 'dlnproof1', 'dlnproof2']) m[k] = x[k]!;
            }),
          ),
        ),
      }),
    });
    const res = run([a, restore(snaps.get(B)!), copier]);
    expectBlamed(res, [A], [M], 'DUPLICATE_PARAMETER');
    // tss-lib's DLN proofs carry no session or prover binding: B cannot tell who copied.
    expectBlamed(res, [B], [A, M], 'DUPLICATE_PARAMETER');
  });

  it('uses the options of every party consistently', () => {
    expect(optionsFor(S, A).profile).toBe('tss-lib');
  });
});
