import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../src/errors.js';
import {
  type JsonObject,
  parseLosslessJson,
  stringifyLosslessJson,
} from '../../../src/interop/tss-lib/json.js';
import {
  parseTssLibSaveData,
  stringifyTssLibSaveData,
} from '../../../src/interop/tss-lib/keyfile.js';
import { describeInterop, readInterop } from '../../support/interop.js';
import { FIXTURE_FILES, GOLDEN_FILES, toV1 } from './files.js';

function editJson(text: string, edit: (o: JsonObject) => void): string {
  const o = parseLosslessJson(text) as JsonObject;
  edit(o);
  return stringifyLosslessJson(o);
}

function invalidField(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocalError);
    expect((e as LocalError).code).toBe('INVALID_KEY_SHARE');
    return (e as LocalError).shortMessage;
  }
  throw new Error('expected INVALID_KEY_SHARE');
}

describeInterop('tss-lib key files: lossless parse and write', () => {
  it.each([...FIXTURE_FILES, ...GOLDEN_FILES])('%s: parse → write is byte-identical', (file) => {
    const text = readInterop(file);
    const data = parseTssLibSaveData(text);
    expect(data.format).toBe('v2');
    // Fixtures were written with json.MarshalIndent(v, "", "  "), golden files with json.Marshal.
    const indent = file.startsWith('tss-lib-fixtures') ? 2 : undefined;
    const written = stringifyTssLibSaveData(data, indent ? { indent } : {});
    expect(written).toBe(text);
    expect(parseTssLibSaveData(written)).toEqual(data);
    // Nothing was rounded: compare against a digit-level scan of the file.
    const digits = text.match(/\d{20,}/g)!.map((d) => BigInt(d));
    expect(digits).toContain(data.paillierSK.n);
    expect(digits).toContain(data.xi);
    expect(data.ks.length).toBe(file.startsWith('golden') ? 3 : 5);
  });

  it.each([...FIXTURE_FILES, ...GOLDEN_FILES])(
    '%s: v1 (no "Curve") parses to the same numbers',
    (file) => {
      const v2 = parseTssLibSaveData(readInterop(file));
      const v1text = toV1(readInterop(file));
      expect(v1text).not.toContain('Curve');
      const v1 = parseTssLibSaveData(v1text);
      expect(v1.format).toBe('v1');
      expect({ ...v1, format: 'v2' }).toEqual(v2);
      const rewritten = stringifyTssLibSaveData(v1);
      expect(rewritten).not.toContain('Curve');
      expect(parseTssLibSaveData(rewritten)).toEqual(v1);
    },
  );

  it('old files without the Paillier factors and Ñ trapdoor parse; v2 writes null for them', () => {
    const text = editJson(readInterop(GOLDEN_FILES[0]!), (o) => {
      delete (o.PaillierSK as JsonObject).P;
      delete (o.PaillierSK as JsonObject).Q;
      for (const k of ['Alpha', 'Beta', 'P', 'Q']) delete o[k];
    });
    const d = parseTssLibSaveData(text);
    expect(d.paillierSK.p).toBeUndefined();
    expect(d.alpha).toBeUndefined();
    const w = stringifyTssLibSaveData(d);
    expect(w).toContain('"Alpha":null');
    expect(parseTssLibSaveData(w)).toEqual(d);
    expect(stringifyTssLibSaveData({ ...d, format: 'v1' })).not.toContain('Alpha');
  });

  const golden = () => readInterop(GOLDEN_FILES[0]!);
  it.each<[string, (o: JsonObject) => void, string]>([
    ['unknown top-level field', (o) => (o.Extra = 1n), '"Extra"'],
    ['unknown nested field', (o) => ((o.PaillierSK as JsonObject).X = 1n), '"PaillierSK.X"'],
    ['missing Xi', (o) => delete o.Xi, '"Xi"'],
    ['null Xi', (o) => (o.Xi = null), '"Xi"'],
    ['missing PhiN', (o) => delete (o.PaillierSK as JsonObject).PhiN, '"PaillierSK.PhiN"'],
    ['negative integer', (o) => (o.Xi = -5n), '"Xi"'],
    ['float', (o) => (o.H1i = 1.5), '"H1i"'],
    ['string number', (o) => (o.H1i = '123'), '"H1i"'],
    ['Ks not a list', (o) => (o.Ks = 5n), '"Ks"'],
    ['empty Ks', (o) => (o.Ks = []), '"Ks"'],
    ['list length mismatch', (o) => (o.H1j as unknown[]).pop(), '"H1j"'],
    [
      'other curve',
      (o) => (((o.BigXj as JsonObject[])[0] as JsonObject).Curve = 'ed25519'),
      '"BigXj[0].Curve"',
    ],
    [
      'mixed v1 and v2 points',
      (o) => delete ((o.BigXj as JsonObject[])[1] as JsonObject).Curve,
      '"BigXj"',
    ],
    [
      'one coordinate',
      (o) => ((o.ECDSAPub as JsonObject).Coords as unknown[]).pop(),
      '"ECDSAPub.Coords"',
    ],
    ['null point', (o) => ((o.BigXj as unknown[])[0] = null), '"BigXj[0]"'],
    [
      'PaillierPKs entry extra field',
      (o) => ((o.PaillierPKs as JsonObject[])[0]!.G = 1n),
      '"PaillierPKs[0].G"',
    ],
    ['root not an object', () => undefined, ''],
  ])('rejects %s', (name, edit, field) => {
    const text = name === 'root not an object' ? '[1]' : editJson(golden(), edit);
    expect(invalidField(() => parseTssLibSaveData(text))).toContain(field);
  });

  it('rejects malformed and oversized JSON without echoing content', () => {
    const xi = parseTssLibSaveData(golden()).xi.toString();
    for (const text of [
      golden().slice(0, -1),
      golden().replace(',"ShareID"', ',,"ShareID"'),
      golden().replace(xi, `${xi}${'7'.repeat(3000)}`),
      `${golden()} `.repeat(400),
    ]) {
      const msg = invalidField(() => parseTssLibSaveData(text));
      expect(msg).not.toContain(xi.slice(0, 20));
    }
  });
});

describe('stringifyTssLibSaveData: caller errors', () => {
  it('rejects negative values and mismatched lists', () => {
    const base = {
      format: 'v2' as const,
      paillierSK: { n: 1n, lambdaN: 1n, phiN: 1n },
      nTildei: 1n,
      h1i: 1n,
      h2i: 1n,
      xi: 1n,
      shareID: 1n,
      ks: [1n],
      nTildej: [1n],
      h1j: [1n],
      h2j: [1n],
      bigXj: [{ x: 1n, y: 2n }],
      paillierPKs: [1n],
      ecdsaPub: { x: 1n, y: 2n },
    };
    expect(stringifyTssLibSaveData(base)).toContain('"Ks":[1]');
    expect(() => stringifyTssLibSaveData({ ...base, xi: -1n })).toThrow(LocalError);
    expect(() => stringifyTssLibSaveData({ ...base, h1j: [] })).toThrow(LocalError);
    expect(() => stringifyTssLibSaveData({ ...base, format: 'v3' as 'v2' })).toThrow(LocalError);
  });
});
