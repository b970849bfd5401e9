/**
 * Known-answer tests against tss-lib master (c84c096): the MtA messages of the recorded 2-of-3
 * signing transcript verify with the tss-lib profile, and every one-byte change is rejected.
 *
 * SignRound1Message1 (j → i): c = Enc_j(k_j) and Alice's range proof under the *recipient's*
 * Ñ_i, h1_i, h2_i, with no session context. SignRound2Message (j → i): Bob = j answers Alice = i;
 * c1 (MtA on γ_j) with ProofBob and c2 (MtAwc on w_j) with ProofBobWC, both under Alice's
 * Ñ_i, h1_i, h2_i and session ssid ‖ bytes(j); the WC point is W_j = λ_j·BigXj[j] over the
 * signer set (tss-lib `PrepareForSigning`, used as `bigWs[j]` in signing round 3).
 */
import { expect, it } from 'vitest';
import { VerifyError } from '../../../src/errors.js';
import { decodeTssLibWire } from '../../../src/interop/tss-lib/codec.js';
import { parseTssLibSaveData, type TssLibSaveData } from '../../../src/interop/tss-lib/keyfile.js';
import { bigintToBytes, bytesToBigint, hexToBytes } from '../../../src/math/bigint.js';
import { invQ, modQ, mulPoint, type Point, pointFromCoords } from '../../../src/math/curve.js';
import { decrypt, paillierKeyFromTssLib } from '../../../src/paillier/paillier.js';
import { Q, Q5 } from '../../../src/zk/mta/common.js';
import {
  type MtaProofContext,
  proofBobFromBytes,
  proofBobWCFromBytes,
  type RingPedersenParams,
  rangeProofAliceFromBytes,
  verifyBob,
  verifyBobWC,
  verifyRangeAlice,
} from '../../../src/zk/mta/index.js';
import { describeInterop, readInterop } from '../../support/interop.js';

interface RecordedMessage {
  seq: number;
  round: string;
  from: number;
  to: number[] | null;
  wireBytes: string;
}

interface Transcript {
  parties: { index: number; key: string; fixtureFile: string; ssid: string }[];
  messages: RecordedMessage[];
}

const R1 = 'binance.tsslib.ecdsa.signing.SignRound1Message1';
const R2 = 'binance.tsslib.ecdsa.signing.SignRound2Message';

describeInterop('MtA proofs in the tss-lib golden signing transcript (2-of-3)', () => {
  const tr = JSON.parse(readInterop('golden/ecdsa-sign-transcript-2of3.json')) as Transcript;
  // Key files hold 2048-bit bare JSON integers: parse losslessly.
  const files = new Map<number, TssLibSaveData>(
    tr.parties.map((p) => [p.index, parseTssLibSaveData(readInterop(`golden/${p.fixtureFile}`))]),
  );
  const file = (i: number) => files.get(i)!;
  const signerKeys = tr.parties.map((p) => BigInt(p.key));
  // Keygen index of each signer: its position in Ks (the keygen list sorted by key).
  const kIdx = signerKeys.map((k) => file(0).ks.indexOf(k));
  // tss-lib's ssid is big.Int.Bytes(): minimal big-endian.
  const ssids = tr.parties.map((p) => bigintToBytes(BigInt(`0x${p.ssid}`)));

  const pkOf = (i: number) => ({ n: file(0).paillierPKs[kIdx[i]!]! });
  const paramsOf = (i: number): RingPedersenParams => ({
    nTilde: file(0).nTildej[kIdx[i]!]!,
    h1: file(0).h1j[kIdx[i]!]!,
    h2: file(0).h2j[kIdx[i]!]!,
  });
  const ctxOf = (prover: number, verifier: number): MtaProofContext => ({
    profile: 'tss-lib',
    ssid: ssids[verifier]!,
    prover,
  });
  /** W_j = λ_j·X_j with λ_j = ∏_{c≠j} k_c / (k_c − k_j) over the signers. */
  const bigW = (j: number): Point => {
    let lambda = 1n;
    for (let c = 0; c < signerKeys.length; c++) {
      if (c !== j) lambda = modQ(lambda * signerKeys[c]! * invQ(signerKeys[c]! - signerKeys[j]!));
    }
    const X = file(0).bigXj[kIdx[j]!]!;
    return mulPoint(pointFromCoords(X.x, X.y), lambda);
  };

  const find = (round: string, from: number, to: number): RecordedMessage => {
    const m = tr.messages.find((x) => x.round === round && x.from === from && x.to?.[0] === to);
    if (!m) throw new Error(`no ${round} ${from} → ${to} in the transcript`);
    return m;
  };

  /** Decodes and verifies a SignRound1Message1 from j to i; throws VerifyError on any failure. */
  const checkR1 = (wire: Uint8Array, j: number, i: number): void => {
    const msg = decodeTssLibWire(wire, R1);
    const c = bytesToBigint(msg.c);
    const proof = rangeProofAliceFromBytes(msg.rangeProofAlice);
    verifyRangeAlice(ctxOf(j, i), proof, pkOf(j), paramsOf(i), c);
  };

  /** Decodes and verifies a SignRound2Message from Bob j to Alice i (both proofs). */
  const checkR2 = (wire: Uint8Array, j: number, i: number): void => {
    const msg = decodeTssLibWire(wire, R2);
    const cA = bytesToBigint(decodeTssLibWire(hexToBytes(find(R1, i, j).wireBytes), R1).c);
    const ctx = ctxOf(j, i);
    verifyBob(
      ctx,
      proofBobFromBytes(msg.proofBob),
      pkOf(i),
      paramsOf(i),
      cA,
      bytesToBigint(msg.c1),
    );
    verifyBobWC(
      ctx,
      proofBobWCFromBytes(msg.proofBobWc),
      pkOf(i),
      paramsOf(i),
      cA,
      bytesToBigint(msg.c2),
      bigW(j),
    );
  };

  const pairs: [number, number][] = [
    [0, 1],
    [1, 0],
  ];

  it('maps the signers to keygen indices 0 and 2, with one ssid', () => {
    expect(kIdx).toEqual([0, 2]);
    expect(ssids[0]).toEqual(ssids[1]);
  });

  it.each(pairs)('SignRound1Message1 %i → %i: Alice’s range proof verifies', (j, i) => {
    checkR1(hexToBytes(find(R1, j, i).wireBytes), j, i);
  });

  it.each(pairs)('SignRound2Message %i → %i: ProofBob and ProofBobWC verify', (j, i) => {
    checkR2(hexToBytes(find(R2, j, i).wireBytes), j, i);
  });

  it.each(pairs)('CRT decryption matches tss-lib: k_%i < q and α′ < q⁵ + q²', (j, i) => {
    // Sender j's own key file decrypts its c = Enc(k_j); Alice i decrypts Bob's c1, c2.
    const skJ = file(j).paillierSK;
    const sk = paillierKeyFromTssLib({
      N: skJ.n,
      LambdaN: skJ.lambdaN,
      PhiN: skJ.phiN,
      P: skJ.p!,
      Q: skJ.q!,
    });
    const k = decrypt(
      sk,
      bytesToBigint(decodeTssLibWire(hexToBytes(find(R1, j, i).wireBytes), R1).c),
    );
    expect(k < Q).toBe(true);
    const skI = file(i).paillierSK;
    const skAlice = paillierKeyFromTssLib({
      N: skI.n,
      LambdaN: skI.lambdaN,
      PhiN: skI.phiN,
      P: skI.p!,
      Q: skI.q!,
    });
    const r2 = decodeTssLibWire(hexToBytes(find(R2, j, i).wireBytes), R2);
    for (const c of [r2.c1, r2.c2]) {
      expect(decrypt(skAlice, bytesToBigint(c)) < Q5 + Q * Q).toBe(true);
    }
  });

  /** Flips one byte at `pos` (xor 0x01) and expects a VerifyError from decoding or verifying. */
  const expectRejected = (wire: Uint8Array, pos: number, check: (w: Uint8Array) => void) => {
    const bad = Uint8Array.from(wire);
    bad[pos] = (bad[pos] ?? 0) ^ 0x01;
    let err: unknown;
    try {
      check(bad);
    } catch (e) {
      err = e;
    }
    expect(err, `byte ${pos} of ${wire.length}`).toBeInstanceOf(VerifyError);
  };

  /**
   * Positions: every byte of the first 96 (Any header, type URL, field tags and lengths), then
   * about 60 spread over the body (each item's bytes are hashed or range-checked), and the last.
   */
  const positions = (len: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < Math.min(96, len); i++) out.push(i);
    const stride = Math.max(1, Math.ceil((len - 96) / 60));
    for (let i = 96; i < len; i += stride) out.push(i);
    out.push(len - 1);
    return out;
  };

  it.each(pairs)('SignRound1Message1 %i → %i: every one-byte change is rejected', (j, i) => {
    const wire = hexToBytes(find(R1, j, i).wireBytes);
    for (const pos of positions(wire.length)) expectRejected(wire, pos, (w) => checkR1(w, j, i));
  });

  it.each(pairs)('SignRound2Message %i → %i: every one-byte change is rejected', (j, i) => {
    const wire = hexToBytes(find(R2, j, i).wireBytes);
    for (const pos of positions(wire.length)) expectRejected(wire, pos, (w) => checkR2(w, j, i));
  });

  it('a one-byte change in each proof field (decoded) is rejected', () => {
    const [j, i] = [1, 0];
    const m1 = decodeTssLibWire(hexToBytes(find(R1, j, i).wireBytes), R1);
    const c = bytesToBigint(m1.c);
    const flipLast = (parts: Uint8Array[], k: number) =>
      parts.map((p, idx) => {
        if (idx !== k) return p;
        const q = Uint8Array.from(p);
        q[q.length - 1] = (q[q.length - 1] ?? 0) ^ 0x01;
        return q;
      });
    for (let k = 0; k < 6; k++) {
      const proof = rangeProofAliceFromBytes(flipLast(m1.rangeProofAlice, k));
      expect(() => verifyRangeAlice(ctxOf(j, i), proof, pkOf(j), paramsOf(i), c)).toThrow(
        VerifyError,
      );
    }
    const m2 = decodeTssLibWire(hexToBytes(find(R2, j, i).wireBytes), R2);
    const cA = bytesToBigint(decodeTssLibWire(hexToBytes(find(R1, i, j).wireBytes), R1).c);
    for (let k = 0; k < 10; k++) {
      const proof = proofBobFromBytes(flipLast(m2.proofBob, k));
      expect(() =>
        verifyBob(ctxOf(j, i), proof, pkOf(i), paramsOf(i), cA, bytesToBigint(m2.c1)),
      ).toThrow(VerifyError);
    }
    for (let k = 0; k < 12; k++) {
      expect(() => {
        const proof = proofBobWCFromBytes(flipLast(m2.proofBobWc, k));
        verifyBobWC(ctxOf(j, i), proof, pkOf(i), paramsOf(i), cA, bytesToBigint(m2.c2), bigW(j));
      }).toThrow(VerifyError);
    }
  });

  it('the Bob proofs are bound to the prover index and the ssid; W_j is the right point', () => {
    const [j, i] = [0, 1];
    const wire = hexToBytes(find(R2, j, i).wireBytes);
    const msg = decodeTssLibWire(wire, R2);
    const cA = bytesToBigint(decodeTssLibWire(hexToBytes(find(R1, i, j).wireBytes), R1).c);
    const pf = proofBobFromBytes(msg.proofBob);
    const pfWC = proofBobWCFromBytes(msg.proofBobWc);
    const c1 = bytesToBigint(msg.c1);
    const c2 = bytesToBigint(msg.c2);
    const wrongIndex = { ...ctxOf(j, i), prover: i };
    expect(() => verifyBob(wrongIndex, pf, pkOf(i), paramsOf(i), cA, c1)).toThrow(VerifyError);
    const wrongSsid = {
      ...ctxOf(j, i),
      ssid: Uint8Array.from(ssids[i]!, (b, k) => (k === 0 ? b ^ 1 : b)),
    };
    expect(() => verifyBob(wrongSsid, pf, pkOf(i), paramsOf(i), cA, c1)).toThrow(VerifyError);
    // X_j itself (without the Lagrange weight) is the wrong point.
    const X = file(0).bigXj[kIdx[j]!]!;
    expect(() =>
      verifyBobWC(ctxOf(j, i), pfWC, pkOf(i), paramsOf(i), cA, c2, pointFromCoords(X.x, X.y)),
    ).toThrow(VerifyError);
    // Native profile does not accept tss-lib proofs.
    expect(() =>
      verifyBob({ ...ctxOf(j, i), profile: 'native' }, pf, pkOf(i), paramsOf(i), cA, c1),
    ).toThrow(VerifyError);
  });
});
