/**
 * GG18 signing messages: one constructor (`newXxx`), one strict decoder (`decodeXxx`) and, where
 * a message carries something checkable, one validator (`verifyXxx`) per message.
 *
 * Both profiles use tss-lib v2's message layouts (`binance.tsslib.ecdsa.signing.SignRoundN…`,
 * as `google.protobuf.Any` bytes): in the `tss-lib` profile the payloads are byte-identical to
 * what tss-lib sends, and in the `native` profile the same layouts carry proofs whose
 * challenges, commitments and sessions are bound to the native ssid. The only native-only
 * message is {@link newSignRound9Reveal} (the mask l_i, which makes each s_i checkable).
 *
 * The decoders cap every field before any arithmetic (SECURITY.md item 14) and return plain
 * values; the validators are pure, take every public input explicitly ({@link SignContext}), and
 * throw {@link VerifyError}. The rounds of the party and the offline transcript verifier
 * (`transcript.ts`) call exactly these functions, so an accepted transcript is one a party
 * would have accepted.
 * @module
 */
import { create } from '@bufbuild/protobuf';
import { VerifyError } from '../../../errors.js';
import {
  SignRound1Message1Schema,
  SignRound1Message2Schema,
  SignRound2MessageSchema,
  SignRound3MessageSchema,
  SignRound4MessageSchema,
  SignRound5MessageSchema,
  SignRound6MessageSchema,
  SignRound7MessageSchema,
  SignRound8MessageSchema,
  SignRound9MessageSchema,
} from '../../../gen/binance/tsslib/ecdsa/signing/signing_pb.js';
import {
  type CommitmentContext,
  openPointCommitment,
  unflattenPoints,
} from '../../../hash/commitment.js';
import {
  decodeTssLibWire,
  encodeTssLibWire,
  type TssLibTypeName,
} from '../../../interop/tss-lib/codec.js';
import { bigintToBytes, bytesToBigint, decodeBigInt } from '../../../math/bigint.js';
import {
  CURVE_ORDER,
  FIELD_PRIME,
  G,
  type Point,
  pointCoords,
  pointFromBytes,
} from '../../../math/curve.js';
import type { PaillierPublicKey } from '../../../paillier/paillier.js';
import type { Profile } from '../../../profile.js';
import {
  type MtaProofContext,
  type ProofBob,
  type ProofBobWC,
  proofBobFromBytes,
  proofBobToBytes,
  proofBobWCFromBytes,
  proofBobWCToBytes,
  type RangeProofAlice,
  type RingPedersenParams,
  rangeProofAliceFromBytes,
  rangeProofAliceToBytes,
  verifyBob,
  verifyBobWC,
  verifyRangeAlice,
} from '../../../zk/mta/index.js';
import {
  type SchnorrContext,
  type SchnorrProof,
  type SchnorrVProof,
  verifySchnorr,
  verifySchnorrV,
} from '../../../zk/schnorr.js';

// ---------------------------------------------------------------------------------------------
// Session context

/** One signer's public data, as every party sees it. */
export interface Signer {
  /** Party id (transport identity). */
  readonly id: string;
  /** Shamir index x_j, reduced mod q (tss-lib's party key `Ks[j]`). */
  readonly index: bigint;
  /** Paillier public key N_j. */
  readonly paillier: PaillierPublicKey;
  /** Ring-Pedersen parameters (Ñ_j, h1_j, h2_j). */
  readonly ringPedersen: RingPedersenParams;
  /** W_j = λ_j·(X_j + delta·G): the point behind j's MtAwc share. */
  readonly W: Point;
}

/**
 * The public facts a message is checked against. `signers` is sorted by Shamir index; a
 * signer's position in it is its proof index (tss-lib's `PartyID.Index` after sorting by key).
 */
export interface SignContext {
  /** Hashing profile. */
  readonly profile: Profile;
  /** Session id: tss-lib `getSSID` bytes, or the native ssid (32 bytes). */
  readonly ssid: Uint8Array;
  /** Signers sorted by index. */
  readonly signers: readonly Signer[];
  /** The (derived) public key y. */
  readonly publicKey: Point;
  /** The message hash as an integer m < q. */
  readonly m: bigint;
}

/** Envelope message types, one per tss-lib message (plus the native round-9 reveal). */
export const MSG = {
  r1p2p: 'SignRound1Message1',
  r1bc: 'SignRound1Message2',
  r2: 'SignRound2Message',
  r3: 'SignRound3Message',
  r4: 'SignRound4Message',
  r5: 'SignRound5Message',
  r6: 'SignRound6Message',
  r7: 'SignRound7Message',
  r8: 'SignRound8Message',
  r9: 'SignRound9Message',
  r9reveal: 'SignRound9Reveal',
} as const;

/** Native labels binding each commitment and Schnorr proof to its purpose (ignored by tss-lib). */
export const LABEL = {
  gamma: 'mpc-tss/ecdsa/sign-gg18/gamma',
  va: 'mpc-tss/ecdsa/sign-gg18/V-A',
  ut: 'mpc-tss/ecdsa/sign-gg18/U-T',
  a: 'mpc-tss/ecdsa/sign-gg18/A',
  v: 'mpc-tss/ecdsa/sign-gg18/V',
} as const;

/** Proof context of the MtA proofs made by signer `prover`. */
export function mtaContext(ctx: SignContext, prover: number): MtaProofContext {
  return { profile: ctx.profile, ssid: ctx.ssid, prover };
}

/** Context of a Schnorr proof made by signer `prover`. */
export function schnorrContext(ctx: SignContext, prover: number, label: string): SchnorrContext {
  return { profile: ctx.profile, ssid: ctx.ssid, prover, label };
}

/** Context of a hash commitment made by signer `sender`. */
export function commitContext(ctx: SignContext, sender: number, label: string): CommitmentContext {
  return { profile: ctx.profile, ssid: ctx.ssid, sender, label };
}

// ---------------------------------------------------------------------------------------------
// Field helpers

const SIGN = 'binance.tsslib.ecdsa.signing.';
const SCALAR_BYTES = 32;

function decodeAs<T extends TssLibTypeName>(payload: Uint8Array, typeName: T) {
  return decodeTssLibWire(payload, typeName);
}

function scalarField(b: Uint8Array, title: string): bigint {
  return decodeBigInt(b, SCALAR_BYTES, title);
}

/** An integer in [1, q) (tss-lib never sends 0: `big.Int.Bytes()` of 0 is empty). */
function nonZeroScalar(b: Uint8Array, title: string): bigint {
  const v = scalarField(b, title);
  if (v < 1n || v >= CURVE_ORDER)
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not in [1, q)`);
  return v;
}

/** A Schnorr proof's α from tss-lib's affine coordinates (validated when the proof is checked). */
function alphaFromCoords(xb: Uint8Array, yb: Uint8Array, title: string): Uint8Array {
  const x = scalarField(xb, `${title}.x`);
  const y = scalarField(yb, `${title}.y`);
  if (x >= FIELD_PRIME || y >= FIELD_PRIME) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" has a coordinate outside [0, p)`);
  }
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(bigintToBytes(x, 32), 1);
  out.set(bigintToBytes(y, 32), 33);
  return out;
}

function alphaToCoords(alpha: Uint8Array): [Uint8Array, Uint8Array] {
  const { x, y } = pointCoords(pointFromBytes(alpha, 'alpha'));
  return [bigintToBytes(x), bigintToBytes(y)];
}

function decommitmentOf(parts: readonly Uint8Array[], title: string): bigint[] {
  return parts.map((b, i) => scalarField(b, `${title}[${i}]`));
}

const enc = (xs: readonly bigint[]): Uint8Array[] => xs.map((x) => bigintToBytes(x));

/** The points inside an already-verified decommitment `[r, x1, y1, …]`. */
export function decommittedPoints(
  decommitment: readonly bigint[],
  count: number,
  title: string,
): Point[] {
  return unflattenPoints(decommitment.slice(1), count, title);
}

// ---------------------------------------------------------------------------------------------
// Round 1: Alice's MtA ciphertext with its range proof (p2p), and the commitment to Γ_i.

/** SignRound1Message1: c_i = Enc_i(k_i) and the range proof under the recipient's Ñ. */
export interface SignR1P2P {
  readonly c: bigint;
  readonly proof: RangeProofAlice;
}

/** Encodes {@link SignR1P2P}. */
export function newSignRound1Message1(c: bigint, proof: RangeProofAlice): Uint8Array {
  return encodeTssLibWire(
    create(SignRound1Message1Schema, {
      c: bigintToBytes(c),
      rangeProofAlice: rangeProofAliceToBytes(proof),
    }),
  );
}

/** Decodes {@link SignR1P2P} (ranges are checked by {@link verifySignRound1Message1}). */
export function decodeSignRound1Message1(payload: Uint8Array): SignR1P2P {
  const m = decodeAs(payload, `${SIGN}SignRound1Message1`);
  return {
    c: decodeBigInt(m.c, 512, 'SignRound1Message1.c'),
    proof: rangeProofAliceFromBytes(m.rangeProofAlice),
  };
}

/**
 * Alice (`from`) proves to Bob (`to`) that c encrypts k < q³ under her key, with Bob's Ñ.
 * Always run (SECURITY.md item 7).
 */
export function verifySignRound1Message1(
  ctx: SignContext,
  from: number,
  to: number,
  msg: SignR1P2P,
): void {
  const alice = signerAt(ctx, from);
  const bob = signerAt(ctx, to);
  verifyRangeAlice(mtaContext(ctx, from), msg.proof, alice.paillier, bob.ringPedersen, msg.c);
}

/** SignRound1Message2 (also rounds 5 and 7): a 256-bit hash commitment. */
export interface SignCommitment {
  readonly commitment: bigint;
}

function newCommitment(
  schema:
    | typeof SignRound1Message2Schema
    | typeof SignRound5MessageSchema
    | typeof SignRound7MessageSchema,
  commitment: bigint,
): Uint8Array {
  return encodeTssLibWire(create(schema, { commitment: bigintToBytes(commitment) }) as never);
}

/** Encodes the round-1 commitment to Γ_i. */
export function newSignRound1Message2(commitment: bigint): Uint8Array {
  return newCommitment(SignRound1Message2Schema, commitment);
}

/** Decodes the round-1 commitment (32 bytes at most). */
export function decodeSignRound1Message2(payload: Uint8Array): SignCommitment {
  const m = decodeAs(payload, `${SIGN}SignRound1Message2`);
  return { commitment: scalarField(m.commitment, 'SignRound1Message2.commitment') };
}

// ---------------------------------------------------------------------------------------------
// Round 2: Bob's MtA (γ) and MtAwc (w) replies (p2p).

/** SignRound2Message: Bob's two ciphertexts and proofs. */
export interface SignR2 {
  /** c_A^{γ_j}·Enc(β′) (MtA for δ). */
  readonly c1: bigint;
  /** c_A^{w_j}·Enc(ν′) (MtAwc for σ). */
  readonly c2: bigint;
  readonly proofBob: ProofBob;
  readonly proofBobWC: ProofBobWC;
}

/** Encodes {@link SignR2}. */
export function newSignRound2Message(msg: SignR2): Uint8Array {
  return encodeTssLibWire(
    create(SignRound2MessageSchema, {
      c1: bigintToBytes(msg.c1),
      c2: bigintToBytes(msg.c2),
      proofBob: proofBobToBytes(msg.proofBob),
      proofBobWc: proofBobWCToBytes(msg.proofBobWC),
    }),
  );
}

/** Decodes {@link SignR2}. */
export function decodeSignRound2Message(payload: Uint8Array): SignR2 {
  const m = decodeAs(payload, `${SIGN}SignRound2Message`);
  return {
    c1: decodeBigInt(m.c1, 512, 'SignRound2Message.c1'),
    c2: decodeBigInt(m.c2, 512, 'SignRound2Message.c2'),
    proofBob: proofBobFromBytes(m.proofBob),
    proofBobWC: proofBobWCFromBytes(m.proofBobWc),
  };
}

/**
 * Bob (`from`) proves to Alice (`to`) that c1 = cA^{γ}·Enc(β′) and c2 = cA^{w}·Enc(ν′) with
 * w·G = W_from, under Alice's key and Ñ. `cA` is the ciphertext Alice sent Bob in round 1.
 */
export function verifySignRound2Message(
  ctx: SignContext,
  from: number,
  to: number,
  cA: bigint,
  msg: SignR2,
): void {
  const bob = signerAt(ctx, from);
  const alice = signerAt(ctx, to);
  const pc = mtaContext(ctx, from);
  verifyBob(pc, msg.proofBob, alice.paillier, alice.ringPedersen, cA, msg.c1);
  verifyBobWC(pc, msg.proofBobWC, alice.paillier, alice.ringPedersen, cA, msg.c2, bob.W);
}

// ---------------------------------------------------------------------------------------------
// Round 3: δ_i (tss-lib calls it theta).

/** Encodes δ_i ∈ [1, q). */
export function newSignRound3Message(theta: bigint): Uint8Array {
  return encodeTssLibWire(create(SignRound3MessageSchema, { theta: bigintToBytes(theta) }));
}

/** Decodes δ_j and requires it in [1, q). */
export function decodeSignRound3Message(payload: Uint8Array): { theta: bigint } {
  const m = decodeAs(payload, `${SIGN}SignRound3Message`);
  return { theta: nonZeroScalar(m.theta, 'SignRound3Message.theta') };
}

// ---------------------------------------------------------------------------------------------
// Round 4: open Γ_i, with a Schnorr proof of γ_i.

/** SignRound4Message: decommitment [r, Γ.x, Γ.y] and the proof of knowledge of γ. */
export interface SignR4 {
  readonly decommitment: readonly bigint[];
  readonly proof: SchnorrProof;
}

/** Encodes {@link SignR4}. */
export function newSignRound4Message(
  decommitment: readonly bigint[],
  proof: SchnorrProof,
): Uint8Array {
  const [ax, ay] = alphaToCoords(proof.alpha);
  return encodeTssLibWire(
    create(SignRound4MessageSchema, {
      deCommitment: enc(decommitment),
      proofAlphaX: ax,
      proofAlphaY: ay,
      proofT: bigintToBytes(proof.t),
    }),
  );
}

/** Decodes {@link SignR4} (exactly three decommitment items). */
export function decodeSignRound4Message(payload: Uint8Array): SignR4 {
  const m = decodeAs(payload, `${SIGN}SignRound4Message`);
  return {
    decommitment: decommitmentOf(m.deCommitment, 'SignRound4Message.deCommitment'),
    proof: {
      alpha: alphaFromCoords(m.proofAlphaX, m.proofAlphaY, 'SignRound4Message.proofAlpha'),
      t: scalarField(m.proofT, 'SignRound4Message.proofT'),
    },
  };
}

/**
 * Checks that `from`'s decommitment opens its round-1 `commitment` to a valid point Γ_j and
 * that the Schnorr proof of γ_j verifies (SECURITY.md item 11).
 */
export function verifySignRound4Message(
  ctx: SignContext,
  from: number,
  commitment: bigint,
  msg: SignR4,
): void {
  const [gamma] = openPointCommitment(
    commitContext(ctx, from, LABEL.gamma),
    commitment,
    msg.decommitment,
    1,
    'Gamma',
  ) as [Point];
  verifySchnorr(schnorrContext(ctx, from, LABEL.gamma), gamma, msg.proof);
}

// ---------------------------------------------------------------------------------------------
// Round 5: commitment to (V_i, A_i).

/** Encodes the round-5 commitment to (V_i, A_i). */
export function newSignRound5Message(commitment: bigint): Uint8Array {
  return newCommitment(SignRound5MessageSchema, commitment);
}

/** Decodes the round-5 commitment. */
export function decodeSignRound5Message(payload: Uint8Array): SignCommitment {
  const m = decodeAs(payload, `${SIGN}SignRound5Message`);
  return { commitment: scalarField(m.commitment, 'SignRound5Message.commitment') };
}

// ---------------------------------------------------------------------------------------------
// Round 6: open (V_i, A_i), with proofs of ρ_i (A = ρ·G) and of (s_i, l_i) (V = s·R + l·G).

/** SignRound6Message. */
export interface SignR6 {
  /** [r, V.x, V.y, A.x, A.y]. */
  readonly decommitment: readonly bigint[];
  readonly proofA: SchnorrProof;
  readonly proofV: SchnorrVProof;
}

/** Encodes {@link SignR6}. */
export function newSignRound6Message(msg: SignR6): Uint8Array {
  const [ax, ay] = alphaToCoords(msg.proofA.alpha);
  const [vx, vy] = alphaToCoords(msg.proofV.alpha);
  return encodeTssLibWire(
    create(SignRound6MessageSchema, {
      deCommitment: enc(msg.decommitment),
      proofAlphaX: ax,
      proofAlphaY: ay,
      proofT: bigintToBytes(msg.proofA.t),
      vProofAlphaX: vx,
      vProofAlphaY: vy,
      vProofT: bigintToBytes(msg.proofV.t),
      vProofU: bigintToBytes(msg.proofV.u),
    }),
  );
}

/** Decodes {@link SignR6} (exactly five decommitment items). */
export function decodeSignRound6Message(payload: Uint8Array): SignR6 {
  const m = decodeAs(payload, `${SIGN}SignRound6Message`);
  return {
    decommitment: decommitmentOf(m.deCommitment, 'SignRound6Message.deCommitment'),
    proofA: {
      alpha: alphaFromCoords(m.proofAlphaX, m.proofAlphaY, 'SignRound6Message.proofAlpha'),
      t: scalarField(m.proofT, 'SignRound6Message.proofT'),
    },
    proofV: {
      alpha: alphaFromCoords(m.vProofAlphaX, m.vProofAlphaY, 'SignRound6Message.vProofAlpha'),
      t: scalarField(m.vProofT, 'SignRound6Message.vProofT'),
      u: scalarField(m.vProofU, 'SignRound6Message.vProofU'),
    },
  };
}

/**
 * Checks that `from`'s decommitment opens its round-5 `commitment` to points V_j, A_j, and that
 * both proofs verify: A_j = ρ_j·G and V_j = s_j·R + l_j·G for the session's R.
 */
export function verifySignRound6Message(
  ctx: SignContext,
  from: number,
  commitment: bigint,
  R: Point,
  msg: SignR6,
): void {
  const [V, A] = openPointCommitment(
    commitContext(ctx, from, LABEL.va),
    commitment,
    msg.decommitment,
    2,
    'V-A',
  ) as [Point, Point];
  verifySchnorr(schnorrContext(ctx, from, LABEL.a), A, msg.proofA);
  verifySchnorrV(schnorrContext(ctx, from, LABEL.v), V, R, msg.proofV);
}

// ---------------------------------------------------------------------------------------------
// Round 7: commitment to (U_i, T_i).

/** Encodes the round-7 commitment to (U_i, T_i). */
export function newSignRound7Message(commitment: bigint): Uint8Array {
  return newCommitment(SignRound7MessageSchema, commitment);
}

/** Decodes the round-7 commitment. */
export function decodeSignRound7Message(payload: Uint8Array): SignCommitment {
  const m = decodeAs(payload, `${SIGN}SignRound7Message`);
  return { commitment: scalarField(m.commitment, 'SignRound7Message.commitment') };
}

// ---------------------------------------------------------------------------------------------
// Round 8: open (U_i, T_i).

/** Encodes the decommitment [r, U.x, U.y, T.x, T.y]. */
export function newSignRound8Message(decommitment: readonly bigint[]): Uint8Array {
  return encodeTssLibWire(create(SignRound8MessageSchema, { deCommitment: enc(decommitment) }));
}

/** Decodes the round-8 decommitment (exactly five items). */
export function decodeSignRound8Message(payload: Uint8Array): { decommitment: readonly bigint[] } {
  const m = decodeAs(payload, `${SIGN}SignRound8Message`);
  return { decommitment: decommitmentOf(m.deCommitment, 'SignRound8Message.deCommitment') };
}

/**
 * Checks that `from`'s decommitment opens its round-7 `commitment` to two valid points U_j, T_j
 * (tss-lib skips the length check here and can panic; we never index an unchecked list).
 */
export function verifySignRound8Message(
  ctx: SignContext,
  from: number,
  commitment: bigint,
  msg: { decommitment: readonly bigint[] },
): void {
  openPointCommitment(commitContext(ctx, from, LABEL.ut), commitment, msg.decommitment, 2, 'U-T');
}

// ---------------------------------------------------------------------------------------------
// Round 9: s_i (and, native only, the mask l_i).

/** Encodes s_i ∈ [1, q). */
export function newSignRound9Message(s: bigint): Uint8Array {
  return encodeTssLibWire(create(SignRound9MessageSchema, { s: bigintToBytes(s) }));
}

/** Decodes s_j and requires it in [1, q). */
export function decodeSignRound9Message(payload: Uint8Array): { s: bigint } {
  const m = decodeAs(payload, `${SIGN}SignRound9Message`);
  return { s: nonZeroScalar(m.s, 'SignRound9Message.s') };
}

/**
 * Native only: the mask l_i as exactly 32 big-endian bytes. Revealing it after s_i is safe
 * (l_i·G = V_i − s_i·R is then public anyway, and l_i is used nowhere else) and lets every
 * party check each s_j on its own ({@link verifySignRound9Reveal}).
 */
export function newSignRound9Reveal(l: bigint): Uint8Array {
  return bigintToBytes(l, SCALAR_BYTES);
}

/** Decodes the native reveal: exactly 32 bytes, l ∈ [1, q). */
export function decodeSignRound9Reveal(payload: Uint8Array): { l: bigint } {
  if (!(payload instanceof Uint8Array) || payload.length !== SCALAR_BYTES) {
    throw new VerifyError('MALFORMED', `SignRound9Reveal must be exactly ${SCALAR_BYTES} bytes`);
  }
  const l = bytesToBigint(payload);
  if (l < 1n || l >= CURVE_ORDER)
    throw new VerifyError('OUT_OF_RANGE', '"SignRound9Reveal.l" is not in [1, q)');
  return { l };
}

/**
 * Checks one signature share against the point it was committed in: s_j·R + l_j·G = V_j.
 * Since V_j's ZK proof binds (s_j, l_j), a wrong s_j is caught here and blamed on its sender.
 */
export function verifySignRound9Reveal(R: Point, V: Point, s: bigint, l: bigint): void {
  const lhs = R.multiplyUnsafe(s).add(G.multiplyUnsafe(l));
  if (!lhs.equals(V)) {
    throw new VerifyError('SIGNATURE_INVALID', 'signature share does not match its commitment V_j');
  }
}

// ---------------------------------------------------------------------------------------------

/** The signer at proof index `pos`. */
export function signerAt(ctx: SignContext, pos: number): Signer {
  const s = ctx.signers[pos];
  if (s === undefined) throw new VerifyError('MALFORMED', `no signer at position ${pos}`);
  return s;
}
