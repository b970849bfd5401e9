/**
 * The Paillier-key proof of tss-lib keygen round 3 (`crypto/paillier` `Proof` / `Verify`):
 * Gennaro–Micciancio–Rabin (CCS '98), "a non-interactive proof that N is square-free and
 * gcd(N, φ(N)) = 1", with 13 iterations.
 *
 * The prover publishes yᵢ = xᵢ^{N⁻¹ mod φ(N)} mod N for 13 challenges xᵢ ∈ Z*_N; the verifier
 * checks yᵢ^N ≡ xᵢ (mod N) and that N has no prime factor below 1000. (Π^mod, run in round 2,
 * already proves gcd(N, φ(N)) = 1; this proof is kept because tss-lib sends it.)
 *
 * Challenges:
 * - `tss-lib` (`GenerateXs`, byte for byte): candidate xᵢ is the concatenation, for
 *   j = 0..⌈bitlen(N)/256⌉−1, of `SHA512_256(dec(i), dec(j), dec(n), bytes(k), bytes(Y.x),
 *   bytes(Y.y), bytes(N))`, where i counts accepted candidates, n rejected ones, `dec` is the
 *   decimal string, k the prover's party key and Y the group public key; a candidate is accepted
 *   when it lies in Z*_N. No session binding (tss-lib has none here).
 * - `native`: xᵢ are squeezed mod N from a {@link Transcript} bound to the ssid, the prover's
 *   position and key, N and Y; a challenge outside Z*_N makes the proof invalid (honest N: never).
 *
 * The prover holds p, q and works by CRT on the native constant-time path.
 * @module
 */
import { createHash } from 'node:crypto';
import { LocalError, VerifyError, verifyThat } from '../../../errors.js';
import { Transcript } from '../../../hash/transcript.js';
import { bigintToBytes, bitLength, bytesToBigint, gcd, modInv } from '../../../math/bigint.js';
import type { Point } from '../../../math/curve.js';
import { modPow, modPowCrt } from '../../../math/modexp.js';
import type { Profile } from '../../../profile.js';

/** Number of iterations (tss-lib `paillier.ProofIters`). */
export const PAILLIER_PROOF_ITERATIONS = 13;
/** Native transcript tag. */
export const PAILLIER_PROOF_TAG = 'mpc-tss/ecdsa/keygen/paillier-key/v1';

/** tss-lib checks that N has no prime factor below this bound. */
const SMALL_PRIME_BOUND = 1000;
/** Cap on rejected challenge candidates (an honest N rejects about half of tss-lib's). */
const MAX_REJECTED = 4096;

const SMALL_PRIMES: readonly bigint[] = (() => {
  const sieve = new Uint8Array(SMALL_PRIME_BOUND);
  const out: bigint[] = [];
  for (let i = 2; i < SMALL_PRIME_BOUND; i++) {
    if (sieve[i]) continue;
    out.push(BigInt(i));
    for (let j = i * i; j < SMALL_PRIME_BOUND; j += i) sieve[j] = 1;
  }
  return out;
})();

/** Who proves, for which key, under which profile. */
export interface PaillierProofContext {
  /** Hashing profile. */
  readonly profile: Profile;
  /** Session id (bound in `native` only). */
  readonly ssid: Uint8Array;
  /** The prover's position in the sorted party list (bound in `native` only). */
  readonly prover: number;
  /** The prover's party key / Shamir index (tss-lib `PartyID.KeyInt()`). */
  readonly key: bigint;
}

const enc = new TextEncoder();
const dec = (n: number) => enc.encode(String(n));
const DELIM = new Uint8Array([0x24]); // '$'

function le64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/**
 * tss-lib `SHA512_256(in ...[]byte)` (same framing as `tssSha512_256` in `hash/tss-lib.ts`:
 * `LE64(k) ‖ for each part: part ‖ '$' ‖ LE64(len)`), on node:crypto's native SHA-512/256:
 * `GenerateXs` hashes about 200 such inputs per proof.
 */
function sha512_256Framed(parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha512-256');
  h.update(le64(parts.length));
  for (const p of parts) h.update(p).update(DELIM).update(le64(p.length));
  return new Uint8Array(h.digest());
}

function isUnit(x: bigint, N: bigint): boolean {
  return x >= 1n && x < N && gcd(x, N) === 1n;
}

/** The 13 challenges xᵢ ∈ Z*_N. Throws VerifyError `PROOF_INVALID` if none can be derived. */
function challenges(ctx: PaillierProofContext, N: bigint, pub: Point): bigint[] {
  const { x: px, y: py } = pub.toAffine();
  if (ctx.profile === 'native') {
    const t = new Transcript(PAILLIER_PROOF_TAG)
      .append('ssid', ctx.ssid)
      .append('prover', ctx.prover)
      .append('key', ctx.key)
      .append('N', N)
      .append('Y', pub.toBytes(true));
    const xs = t.challengesMod('x', N, PAILLIER_PROOF_ITERATIONS);
    for (const x of xs) {
      verifyThat(isUnit(x, N), 'PROOF_INVALID', 'Paillier-key proof: challenge is not a unit');
    }
    return xs;
  }
  const blocks = Math.ceil(bitLength(N) / 256);
  const kb = bigintToBytes(ctx.key);
  const xb = bigintToBytes(px);
  const yb = bigintToBytes(py);
  const nb = bigintToBytes(N);
  const out: bigint[] = [];
  let rejected = 0;
  while (out.length < PAILLIER_PROOF_ITERATIONS) {
    const ib = dec(out.length);
    const rb = dec(rejected);
    const buf = new Uint8Array(blocks * 32);
    for (let j = 0; j < blocks; j++) {
      buf.set(sha512_256Framed([ib, dec(j), rb, kb, xb, yb, nb]), 32 * j);
    }
    const x = bytesToBigint(buf);
    if (isUnit(x, N)) out.push(x);
    else if (++rejected > MAX_REJECTED) {
      throw new VerifyError('PROOF_INVALID', 'Paillier-key proof: no usable challenges for N');
    }
  }
  return out;
}

/**
 * Proves that N = p·q is square-free with gcd(N, φ(N)) = 1, bound to the group public key `pub`
 * (tss-lib `PrivateKey.Proof(k, ecdsaPub)`).
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT` when p·q ≠ N or gcd(N, φ(N)) ≠ 1.
 */
export function provePaillierKey(
  ctx: PaillierProofContext,
  N: bigint,
  p: bigint,
  q: bigint,
  pub: Point,
): bigint[] {
  if (p * q !== N || p === q) throw new LocalError('INVALID_ARGUMENT', 'N must equal p·q');
  const phi = (p - 1n) * (q - 1n);
  if (gcd(N, phi) !== 1n) throw new LocalError('INVALID_ARGUMENT', 'gcd(N, φ(N)) must be 1');
  const m = modInv(N, phi);
  const qInvP = modPow(q, p - 2n, p);
  let xs: bigint[];
  try {
    xs = challenges(ctx, N, pub);
  } catch (e) {
    throw new LocalError('INTERNAL', 'Paillier-key proof: could not derive challenges', {
      cause: e,
    });
  }
  return xs.map((x) => modPowCrt(x, m, p, q, qInvP));
}

/**
 * Verifies a Paillier-key proof for N (tss-lib `Proof.Verify(N, k, ecdsaPub)`): exactly 13
 * values yᵢ ∈ [1, N), N free of prime factors below 1000, and yᵢ^N ≡ xᵢ (mod N).
 *
 * @throws {@link VerifyError} `MALFORMED` (shape), `OUT_OF_RANGE` (a yᵢ), `PROOF_INVALID` (small
 *   factor or a failed equation).
 */
export function verifyPaillierKey(
  ctx: PaillierProofContext,
  N: bigint,
  pub: Point,
  proof: readonly bigint[],
): void {
  verifyThat(
    Array.isArray(proof) && proof.length === PAILLIER_PROOF_ITERATIONS,
    'MALFORMED',
    `Paillier-key proof must have exactly ${PAILLIER_PROOF_ITERATIONS} values`,
  );
  for (const y of proof) {
    verifyThat(typeof y === 'bigint', 'MALFORMED', 'Paillier-key proof values must be integers');
    verifyThat(y >= 1n && y < N, 'OUT_OF_RANGE', 'Paillier-key proof value is out of range');
  }
  for (const sp of SMALL_PRIMES) {
    verifyThat(N % sp !== 0n, 'PROOF_INVALID', 'Paillier modulus has a small prime factor');
  }
  const xs = challenges(ctx, N, pub);
  for (let i = 0; i < PAILLIER_PROOF_ITERATIONS; i++) {
    if (modPow(proof[i]!, N, N) !== xs[i]) {
      throw new VerifyError('PROOF_INVALID', `Paillier-key proof: iteration ${i} fails`);
    }
  }
}
