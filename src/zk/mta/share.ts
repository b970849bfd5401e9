/**
 * The MtA and MtAwc share-conversion protocols (GG18 §3; tss-lib `crypto/mta/share_protocol.go`):
 * Alice holds a, Bob holds b; they end with α + β ≡ a·b (mod q).
 *
 *   1. Alice: c_A = Enc_A(a; r) and a range proof under *Bob's* (Ñ, h1, h2)  → Bob.
 *   2. Bob: verify it; β′ ←$ [0, q⁵); c_B = c_A^b · Enc_A(β′); β = −β′ mod q; Bob's proof under
 *      *Alice's* (Ñ, h1, h2) (with check: also X = b·G)                     → Alice.
 *   3. Alice: verify Bob's proof; α = Dec_A(c_B) mod q.
 *
 * Why no variant without proofs: skipping either proof lets a malicious party push its
 * plaintext past the bounds and extract the other's secret (Alpha-Rays; SECURITY.md item 7).
 * Every step validates what it receives before using it (item 8), and Alice's decryption
 * validates c_B first.
 * @module
 */
import { requireThat } from '../../errors.js';
import { mulG, type Point } from '../../math/curve.js';
import { randomBelow } from '../../math/random.js';
import {
  add,
  decrypt,
  encrypt,
  mulScalar,
  type PaillierPrivateKey,
  type PaillierPublicKey,
} from '../../paillier/paillier.js';
import type { Profile } from '../../profile.js';
import {
  type ProofBob,
  type ProofBobWC,
  proveBob,
  proveBobWC,
  verifyBob,
  verifyBobWC,
} from './bob.js';
import { checkContext, type MtaProofContext, Q, Q5, type RingPedersenParams } from './common.js';
import { proveRangeAlice, type RangeProofAlice, verifyRangeAlice } from './range-alice.js';

/** One MtA instance between Alice (holds a and the Paillier key) and Bob (holds b). */
export interface MtaContext {
  /** Hashing profile of all three proofs. */
  readonly profile: Profile;
  /** Session id (tss-lib: the signing ssid). */
  readonly ssid: Uint8Array;
  /** Alice's party index: the prover of the range proof. */
  readonly alice: number;
  /** Bob's party index: the prover of Bob's proof. */
  readonly bob: number;
}

/** Alice's first message: her ciphertext and range proof. */
export interface MtaAliceMessage {
  /** c_A = Enc_A(a). Alice keeps it for {@link mtaAliceEnd}. */
  readonly c: bigint;
  /** Range proof for c_A under Bob's ring-Pedersen parameters. */
  readonly proof: RangeProofAlice;
}

/** Bob's output of MtA: his share and his message to Alice. */
export interface MtaBobResult {
  /** β = −β′ mod q: Bob's additive share. Secret. */
  readonly beta: bigint;
  /** c_B = c_A^b · Enc_A(β′), sent to Alice. */
  readonly cB: bigint;
  /** Bob's proof, sent to Alice. */
  readonly proof: ProofBob;
}

/** Bob's output of MtAwc: as {@link MtaBobResult}, with the proof with check and X = b·G. */
export interface MtaBobWCResult {
  /** β = −β′ mod q: Bob's additive share. Secret. */
  readonly beta: bigint;
  /** c_B = c_A^b · Enc_A(β′), sent to Alice. */
  readonly cB: bigint;
  /** Bob's proof with check, sent to Alice. */
  readonly proof: ProofBobWC;
  /** X = b·G, the point the proof is checked against (Alice must know it independently). */
  readonly X: Point;
}

function proofContext(ctx: MtaContext, prover: 'alice' | 'bob'): MtaProofContext {
  requireThat(typeof ctx === 'object' && ctx !== null, 'MtA context is required');
  requireThat(
    Number.isSafeInteger(ctx.alice) && Number.isSafeInteger(ctx.bob) && ctx.alice !== ctx.bob,
    'MtA context needs two distinct party indices',
  );
  const pc: MtaProofContext = {
    profile: ctx.profile,
    ssid: ctx.ssid,
    prover: prover === 'alice' ? ctx.alice : ctx.bob,
  };
  checkContext(pc);
  return pc;
}

/**
 * Alice, step 1: encrypts a ∈ [0, q) under her own key and proves its range under Bob's
 * parameters (which are untrusted: checked, VerifyError).
 *
 * @example
 * ```ts
 * const msg = mtaAliceInit(ctx, { pkA: skA.publicKey, a: k, bobParams });
 * ```
 */
export function mtaAliceInit(
  ctx: MtaContext,
  args: {
    /** Alice's Paillier public key. */
    readonly pkA: PaillierPublicKey;
    /** Alice's secret a ∈ [0, q). */
    readonly a: bigint;
    /** Bob's ring-Pedersen parameters (the range proof's verifier). */
    readonly bobParams: RingPedersenParams;
  },
): MtaAliceMessage {
  const pc = proofContext(ctx, 'alice');
  const { pkA, a, bobParams } = args;
  requireThat(typeof a === 'bigint' && a >= 0n && a < Q, '"a" must be in [0, q)');
  const { c, r } = encrypt(pkA, a);
  const proof = proveRangeAlice(pc, pkA, bobParams, c, a, r);
  return { c, proof };
}

/** Bob's inputs to step 2 of MtA / MtAwc. */
export interface MtaBobArgs {
  /** Alice's Paillier public key. */
  readonly pkA: PaillierPublicKey;
  /** Alice's ring-Pedersen parameters (Bob's proof is made under them). */
  readonly aliceParams: RingPedersenParams;
  /** Bob's own ring-Pedersen parameters (Alice's range proof was made under them). */
  readonly bobParams: RingPedersenParams;
  /** Alice's message (untrusted). */
  readonly msg: MtaAliceMessage;
  /** Bob's secret b ∈ [0, q) (MtAwc: [1, q)). */
  readonly b: bigint;
}

/** Checks the arguments and Alice's range proof; returns Bob's proof context. */
function bobVerifyAlice(ctx: MtaContext, args: Omit<MtaBobArgs, 'b'>): MtaProofContext {
  const pcAlice = proofContext(ctx, 'alice');
  const pc = proofContext(ctx, 'bob');
  const { pkA, bobParams, msg } = args;
  requireThat(typeof msg === 'object' && msg !== null, 'Alice message is required');
  verifyRangeAlice(pcAlice, msg.proof, pkA, bobParams, msg.c);
  return pc;
}

/** c_B = c_A^b · Enc(β′) for a fresh β′ ←$ [0, q⁵) (Alice's range proof already verified). */
function bobCompute(
  pkA: PaillierPublicKey,
  cA: bigint,
  b: bigint,
  minB: bigint,
): { cB: bigint; betaPrm: bigint; r: bigint } {
  requireThat(typeof b === 'bigint' && b >= minB && b < Q, `"b" must be in [${minB}, q)`);
  const betaPrm = randomBelow(Q5);
  const { c: cBeta, r } = encrypt(pkA, betaPrm);
  const cB = add(pkA, mulScalar(pkA, cA, b), cBeta);
  return { cB, betaPrm, r };
}

function bobMta(pc: MtaProofContext, args: MtaBobArgs): MtaBobResult {
  const { cB, betaPrm, r } = bobCompute(args.pkA, args.msg.c, args.b, 0n);
  const proof = proveBob(pc, args.pkA, args.aliceParams, args.msg.c, cB, args.b, betaPrm, r);
  return { beta: (Q - (betaPrm % Q)) % Q, cB, proof };
}

function bobMtaWC(pc: MtaProofContext, args: MtaBobArgs): MtaBobWCResult {
  const { cB, betaPrm, r } = bobCompute(args.pkA, args.msg.c, args.b, 1n);
  const proof = proveBobWC(pc, args.pkA, args.aliceParams, args.msg.c, cB, args.b, betaPrm, r);
  return { beta: (Q - (betaPrm % Q)) % Q, cB, proof, X: mulG(args.b) };
}

/**
 * Bob, step 2 of MtA: verifies Alice's range proof (VerifyError on failure), samples
 * β′ ∈ [0, q⁵), computes c_B = c_A^b·Enc(β′) and proves it under Alice's parameters.
 *
 * @example
 * ```ts
 * const { beta, cB, proof } = mtaBobMid(ctx, { pkA, aliceParams, bobParams, msg, b: gamma });
 * ```
 */
export function mtaBobMid(ctx: MtaContext, args: MtaBobArgs): MtaBobResult {
  requireThat(typeof args.b === 'bigint' && args.b >= 0n && args.b < Q, '"b" must be in [0, q)');
  return bobMta(bobVerifyAlice(ctx, args), args);
}

/**
 * Bob, step 2 of MtAwc: as {@link mtaBobMid}, with b ∈ [1, q) and the proof with check for
 * X = b·G (returned, so the caller can compare it with the point Alice will use).
 */
export function mtaBobMidWC(ctx: MtaContext, args: MtaBobArgs): MtaBobWCResult {
  requireThat(typeof args.b === 'bigint' && args.b >= 1n && args.b < Q, '"b" must be in [1, q)');
  return bobMtaWC(bobVerifyAlice(ctx, args), args);
}

/**
 * Bob's step 2 for GG18 signing, where one c_A from Alice feeds both an MtA (on γ_j) and an
 * MtAwc (on w_j): verifies Alice's range proof once, then runs {@link mtaBobMid} with `b` and
 * {@link mtaBobMidWC} with `bWC`, each with its own fresh β′.
 */
export function mtaBobMidPair(
  ctx: MtaContext,
  args: Omit<MtaBobArgs, 'b'> & {
    /** Multiplier of the MtA (GG18: γ_j), in [0, q). */
    readonly b: bigint;
    /** Multiplier of the MtAwc (GG18: w_j), in [1, q). */
    readonly bWC: bigint;
  },
): { readonly mta: MtaBobResult; readonly mtaWC: MtaBobWCResult } {
  requireThat(typeof args.b === 'bigint' && args.b >= 0n && args.b < Q, '"b" must be in [0, q)');
  requireThat(
    typeof args.bWC === 'bigint' && args.bWC >= 1n && args.bWC < Q,
    '"bWC" must be in [1, q)',
  );
  const pc = bobVerifyAlice(ctx, args);
  return { mta: bobMta(pc, args), mtaWC: bobMtaWC(pc, { ...args, b: args.bWC }) };
}

/** Alice's inputs to step 3 of MtA / MtAwc (the proof and, for MtAwc, X come separately). */
export interface MtaAliceEndArgs {
  /** Alice's Paillier private key. */
  readonly skA: PaillierPrivateKey;
  /** Alice's own ring-Pedersen parameters (Bob's proof was made under them). */
  readonly aliceParams: RingPedersenParams;
  /** The c_A Alice sent in step 1. */
  readonly cA: bigint;
  /** Bob's c_B (untrusted). */
  readonly cB: bigint;
}

/**
 * Alice, step 3 of MtA: verifies Bob's proof (VerifyError on failure), then decrypts c_B and
 * returns α = Dec(c_B) mod q.
 */
export function mtaAliceEnd(
  ctx: MtaContext,
  args: MtaAliceEndArgs & { readonly proof: ProofBob },
): bigint {
  const pc = proofContext(ctx, 'bob');
  const { skA, aliceParams, cA, cB, proof } = args;
  verifyBob(pc, proof, skA.publicKey, aliceParams, cA, cB);
  return decrypt(skA, cB, 'cB') % Q;
}

/**
 * Alice, step 3 of MtAwc: as {@link mtaAliceEnd}, checking Bob's proof with check against the
 * public point X = b·G that Alice knows independently (in GG18 signing: W_j = λ_j·X_j).
 */
export function mtaAliceEndWC(
  ctx: MtaContext,
  args: MtaAliceEndArgs & { readonly proof: ProofBobWC; readonly X: Point },
): bigint {
  const pc = proofContext(ctx, 'bob');
  const { skA, aliceParams, cA, cB, proof, X } = args;
  verifyBobWC(pc, proof, skA.publicKey, aliceParams, cA, cB, X);
  return decrypt(skA, cB, 'cB') % Q;
}
