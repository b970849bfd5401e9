/**
 * Alice's range proof (GG18 Fig. 9; tss-lib `RangeProofAlice`): for c = Enc_N(m; r) under
 * Alice's Paillier key, proves knowledge of m, r with m ∈ [−q³, q³], using the *verifier's*
 * ring-Pedersen parameters (Ñ, h1, h2).
 *
 * Why it matters: without it (or with its bounds unchecked) a malicious Alice can encrypt a
 * huge m and learn Bob's secret bit by bit from the MtA result (Alpha-Rays; SECURITY.md item 7).
 *
 * Prover: α ←$ [0, q³), β ←$ Z*_N, γ ←$ [0, q³Ñ), ρ ←$ [0, qÑ);
 *   z = h1^m·h2^ρ, u = Γ^α·β^N, w = h1^α·h2^γ; e = H(…); s = r^e·β, s1 = e·m + α, s2 = e·ρ + γ.
 * Verifier: u ≡ Γ^{s1}·s^N·c^{−e} (mod N²) and w ≡ h1^{s1}·h2^{s2}·z^{−e} (mod Ñ), checked as
 *   u·c^e ≡ Γ^{s1}·s^N and w·z^e ≡ h1^{s1}·h2^{s2} (c and z are units, so this is equivalent).
 *
 * Challenge: `tss-lib` hashes SHA512_256i(N, Γ, c, z, u, w) mod q with no session (as tss-lib
 * master does); `native` binds ssid, prover index, tag, N, Ñ, h1, h2, c, z, u, w.
 * @module
 */
import { LocalError, requireThat, VerifyError } from '../../errors.js';
import { tssRejectionSample, tssSha512_256i } from '../../hash/tss-lib.js';
import { gcd } from '../../math/bigint.js';
import { modPow } from '../../math/modexp.js';
import { randomBelow, randomUnit } from '../../math/random.js';
import {
  generatorPow,
  nSquare,
  type PaillierPublicKey,
  paillierGenerator,
  powModN2,
  validateCiphertext,
  validatePaillierPublicKey,
} from '../../paillier/paillier.js';
import {
  CAP_MOD_N,
  CAP_MOD_N2,
  CAP_S1,
  CAP_S2,
  checkBigintFields,
  checkContext,
  checkResidue,
  checkRingPedersen,
  decodeParts,
  encodeParts,
  type MtaProofContext,
  nativeTranscript,
  Q,
  Q3,
  type RingPedersenParams,
  s2Bound,
} from './common.js';

/** Native transcript tag of Alice's range proof. */
export const RANGE_ALICE_TAG = 'mpc-tss/zk/mta/range-alice/v1';

/** Alice's range proof (tss-lib field order Z, U, W, S, S1, S2). */
export interface RangeProofAlice {
  /** z = h1^m·h2^ρ mod Ñ. */
  readonly z: bigint;
  /** u = Γ^α·β^N mod N². */
  readonly u: bigint;
  /** w = h1^α·h2^γ mod Ñ. */
  readonly w: bigint;
  /** s = r^e·β mod N. */
  readonly s: bigint;
  /** s1 = e·m + α (≤ q³). */
  readonly s1: bigint;
  /** s2 = e·ρ + γ. */
  readonly s2: bigint;
}

const FIELDS = ['z', 'u', 'w', 's', 's1', 's2'] as const;

/**
 * The challenge e of Alice's range proof for the given statement and first messages.
 * Exposed for tests that play a cheating prover; not part of the package API.
 * @internal
 */
export function rangeAliceChallenge(
  ctx: MtaProofContext,
  pk: PaillierPublicKey,
  v: RingPedersenParams,
  c: bigint,
  z: bigint,
  u: bigint,
  w: bigint,
): bigint {
  if (ctx.profile === 'tss-lib') {
    return tssRejectionSample(Q, tssSha512_256i(pk.n, paillierGenerator(pk), c, z, u, w));
  }
  return nativeTranscript(RANGE_ALICE_TAG, ctx)
    .append('N', pk.n)
    .append('NTilde', v.nTilde)
    .append('h1', v.h1)
    .append('h2', v.h2)
    .append('c', c)
    .append('z', z)
    .append('u', u)
    .append('w', w)
    .challengeMod('e', Q);
}

/**
 * Proves that c = Enc_pk(m; r) with m ∈ [0, q), under the verifier's parameters.
 * Refuses (LocalError) an m outside [0, q): an honest Alice never needs more, and the verifier
 * would reject s1 > q³ anyway. Verifier parameters are untrusted and checked (VerifyError).
 *
 * @example
 * ```ts
 * const { c, r } = encrypt(skA.publicKey, k);
 * const pf = proveRangeAlice({ profile, ssid, prover: i }, skA.publicKey, bobParams, c, k, r);
 * ```
 */
export function proveRangeAlice(
  ctx: MtaProofContext,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c: bigint,
  m: bigint,
  r: bigint,
): RangeProofAlice {
  checkContext(ctx);
  validatePaillierPublicKey(pk, 'N');
  checkRingPedersen(verifier, 'verifier');
  requireThat(typeof m === 'bigint' && m >= 0n && m < Q, 'plaintext must be in [0, q)');
  requireThat(
    typeof r === 'bigint' && r > 0n && r < pk.n && gcd(r, pk.n) === 1n,
    'nonce must be in Z*_N',
  );
  validateCiphertext(pk, c, 'c');
  const { nTilde, h1, h2 } = verifier;
  const n2 = nSquare(pk);

  const alpha = randomBelow(Q3);
  const beta = randomUnit(pk.n);
  const gamma = randomBelow(Q3 * nTilde);
  const rho = randomBelow(Q * nTilde);

  // Secret exponents (m, ρ, α, γ) and the secret base β: native constant-time modPow.
  const z = (modPow(h1, m, nTilde) * modPow(h2, rho, nTilde)) % nTilde;
  const u = (generatorPow(pk, alpha) * powModN2(pk, beta, pk.n)) % n2;
  const w = (modPow(h1, alpha, nTilde) * modPow(h2, gamma, nTilde)) % nTilde;

  const e = rangeAliceChallenge(ctx, pk, verifier, c, z, u, w);
  const s = (modPow(r, e, pk.n) * beta) % pk.n;
  const s1 = e * m + alpha;
  const s2 = e * rho + gamma;
  return { z, u, w, s, s1, s2 };
}

/**
 * Verifies Alice's range proof for ciphertext `c` under Alice's key `pk` and the verifier's own
 * parameters `verifier`. Runs every check of SECURITY.md items 7–8 and tss-lib master:
 * c, u ∈ [1, N²) coprime to N; z, w ∈ [1, Ñ) coprime to Ñ; s ∈ [1, N) coprime to N;
 * s1 ∈ [q, q³]; s2 ∈ [q, (q³ + q²)Ñ); s ≠ 1, z ≠ 1, s1 ≠ s2; then both equations.
 * Throws {@link VerifyError} (`MALFORMED`, `OUT_OF_RANGE` or `PROOF_INVALID`).
 */
export function verifyRangeAlice(
  ctx: MtaProofContext,
  proof: RangeProofAlice,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c: bigint,
): void {
  checkContext(ctx);
  checkBigintFields(proof, FIELDS, 'RangeProofAlice');
  validatePaillierPublicKey(pk, 'N');
  checkRingPedersen(verifier, 'verifier');
  validateCiphertext(pk, c, 'c');
  const { nTilde, h1, h2 } = verifier;
  const n2 = nSquare(pk);
  const { z, u, w, s, s1, s2 } = proof;

  // Ranges first: they also cap every value before any hashing or modexp.
  checkResidue('RangeProofAlice.z', z, nTilde);
  checkResidue('RangeProofAlice.u', u, n2, pk.n);
  checkResidue('RangeProofAlice.w', w, nTilde);
  checkResidue('RangeProofAlice.s', s, pk.n);
  if (s1 < Q || s1 > Q3)
    throw new VerifyError('OUT_OF_RANGE', '"RangeProofAlice.s1" is out of range');
  if (s2 < Q || s2 >= s2Bound(nTilde)) {
    throw new VerifyError('OUT_OF_RANGE', '"RangeProofAlice.s2" is out of range');
  }
  if (s === 1n) throw new VerifyError('OUT_OF_RANGE', '"RangeProofAlice.s" is 1');
  if (z === 1n) throw new VerifyError('OUT_OF_RANGE', '"RangeProofAlice.z" is 1');
  if (s1 === s2) throw new VerifyError('OUT_OF_RANGE', '"RangeProofAlice.s1" equals s2');

  const e = rangeAliceChallenge(ctx, pk, verifier, c, z, u, w);

  const lhsN2 = (u * powModN2(pk, c, e)) % n2;
  const rhsN2 = (generatorPow(pk, s1) * powModN2(pk, s, pk.n)) % n2;
  if (lhsN2 !== rhsN2) {
    throw new VerifyError('PROOF_INVALID', 'RangeProofAlice: Paillier equation failed');
  }
  const lhsNt = (w * modPow(z, e, nTilde)) % nTilde;
  const rhsNt = (modPow(h1, s1, nTilde) * modPow(h2, s2, nTilde)) % nTilde;
  if (lhsNt !== rhsNt) {
    throw new VerifyError('PROOF_INVALID', 'RangeProofAlice: ring-Pedersen equation failed');
  }
}

/** tss-lib wire form: six minimal big-endian parts Z, U, W, S, S1, S2. */
export function rangeProofAliceToBytes(proof: RangeProofAlice): Uint8Array[] {
  checkBigintFields(proof, FIELDS, 'RangeProofAlice');
  if (FIELDS.some((f) => proof[f] < 0n)) {
    throw new LocalError('INVALID_ARGUMENT', 'proof fields must be non-negative');
  }
  return encodeParts(FIELDS.map((f) => proof[f]));
}

/**
 * Decodes the tss-lib wire form: exactly six non-empty, minimally encoded parts, each capped
 * (|Ñ|, |N²|, |Ñ|, |N|, |q³|, |(q³+q²)Ñ| bytes) before conversion. Range checks happen in
 * {@link verifyRangeAlice}. Throws `MALFORMED` or `OVERSIZED`.
 */
export function rangeProofAliceFromBytes(parts: readonly Uint8Array[]): RangeProofAlice {
  const [z, u, w, s, s1, s2] = decodeParts(
    parts,
    [
      ['z', CAP_MOD_N],
      ['u', CAP_MOD_N2],
      ['w', CAP_MOD_N],
      ['s', CAP_MOD_N],
      ['s1', CAP_S1],
      ['s2', CAP_S2],
    ],
    'RangeProofAlice',
  ) as [bigint, bigint, bigint, bigint, bigint, bigint];
  return { z, u, w, s, s1, s2 };
}
