import { beforeAll, describe, expect, it } from 'vitest';
import { LocalError } from '../../../src/errors.js';
import {
  type JsonObject,
  parseLosslessJson,
  stringifyLosslessJson,
} from '../../../src/interop/tss-lib/json.js';
import { parseTssLibSaveData, type TssLibSaveData } from '../../../src/interop/tss-lib/keyfile.js';
import { exportTssLibKey, importTssLibKey } from '../../../src/interop/tss-lib/keyshare.js';
import {
  type KeyShare,
  keyShareSelf,
  parseKeyShare,
  serializeKeyShare,
} from '../../../src/keyshare.js';
import { mulG } from '../../../src/math/curve.js';
import { describeInterop, readInterop } from '../../support/interop.js';
import { makeKeyShares } from '../../support/keyshare-fixture.js';
import { interpolateAtZero, subsets } from '../../support/lagrange.js';
import { FIXTURE_FILES, FIXTURE_PUBKEY, GOLDEN_FILES, toV1 } from './files.js';

function invalid(f: () => unknown, code = 'INVALID_KEY_SHARE'): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocalError);
    expect((e as LocalError).code).toBe(code);
    return (e as LocalError).shortMessage;
  }
  throw new Error(`expected ${code}`);
}

function edit(text: string, f: (o: JsonObject) => void): string {
  const o = parseLosslessJson(text) as JsonObject;
  f(o);
  return stringifyLosslessJson(o);
}

function reconstructs(shares: readonly KeyShare[], pub: string): boolean {
  const values = shares.map((s) => ({ index: keyShareSelf(s).index, value: s.secret.xi }));
  return mulG(interpolateAtZero(values)).toHex(true) === pub;
}

describeInterop('importTssLibKey: tss-lib fixtures (3-of-5)', () => {
  let shares: KeyShare[];
  let texts: string[];
  beforeAll(() => {
    texts = FIXTURE_FILES.map(readInterop);
    shares = texts.map((t) => {
      const r = importTssLibKey(t, { minSigners: 3 });
      expect(r.warnings).toEqual([]);
      return r.share;
    });
  });

  it('imports every party with the known public key', () => {
    for (const [i, s] of shares.entries()) {
      const d = parseTssLibSaveData(texts[i]!);
      expect(s.publicKey.compressed).toBe(FIXTURE_PUBKEY);
      expect(s.publicKey.uncompressed.slice(2, 66)).toBe(FIXTURE_PUBKEY.slice(2));
      expect(s.minSigners).toBe(3);
      expect(s.parties.length).toBe(5);
      expect(s.self).toBe(d.shareID.toString(10));
      expect(keyShareSelf(s).index).toBe(d.shareID);
      expect(s.secret.xi).toBe(d.xi);
      expect(s.secret.ntilde?.alpha).toBe(d.alpha);
      // Default ids: decimal party keys, parties sorted by id.
      expect(s.parties.map((p) => p.id)).toEqual(d.ks.map((k) => k.toString(10)).sort());
      for (const p of s.parties) expect(p.id).toBe(p.index.toString(10));
      // Every party agrees on the public data.
      expect(s.parties).toEqual(shares[0]!.parties);
    }
  });

  it('every 3-subset interpolates to the secret key; 2-subsets do not', () => {
    const triples = subsets(shares, 3);
    expect(triples.length).toBe(10);
    for (const t of triples) expect(reconstructs(t, FIXTURE_PUBKEY)).toBe(true);
    for (const pair of subsets(shares, 2)) expect(reconstructs(pair, FIXTURE_PUBKEY)).toBe(false);
  });

  it('infers minSigners = 3 when omitted, with a warning', () => {
    const r = importTssLibKey(texts[0]!);
    expect(r.share).toEqual(shares[0]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/inferred as 3 \(tss-lib threshold 2\)/);
  });

  it.each([2, 4, 5])('rejects minSigners = %i (the shares imply 3)', (m) => {
    expect(invalid(() => importTssLibKey(texts[0]!, { minSigners: m }))).toMatch(
      /parties|minSigners/,
    );
  });

  it('rejects minSigners outside [2, n]', () => {
    expect(invalid(() => importTssLibKey(texts[0]!, { minSigners: 1 }))).toMatch(/minSigners/);
    expect(invalid(() => importTssLibKey(texts[0]!, { minSigners: 6 }))).toMatch(/minSigners/);
    invalid(() => importTssLibKey(texts[0]!, { minSigners: 2.5 }), 'INVALID_ARGUMENT');
  });

  it('uses caller ids in the order of Ks', () => {
    const d = parseTssLibSaveData(texts[2]!);
    const ids = ['e', 'd', 'c', 'b', 'a'];
    const { share } = importTssLibKey(texts[2]!, { minSigners: 3, ids });
    expect(share.parties.map((p) => p.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (const [j, k] of d.ks.entries()) {
      expect(share.parties.find((p) => p.id === ids[j])!.index).toBe(k);
    }
    expect(share.self).toBe(ids[d.ks.indexOf(d.shareID)]);
    expect(exportTssLibKey(share, { indent: 2 })).toBe(texts[2]);
    invalid(() => importTssLibKey(texts[2]!, { ids: ['a', 'b'] }), 'INVALID_ARGUMENT');
    invalid(
      () => importTssLibKey(texts[2]!, { ids: ['a', 'a', 'b', 'c', 'd'] }),
      'INVALID_ARGUMENT',
    );
    invalid(
      () => importTssLibKey(texts[2]!, { ids: ['a', '', 'b', 'c', 'd'] }),
      'INVALID_ARGUMENT',
    );
  });

  it('KeyShare JSON round-trips an imported share', () => {
    for (const s of shares) expect(parseKeyShare(serializeKeyShare(s))).toEqual(s);
  });
});

describeInterop('importTssLibKey: golden 2-of-3 key', () => {
  it('imports the three key files with the transcript public key', () => {
    const tr = JSON.parse(readInterop('golden/ecdsa-keygen-transcript-2of3.json')) as {
      ecdsaPub: { compressed: string };
    };
    const shares = GOLDEN_FILES.map(
      (f) => importTssLibKey(readInterop(f), { minSigners: 2 }).share,
    );
    for (const s of shares) {
      expect(s.publicKey.compressed).toBe(tr.ecdsaPub.compressed);
      expect(s.minSigners).toBe(2);
    }
    for (const pair of subsets(shares, 2))
      expect(reconstructs(pair, tr.ecdsaPub.compressed)).toBe(true);
    expect(importTssLibKey(readInterop(GOLDEN_FILES[1]!)).share.minSigners).toBe(2);
  });
});

describeInterop('exportTssLibKey', () => {
  it.each([...FIXTURE_FILES, ...GOLDEN_FILES])(
    '%s: import → export gives the same file',
    (file) => {
      const text = readInterop(file);
      const { share } = importTssLibKey(text);
      const indent = file.startsWith('tss-lib-fixtures') ? 2 : undefined;
      const out = exportTssLibKey(share, indent ? { indent } : {});
      expect(parseTssLibSaveData(out)).toEqual(parseTssLibSaveData(text));
      expect(out).toBe(text);
      // And back again.
      expect(importTssLibKey(out).share).toEqual(share);
    },
  );

  it('exports a share without the Ñ trapdoor with nulls, which imports with a warning', () => {
    const { share } = importTssLibKey(readInterop(GOLDEN_FILES[0]!), { minSigners: 2 });
    const { ntilde: _n, ...secret } = share.secret;
    const out = exportTssLibKey({ ...share, secret });
    expect(out).toContain('"Alpha":null,"Beta":null,"P":null,"Q":null');
    const r = importTssLibKey(out, { minSigners: 2 });
    expect(r.share.secret.ntilde).toBeUndefined();
    expect(r.warnings.join(' ')).toMatch(/no Ñ trapdoor/);
  });

  it('refuses to export an invalid share', () => {
    const { share } = importTssLibKey(readInterop(GOLDEN_FILES[0]!), { minSigners: 2 });
    invalid(() => exportTssLibKey({ ...share, secret: { ...share.secret, xi: 1n } }));
  });
});

describe('exportTssLibKey → importTssLibKey on mpc-tss shares', () => {
  it('round-trips with caller ids (ids are not part of the tss-lib format)', () => {
    const shares = makeKeyShares({ n: 4, minSigners: 3, ids: ['dave', 'alice', 'carol', 'bob'] });
    for (const s of shares) {
      const text = exportTssLibKey(s);
      const d = parseTssLibSaveData(text);
      expect([...d.ks]).toEqual([...d.ks].sort((a, b) => (a < b ? -1 : 1)));
      const ids = d.ks.map((k) => s.parties.find((p) => p.index === k)!.id);
      const back = importTssLibKey(text, { minSigners: 3, ids });
      expect(back.warnings).toEqual([]);
      expect(back.share).toEqual(s);
    }
  });
});

describeInterop('importTssLibKey: v1 and old files', () => {
  it('imports a v1 file (no "Curve") with a reshare warning and the same numbers', () => {
    const text = readInterop(FIXTURE_FILES[1]!);
    const v2 = importTssLibKey(text, { minSigners: 3 });
    const v1 = importTssLibKey(toV1(text), { minSigners: 3 });
    expect(v1.share).toEqual(v2.share);
    expect(v1.warnings).toHaveLength(1);
    expect(v1.warnings[0]).toMatch(/v1 key file.*reshare/);
    // Exporting writes v2.
    expect(exportTssLibKey(v1.share, { indent: 2 })).toBe(text);
  });

  it('recovers missing Paillier factors from PhiN and reports a missing Ñ trapdoor', () => {
    const text = edit(toV1(readInterop(GOLDEN_FILES[2]!)), (o) => {
      delete (o.PaillierSK as JsonObject).P;
      delete (o.PaillierSK as JsonObject).Q;
      for (const k of ['Alpha', 'Beta', 'P', 'Q']) delete o[k];
    });
    const full = importTssLibKey(readInterop(GOLDEN_FILES[2]!), { minSigners: 2 }).share;
    const r = importTssLibKey(text, { minSigners: 2 });
    expect(r.share.secret.paillier).toEqual(full.secret.paillier);
    expect(r.share.secret.ntilde).toBeUndefined();
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings.join('\n')).toMatch(/recovered from PhiN/);
    expect(r.warnings.join('\n')).toMatch(/no Ñ trapdoor/);
  });
});

describeInterop('importTssLibKey: tampered files', () => {
  let text: string;
  let data: TssLibSaveData;
  beforeAll(() => {
    text = readInterop(GOLDEN_FILES[0]!);
    data = parseTssLibSaveData(text);
  });
  const point = (o: JsonObject, key: string, j?: number): JsonObject =>
    (j === undefined ? o[key] : (o[key] as JsonObject[])[j]) as JsonObject;
  const setPoint = (p: JsonObject, k: bigint) => {
    const q = mulG(k).toAffine();
    p.Coords = [q.x, q.y];
  };

  it.each<[string, (o: JsonObject, d: TssLibSaveData) => void, RegExp]>([
    ['Xi changed', (o, d) => (o.Xi = d.xi + 1n), /"Xi"/],
    ['Xi ≥ q', (o) => (o.Xi = 1n << 256n), /"Xi"/],
    ['ShareID not in Ks', (o, d) => (o.ShareID = d.shareID + 1n), /"ShareID"/],
    ['Ks entry 0', (o) => ((o.Ks as bigint[])[1] = 0n), /"Ks\[1\]"/],
    ['duplicate Ks', (o) => ((o.Ks as bigint[])[2] = (o.Ks as bigint[])[1]!), /"Ks"/],
    ['BigXj off the curve', (o) => (point(o, 'BigXj', 1).Coords = [1n, 1n]), /"BigXj\[1\]"/],
    [
      'another party BigXj replaced',
      (o) => setPoint(point(o, 'BigXj', 1), 12345n),
      /public shares/,
    ],
    ['ECDSAPub replaced', (o) => setPoint(point(o, 'ECDSAPub'), 777n), /public shares/],
    ['NTildei ≠ NTildej[i]', (o, d) => (o.NTildei = d.nTildej[1]!), /"NTildei"/],
    ['H1i ≠ H1j[i]', (o, d) => (o.H1i = d.h1j[1]!), /"H1i"/],
    ['H2i ≠ H2j[i]', (o, d) => (o.H2i = d.h2j[1]!), /"H2i"/],
    [
      'PaillierSK.N ≠ PaillierPKs[i]',
      (o, d) => ((o.PaillierSK as JsonObject).N = d.paillierPKs[1]!),
      /"PaillierSK.N"/,
    ],
    [
      'Paillier P changed',
      (o, d) => ((o.PaillierSK as JsonObject).P = d.paillierSK.p! + 2n),
      /"PaillierSK"/,
    ],
    ['Paillier Q missing alone', (o) => delete (o.PaillierSK as JsonObject).Q, /"PaillierSK.Q"/],
    [
      'PhiN wrong',
      (o, d) => ((o.PaillierSK as JsonObject).PhiN = d.paillierSK.phiN + 2n),
      /"PaillierSK.PhiN"/,
    ],
    [
      'LambdaN wrong',
      (o, d) => ((o.PaillierSK as JsonObject).LambdaN = d.paillierSK.phiN),
      /"PaillierSK.LambdaN"/,
    ],
    ['Alpha wrong', (o, d) => (o.Alpha = d.alpha! + 1n), /alpha/],
    ['Beta wrong', (o, d) => (o.Beta = d.beta! + 1n), /beta/],
    ['Ñ prime wrong', (o, d) => (o.P = d.p! + 2n), /ntilde/],
    ['Alpha missing alone', (o) => delete o.Alpha, /"Alpha"/],
    ['h1 = h2 for a peer', (o) => ((o.H2j as bigint[])[1] = (o.H1j as bigint[])[1]!), /h2/],
    [
      'reused Paillier N',
      (o) => ((o.PaillierPKs as JsonObject[])[2]!.N = (o.PaillierPKs as JsonObject[])[1]!.N!),
      /paillierN/,
    ],
    [
      'short Paillier N',
      (o) => ((o.PaillierPKs as JsonObject[])[1]!.N = (1n << 2000n) + 1n),
      /paillierN/,
    ],
  ])('rejects: %s', (_name, f, field) => {
    const tampered = edit(text, (o) => f(o, data));
    const msg = invalid(() => importTssLibKey(tampered, { minSigners: 2 }));
    expect(msg).toMatch(field);
    for (const secret of [data.xi, data.paillierSK.p!, data.alpha!]) {
      expect(msg).not.toContain(secret.toString(10).slice(0, 16));
      expect(msg).not.toContain(secret.toString(16).slice(0, 16));
    }
  });

  it('rejects a single-party or empty key', () => {
    const one = edit(text, (o) => {
      for (const k of ['Ks', 'NTildej', 'H1j', 'H2j', 'BigXj', 'PaillierPKs']) {
        (o[k] as unknown[]).splice(1);
      }
    });
    expect(invalid(() => importTssLibKey(one))).toMatch(/"Ks"/);
  });
});
