/**
 * GG20 presigning messages. Four are GG18's, reused as is (tss-lib layouts, native hashing):
 * the round-1 ciphertext with its range proof (`SignRound1Message1`), the commitment to Γ_i
 * (`SignRound1Message2`), Bob's MtA/MtAwc replies (`SignRound2Message`) and the Γ_i opening
 * with its Schnorr proof (`SignRound4Message`); their
 * constructors, decoders and validators live in `sign-gg18/messages.ts`. The GG20-only messages
 * are defined here, each with one constructor (`newXxx`), one strict decoder (`decodeXxx`, capped,
 * see codec.ts) and, where it carries a proof, one validator (`verifyXxx`).
 *
 * | type            | round | kind | content                                                  |
 * | --------------- | ----- | ---- | -------------------------------------------------------- |
 * | `gg20/r1-c`     | 1     | bc   | digest of c_i                                            |
 * | `gg20/r3`       | 3     | bc   | δ_i, T_i + proof of its opening, MtA digests (as Bob)    |
 * | `gg20/r5`       | 5     | bc   | R̄_i                                                     |
 * | `gg20/r5-pdl`   | 5     | p2p  | R̄_i + PDL-with-slack proof under the recipient's Ñ      |
 * | `gg20/r6`       | 6     | bc   | S_i + ST proof                                           |
 * | `gg20/r7`       | 7     | bc   | blame only: reveal of k_i and one MtA plaintext per Bob  |
 * @module
 */
import { VerifyError } from '../../../errors.js';
import { bytesEqual } from '../../../math/bigint.js';
import { type Point, pointFromBytes } from '../../../math/curve.js';
import {
  type PdlContext,
  type PdlProof,
  pdlProofFromBytes,
  pdlProofToBytes,
  verifyPdl,
} from '../../../zk/pdl.js';
import type { SchnorrVProof } from '../../../zk/schnorr.js';
import {
  ST_PROOF_BYTES,
  type StContext,
  type StProof,
  stProofFromBytes,
  stProofToBytes,
  verifySt,
  verifyTOpening,
} from '../../../zk/st.js';
import { MSG as GG18_MSG, type SignContext, signerAt } from '../sign-gg18/messages.js';
import { Reader, Writer } from './codec.js';
import type { BlameMode } from './state.js';

/** Envelope message types. */
export const MSG = {
  r1p2p: GG18_MSG.r1p2p,
  r1bc: GG18_MSG.r1bc,
  r1c: 'gg20/r1-c',
  r2: GG18_MSG.r2,
  r3: 'gg20/r3',
  r4: GG18_MSG.r4,
  r5: 'gg20/r5',
  r5pdl: 'gg20/r5-pdl',
  r6: 'gg20/r6',
  r7: 'gg20/r7',
} as const;

/** Labels binding each proof to its purpose. */
export const LABEL = {
  T: 'mpc-tss/ecdsa/presign-gg20/T',
  Rbar: 'mpc-tss/ecdsa/presign-gg20/Rbar',
  S: 'mpc-tss/ecdsa/presign-gg20/S',
} as const;

/** Context of a GG20 proof (PDL, ST, T opening) made by signer `prover`. */
export function proofContext(
  ctx: SignContext,
  prover: number,
  label: string,
): StContext & PdlContext {
  return { ssid: ctx.ssid, prover, label };
}

const DIGEST = 32;
/** Byte cap of integers modulo N (Paillier nonces, plaintexts). */
const CAP_N = 256;
/** Byte cap of ciphertexts (mod N²). */
const CAP_N2 = 512;

// ---------------------------------------------------------------------------------------------
// Round 1 (broadcast): digest of c_i.

/** `gg20/r1-c`. */
export interface PresignR1 {
  readonly cDigest: Uint8Array;
}

/** Encodes {@link PresignR1}. */
export function newPresignR1(m: PresignR1): Uint8Array {
  return new Writer().fixed(m.cDigest, DIGEST).finish();
}

/** Decodes {@link PresignR1}: exactly 32 bytes. */
export function decodePresignR1(payload: Uint8Array): PresignR1 {
  const r = new Reader(payload, 'gg20/r1-c');
  const out = { cDigest: r.fixed(DIGEST, 'cDigest') };
  r.end();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Round 3 (broadcast): δ_i, T_i with the proof of its opening, and Bob's MtA digests.

/** `gg20/r3`. */
export interface PresignR3 {
  /** δ_i ∈ [1, q). */
  readonly delta: bigint;
  /** T_i = σ_i·G + l_i·H. */
  readonly T: Uint8Array;
  /** Proof of knowledge of (σ_i, l_i). */
  readonly proof: SchnorrVProof;
  /** One digest per Alice, in signer order without the sender. */
  readonly digests: readonly Uint8Array[];
}

/** Encodes {@link PresignR3}. */
export function newPresignR3(m: PresignR3): Uint8Array {
  const w = new Writer().scalar(m.delta).point(m.T).fixed(m.proof.alpha, 33).scalar(m.proof.t);
  w.scalar(m.proof.u).count(m.digests.length);
  for (const d of m.digests) w.fixed(d, DIGEST);
  return w.finish();
}

/** Decodes {@link PresignR3} with exactly `peers` digests. */
export function decodePresignR3(payload: Uint8Array, peers: number): PresignR3 {
  const r = new Reader(payload, 'gg20/r3');
  const delta = r.scalar('delta', 1n);
  const T = r.pointBytes('T');
  const proof = {
    alpha: r.fixed(33, 'proof.alpha'),
    t: r.scalar('proof.t'),
    u: r.scalar('proof.u'),
  };
  r.count(peers, 'digests');
  const digests = Array.from({ length: peers }, (_, i) => r.fixed(DIGEST, `digests[${i}]`));
  r.end();
  return { delta, T, proof, digests };
}

/**
 * Checks `from`'s round-3 message: the proof of T_j's opening, and that the digest it
 * broadcast for us matches the MtA ciphertexts it sent us in round 2 (`received`).
 */
export function verifyPresignR3(
  ctx: SignContext,
  from: number,
  me: number,
  msg: PresignR3,
  received: readonly [bigint, bigint],
  digestOf: (bob: number, alice: number, c1: bigint, c2: bigint) => Uint8Array,
): void {
  verifyTOpening(proofContext(ctx, from, LABEL.T), msg.T, msg.proof);
  const mine = msg.digests[me < from ? me : me - 1];
  if (mine === undefined || !bytesEqual(mine, digestOf(from, me, received[0], received[1]))) {
    throw new VerifyError(
      'CONSISTENCY_CHECK_FAILED',
      'MtA digest does not match the ciphertexts this Bob sent us',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Round 5: R̄_i (broadcast) and its PDL proof per verifier (p2p).

/** Encodes `gg20/r5`: R̄_i. */
export function newPresignR5(Rbar: Point): Uint8Array {
  return new Writer().point(Rbar).finish();
}

/** Decodes `gg20/r5`: exactly one compressed point. */
export function decodePresignR5(payload: Uint8Array): { Rbar: Uint8Array } {
  const r = new Reader(payload, 'gg20/r5');
  const Rbar = r.pointBytes('Rbar');
  r.end();
  return { Rbar };
}

/** `gg20/r5-pdl`. */
export interface PresignR5Pdl {
  readonly Rbar: Uint8Array;
  readonly proof: PdlProof;
}

/** Encodes {@link PresignR5Pdl}. */
export function newPresignR5Pdl(Rbar: Point, proof: PdlProof): Uint8Array {
  const w = new Writer().point(Rbar);
  const parts = pdlProofToBytes(proof);
  w.count(parts.length);
  for (const p of parts) w.bytes(p);
  return w.finish();
}

/** Decodes {@link PresignR5Pdl} (seven capped parts). */
export function decodePresignR5Pdl(payload: Uint8Array): PresignR5Pdl {
  const r = new Reader(payload, 'gg20/r5-pdl');
  const Rbar = r.pointBytes('Rbar');
  r.count(7, 'proof');
  const parts = Array.from({ length: 7 }, (_, i) => r.bytes(CAP_N2, `proof[${i}]`));
  r.end();
  return { Rbar, proof: pdlProofFromBytes(parts) };
}

/**
 * Checks `from`'s PDL proof that R̄_j = k_j·R for the k_j inside the c_j it sent us, under our
 * own ring-Pedersen parameters.
 */
export function verifyPresignR5Pdl(
  ctx: SignContext,
  from: number,
  me: number,
  cFrom: bigint,
  R: Point,
  msg: PresignR5Pdl,
): void {
  const Rbar = pointFromBytes(msg.Rbar, 'Rbar');
  verifyPdl(
    proofContext(ctx, from, LABEL.Rbar),
    msg.proof,
    signerAt(ctx, from).paillier,
    signerAt(ctx, me).ringPedersen,
    cFrom,
    R,
    Rbar,
  );
}

// ---------------------------------------------------------------------------------------------
// Round 6 (broadcast): S_i and the ST proof.

/** `gg20/r6`. */
export interface PresignR6 {
  readonly S: Uint8Array;
  readonly proof: StProof;
}

/** Encodes {@link PresignR6}. */
export function newPresignR6(S: Point, proof: StProof): Uint8Array {
  return new Writer().point(S).fixed(stProofToBytes(proof), ST_PROOF_BYTES).finish();
}

/** Decodes {@link PresignR6}: 33 + 130 bytes. */
export function decodePresignR6(payload: Uint8Array): PresignR6 {
  const r = new Reader(payload, 'gg20/r6');
  const S = r.pointBytes('S');
  const proof = stProofFromBytes(r.fixed(ST_PROOF_BYTES, 'proof'));
  r.end();
  return { S, proof };
}

/** Checks that S_j and `from`'s round-3 T_j hide the same σ_j (S_j = σ_j·R). */
export function verifyPresignR6(
  ctx: SignContext,
  from: number,
  T: Uint8Array,
  R: Point,
  msg: PresignR6,
): void {
  verifySt(proofContext(ctx, from, LABEL.S), T, msg.S, R, msg.proof);
}

// ---------------------------------------------------------------------------------------------
// Round 7 (broadcast, blame only): the reveal.

/** One Bob's part of a reveal: the ciphertexts he sent, and one plaintext with its nonce. */
export interface RevealEntry {
  readonly c1: bigint;
  readonly c2: bigint;
  /** Dec(c1) (mode `delta`) or Dec(c2) (mode `sigma`), as an integer in [0, N). */
  readonly m: bigint;
  /** The Paillier nonce with Enc(m; nonce) = that ciphertext. */
  readonly nonce: bigint;
}

/** `gg20/r7`. */
export interface PresignReveal {
  readonly mode: BlameMode;
  readonly k: bigint;
  readonly rho: bigint;
  /** One entry per Bob, in signer order without the sender. */
  readonly entries: readonly RevealEntry[];
}

const MODES: readonly BlameMode[] = ['delta', 'sigma'];

/** Encodes {@link PresignReveal}. */
export function newPresignReveal(m: PresignReveal): Uint8Array {
  const w = new Writer().fixed(new Uint8Array([MODES.indexOf(m.mode) + 1]), 1);
  w.scalar(m.k).int(m.rho).count(m.entries.length);
  for (const e of m.entries) w.int(e.c1).int(e.c2).int(e.m).int(e.nonce);
  return w.finish();
}

/** Decodes {@link PresignReveal} with exactly `peers` entries. */
export function decodePresignReveal(payload: Uint8Array, peers: number): PresignReveal {
  const r = new Reader(payload, 'gg20/r7');
  const tag = r.fixed(1, 'mode')[0] as number;
  const mode = MODES[tag - 1];
  if (mode === undefined) throw new VerifyError('MALFORMED', '"gg20/r7.mode" is unknown');
  const k = r.scalar('k', 1n);
  const rho = r.int(CAP_N, 'rho');
  r.count(peers, 'entries');
  const entries = Array.from({ length: peers }, (_, i) => ({
    c1: r.int(CAP_N2, `entries[${i}].c1`),
    c2: r.int(CAP_N2, `entries[${i}].c2`),
    m: r.int(CAP_N, `entries[${i}].m`),
    nonce: r.int(CAP_N, `entries[${i}].nonce`),
  }));
  r.end();
  return { mode, k, rho, entries };
}
