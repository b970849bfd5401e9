import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../src/errors.js';
import { tssSha512_256i } from '../../../src/hash/tss-lib.js';
import { parseLosslessJson } from '../../../src/interop/tss-lib/json.js';
import { bigintToBytes, bytesToHex, hexToBytes } from '../../../src/math/bigint.js';
import { CURVE_ORDER, mulG, type Point, pointFromCoords } from '../../../src/math/curve.js';
import {
  type NativeKeygenSsidInput,
  type NativeSigningSsidInput,
  nativeKeygenSsid,
  nativeSigningSsid,
  newSessionNonce,
  SECP256K1_PARAMS,
  type TssLibSigner,
  tssLibKeygenSsid,
  tssLibProofSession,
  tssLibSigningSsid,
} from '../../../src/protocols/ecdsa/ssid.js';
import { describeInterop, readInterop } from '../../support/interop.js';

const expectLocal = (fn: () => unknown) => {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LocalError);
};
const hex = bytesToHex;

describe('tss-lib ssid', () => {
  it('keygen ssid is SHA512_256i(P, N, Gx, Gy, sorted keys, 1, 0) as Go Bytes()', () => {
    const { p, n, gx, gy } = SECP256K1_PARAMS;
    const expected = bigintToBytes(tssSha512_256i(p, n, gx, gy, 3n, 5n, 9n, 1n, 0n));
    expect(hex(tssLibKeygenSsid([9n, 3n, 5n]))).toBe(hex(expected));
  });

  it('secp256k1 params are the Go curve params (B = 7)', () => {
    expect(SECP256K1_PARAMS.b).toBe(7n);
    expect(SECP256K1_PARAMS.n).toBe(CURVE_ORDER);
    expect(SECP256K1_PARAMS.p).toBe(2n ** 256n - 2n ** 32n - 977n);
  });

  it('rejects empty, duplicate or non-positive keys', () => {
    expectLocal(() => tssLibKeygenSsid([]));
    expectLocal(() => tssLibKeygenSsid([3n, 3n]));
    expectLocal(() => tssLibKeygenSsid([0n]));
    expectLocal(() => tssLibKeygenSsid([-1n, 2n]));
  });

  it('signing ssid sorts signers by key and rejects bad inputs', () => {
    const mk = (key: bigint): TssLibSigner => ({
      key,
      bigX: mulG(key),
      nTilde: 1000n + key,
      h1: 2000n + key,
      h2: 3000n + key,
    });
    const a = tssLibSigningSsid([mk(7n), mk(2n)]);
    expect(hex(tssLibSigningSsid([mk(2n), mk(7n)]))).toBe(hex(a));
    const { p, n, b, gx, gy } = SECP256K1_PARAMS;
    const x2 = mulG(2n).toAffine();
    const x7 = mulG(7n).toAffine();
    const expected = tssSha512_256i(
      p,
      n,
      b,
      gx,
      gy,
      2n,
      7n,
      x2.x,
      x2.y,
      x7.x,
      x7.y,
      1002n,
      1007n,
      2002n,
      2007n,
      3002n,
      3007n,
      1n,
      0n,
    );
    expect(hex(a)).toBe(hex(bigintToBytes(expected)));
    expectLocal(() => tssLibSigningSsid([mk(2n), mk(2n)]));
    expectLocal(() => tssLibSigningSsid([{ ...mk(2n), nTilde: 0n }]));
    expectLocal(() => tssLibSigningSsid([{ ...mk(2n), bigX: mulG(1n).subtract(mulG(1n)) }]));
  });

  it('proof session = ssid ‖ bytes(index), nothing appended for index 0', () => {
    const ssid = hexToBytes('aabb');
    expect(hex(tssLibProofSession(ssid, 0))).toBe('aabb');
    expect(hex(tssLibProofSession(ssid, 1))).toBe('aabb01');
    expect(hex(tssLibProofSession(ssid, 300n))).toBe('aabb012c');
    expectLocal(() => tssLibProofSession(ssid, -1));
  });
});

describe('native ssid', () => {
  const nonce = newSessionNonce();
  const pre = (k: bigint) => ({ paillierN: 10n + k, nTilde: 20n + k, h1: 30n + k, h2: 40n + k });
  const keygenInput = (): NativeKeygenSsidInput => ({
    parties: [
      { id: 'alice', index: 1n },
      { id: 'bob', index: 2n },
      { id: 'carol', index: 3n },
    ],
    threshold: 1,
    nonce,
  });
  const signInput = (): NativeSigningSsidInput => ({
    protocol: 'gg18',
    parties: [
      { id: 'alice', index: 1n, X: mulG(11n), ...pre(1n) },
      { id: 'carol', index: 3n, X: mulG(33n), ...pre(3n) },
    ],
    threshold: 1,
    publicKey: mulG(99n),
    messageHash: hexToBytes('42'.repeat(32)),
    nonce,
  });

  it('is 32 bytes, deterministic and independent of party order', () => {
    const a = nativeKeygenSsid(keygenInput());
    expect(a.length).toBe(32);
    const reversed = { ...keygenInput(), parties: [...keygenInput().parties].reverse() };
    expect(hex(nativeKeygenSsid(reversed))).toBe(hex(a));
    const s = nativeSigningSsid(signInput());
    const sr = { ...signInput(), parties: [...signInput().parties].reverse() };
    expect(hex(nativeSigningSsid(sr))).toBe(hex(s));
  });

  it('keygen ssid changes with every bound input', () => {
    const base = hex(nativeKeygenSsid(keygenInput()));
    const variants: NativeKeygenSsidInput[] = [
      { ...keygenInput(), nonce: newSessionNonce() },
      { ...keygenInput(), threshold: 2 },
      {
        ...keygenInput(),
        parties: keygenInput().parties.map((p, i) => (i === 0 ? { ...p, id: 'mallory' } : p)),
      },
      {
        ...keygenInput(),
        parties: keygenInput().parties.map((p, i) => (i === 0 ? { ...p, index: 4n } : p)),
      },
      { ...keygenInput(), parties: keygenInput().parties.slice(0, 2) },
      {
        ...keygenInput(),
        parties: keygenInput().parties.map((p) => ({ ...p, preParams: pre(p.index) })),
      },
    ];
    const seen = new Set([base]);
    for (const v of variants) seen.add(hex(nativeKeygenSsid(v)));
    expect(seen.size).toBe(variants.length + 1);
  });

  it('signing ssid changes with every bound input', () => {
    const base = hex(nativeSigningSsid(signInput()));
    const party0 = signInput().parties[0]!;
    const withParty0 = (over: object): NativeSigningSsidInput => ({
      ...signInput(),
      parties: [{ ...party0, ...over }, signInput().parties[1]!],
    });
    const variants: NativeSigningSsidInput[] = [
      { ...signInput(), nonce: newSessionNonce() },
      { ...signInput(), messageHash: hexToBytes('43'.repeat(32)) },
      { ...signInput(), messageHash: undefined },
      { ...signInput(), protocol: 'gg20' },
      { ...signInput(), publicKey: mulG(100n) },
      withParty0({ id: 'mallory' }),
      withParty0({ index: 2n }),
      withParty0({ X: mulG(12n) }),
      withParty0({ paillierN: 999n }),
      withParty0({ nTilde: 999n }),
      withParty0({ h1: 999n }),
      withParty0({ h2: 999n }),
    ];
    const seen = new Set([base]);
    for (const v of variants) seen.add(hex(nativeSigningSsid(v)));
    expect(seen.size).toBe(variants.length + 1);
  });

  it('index validation: 0, q, i and i + q, duplicate ids (SECURITY.md item 10)', () => {
    const withIndex = (i: number, index: bigint): NativeKeygenSsidInput => ({
      ...keygenInput(),
      parties: keygenInput().parties.map((p, k) => (k === i ? { ...p, index } : p)),
    });
    expectLocal(() => nativeKeygenSsid(withIndex(0, 0n)));
    expectLocal(() => nativeKeygenSsid(withIndex(0, CURVE_ORDER)));
    expectLocal(() => nativeKeygenSsid(withIndex(0, 2n + CURVE_ORDER)));
    expectLocal(() =>
      nativeKeygenSsid({
        ...keygenInput(),
        parties: keygenInput().parties.map((p, k) => (k === 1 ? { ...p, id: 'alice' } : p)),
      }),
    );
    // an unreduced index names the same party as its reduction
    expect(hex(nativeKeygenSsid(withIndex(0, 1n + CURVE_ORDER)))).toBe(
      hex(nativeKeygenSsid(keygenInput())),
    );
  });

  it('rejects bad nonce, threshold, message hash, points and partial pre-params', () => {
    expectLocal(() => nativeKeygenSsid({ ...keygenInput(), nonce: new Uint8Array(32) }));
    expectLocal(() => nativeKeygenSsid({ ...keygenInput(), nonce: new Uint8Array(31).fill(1) }));
    expectLocal(() => nativeKeygenSsid({ ...keygenInput(), threshold: 0 }));
    expectLocal(() => nativeKeygenSsid({ ...keygenInput(), threshold: 3 }));
    expectLocal(() =>
      nativeKeygenSsid({
        ...keygenInput(),
        parties: keygenInput().parties.map((p, k) => (k === 0 ? { ...p, preParams: pre(1n) } : p)),
      }),
    );
    expectLocal(() => nativeSigningSsid({ ...signInput(), messageHash: new Uint8Array(31) }));
    expectLocal(() => nativeSigningSsid({ ...signInput(), threshold: 2 }));
    expectLocal(() =>
      nativeSigningSsid({ ...signInput(), publicKey: mulG(1n).subtract(mulG(1n)) as Point }),
    );
    expectLocal(() => nativeSigningSsid({ ...signInput(), protocol: 'gg19' as unknown as 'gg18' }));
  });
});

// ---- known answers from tss-lib v2 golden transcripts ----

type Json = Record<string, unknown>;
const goPoint = (v: unknown): Point => {
  const [x, y] = (v as { Coords: [bigint, bigint] }).Coords;
  return pointFromCoords(x, y);
};

describeInterop('tss-lib ssid known answers', () => {
  it('keygen ssid (ecdsa-keygen-transcript-2of3) for every party', () => {
    const golden = JSON.parse(readInterop('golden/ecdsa-keygen-transcript-2of3.json')) as {
      parties: { key: string; ssid: string }[];
    };
    const keys = golden.parties.map((p) => BigInt(p.key));
    const ssid = hex(tssLibKeygenSsid(keys));
    for (const p of golden.parties) expect(ssid).toBe(p.ssid);
    // the order the caller lists the keys in does not matter (tss-lib sorts party IDs)
    expect(hex(tssLibKeygenSsid([...keys].reverse()))).toBe(ssid);
  });

  it('signing ssid (ecdsa-sign-transcript-2of3, signers = keygen indices 0 and 2)', () => {
    const golden = JSON.parse(readInterop('golden/ecdsa-sign-transcript-2of3.json')) as {
      parties: { key: string; ssid: string; fixtureFile: string }[];
    };
    const signerKeys = golden.parties.map((p) => BigInt(p.key));
    // Every party holds the public data of all keygen parties; take party 0's view.
    const save = parseLosslessJson(readInterop('golden/keygen-2of3-party0.json')) as Json;
    const ks = save.Ks as bigint[];
    const signers: TssLibSigner[] = signerKeys.map((key) => {
      const j = ks.indexOf(key);
      expect(j).toBeGreaterThanOrEqual(0);
      return {
        key,
        bigX: goPoint((save.BigXj as unknown[])[j]),
        nTilde: (save.NTildej as bigint[])[j]!,
        h1: (save.H1j as bigint[])[j]!,
        h2: (save.H2j as bigint[])[j]!,
      };
    });
    expect(signerKeys).toEqual([ks[0], ks[2]]);
    const ssid = hex(tssLibSigningSsid(signers));
    for (const p of golden.parties) expect(ssid).toBe(p.ssid);
    // party 2's key file gives the same public view
    const save2 = parseLosslessJson(readInterop('golden/keygen-2of3-party2.json')) as Json;
    expect(save2.NTildej).toEqual(save.NTildej);
    // a signer set with a different third-party key gives a different ssid
    const tampered = signers.map((s, i) => (i === 0 ? { ...s, h2: s.h2 + 1n } : s));
    expect(hex(tssLibSigningSsid(tampered))).not.toBe(ssid);
  });
});
