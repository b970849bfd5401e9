/**
 * Known-answer tests: the setup proofs recorded in tss-lib's golden 2-of-3 keygen transcript
 * (DLN proofs in KGRound1Message, Π^mod in KGRound2Message2, Π^fac in the p2p
 * KGRound2Message1) verify under the tss-lib profile, and fail after a one-byte change.
 */
import { expect, it } from 'vitest';
import { VerifyError } from '../../src/errors.js';
import {
  decodeTssLibWire,
  type TssLibTypeName,
  tssLibToBigints,
} from '../../src/interop/tss-lib/codec.js';
import { type JsonObject, parseLosslessJson } from '../../src/interop/tss-lib/json.js';
import { bigintToBytes, bitLength, hexToBytes } from '../../src/math/bigint.js';
import {
  DLN_ITERATIONS,
  type DlnProofPair,
  dlnProofFromBytes,
  proveDlnPair,
  verifyDln,
  verifyDlnPair,
} from '../../src/zk/dln.js';
import { facProofFromBytes, verifyFac } from '../../src/zk/fac.js';
import { MOD_ITERATIONS, modProofFromBytes, proveMod, verifyMod } from '../../src/zk/mod.js';
import {
  assertDistinctParams,
  type ProofContext,
  type RingPedersenKeyPair,
  type RingPedersenPublic,
  validateRingPedersenKeyPair,
  verifyRingPedersenParams,
} from '../../src/zk/ring-pedersen.js';
import { describeInterop, readInterop } from '../support/interop.js';

interface Recorded {
  seq: number;
  round: string;
  from: number;
  to: number[] | null;
  wireBytes: string;
}
interface Transcript {
  partyCount: number;
  parties: { index: number; ssid: string }[];
  messages: Recorded[];
}

const R1 = 'binance.tsslib.ecdsa.keygen.KGRound1Message';
const R2M1 = 'binance.tsslib.ecdsa.keygen.KGRound2Message1';
const R2M2 = 'binance.tsslib.ecdsa.keygen.KGRound2Message2';

describeInterop('golden tss-lib keygen transcript: DLN, Π^mod and Π^fac (tss-lib profile)', () => {
  // Loaded lazily so a skipped suite never touches the files.
  let cache: ReturnType<typeof load> | undefined;
  const data = () => {
    cache ??= load();
    return cache;
  };

  function load() {
    // Only strings and small numbers are used from the transcript, so JSON.parse is safe here.
    const tr = JSON.parse(readInterop('golden/ecdsa-keygen-transcript-2of3.json')) as Transcript;
    const byRound = (name: TssLibTypeName) => tr.messages.filter((m) => m.round === name);
    const ssidOf = (i: number) => hexToBytes(tr.parties.find((p) => p.index === i)!.ssid);
    const ctx = (verifier: number, prover: number): ProofContext => ({
      profile: 'tss-lib',
      ssid: ssidOf(verifier),
      prover,
    });
    const r1 = new Map<
      number,
      { N: bigint; pub: RingPedersenPublic; pair: DlnProofPair; m: Recorded }
    >();
    for (const m of byRound(R1)) {
      const msg = decodeTssLibWire(hexToBytes(m.wireBytes), R1);
      const ints = tssLibToBigints(msg);
      r1.set(m.from, {
        N: ints.paillierN,
        pub: { ntilde: ints.nTilde, h1: ints.h1, h2: ints.h2 },
        pair: {
          proof1: dlnProofFromBytes(msg.dlnproof1),
          proof2: dlnProofFromBytes(msg.dlnproof2),
        },
        m,
      });
    }
    // Each party's own key file: the pre-params behind its Ñ, and its Paillier primes.
    const keyFile = (i: number) =>
      parseLosslessJson(readInterop(`golden/keygen-2of3-party${i}.json`)) as JsonObject;
    const own = new Map<number, { keys: RingPedersenKeyPair; p: bigint; q: bigint }>();
    for (let i = 0; i < tr.partyCount; i++) {
      const kf = keyFile(i);
      const sk = kf.PaillierSK as JsonObject;
      own.set(i, {
        keys: {
          pub: { ntilde: kf.NTildei as bigint, h1: kf.H1i as bigint, h2: kf.H2i as bigint },
          secret: {
            p: kf.P as bigint,
            q: kf.Q as bigint,
            alpha: kf.Alpha as bigint,
            beta: kf.Beta as bigint,
          },
        },
        p: sk.P as bigint,
        q: sk.Q as bigint,
      });
    }
    return { tr, byRound, ctx, r1, own };
  }

  /** Expects `f` to throw a VerifyError (a decoder or a verifier refusing the data). */
  function rejects(f: () => void): void {
    expect(f).toThrow(VerifyError);
  }

  /** Copies `bytes` with one byte changed (xor 0x01) at `at` (negative = from the end). */
  function flip(bytes: Uint8Array, at: number): Uint8Array {
    const out = bytes.slice();
    const i = at < 0 ? out.length + at : at;
    out[i]! ^= 0x01;
    return out;
  }

  /** Offset of `needle` inside `hay` (the wire position of a proof value). */
  function indexOf(hay: Uint8Array, needle: Uint8Array): number {
    outer: for (let i = 0; i + needle.length <= hay.length; i++) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  it('transcript shape: 3 parties, one ssid, 3 + 6 + 3 setup messages', () => {
    const { tr, byRound } = data();
    expect(tr.partyCount).toBe(3);
    expect(new Set(tr.parties.map((p) => p.ssid)).size).toBe(1);
    expect(byRound(R1)).toHaveLength(3);
    expect(byRound(R2M1)).toHaveLength(6);
    expect(byRound(R2M2)).toHaveLength(3);
  });

  it('KGRound1Message: parameters pass every check, are distinct, match the key files', () => {
    const { r1, own } = data();
    const list: RingPedersenPublic[] = [];
    for (let j = 0; j < 3; j++) {
      const e = r1.get(j)!;
      expect(bitLength(e.N)).toBe(2048);
      verifyRingPedersenParams(e.pub);
      expect(e.pub).toEqual(own.get(j)!.keys.pub);
      expect(e.N).toBe(own.get(j)!.p * own.get(j)!.q);
      list.push(e.pub);
    }
    assertDistinctParams(list);
    // tss-lib's pre-params are consistent with our key-pair model (α may exceed pq there).
    for (let j = 0; j < 3; j++) validateRingPedersenKeyPair(own.get(j)!.keys);
  });

  for (const j of [0, 1, 2]) {
    it(`KGRound1Message of party ${j}: dlnproof_1 (h2 = h1^α) and dlnproof_2 (h1 = h2^β) verify`, () => {
      const { r1, ctx } = data();
      const e = r1.get(j)!;
      expect(e.pair.proof1.alpha).toHaveLength(DLN_ITERATIONS);
      verifyDlnPair(ctx((j + 1) % 3, j), e.pub, e.pair);
      // Direction matters: dlnproof_1 is not a proof for (h2, h1).
      rejects(() =>
        verifyDln(ctx(0, j), { ntilde: e.pub.ntilde, h1: e.pub.h2, h2: e.pub.h1 }, e.pair.proof1),
      );
    });
  }

  it('KGRound1Message: one changed byte in a DLN proof is rejected', () => {
    const { r1, ctx } = data();
    const e = r1.get(1)!;
    const wire = hexToBytes(e.m.wireBytes);
    const targets = [
      e.pair.proof1.alpha[0]!,
      e.pair.proof1.alpha[DLN_ITERATIONS - 1]!,
      e.pair.proof1.t[3]!,
      e.pair.proof2.t[DLN_ITERATIONS - 1]!,
      e.pair.proof2.alpha[64]!,
    ];
    for (const v of targets) {
      const at = indexOf(wire, bigintToBytes(v));
      expect(at).toBeGreaterThan(0);
      for (const off of [0, 100, bigintToBytes(v).length - 1]) {
        const changed = flip(wire, at + off);
        rejects(() => {
          const msg = decodeTssLibWire(changed, R1);
          verifyDlnPair(ctx(0, 1), e.pub, {
            proof1: dlnProofFromBytes(msg.dlnproof1),
            proof2: dlnProofFromBytes(msg.dlnproof2),
          });
        });
      }
    }
    // h1 / h2 changed by one byte: the proofs no longer match the parameters.
    for (const v of [e.pub.h1, e.pub.h2]) {
      const changed = flip(wire, indexOf(wire, bigintToBytes(v)) + 7);
      rejects(() => {
        const ints = tssLibToBigints(decodeTssLibWire(changed, R1));
        verifyDlnPair(ctx(0, 1), { ntilde: ints.nTilde, h1: ints.h1, h2: ints.h2 }, e.pair);
      });
    }
  });

  it('our tss-lib-profile DLN prover on the golden pre-params gives proofs that verify', () => {
    const { own, ctx } = data();
    const keys = own.get(2)!.keys;
    verifyDlnPair(ctx(0, 2), keys.pub, proveDlnPair(ctx(2, 2), keys));
  });

  for (const j of [0, 1, 2]) {
    it(`KGRound2Message2 of party ${j}: Π^mod verifies under ssid ‖ bytes(${j})`, () => {
      const { byRound, r1, ctx } = data();
      const m = byRound(R2M2).find((x) => x.from === j)!;
      const msg = decodeTssLibWire(hexToBytes(m.wireBytes), R2M2);
      const proof = modProofFromBytes(msg.modProof);
      expect(proof.x).toHaveLength(MOD_ITERATIONS);
      const N = r1.get(j)!.N;
      for (const verifier of [0, 1, 2].filter((i) => i !== j))
        verifyMod(ctx(verifier, j), N, proof);
      // Bound to the prover's index and to its N.
      rejects(() => verifyMod(ctx(0, (j + 1) % 3), N, proof));
      rejects(() => verifyMod(ctx(0, j), r1.get((j + 1) % 3)!.N, proof));
    });
  }

  it('KGRound2Message2: one changed byte in Π^mod is rejected', () => {
    const { byRound, r1, ctx } = data();
    const m = byRound(R2M2).find((x) => x.from === 0)!;
    const wire = hexToBytes(m.wireBytes);
    const proof = modProofFromBytes(decodeTssLibWire(wire, R2M2).modProof);
    for (const v of [
      proof.w,
      proof.x[0]!,
      proof.x[79]!,
      proof.a,
      proof.b,
      proof.z[0]!,
      proof.z[79]!,
    ]) {
      const bz = bigintToBytes(v);
      const at = indexOf(wire, bz);
      expect(at).toBeGreaterThan(0);
      for (const off of [0, bz.length - 1]) {
        const changed = flip(wire, at + off);
        rejects(() =>
          verifyMod(
            ctx(1, 0),
            r1.get(0)!.N,
            modProofFromBytes(decodeTssLibWire(changed, R2M2).modProof),
          ),
        );
      }
    }
  });

  it('KGRound2Message1 (p2p): every Π^fac verifies under the recipient’s own Ñ, h1, h2', () => {
    const { byRound, r1, ctx, own } = data();
    const msgs = byRound(R2M1);
    for (const m of msgs) {
      const to = m.to![0]!;
      const j = m.from;
      const proof = facProofFromBytes(decodeTssLibWire(hexToBytes(m.wireBytes), R2M1).facProof);
      const N0 = r1.get(j)!.N;
      verifyFac(ctx(to, j), N0, r1.get(to)!.pub, proof);
      verifyFac(ctx(to, j), N0, own.get(to)!.keys, proof); // CRT path with the recipient's secret
      // Made for `to` only: another party's Ñ, or another prover index, rejects it.
      const third = [0, 1, 2].find((x) => x !== to && x !== j)!;
      rejects(() => verifyFac(ctx(third, j), N0, r1.get(third)!.pub, proof));
      rejects(() => verifyFac(ctx(to, third), N0, r1.get(to)!.pub, proof));
    }
  });

  it('KGRound2Message1: one changed byte in Π^fac is rejected', () => {
    const { byRound, r1, ctx } = data();
    const m = byRound(R2M1).find((x) => x.from === 0)!;
    const to = m.to![0]!;
    const wire = hexToBytes(m.wireBytes);
    const proof = facProofFromBytes(decodeTssLibWire(wire, R2M1).facProof);
    for (const k of ['P', 'Q', 'A', 'B', 'T', 'sigma', 'z1', 'z2', 'w1', 'w2', 'v'] as const) {
      const bz = bigintToBytes(proof[k]);
      const at = indexOf(wire, bz);
      expect(at).toBeGreaterThan(0);
      for (const off of [0, bz.length >> 1, bz.length - 1]) {
        const changed = flip(wire, at + off);
        rejects(() =>
          verifyFac(
            ctx(to, 0),
            r1.get(0)!.N,
            r1.get(to)!.pub,
            facProofFromBytes(decodeTssLibWire(changed, R2M1).facProof),
          ),
        );
      }
    }
  });

  it('our tss-lib-profile Π^mod prover on a golden Paillier key gives a proof that verifies', () => {
    const { own, r1, ctx } = data();
    const { p, q } = own.get(1)!;
    verifyMod(ctx(0, 1), r1.get(1)!.N, proveMod(ctx(1, 1), r1.get(1)!.N, p, q));
  });
});
