import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalError, VerifyError } from '../../../src/errors.js';
import {
  decodeTssLibWire,
  encodeTssLibWire,
  isTssLibTypeName,
  TSS_LIB_MAX_WIRE_BYTES,
  TSS_LIB_MESSAGES,
  type TssLibBigints,
  type TssLibMessage,
  type TssLibTypeName,
  tssLibFromBigints,
  tssLibToBigints,
  tssLibTypeUrl,
} from '../../../src/interop/tss-lib/codec.js';
import { parseTssLibSaveData } from '../../../src/interop/tss-lib/keyfile.js';
import { bytesToHex, concatBytes, hexToBytes, mod } from '../../../src/math/bigint.js';
import { CURVE_ORDER } from '../../../src/math/curve.js';
import { randomBits } from '../../../src/math/random.js';
import { describeInterop, readInterop } from '../../support/interop.js';

// --- raw protobuf helpers (to build hostile inputs the codec itself refuses to produce) ---

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}
function lenField(num: number, data: Uint8Array): Uint8Array {
  return concatBytes(varint((num << 3) | 2), varint(data.length), data);
}
function anyBytes(typeName: string, value: Uint8Array, url = `type.googleapis.com/${typeName}`) {
  return concatBytes(lenField(1, new TextEncoder().encode(url)), lenField(2, value));
}
const bytes = (n: number, fill = 0x11) => new Uint8Array(n).fill(fill);

function errorOf(f: () => unknown): { kind: string; code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof VerifyError) return { kind: 'verify', code: e.code, message: e.shortMessage };
    if (e instanceof LocalError) return { kind: 'local', code: e.code, message: e.shortMessage };
    throw e;
  }
  throw new Error('expected an error');
}

// --- independent statement of every message's shape: field → maxBytes or [count, maxBytes] ---

const S = 32;
const N = 256;
const N2 = 512;
const SHAPES: Record<TssLibTypeName, Record<string, number | [number, number]>> = {
  'binance.tsslib.ecdsa.keygen.KGRound1Message': {
    commitment: S,
    paillierN: N,
    nTilde: N,
    h1: N,
    h2: N,
    dlnproof1: [258, N],
    dlnproof2: [258, N],
  },
  'binance.tsslib.ecdsa.keygen.KGRound2Message1': { share: S, facProof: [11, 768] },
  'binance.tsslib.ecdsa.keygen.KGRound2Message2': { deCommitment: [5, S], modProof: [163, N] },
  'binance.tsslib.ecdsa.keygen.KGRound3Message': { paillierProof: [13, N] },
  'binance.tsslib.ecdsa.signing.SignRound1Message1': { c: N2, rangeProofAlice: [6, N2] },
  'binance.tsslib.ecdsa.signing.SignRound1Message2': { commitment: S },
  'binance.tsslib.ecdsa.signing.SignRound2Message': {
    c1: N2,
    c2: N2,
    proofBob: [10, N2],
    proofBobWc: [12, N2],
  },
  'binance.tsslib.ecdsa.signing.SignRound3Message': { theta: S },
  'binance.tsslib.ecdsa.signing.SignRound4Message': {
    deCommitment: [3, S],
    proofAlphaX: S,
    proofAlphaY: S,
    proofT: S,
  },
  'binance.tsslib.ecdsa.signing.SignRound5Message': { commitment: S },
  'binance.tsslib.ecdsa.signing.SignRound6Message': {
    deCommitment: [5, S],
    proofAlphaX: S,
    proofAlphaY: S,
    proofT: S,
    vProofAlphaX: S,
    vProofAlphaY: S,
    vProofT: S,
    vProofU: S,
  },
  'binance.tsslib.ecdsa.signing.SignRound7Message': { commitment: S },
  'binance.tsslib.ecdsa.signing.SignRound8Message': { deCommitment: [5, S] },
  'binance.tsslib.ecdsa.signing.SignRound9Message': { s: S },
  'binance.tsslib.ecdsa.resharing.DGRound1Message': {
    ecdsaPubX: S,
    ecdsaPubY: S,
    vCommitment: S,
    ssid: S,
  },
  'binance.tsslib.ecdsa.resharing.DGRound2Message1': {
    paillierN: N,
    modProof: [163, N],
    nTilde: N,
    h1: N,
    h2: N,
    dlnproof1: [258, N],
    dlnproof2: [258, N],
  },
  'binance.tsslib.ecdsa.resharing.DGRound2Message2': {},
  'binance.tsslib.ecdsa.resharing.DGRound3Message1': { share: S },
  'binance.tsslib.ecdsa.resharing.DGRound3Message2': { vDecommitment: [7, S] },
  'binance.tsslib.ecdsa.resharing.DGRound4Message1': { facProof: [11, 768] },
  'binance.tsslib.ecdsa.resharing.DGRound4Message2': {},
};
const TYPES = Object.keys(SHAPES) as TssLibTypeName[];

/** A random positive integer of exactly `nBytes` bytes. */
function randomInt(nBytes: number): bigint {
  return (1n << BigInt(8 * nBytes - 1)) | randomBits(8 * nBytes - 1);
}
function randomValues(t: TssLibTypeName, size: (max: number) => number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(SHAPES[t])) {
    out[k] = Array.isArray(s)
      ? Array.from({ length: s[0] }, () => randomInt(size(s[1])))
      : randomInt(size(s));
  }
  return out;
}
const build = (t: TssLibTypeName, v: Record<string, unknown>): TssLibMessage =>
  tssLibFromBigints(t, v as TssLibBigints<TssLibMessage>);

describe('tss-lib message table', () => {
  it('lists keygen, signing and resharing messages with their rounds and broadcast flags', () => {
    const brief = (t: TssLibTypeName) => {
      const i = TSS_LIB_MESSAGES[t];
      return `${i.name}:${i.protocol}:${i.round}:${i.broadcast ? 'bc' : 'p2p'}${i.committee ? `:${i.committee}` : ''}`;
    };
    expect(TYPES.map(brief)).toEqual([
      'KGRound1Message:ecdsa-keygen:1:bc',
      'KGRound2Message1:ecdsa-keygen:2:p2p',
      'KGRound2Message2:ecdsa-keygen:2:bc',
      'KGRound3Message:ecdsa-keygen:3:bc',
      'SignRound1Message1:ecdsa-signing:1:p2p',
      'SignRound1Message2:ecdsa-signing:1:bc',
      'SignRound2Message:ecdsa-signing:2:p2p',
      'SignRound3Message:ecdsa-signing:3:bc',
      'SignRound4Message:ecdsa-signing:4:bc',
      'SignRound5Message:ecdsa-signing:5:bc',
      'SignRound6Message:ecdsa-signing:6:bc',
      'SignRound7Message:ecdsa-signing:7:bc',
      'SignRound8Message:ecdsa-signing:8:bc',
      'SignRound9Message:ecdsa-signing:9:bc',
      'DGRound1Message:ecdsa-resharing:1:bc:new',
      'DGRound2Message1:ecdsa-resharing:2:bc:new',
      'DGRound2Message2:ecdsa-resharing:2:bc:old',
      'DGRound3Message1:ecdsa-resharing:3:p2p:new',
      'DGRound3Message2:ecdsa-resharing:3:bc:new',
      'DGRound4Message1:ecdsa-resharing:4:p2p:new',
      'DGRound4Message2:ecdsa-resharing:4:bc:old-and-new',
    ]);
    expect(Object.keys(TSS_LIB_MESSAGES).sort()).toEqual([...TYPES].sort());
    for (const t of TYPES) {
      expect(TSS_LIB_MESSAGES[t].typeName).toBe(t);
      expect(isTssLibTypeName(t)).toBe(true);
      expect(TSS_LIB_MESSAGES[t].maxWireBytes).toBeLessThanOrEqual(TSS_LIB_MAX_WIRE_BYTES);
    }
    expect(isTssLibTypeName('binance.tsslib.ecdsa.keygen.Nope')).toBe(false);
    expect(tssLibTypeUrl('binance.tsslib.ecdsa.signing.SignRound9Message')).toBe(
      'type.googleapis.com/binance.tsslib.ecdsa.signing.SignRound9Message',
    );
  });

  it.each(TYPES)('%s: bigints → message → wire → message → bigints round-trips', (t) => {
    for (const size of [(max: number) => max, (max: number) => 1 + Math.floor(max / 3)]) {
      const values = randomValues(t, size);
      const wire = encodeTssLibWire(build(t, values));
      expect(wire.length).toBeLessThanOrEqual(TSS_LIB_MESSAGES[t].maxWireBytes);
      const back = decodeTssLibWire(wire, t);
      expect(back.$typeName).toBe(t);
      expect(tssLibToBigints(back)).toEqual(values);
      expect(encodeTssLibWire(back)).toEqual(wire);
    }
  });

  it.each(TYPES.filter((t) => Object.keys(SHAPES[t]).length > 0))(
    '%s: every field is capped (one byte over → rejected)',
    (t) => {
      for (const [k, s] of Object.entries(SHAPES[t])) {
        const values = randomValues(t, (max) => max);
        const max = Array.isArray(s) ? s[1] : s;
        const over = randomInt(max + 1);
        if (Array.isArray(s)) (values[k] as bigint[])[0] = over;
        else values[k] = over;
        expect(errorOf(() => build(t, values))).toMatchObject({ kind: 'local' });
        // The same field forged on the wire is OVERSIZED (other fields below their caps, so
        // the field cap fires, not only the message cap).
        const ok = encodeTssLibWire(
          build(
            t,
            randomValues(t, (m) => Math.max(1, m - 2)),
          ),
        );
        const forged = forgeField(t, ok, k, over, Array.isArray(s));
        expect(errorOf(() => decodeTssLibWire(forged))).toMatchObject({
          kind: 'verify',
          code: 'OVERSIZED',
        });
      }
    },
  );
});

/** Re-encodes a message with one field (or the first item of a repeated one) replaced raw. */
function forgeField(
  t: TssLibTypeName,
  wire: Uint8Array,
  key: string,
  value: bigint,
  repeated: boolean,
): Uint8Array {
  const msg = decodeTssLibWire(wire, t) as unknown as Record<string, unknown>;
  const hex = value.toString(16);
  const raw = hexToBytes(hex.length % 2 ? `0${hex}` : hex);
  const parts: Uint8Array[] = [];
  // In every tss-lib message, field numbers follow declaration order (1, 2, ...).
  Object.keys(SHAPES[t]).forEach((k, i) => {
    const num = i + 1;
    const v = msg[k];
    const items = (Array.isArray(v) ? v : [v]) as Uint8Array[];
    items.forEach((item, j) => {
      parts.push(lenField(num, k === key && (j === 0 || !repeated) ? raw : item));
    });
  });
  return anyBytes(t, concatBytes(...parts));
}

describe('decodeTssLibWire: strictness', () => {
  const r9 = (s: Uint8Array) =>
    anyBytes('binance.tsslib.ecdsa.signing.SignRound9Message', lenField(1, s));

  it('accepts a minimal valid message', () => {
    const m = decodeTssLibWire(r9(bytes(32)));
    expect(m.$typeName).toBe('binance.tsslib.ecdsa.signing.SignRound9Message');
  });

  it('rejects a 10 MB field before any parsing or BigInt conversion', () => {
    const huge = anyBytes(
      'binance.tsslib.ecdsa.keygen.KGRound1Message',
      lenField(2, bytes(10 * 1024 * 1024)),
    );
    const t = performance.now();
    expect(errorOf(() => decodeTssLibWire(huge))).toMatchObject({ code: 'OVERSIZED' });
    expect(performance.now() - t).toBeLessThan(50);
  });

  it('applies the per-type size cap (small message types)', () => {
    expect(errorOf(() => decodeTssLibWire(r9(bytes(300))))).toMatchObject({
      code: 'OVERSIZED',
      message: expect.stringContaining('SignRound9Message'),
    });
  });

  it.each<[string, () => Uint8Array, string]>([
    ['not protobuf', () => Uint8Array.of(0xff, 0xff, 0xff), 'MALFORMED'],
    ['empty input', () => new Uint8Array(0), 'MALFORMED'],
    [
      'unknown type URL',
      () => anyBytes('binance.tsslib.ecdsa.signing.SignRound10Message', lenField(1, bytes(32))),
      'MALFORMED',
    ],
    [
      'eddsa type URL',
      () => anyBytes('binance.tsslib.eddsa.signing.SignRound1Message', lenField(1, bytes(32))),
      'MALFORMED',
    ],
    [
      'other type URL prefix',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound9Message',
          lenField(1, bytes(32)),
          'example.com/binance.tsslib.ecdsa.signing.SignRound9Message',
        ),
      'MALFORMED',
    ],
    ['empty field', () => r9(new Uint8Array(0)), 'MALFORMED'],
    [
      'missing field',
      () => anyBytes('binance.tsslib.ecdsa.signing.SignRound9Message', new Uint8Array(0)),
      'MALFORMED',
    ],
    ['leading zero byte', () => r9(concatBytes(Uint8Array.of(0), bytes(31))), 'MALFORMED'],
    ['field over its cap', () => r9(bytes(33)), 'OVERSIZED'],
    [
      'unknown inner field',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound9Message',
          concatBytes(lenField(1, bytes(16)), lenField(15, bytes(1))),
        ),
      'MALFORMED',
    ],
    ['unknown Any field', () => concatBytes(r9(bytes(16)), lenField(3, bytes(1))), 'MALFORMED'],
    [
      'duplicated field (last one wins in protobuf)',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound9Message',
          concatBytes(lenField(1, bytes(8)), lenField(1, bytes(8, 0x22))),
        ),
      'MALFORMED',
    ],
    [
      'reordered fields',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound4Message',
          concatBytes(
            lenField(2, bytes(32)),
            ...[1, 1, 1].map(() => lenField(1, bytes(32))),
            lenField(3, bytes(32)),
            lenField(4, bytes(32)),
          ),
        ),
      'MALFORMED',
    ],
    [
      'over-long length varint',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound9Message',
          concatBytes(Uint8Array.of(0x0a, 0x90, 0x00), bytes(16)),
        ),
      'MALFORMED',
    ],
    [
      'wrong repeated count',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound8Message',
          concatBytes(...[1, 2, 3, 4].map(() => lenField(1, bytes(32)))),
        ),
      'MALFORMED',
    ],
    [
      'too many repeated items',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.signing.SignRound8Message',
          concatBytes(...[1, 2, 3, 4, 5, 6].map(() => lenField(1, bytes(32)))),
        ),
      'OVERSIZED',
    ],
    [
      'even de-commitment length',
      () =>
        anyBytes(
          'binance.tsslib.ecdsa.keygen.KGRound2Message2',
          concatBytes(
            ...[1, 2, 3, 4].map(() => lenField(1, bytes(32))),
            ...Array.from({ length: 163 }, () => lenField(2, bytes(8))),
          ),
        ),
      'MALFORMED',
    ],
    ['truncated', () => r9(bytes(32)).slice(0, -1), 'MALFORMED'],
  ])('rejects %s', (_name, make, code) => {
    expect(errorOf(() => decodeTssLibWire(make()))).toMatchObject({ kind: 'verify', code });
  });

  it('rejects a message of another type than expected', () => {
    expect(
      errorOf(() =>
        decodeTssLibWire(r9(bytes(32)), 'binance.tsslib.ecdsa.signing.SignRound3Message'),
      ),
    ).toMatchObject({ code: 'UNEXPECTED_MESSAGE' });
  });

  it('rejects non-bytes input', () => {
    expect(errorOf(() => decodeTssLibWire('00' as unknown as Uint8Array))).toMatchObject({
      code: 'MALFORMED',
    });
  });
});

describe('encodeTssLibWire / tssLibFromBigints: caller errors', () => {
  const t = 'binance.tsslib.ecdsa.signing.SignRound4Message' as const;
  const good = () => ({ deCommitment: [1n, 2n, 3n], proofAlphaX: 4n, proofAlphaY: 5n, proofT: 6n });

  it.each<[string, () => unknown]>([
    ['negative value', () => tssLibFromBigints(t, { ...good(), proofT: -1n })],
    ['zero (would encode as empty bytes)', () => tssLibFromBigints(t, { ...good(), proofT: 0n })],
    ['value over the cap', () => tssLibFromBigints(t, { ...good(), proofT: 1n << 256n })],
    ['wrong item count', () => tssLibFromBigints(t, { ...good(), deCommitment: [1n] })],
    ['missing field', () => tssLibFromBigints(t, { ...good(), proofT: undefined as never })],
    ['unknown field', () => tssLibFromBigints(t, { ...good(), extra: 1n } as never)],
    ['number instead of bigint', () => tssLibFromBigints(t, { ...good(), proofT: 6 as never })],
    ['unknown type', () => tssLibFromBigints('x.Y' as TssLibTypeName, {} as never)],
    [
      'encoding a mis-shaped message',
      () => {
        const m = tssLibFromBigints(t, good());
        m.proofT = new Uint8Array(0);
        return encodeTssLibWire(m);
      },
    ],
    ['encoding a non-message', () => encodeTssLibWire({} as TssLibMessage)],
  ])('%s → LocalError', (_name, f) => {
    expect(errorOf(f)).toMatchObject({ kind: 'local', code: 'INVALID_ARGUMENT' });
  });
});

interface RecordedMessage {
  seq: number;
  round: string;
  from: number;
  fromKey: string;
  to: number[] | null;
  isBroadcast: boolean;
  wireBytes: string;
}
interface Transcript {
  messages: RecordedMessage[];
  signature?: { r: string; s: string };
}

describeInterop('tss-lib golden transcripts', () => {
  let keygen: Transcript;
  let sign: Transcript;
  beforeAll(() => {
    keygen = JSON.parse(readInterop('golden/ecdsa-keygen-transcript-2of3.json')) as Transcript;
    sign = JSON.parse(readInterop('golden/ecdsa-sign-transcript-2of3.json')) as Transcript;
  });

  it('decodes every recorded message and re-encodes it byte for byte', () => {
    for (const tr of [keygen, sign]) {
      for (const m of tr.messages) {
        const wire = hexToBytes(m.wireBytes);
        const msg = decodeTssLibWire(wire);
        expect(msg.$typeName).toBe(m.round);
        expect(bytesToHex(encodeTssLibWire(msg))).toBe(m.wireBytes);
        // Through bigints and back, too.
        const values = tssLibToBigints(msg);
        const rebuilt = tssLibFromBigints(msg.$typeName, values as TssLibBigints<TssLibMessage>);
        expect(bytesToHex(encodeTssLibWire(rebuilt))).toBe(m.wireBytes);
      }
    }
    expect(keygen.messages.length).toBe(15);
    expect(sign.messages.length).toBe(20);
  });

  it('the routing table matches the recordings (type, broadcast flag, recipients, round order)', () => {
    for (const tr of [keygen, sign]) {
      const lastRound = new Map<number, number>();
      for (const m of [...tr.messages].sort((a, b) => a.seq - b.seq)) {
        expect(isTssLibTypeName(m.round)).toBe(true);
        const info = TSS_LIB_MESSAGES[m.round as TssLibTypeName];
        expect(info.broadcast).toBe(m.isBroadcast);
        expect(m.to === null).toBe(info.broadcast);
        // Each sender's messages come in non-decreasing round order.
        expect(info.round).toBeGreaterThanOrEqual(lastRound.get(m.from) ?? 0);
        lastRound.set(m.from, info.round);
      }
    }
    const rounds = (tr: Transcript) =>
      [
        ...new Set(tr.messages.map((m) => TSS_LIB_MESSAGES[m.round as TssLibTypeName].round)),
      ].sort();
    expect(rounds(keygen)).toEqual([1, 2, 3]);
    expect(rounds(sign)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('round-1 keygen values are the parameters saved in the key files', () => {
    const save = parseTssLibSaveData(readInterop('golden/keygen-2of3-party0.json'));
    const r1 = keygen.messages.filter((m) => m.round.endsWith('KGRound1Message'));
    expect(r1.length).toBe(3);
    for (const m of r1) {
      const j = save.ks.indexOf(BigInt(m.fromKey));
      expect(j).toBeGreaterThanOrEqual(0);
      const v = tssLibToBigints(
        decodeTssLibWire(hexToBytes(m.wireBytes), 'binance.tsslib.ecdsa.keygen.KGRound1Message'),
      );
      expect(v.paillierN).toBe(save.paillierPKs[j]);
      expect(v.nTilde).toBe(save.nTildej[j]);
      expect(v.h1).toBe(save.h1j[j]);
      expect(v.h2).toBe(save.h2j[j]);
      expect(v.dlnproof1.length).toBe(258);
      expect(v.dlnproof1[0]).toBe(128n); // length prefix of Alpha[128]
    }
  });

  it('the round-9 shares sum to the recorded signature s', () => {
    const q = CURVE_ORDER;
    const shares = sign.messages
      .filter((m) => m.round.endsWith('SignRound9Message'))
      .map(
        (m) =>
          tssLibToBigints(
            decodeTssLibWire(
              hexToBytes(m.wireBytes),
              'binance.tsslib.ecdsa.signing.SignRound9Message',
            ),
          ).s,
      );
    const s = mod(
      shares.reduce((a, b) => a + b, 0n),
      q,
    );
    const recorded = BigInt(`0x${sign.signature!.s}`);
    expect([s, q - s]).toContain(recorded);
  });

  it('fuzz: a mutated recording is rejected with a VerifyError or decodes canonically', () => {
    const small = sign.messages.filter((m) => m.wireBytes.length < 1200).map((m) => m.wireBytes);
    const any = sign.messages.map((m) => m.wireBytes);
    fc.assert(
      fc.property(
        fc.constantFrom(...small, any[0]!, any[2]!),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.boolean(),
        (hex, edits, truncate) => {
          let b = hexToBytes(hex);
          for (const [pos, val] of edits) b[pos % b.length] = val;
          if (truncate) b = b.slice(0, edits[0]![0] % b.length);
          let msg: TssLibMessage;
          try {
            msg = decodeTssLibWire(b);
          } catch (e) {
            expect(e).toBeInstanceOf(VerifyError);
            return;
          }
          expect(encodeTssLibWire(msg)).toEqual(b);
        },
      ),
      { numRuns: 400 },
    );
  });
});
