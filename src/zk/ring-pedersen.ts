/**
 * Ring-Pedersen parameters (Ñ, h1, h2) and the plumbing shared by the setup proofs in `src/zk`.
 *
 * Why: every MtA range proof commits to secrets as `h1^m · h2^ρ mod Ñ`. The commitment only
 * hides `m` if h1 and h2 generate the same subgroup of Z*_Ñ, and only binds if nobody but the
 * owner of Ñ knows log_{h1}(h2). So each party publishes its own Ñ = P·Q (two 1024-bit safe
 * primes P = 2p+1, Q = 2q+1), `h1 = f²` (a random generator of the quadratic residues QR_Ñ,
 * a cyclic group of order pq), `h2 = h1^α`, and two DLN proofs (see `dln.ts`) showing that
 * h2 ∈ ⟨h1⟩ and h1 ∈ ⟨h2⟩. Peers check the shape of the parameters with
 * {@link verifyRingPedersenParams} (SECURITY.md item 4) and their uniqueness across the session
 * with {@link assertDistinctParams}.
 *
 * The module also holds what `dln.ts`, `mod.ts` and `fac.ts` share: the proof context
 * ({@link ProofContext}: profile, ssid, prover index), the tss-lib session bytes, the native
 * transcript prefix, and cheap batched checks for "is a unit modulo m".
 *
 * Secret-exponent arithmetic goes through the native constant-time modexp (`modPow`,
 * `modPowCrt`).
 * α⁻¹ mod pq is computed as α^(φ(pq)−1) for the same reason.
 * @module
 */
import { LocalError, requireThat, VerifyError, verifyThat } from '../errors.js';
import { Transcript } from '../hash/transcript.js';
import { bigintToBytes, concatBytes, gcd } from '../math/bigint.js';
import { modPow, modPowCrt } from '../math/modexp.js';
import { generateSafePrime, isProbablePrime, type PrimeOptions } from '../math/primes.js';
import { randomUnit } from '../math/random.js';
import { PROFILES, type Profile } from '../profile.js';

/** Bit length of Ñ, exactly (two 1024-bit safe primes). */
export const RING_PEDERSEN_BITS = 2048;

/** Bit length of each safe prime of Ñ. */
export const RING_PEDERSEN_PRIME_BITS = 1024;

/** Largest byte length of a value reduced mod Ñ (cap for wire decoders). */
export const RING_PEDERSEN_BYTES = RING_PEDERSEN_BITS / 8;

const NTILDE_MIN = 1n << BigInt(RING_PEDERSEN_BITS - 1);
const NTILDE_LIMIT = 1n << BigInt(RING_PEDERSEN_BITS);

/** Public ring-Pedersen parameters, broadcast by their owner. */
export interface RingPedersenPublic {
  /** Ñ = P·Q, product of two 1024-bit safe primes; exactly 2048 bits. */
  readonly ntilde: bigint;
  /** h1 = f² mod Ñ: a generator of QR_Ñ. */
  readonly h1: bigint;
  /** h2 = h1^α mod Ñ. */
  readonly h2: bigint;
}

/**
 * The owner's secrets. `p` and `q` are the Sophie Germain primes (Ñ = (2p+1)(2q+1)), as in
 * tss-lib's `LocalPreParams.P/Q`. `alpha` and `beta` satisfy h2 = h1^alpha and h1 = h2^beta;
 * they are inverses mod pq (tss-lib may store an `alpha` ≥ pq; only its class mod pq matters).
 */
export interface RingPedersenSecret {
  /** Sophie Germain prime of the first safe prime P = 2p + 1. */
  readonly p: bigint;
  /** Sophie Germain prime of the second safe prime Q = 2q + 1. */
  readonly q: bigint;
  /** log_{h1}(h2). */
  readonly alpha: bigint;
  /** log_{h2}(h1) = alpha⁻¹ mod pq. */
  readonly beta: bigint;
}

/** A party's own ring-Pedersen parameters: the public part and the secrets behind it. */
export interface RingPedersenKeyPair {
  /** Broadcast part. */
  readonly pub: RingPedersenPublic;
  /** Kept by the owner only. Never serialize this next to `pub`. */
  readonly secret: RingPedersenSecret;
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/**
 * Builds ring-Pedersen parameters from two safe primes P = 2p + 1 and Q = 2q + 1.
 *
 * Checks (LocalError `INVALID_ARGUMENT`): P ≠ Q, each exactly 1024 bits, P, Q, p, q all prime,
 * and bitlen(PQ) = 2048. Then h1 = f² for a random unit f such that h1 generates QR_Ñ (order
 * pq: h1 ≢ 1 mod P and mod Q), α is a random unit mod pq with α ≠ 1, h2 = h1^α, β = α⁻¹ mod pq.
 *
 * @example
 * ```ts
 * const params = ringPedersenFromSafePrimes(P, Q); // P, Q from generateSafePrime(1024)
 * broadcast(params.pub);
 * ```
 */
export function ringPedersenFromSafePrimes(P: bigint, Q: bigint): RingPedersenKeyPair {
  requireThat(typeof P === 'bigint' && typeof Q === 'bigint', 'safe primes must be bigints');
  requireThat(P !== Q, 'the two safe primes must differ');
  const lo = 1n << BigInt(RING_PEDERSEN_PRIME_BITS - 1);
  const hi = 1n << BigInt(RING_PEDERSEN_PRIME_BITS);
  requireThat(P >= lo && P < hi && Q >= lo && Q < hi, 'safe primes must have exactly 1024 bits');
  const ntilde = P * Q;
  requireThat(ntilde >= NTILDE_MIN, 'Ñ must have exactly 2048 bits');
  const p = (P - 1n) >> 1n;
  const q = (Q - 1n) >> 1n;
  requireThat(
    isProbablePrime(P) && isProbablePrime(Q) && isProbablePrime(p) && isProbablePrime(q),
    'P and Q must be safe primes',
  );
  const pq = p * q;
  const qInvP = modPow(Q, P - 2n, P);

  // h1 = f², with order exactly pq in QR_Ñ (QR_P and QR_Q have prime orders p and q).
  let h1: bigint;
  for (;;) {
    const f = randomUnit(ntilde);
    h1 = (f * f) % ntilde;
    if (h1 % P !== 1n && h1 % Q !== 1n) break;
  }
  // α ∈ Z*_pq \ {1}; β = α^(φ(pq)−1) mod pq (constant-time inverse).
  let alpha: bigint;
  do alpha = randomUnit(pq);
  while (alpha === 1n);
  const beta = modPow(alpha, (p - 1n) * (q - 1n) - 1n, pq);
  const h2 = modPowCrt(h1, alpha, P, Q, qInvP);
  const pub: RingPedersenPublic = { ntilde, h1, h2 };
  verifyRingPedersenParams(pub);
  return { pub, secret: { p, q, alpha, beta } };
}

/**
 * Generates fresh ring-Pedersen parameters: two 1024-bit safe primes (in parallel on libuv's
 * pool; typically a few seconds, highly variable), then {@link ringPedersenFromSafePrimes}.
 */
export async function generateRingPedersenKeyPair(
  opts: PrimeOptions = {},
): Promise<RingPedersenKeyPair> {
  for (;;) {
    const [P, Q] = await Promise.all([
      generateSafePrime(RING_PEDERSEN_PRIME_BITS, opts),
      generateSafePrime(RING_PEDERSEN_PRIME_BITS, opts),
    ]);
    if (P !== Q && P * Q >= NTILDE_MIN) return ringPedersenFromSafePrimes(P, Q);
  }
}

/**
 * Checks that a party's own parameters are consistent (for instance after loading tss-lib
 * pre-params): the public part passes {@link verifyRingPedersenParams}, Ñ = (2p+1)(2q+1) with
 * p, q, 2p+1, 2q+1 prime, h2 = h1^alpha and h1 = h2^beta. Throws LocalError
 * `INVALID_KEY_SHARE`. Costs four primality tests (~50 ms).
 */
export function validateRingPedersenKeyPair(params: RingPedersenKeyPair): void {
  const { pub, secret } = params;
  try {
    verifyRingPedersenParams(pub);
  } catch (e) {
    throw new LocalError('INVALID_KEY_SHARE', 'ring-Pedersen public parameters are invalid', {
      cause: e,
    });
  }
  const { p, q, alpha, beta } = secret;
  const ok = (c: boolean, what: string) => {
    if (!c) throw new LocalError('INVALID_KEY_SHARE', `ring-Pedersen parameters: ${what}`);
  };
  ok(
    [p, q, alpha, beta].every((v) => typeof v === 'bigint' && v > 0n),
    'secrets must be positive bigints',
  );
  const P = 2n * p + 1n;
  const Q = 2n * q + 1n;
  ok(P !== Q && P * Q === pub.ntilde, 'Ñ is not (2p+1)(2q+1)');
  ok(
    isProbablePrime(p) && isProbablePrime(q) && isProbablePrime(P) && isProbablePrime(Q),
    'P and Q are not safe primes',
  );
  ok(modPowCrt(pub.h1, alpha, P, Q) === pub.h2, 'h2 ≠ h1^alpha');
  ok(modPowCrt(pub.h2, beta, P, Q) === pub.h1, 'h1 ≠ h2^beta');
}

// ---------------------------------------------------------------------------------------------
// Verification of peers' parameters
// ---------------------------------------------------------------------------------------------

/**
 * Checks a peer's public ring-Pedersen parameters (SECURITY.md item 4):
 * bitlen(Ñ) = 2048 exactly and Ñ odd; h1, h2 ∈ (1, Ñ−1), coprime to Ñ; h1 ≠ h2.
 * (Ñ−1 is rejected too: it has order 2 and is never a square mod a safe-prime product.)
 * Throws VerifyError (`MALFORMED`, `OUT_OF_RANGE`, `PROOF_INVALID`).
 * The DLN proofs (`verifyDlnPair`) and {@link assertDistinctParams} complete the check.
 */
export function verifyRingPedersenParams(pub: RingPedersenPublic): void {
  verifyThat(
    typeof pub === 'object' &&
      pub !== null &&
      typeof pub.ntilde === 'bigint' &&
      typeof pub.h1 === 'bigint' &&
      typeof pub.h2 === 'bigint',
    'MALFORMED',
    'ring-Pedersen parameters must be bigints',
  );
  const { ntilde, h1, h2 } = pub;
  verifyThat(
    ntilde >= NTILDE_MIN && ntilde < NTILDE_LIMIT,
    'OUT_OF_RANGE',
    '"ntilde" must have exactly 2048 bits',
  );
  verifyThat((ntilde & 1n) === 1n, 'OUT_OF_RANGE', '"ntilde" must be odd');
  checkNonTrivialUnit('h1', h1, ntilde);
  checkNonTrivialUnit('h2', h2, ntilde);
  verifyThat(h1 !== h2, 'OUT_OF_RANGE', '"h1" and "h2" must differ');
}

/**
 * Uniqueness across parties (SECURITY.md item 4): every Ñ differs, and no value appears twice
 * among all the h1's and h2's of all parties (as tss-lib keygen round 2 checks). Throws
 * VerifyError `DUPLICATE_PARAMETER` naming the list index of the party that repeats an earlier
 * value (the list is in party-index order, so the index is the culprit's position).
 */
export function assertDistinctParams(list: readonly RingPedersenPublic[]): void {
  const ntildes = new Map<bigint, number>();
  const hs = new Map<bigint, number>();
  for (let i = 0; i < list.length; i++) {
    const pub = list[i];
    verifyThat(
      pub !== undefined &&
        typeof pub.ntilde === 'bigint' &&
        typeof pub.h1 === 'bigint' &&
        typeof pub.h2 === 'bigint',
      'MALFORMED',
      `ring-Pedersen parameters of party index ${i} are malformed`,
    );
    const prevN = ntildes.get(pub.ntilde);
    if (prevN !== undefined) {
      throw new VerifyError(
        'DUPLICATE_PARAMETER',
        `party index ${i} reuses the Ñ of party index ${prevN}`,
      );
    }
    ntildes.set(pub.ntilde, i);
    for (const [name, h] of [
      ['h1', pub.h1],
      ['h2', pub.h2],
    ] as const) {
      const prev = hs.get(h);
      if (prev !== undefined) {
        throw new VerifyError(
          'DUPLICATE_PARAMETER',
          prev === i
            ? `party index ${i} uses the same value for h1 and h2`
            : `party index ${i} reuses an h1/h2 value (${name}) of party index ${prev}`,
        );
      }
      hs.set(h, i);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shared by dln.ts, mod.ts, fac.ts
// ---------------------------------------------------------------------------------------------

/**
 * Who proves, in which session, under which profile.
 *
 * - `native`: every challenge is bound through {@link Transcript} to `ssid`, `prover` and the
 *   proof's own tag; `ssid` must have at least {@link NATIVE_MIN_SSID_BYTES} bytes.
 * - `tss-lib`: the tss-lib session bytes are `ssid ‖ bytes(prover)` with Go's `big.Int.Bytes()`
 *   (nothing appended for prover 0). The DLN proof of tss-lib binds no session at all.
 */
export interface ProofContext {
  /** Hashing profile. */
  readonly profile: Profile;
  /** Session id bytes (tss-lib: the 32-byte keygen/signing ssid). */
  readonly ssid: Uint8Array;
  /** The prover's party index (position in the sorted party list). */
  readonly prover: number;
}

/** Minimum ssid length in the native profile (a 32-byte hash is expected). */
export const NATIVE_MIN_SSID_BYTES = 16;

/** Validates a {@link ProofContext} (LocalError `INVALID_ARGUMENT` on misuse). */
export function checkProofContext(ctx: ProofContext): void {
  requireThat(typeof ctx === 'object' && ctx !== null, 'proof context is required');
  requireThat(PROFILES.includes(ctx.profile), 'unknown profile');
  requireThat(ctx.ssid instanceof Uint8Array, '"ssid" must be bytes');
  requireThat(
    Number.isSafeInteger(ctx.prover) && ctx.prover >= 0,
    '"prover" must be a non-negative integer',
  );
  if (ctx.profile === 'native') {
    requireThat(
      ctx.ssid.length >= NATIVE_MIN_SSID_BYTES,
      `native proofs need an ssid of at least ${NATIVE_MIN_SSID_BYTES} bytes`,
    );
  }
}

/** tss-lib's per-proof session bytes: `ssid ‖ big.NewInt(prover).Bytes()`. */
export function tssLibSession(ctx: ProofContext): Uint8Array {
  return concatBytes(ctx.ssid, bigintToBytes(BigInt(ctx.prover)));
}

/** A native transcript for proof `tag`, already bound to the ssid and the prover index. */
export function proofTranscript(tag: string, ctx: ProofContext): Transcript {
  return new Transcript(tag).append('ssid', ctx.ssid).append('prover', ctx.prover);
}

/**
 * Throws `OUT_OF_RANGE` unless x ∈ (1, m−1) and gcd(x, m) = 1: a unit that is not ±1
 * (SECURITY.md item 8: 0, 1, m−1, m and gcd > 1 are degenerate).
 */
export function checkNonTrivialUnit(title: string, x: bigint, m: bigint): void {
  verifyThat(typeof x === 'bigint', 'MALFORMED', `"${title}" must be a bigint`);
  verifyThat(x > 1n && x < m - 1n, 'OUT_OF_RANGE', `"${title}" is out of range`);
  verifyThat(gcd(x, m) === 1n, 'OUT_OF_RANGE', `"${title}" is not coprime to the modulus`);
}

/**
 * Checks that every value (already range-checked into [1, m)) is a unit mod m, with one gcd:
 * gcd(∏ xᵢ mod m, m) = 1 iff every xᵢ is coprime to m. Throws `OUT_OF_RANGE` naming `title`.
 */
export function checkAllUnits(title: string, xs: readonly bigint[], m: bigint): void {
  let acc = 1n;
  for (const x of xs) acc = (acc * x) % m;
  verifyThat(
    gcd(acc, m) === 1n,
    'OUT_OF_RANGE',
    `"${title}" has a value not coprime to the modulus`,
  );
}

/**
 * Checks an untrusted array: an array of exactly `n` bigints. Throws `MALFORMED` otherwise
 * (SECURITY.md item 14: exact array lengths).
 */
export function checkBigintArray(title: string, xs: unknown, n: number): asserts xs is bigint[] {
  verifyThat(Array.isArray(xs), 'MALFORMED', `"${title}" must be an array`);
  verifyThat(xs.length === n, 'MALFORMED', `"${title}" must have exactly ${n} elements`);
  for (const x of xs)
    verifyThat(typeof x === 'bigint', 'MALFORMED', `"${title}" must hold bigints`);
}

/** The safe primes P = 2p+1, Q = 2q+1 of the owner's Ñ, with Q⁻¹ mod P for CRT. */
export function safePrimesOf(secret: Pick<RingPedersenSecret, 'p' | 'q'>): {
  P: bigint;
  Q: bigint;
  qInvP: bigint;
} {
  const P = 2n * secret.p + 1n;
  const Q = 2n * secret.q + 1n;
  return { P, Q, qInvP: modPow(Q, P - 2n, P) };
}
