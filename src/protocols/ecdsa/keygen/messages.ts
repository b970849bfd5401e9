/**
 * Keygen wire messages: one constructor (`encodeX`), one strict parser (`decodeX`) and one
 * validator (`verifyX`) per message. The round files and the golden-transcript replay use these
 * same functions, so what is replayed is exactly what a live party checks.
 *
 * Payloads are tss-lib's messages in both profiles: the exact `google.protobuf.Any` bytes of
 * `KGRound1Message`, `KGRound2Message1`, `KGRound2Message2` and `KGRound3Message` (decoded
 * strictly by the tss-lib codec: size caps before parsing, exact item counts, minimal integers,
 * canonical bytes). The profiles differ only in how the proofs inside hash their challenges. The
 * native profile adds one message, `KGRound3Schnorr`: a fixed 65-byte layout `α (33-byte
 * compressed SEC1) ‖ t (32-byte big-endian)`.
 *
 * Parsers are cheap and throw {@link VerifyError} (`MALFORMED`, `OVERSIZED`, `OUT_OF_RANGE`);
 * validators run the proofs and throw {@link VerifyError}. The engine turns either into a
 * {@link PeerError} naming the sender.
 * @module
 */

import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { VerifyError, verifyThat } from '../../../errors.js';
import {
  KGRound1MessageSchema,
  KGRound2Message1Schema,
  KGRound2Message2Schema,
  KGRound3MessageSchema,
} from '../../../gen/binance/tsslib/ecdsa/keygen/keygen_pb.js';
import type { CommitmentContext } from '../../../hash/commitment.js';
import { openPointCommitment } from '../../../hash/commitment.js';
import { decodeTssLibWire, encodeTssLibWire } from '../../../interop/tss-lib/codec.js';
import { bigintToBytes, bytesToBigint, decodeBigInt } from '../../../math/bigint.js';
import { CURVE_ORDER, type Point } from '../../../math/curve.js';
import {
  type DlnProofPair,
  dlnProofFromBytes,
  dlnProofToBytes,
  verifyDlnPair,
} from '../../../zk/dln.js';
import { type FacProof, facProofFromBytes, facProofToBytes, verifyFac } from '../../../zk/fac.js';
import { type ModProof, modProofFromBytes, modProofToBytes, verifyMod } from '../../../zk/mod.js';
import {
  type ProofContext,
  type RingPedersenKeyPair,
  type RingPedersenPublic,
  verifyRingPedersenParams,
} from '../../../zk/ring-pedersen.js';
import { type SchnorrContext, type SchnorrProof, verifySchnorr } from '../../../zk/schnorr.js';
import {
  PAILLIER_PROOF_ITERATIONS,
  type PaillierProofContext,
  verifyPaillierKey,
} from './paillier-proof.js';
import { verifyOnce } from './verify-cache.js';

/** Bit length every Paillier modulus must have exactly (SECURITY.md item 1). */
export const KEYGEN_PAILLIER_BITS = 2048;
/** Byte cap of values modulo N or Ñ. */
const MOD_N_BYTES = 256;
/** Byte cap of scalars, hashes and coordinates. */
const SCALAR_BYTES = 32;
/** Length of the native Schnorr message. */
export const SCHNORR_MESSAGE_BYTES = 33 + 32;

const N_MIN = 1n << BigInt(KEYGEN_PAILLIER_BITS - 1);
const N_LIMIT = 1n << BigInt(KEYGEN_PAILLIER_BITS);

/** SHA-256 of a payload (node:crypto: payloads reach 130 kB, and this runs per message). */
function digestOf(payload: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(payload).digest());
}

function int(b: Uint8Array, cap: number, title: string): bigint {
  return decodeBigInt(b, cap, title);
}

/** Checks a peer's Paillier modulus: odd, exactly 2048 bits (SECURITY.md item 1). */
export function verifyPaillierModulus(N: bigint): void {
  verifyThat(typeof N === 'bigint', 'MALFORMED', '"paillierN" must be an integer');
  verifyThat(N >= N_MIN && N < N_LIMIT, 'OUT_OF_RANGE', '"paillierN" must have exactly 2048 bits');
  verifyThat((N & 1n) === 1n, 'OUT_OF_RANGE', '"paillierN" must be odd');
}

// ---------------------------------------------------------------------------------------------
// Round 1: KGRound1Message (broadcast)

/** Round 1 content: commitment, Paillier N, ring-Pedersen parameters and their DLN proofs. */
export interface Round1Message {
  /** Hash commitment to the sender's Feldman commitments. */
  readonly commitment: bigint;
  /** Paillier modulus N. */
  readonly paillierN: bigint;
  /** Ring-Pedersen parameters. */
  readonly ntilde: bigint;
  /** h1. */
  readonly h1: bigint;
  /** h2. */
  readonly h2: bigint;
  /** DLN proofs h2 = h1^α and h1 = h2^β. */
  readonly dln: DlnProofPair;
  /** SHA-256 of the payload (set by the parser; keys the verification memo). */
  readonly digest?: Uint8Array;
}

/** Encodes round 1 as tss-lib `KGRound1Message` wire bytes. */
export function encodeRound1(m: Round1Message): Uint8Array {
  return encodeTssLibWire(
    create(KGRound1MessageSchema, {
      commitment: bigintToBytes(m.commitment),
      paillierN: bigintToBytes(m.paillierN),
      nTilde: bigintToBytes(m.ntilde),
      h1: bigintToBytes(m.h1),
      h2: bigintToBytes(m.h2),
      dlnproof1: dlnProofToBytes(m.dln.proof1),
      dlnproof2: dlnProofToBytes(m.dln.proof2),
    }),
  );
}

/** Parses round 1 strictly (caps, exact counts, minimal integers, canonical bytes). */
export function decodeRound1(payload: Uint8Array): Round1Message {
  const m = decodeTssLibWire(payload, 'binance.tsslib.ecdsa.keygen.KGRound1Message');
  return {
    commitment: int(m.commitment, SCALAR_BYTES, 'commitment'),
    paillierN: int(m.paillierN, MOD_N_BYTES, 'paillierN'),
    ntilde: int(m.nTilde, MOD_N_BYTES, 'ntilde'),
    h1: int(m.h1, MOD_N_BYTES, 'h1'),
    h2: int(m.h2, MOD_N_BYTES, 'h2'),
    dln: { proof1: dlnProofFromBytes(m.dlnproof1), proof2: dlnProofFromBytes(m.dlnproof2) },
    digest: digestOf(payload),
  };
}

/**
 * Validates round 1 of the party at `ctx.index`: bitlen(N) = 2048 and N odd; Ñ, h1, h2 pass the
 * ring-Pedersen checks (bitlen(Ñ) = 2048, h1, h2 non-trivial units, h1 ≠ h2); both DLN proofs
 * verify (128 iterations each). Uniqueness across parties is checked by the rounds.
 */
export function verifyRound1(ctx: ProofContext, m: Round1Message): void {
  verifyPaillierModulus(m.paillierN);
  const rp: RingPedersenPublic = { ntilde: m.ntilde, h1: m.h1, h2: m.h2 };
  verifyRingPedersenParams(rp);
  const run = () => verifyDlnPair(ctx, rp, m.dln);
  if (m.digest === undefined) {
    run();
    return;
  }
  verifyOnce(
    'r1/dln',
    [
      ['profile', ctx.profile],
      ['ssid', ctx.ssid],
      ['prover', ctx.prover],
      ['payload', m.digest],
    ],
    run,
  );
}

// ---------------------------------------------------------------------------------------------
// Round 2: KGRound2Message1 (point-to-point)

/** Round 2 point-to-point content: the Feldman share for the recipient and Π^fac under its Ñ. */
export interface Round2ShareMessage {
  /** f_sender(k_recipient) ∈ [0, q). */
  readonly share: bigint;
  /** Π^fac for the sender's N under the recipient's (Ñ, h1, h2). */
  readonly fac: FacProof;
}

/** Encodes tss-lib `KGRound2Message1` wire bytes. */
export function encodeRound2Share(m: Round2ShareMessage): Uint8Array {
  return encodeTssLibWire(
    create(KGRound2Message1Schema, {
      share: bigintToBytes(m.share),
      facProof: facProofToBytes(m.fac),
    }),
  );
}

/** Parses `KGRound2Message1` strictly; the share must be in [0, q). */
export function decodeRound2Share(payload: Uint8Array): Round2ShareMessage {
  const m = decodeTssLibWire(payload, 'binance.tsslib.ecdsa.keygen.KGRound2Message1');
  const share = int(m.share, SCALAR_BYTES, 'share');
  verifyThat(share < CURVE_ORDER, 'OUT_OF_RANGE', '"share" must be in [0, q)');
  return { share, fac: facProofFromBytes(m.facProof) };
}

/**
 * Validates Π^fac of the sender (`ctx.index`, Paillier modulus `senderN`) under our OWN
 * ring-Pedersen parameters (SECURITY.md item 3; CRT-accelerated with our secret). The share is
 * checked against the Feldman commitments once they are known (round 2 finalize).
 */
export function verifyRound2Share(
  ctx: ProofContext,
  senderN: bigint,
  own: RingPedersenKeyPair | RingPedersenPublic,
  m: Round2ShareMessage,
): void {
  verifyFac(ctx, senderN, own, m.fac);
}

// ---------------------------------------------------------------------------------------------
// Round 2: KGRound2Message2 (broadcast)

/** Round 2 broadcast content: opening of the round-1 commitment and Π^mod. */
export interface Round2DecommitMessage {
  /** [r, V_0.x, V_0.y, …, V_t.x, V_t.y]. */
  readonly decommitment: readonly bigint[];
  /** Π^mod for the sender's N. */
  readonly mod: ModProof;
  /** SHA-256 of the payload (set by the parser; keys the verification memo). */
  readonly digest?: Uint8Array;
}

/** Encodes tss-lib `KGRound2Message2` wire bytes. */
export function encodeRound2Decommit(m: Round2DecommitMessage): Uint8Array {
  return encodeTssLibWire(
    create(KGRound2Message2Schema, {
      deCommitment: m.decommitment.map((x) => bigintToBytes(x)),
      modProof: modProofToBytes(m.mod),
    }),
  );
}

/**
 * Parses `KGRound2Message2` strictly. `t` is the polynomial degree: the decommitment must have
 * exactly 2(t + 1) + 1 items (r and t + 1 points).
 */
export function decodeRound2Decommit(payload: Uint8Array, t: number): Round2DecommitMessage {
  const m = decodeTssLibWire(payload, 'binance.tsslib.ecdsa.keygen.KGRound2Message2');
  const want = 2 * (t + 1) + 1;
  verifyThat(
    m.deCommitment.length === want,
    'MALFORMED',
    `decommitment must have exactly ${want} items (t + 1 points), got ${m.deCommitment.length}`,
  );
  return {
    decommitment: m.deCommitment.map((b, i) => int(b, SCALAR_BYTES, `deCommitment[${i}]`)),
    mod: modProofFromBytes(m.modProof),
    digest: digestOf(payload),
  };
}

/**
 * Opens the decommitment against the sender's round-1 commitment and returns its exactly t + 1
 * Feldman commitments (each on the curve, not the identity). Cheap: hashing and point decoding.
 */
export function openRound2Decommit(
  cctx: CommitmentContext,
  commitment: bigint,
  t: number,
  m: Round2DecommitMessage,
): Point[] {
  return openPointCommitment(cctx, commitment, m.decommitment, t + 1, 'VSS commitment');
}

/**
 * Validates the round-2 broadcast of the sender at `ctx.index`: the decommitment opens its
 * round-1 `commitment` to exactly t + 1 valid points, and Π^mod verifies for its round-1
 * Paillier modulus `senderN` (SECURITY.md items 1, 2, 9).
 */
export function verifyRound2Decommit(
  ctx: ProofContext,
  cctx: CommitmentContext,
  commitment: bigint,
  senderN: bigint,
  t: number,
  m: Round2DecommitMessage,
): void {
  openRound2Decommit(cctx, commitment, t, m);
  const run = () => verifyMod(ctx, senderN, m.mod);
  if (m.digest === undefined) {
    run();
    return;
  }
  verifyOnce(
    'r2/mod',
    [
      ['profile', ctx.profile],
      ['ssid', ctx.ssid],
      ['prover', ctx.prover],
      ['N', senderN],
      ['payload', m.digest],
    ],
    run,
  );
}

// ---------------------------------------------------------------------------------------------
// Round 3: KGRound3Message (broadcast)

/** Round 3 content: the 13 values of the Paillier-key proof. */
export interface Round3Message {
  /** yᵢ = xᵢ^{N⁻¹ mod φ(N)} mod N. */
  readonly proof: readonly bigint[];
  /** SHA-256 of the payload (set by the parser; keys the verification memo). */
  readonly digest?: Uint8Array;
}

/** Encodes tss-lib `KGRound3Message` wire bytes. */
export function encodeRound3(m: Round3Message): Uint8Array {
  return encodeTssLibWire(
    create(KGRound3MessageSchema, { paillierProof: m.proof.map((x) => bigintToBytes(x)) }),
  );
}

/** Parses `KGRound3Message` strictly (exactly 13 minimal integers of at most 256 bytes). */
export function decodeRound3(payload: Uint8Array): Round3Message {
  const m = decodeTssLibWire(payload, 'binance.tsslib.ecdsa.keygen.KGRound3Message');
  verifyThat(
    m.paillierProof.length === PAILLIER_PROOF_ITERATIONS,
    'MALFORMED',
    `paillierProof must have exactly ${PAILLIER_PROOF_ITERATIONS} items`,
  );
  return {
    proof: m.paillierProof.map((b, i) => int(b, MOD_N_BYTES, `paillierProof[${i}]`)),
    digest: digestOf(payload),
  };
}

/** Validates the Paillier-key proof of the sender for its N and the group public key. */
export function verifyRound3(
  ctx: PaillierProofContext,
  senderN: bigint,
  pub: Point,
  m: Round3Message,
): void {
  const run = () => verifyPaillierKey(ctx, senderN, pub, m.proof);
  if (m.digest === undefined) {
    run();
    return;
  }
  verifyOnce(
    'r3/paillier',
    [
      ['profile', ctx.profile],
      ['ssid', ctx.ssid],
      ['prover', ctx.prover],
      ['key', ctx.key],
      ['N', senderN],
      ['pub', pub.toBytes(true)],
      ['payload', m.digest],
    ],
    run,
  );
}

// ---------------------------------------------------------------------------------------------
// Round 3, native only: KGRound3Schnorr (broadcast)

/** Encodes the native Schnorr message: α (33 bytes compressed) ‖ t (32 bytes big-endian). */
export function encodeSchnorr(p: SchnorrProof): Uint8Array {
  verifyThat(p.alpha.length === 33, 'MALFORMED', 'Schnorr α must be compressed');
  const out = new Uint8Array(SCHNORR_MESSAGE_BYTES);
  out.set(p.alpha, 0);
  out.set(bigintToBytes(p.t, 32), 33);
  return out;
}

/** Parses the native Schnorr message: exactly 65 bytes; t ∈ [0, q). α is decoded by the validator. */
export function decodeSchnorr(payload: Uint8Array): SchnorrProof {
  if (!(payload instanceof Uint8Array) || payload.length !== SCHNORR_MESSAGE_BYTES) {
    throw new VerifyError(
      payload instanceof Uint8Array && payload.length > SCHNORR_MESSAGE_BYTES
        ? 'OVERSIZED'
        : 'MALFORMED',
      `Schnorr message must be exactly ${SCHNORR_MESSAGE_BYTES} bytes`,
    );
  }
  const t = bytesToBigint(payload.subarray(33));
  verifyThat(t < CURVE_ORDER, 'OUT_OF_RANGE', 'Schnorr "t" must be in [0, q)');
  return { alpha: payload.slice(0, 33), t };
}

/** Validates the Schnorr proof of knowledge of u_j with V_0 = u_j·G (SECURITY.md item 9). */
export function verifySchnorrMessage(ctx: SchnorrContext, v0: Point, p: SchnorrProof): void {
  verifySchnorr(ctx, v0, p);
}
