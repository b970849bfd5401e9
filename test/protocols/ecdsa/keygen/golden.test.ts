/**
 * Golden tss-lib v2 keygen transcript (../shared/interop/golden): replayed through the same
 * decoders and validators the live rounds use.
 */
import { beforeAll, expect, it } from 'vitest';
import { PeerError } from '../../../../src/errors.js';
import { parseTssLibSaveData } from '../../../../src/interop/tss-lib/keyfile.js';
import { hexToBytes } from '../../../../src/math/bigint.js';
import { mulG, pointFromCoords } from '../../../../src/math/curve.js';
import {
  ownShareFromTranscript,
  type TssLibKeygenRecord,
  type TssLibKeygenReplay,
  type TssLibKeygenTranscript,
  verifyTssLibKeygenTranscript,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { verifyShare } from '../../../../src/vss/feldman.js';
import { describeInterop, readInterop } from '../../../support/interop.js';

interface GoldenMessage {
  seq: number;
  round: string;
  from: string;
  fromId: string;
  fromKey: string;
  to: string[] | null;
  isBroadcast: boolean;
  wireBytes: string;
}
interface Golden {
  threshold: number;
  parties: { index: string; id: string; key: string; ssid: string }[];
  ecdsaPub: { x: string; y: string; compressed: string };
  messages: GoldenMessage[];
}

describeInterop('tss-lib golden keygen transcript (2-of-3)', () => {
  let golden: Golden;
  let transcript: TssLibKeygenTranscript;
  let replay: TssLibKeygenReplay;

  beforeAll(() => {
    golden = JSON.parse(readInterop('golden/ecdsa-keygen-transcript-2of3.json')) as Golden;
    const byIndex = new Map(golden.parties.map((p) => [String(p.index), p.id]));
    const messages: TssLibKeygenRecord[] = golden.messages.map((m) => ({
      from: m.fromId,
      to: m.to === null ? null : m.to.map((i) => byIndex.get(String(i))!),
      wireBytes: hexToBytes(m.wireBytes),
    }));
    transcript = {
      parties: golden.parties.map((p) => ({ id: p.id, key: BigInt(p.key) })),
      minSigners: golden.threshold + 1,
      messages,
    };
  });

  it('accepts every message and derives the recorded public key', () => {
    replay = verifyTssLibKeygenTranscript(transcript);
    expect(replay.publicKey.toAffine().x.toString(16).padStart(64, '0')).toBe(golden.ecdsaPub.x);
    expect(Buffer.from(replay.publicKey.toBytes(true)).toString('hex')).toBe(
      golden.ecdsaPub.compressed,
    );
    // The same ssid every tss-lib party used.
    for (const p of golden.parties) expect(Buffer.from(replay.ssid).toString('hex')).toBe(p.ssid);
    expect(replay.ids).toEqual(
      [...golden.parties].sort((a, b) => Number(a.index) - Number(b.index)).map((p) => p.id),
    );
  });

  it('derives every BigXj of the recorded key files, and each x_i matches the shares sent to i', () => {
    for (let i = 0; i < 3; i++) {
      const data = parseTssLibSaveData(readInterop(`golden/keygen-2of3-party${i}.json`));
      expect(data.ks).toEqual([...replay.keys]);
      expect(data.shareID).toBe(replay.keys[i]);
      const pub = pointFromCoords(data.ecdsaPub.x, data.ecdsaPub.y);
      expect(pub.equals(replay.publicKey)).toBe(true);
      data.bigXj.forEach((X, j) => {
        expect(pointFromCoords(X.x, X.y).equals(replay.publicShares[j]!)).toBe(true);
      });
      expect(mulG(data.xi).equals(replay.publicShares[i]!)).toBe(true);
      expect(data.paillierPKs).toEqual([...replay.paillierN]);
      // x_i − Σ_{j≠i} share_{j→i} is party i's share of its own polynomial.
      const own = ownShareFromTranscript(replay, i, data.xi);
      expect(() => verifyShare(own, replay.keys[i]!, replay.commitments[i]!, 1)).not.toThrow();
      // ...and a wrong x_i is not.
      const wrong = ownShareFromTranscript(replay, i, data.xi + 1n);
      expect(() => verifyShare(wrong, replay.keys[i]!, replay.commitments[i]!, 1)).toThrow();
    }
  });

  /** Replays with one byte of message `k` flipped; returns the error. */
  function flipped(k: number, offset: number): unknown {
    const messages = transcript.messages.map((m, i) => {
      if (i !== k) return m;
      const b = m.wireBytes.slice();
      b[offset % b.length]! ^= 0x01;
      return { ...m, wireBytes: b };
    });
    try {
      verifyTssLibKeygenTranscript({ ...transcript, messages });
    } catch (e) {
      return e;
    }
    return undefined;
  }

  function expectBlames(k: number, offset: number): void {
    const e = flipped(k, offset);
    const from = transcript.messages[k]!.from;
    expect(e, `message ${k} offset ${offset}`).toBeInstanceOf(PeerError);
    expect((e as PeerError).culprits, `message ${k} offset ${offset}`).toEqual([from]);
  }

  const byRound = (name: string) =>
    golden.messages.map((m, i) => [m, i] as const).filter(([m]) => m.round.endsWith(name));

  it('rejects a flipped byte in the Any header and in every field of round 1, naming the sender', () => {
    const [[, k]] = byRound('KGRound1Message') as [[GoldenMessage, number]];
    const len = transcript.messages[k]!.wireBytes.length;
    // type URL, commitment, N, Ñ, h1, h2, inside DLN proof 1, inside DLN proof 2, last byte
    for (const off of [5, 70, 110, 400, 650, 900, 20_000, 100_000, len - 1]) expectBlames(k, off);
  });

  it('rejects flipped bytes in the share, Π^fac, decommitment, Π^mod and Paillier proof', () => {
    const share = byRound('KGRound2Message1')[0]![1];
    const shareLen = transcript.messages[share]!.wireBytes.length;
    for (const off of [75, 120, 1_500, shareLen - 1]) expectBlames(share, off);
    const dec = byRound('KGRound2Message2')[1]![1];
    const decLen = transcript.messages[dec]!.wireBytes.length;
    for (const off of [80, 150, 400, 20_000, decLen - 1]) expectBlames(dec, off);
    const r3 = byRound('KGRound3Message')[2]![1];
    for (const off of [90, 1_000, 3_000]) expectBlames(r3, off);
  });

  it('rejects a flipped byte at pseudo-random positions of every message', () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    for (const [k, m] of transcript.messages.entries())
      expectBlames(k, next() % m.wireBytes.length);
  });

  it('rejects a missing message and an equivocated one', () => {
    const dropped = transcript.messages.filter((_, i) => i !== 11);
    expect(() => verifyTssLibKeygenTranscript({ ...transcript, messages: dropped })).toThrow(
      PeerError,
    );
    const [[, k]] = byRound('KGRound3Message') as [[GoldenMessage, number]];
    const twin = transcript.messages[k]!;
    const b = twin.wireBytes.slice();
    b[b.length - 1]! ^= 1;
    try {
      verifyTssLibKeygenTranscript({
        ...transcript,
        messages: [...transcript.messages, { ...twin, wireBytes: b }],
      });
      expect.unreachable();
    } catch (e) {
      expect((e as PeerError).code).toBe('EQUIVOCATION');
      expect((e as PeerError).culprits).toEqual([twin.from]);
    }
  });
});
