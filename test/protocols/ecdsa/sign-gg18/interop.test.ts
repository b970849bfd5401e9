/**
 * tss-lib interoperability of GG18 signing:
 * - the golden tss-lib v2 transcript (2-of-3, signers = keygen indices 0 and 2) replays through
 *   the same decoders and validators the rounds use: every message accepted, the recorded ssid,
 *   r, s and recovery id recomputed, and a one-byte change to any message rejected naming its
 *   sender;
 * - TS parties holding imported tss-lib keys sign end to end (golden 2-of-3 keys, any 2 of 3;
 *   tss-lib's own 3-of-5 fixtures, several 3-subsets).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { expect, it } from 'vitest';
import { PeerError } from '../../../../src/errors.js';
import { importTssLibKey } from '../../../../src/interop/tss-lib/keyshare.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import { bigintToBytes, bytesToHex, hexToBytes } from '../../../../src/math/bigint.js';
import type { Profile } from '../../../../src/profile.js';
import {
  type SignTranscript,
  type SignTranscriptMessage,
  verifySignTranscript,
} from '../../../../src/protocols/ecdsa/sign-gg18/transcript.js';
import { describeInterop, readInterop } from '../../../support/interop.js';
import { MESSAGE_HASH, runSign } from './helpers.js';

interface GoldenMessage {
  seq: number;
  round: string;
  from: number;
  to: number[] | null;
  wireBytes: string;
}
interface Golden {
  parties: { index: number; key: string; ssid: string; fixtureFile: string }[];
  messageHash: string;
  ecdsaPub: { compressed: string };
  signature: { r: string; s: string; recoveryId: string };
  messages: GoldenMessage[];
}

function goldenKey(file: string): KeyShare {
  return importTssLibKey(readInterop(`golden/${file}`), { minSigners: 2 }).share;
}

/** Every honest party finished with one signature that verifies under `pub`. */
function expectSigned(res: ReturnType<typeof runSign>, pub: string, mh = MESSAGE_HASH): void {
  const outs = [...res.steps.values()].map((s) => {
    expect(s.error?.message).toBeUndefined();
    expect(s.status).toBe('done');
    return s.output!;
  });
  for (const o of outs) {
    expect(bytesToHex(o.compact)).toBe(bytesToHex(outs[0]!.compact));
    expect(bytesToHex(o.publicKey)).toBe(pub);
    expect(secp256k1.verify(o.compact, mh, hexToBytes(pub), { prehash: false })).toBe(true);
  }
}

describeInterop('GG18 signing: golden tss-lib v2 transcript (2-of-3)', () => {
  const golden = JSON.parse(readInterop('golden/ecdsa-sign-transcript-2of3.json')) as Golden;
  const k0 = goldenKey('keygen-2of3-party0.json');
  const k2 = goldenKey('keygen-2of3-party2.json');
  // importTssLibKey names parties by their decimal tss-lib key; the golden file's `from`/`to`
  // are signing indices (signers re-sorted by key).
  const idOf = (i: number) => golden.parties.find((p) => p.index === i)!.key;
  const messages: SignTranscriptMessage[] = golden.messages.map((m) => ({
    from: idOf(m.from),
    ...(m.to ? { to: idOf(m.to[0]!) } : {}),
    type: m.round,
    payload: hexToBytes(m.wireBytes),
  }));
  const transcript: SignTranscript = {
    profile: 'tss-lib',
    parties: k0.parties,
    signers: golden.parties.map((p) => p.key),
    minSigners: 2,
    publicKey: k0.publicKey.compressed,
    messageHash: hexToBytes(golden.messageHash),
    messages,
  };
  const audit = {
    paillierKeys: new Map([
      [k0.self, k0.secret.paillier],
      [k2.self, k2.secret.paillier],
    ]),
  };

  it('the key files are the transcript signers', () => {
    expect(k0.publicKey.compressed).toBe(golden.ecdsaPub.compressed);
    expect(new Set([k0.self, k2.self])).toEqual(new Set(golden.parties.map((p) => p.key)));
  });

  it('accepts every message and recomputes the ssid, r, s and recovery id', () => {
    const out = verifySignTranscript(transcript);
    for (const p of golden.parties) expect(bytesToHex(out.ssid)).toBe(p.ssid);
    expect(bytesToHex(bigintToBytes(out.signature.r, 32))).toBe(golden.signature.r);
    expect(bytesToHex(bigintToBytes(out.signature.s, 32))).toBe(golden.signature.s);
    expect(out.signature.recoveryId).toBe(Number.parseInt(golden.signature.recoveryId, 16));
    // The audit (decrypting every MtA value) agrees with every δ_j and s_j tss-lib sent.
    const audited = verifySignTranscript(transcript, { audit });
    expect(audited.signature.s).toBe(out.signature.s);
  });

  it('rejects a one-byte change to any message, naming its sender', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (const [k, m] of messages.entries()) {
      // The last byte (inside the last field) and one pseudo-random byte (any field, or the
      // protobuf framing).
      for (const at of [m.payload.length - 1, rand(m.payload.length)]) {
        const payload = Uint8Array.from(m.payload);
        payload[at]! ^= 0x01 << rand(8);
        const tampered = {
          ...transcript,
          messages: messages.map((x, j) => (j === k ? { ...x, payload } : x)),
        };
        const culprits = (opts = {}): readonly string[] => {
          try {
            verifySignTranscript(tampered, opts);
          } catch (e) {
            expect(e, `message #${k} byte ${at}`).toBeInstanceOf(PeerError);
            return (e as PeerError).culprits;
          }
          throw new Error(`message #${k} (${golden.messages[k]!.round}) byte ${at}: accepted`);
        };
        // Public data pins every verifiable field on its sender; δ_j and s_j changes are not
        // attributable from public data in GG18 (both signers are named).
        expect(culprits()).toContain(m.from);
        // With every Paillier key (forensic audit), exactly the sender.
        expect(culprits({ audit }), `message #${k} byte ${at}`).toEqual([m.from]);
      }
    }
  });

  it('TS parties holding the golden keys sign end to end, any 2 of the 3', () => {
    const shares = [
      'keygen-2of3-party0.json',
      'keygen-2of3-party1.json',
      'keygen-2of3-party2.json',
    ].map(goldenKey);
    const pub = shares[0]!.publicKey.compressed;
    const ids = shares.map((s) => s.self);
    const pairs: [string, string, Profile][] = [
      [ids[0]!, ids[1]!, 'tss-lib'],
      [ids[0]!, ids[2]!, 'native'],
      [ids[1]!, ids[2]!, 'tss-lib'],
    ];
    for (const [a, b, profile] of pairs) {
      expectSigned(runSign({ shares, signers: [a, b], profile }), pub);
    }
  });
});

describeInterop('GG18 signing: tss-lib fixtures (3-of-5)', () => {
  const shares = [0, 1, 2, 3, 4].map(
    (i) =>
      importTssLibKey(readInterop(`tss-lib-fixtures/ecdsa/keygen_data_${i}.json`), {
        minSigners: 3,
      }).share,
  );
  const ids = shares.map((s) => s.self);

  it('imports as the documented key', () => {
    expect(shares[0]!.publicKey.compressed).toBe(
      '02a89d4d9bf1e8c8689ff79e3aaa35375c5686829238b31cc605bd2b903a4bae85',
    );
  });

  for (const [subset, profile] of [
    [[0, 1, 2], 'tss-lib'],
    [[1, 3, 4], 'tss-lib'],
    [[0, 2, 4], 'native'],
  ] as [number[], Profile][]) {
    it(`signers ${subset.join(',')} (${profile}) sign end to end`, () => {
      const signers = subset.map((i) => ids[i]!);
      expectSigned(runSign({ shares, signers, profile }), shares[0]!.publicKey.compressed);
    });
  }
});
