/**
 * ECDSA keygen pre-parameters: one party's Paillier key and ring-Pedersen parameters
 * (tss-lib `LocalPreParams`).
 *
 * Why separate: the expensive part of keygen is the prime search (two 1024-bit safe primes take
 * seconds and vary a lot), so pre-params are produced ahead of time by
 * {@link generatePreParams}, stored (they are secret: encrypt them), and handed to
 * `createKeygenParty`. Each set must be used for one key only: a reused Paillier modulus is
 * rejected by peers (SECURITY.md item 1).
 *
 * Contents (SECURITY.md items 1 and 4):
 * - Paillier: N = p·q with p, q distinct 1024-bit Blum primes (≡ 3 mod 4), bitlen(N) = 2048
 *   exactly, |p − q| far from Fermat range, gcd(N, φ(N)) = 1.
 * - Ring-Pedersen: Ñ = P·Q with P = 2p′+1, Q = 2q′+1 distinct 1024-bit safe primes,
 *   bitlen(Ñ) = 2048 exactly, h1 = f² a generator of QR_Ñ, h2 = h1^α, β = α⁻¹ mod p′q′.
 *
 * Every way of obtaining a {@link PreParams} validates it ({@link validatePreParams}); the
 * result is frozen, and its validation remembered, so `createKeygenParty` does not re-run the
 * primality tests.
 * @module
 */
import { createHash } from 'node:crypto';
import { LocalError, MpcError, requireThat } from '../../errors.js';
import {
  type JsonObject,
  type JsonValue,
  parseLosslessJson,
  stringifyLosslessJson,
} from '../../interop/tss-lib/json.js';
import { parseTssLibSaveData, type TssLibSaveData } from '../../interop/tss-lib/keyfile.js';
import { bitLength, gcd } from '../../math/bigint.js';
import { generateBlumPrime, generateSafePrime } from '../../math/primes.js';
import { paillierKeyFromPrimes } from '../../paillier/index.js';
import {
  RING_PEDERSEN_BITS,
  RING_PEDERSEN_PRIME_BITS,
  ringPedersenFromSafePrimes,
  validateRingPedersenKeyPair,
} from '../../zk/ring-pedersen.js';

/** Bit length of the Paillier modulus N, exactly. */
export const PRE_PARAMS_PAILLIER_BITS = 2048;
/** Bit length of the ring-Pedersen modulus Ñ, exactly. */
export const PRE_PARAMS_NTILDE_BITS = RING_PEDERSEN_BITS;
/** Version written by {@link serializePreParams}. */
export const PRE_PARAMS_VERSION = 1;

const PRIME_BITS = PRE_PARAMS_PAILLIER_BITS / 2;
const KIND = 'mpc-tss/ecdsa-pre-params';

/**
 * One party's pre-parameters. Secret (p, q, p′, q′, α, β): store encrypted, never log.
 *
 * @example
 * ```ts
 * const pre = await generatePreParams();
 * pre.paillierN; // 2048-bit Paillier modulus, broadcast in keygen round 1
 * ```
 */
export interface PreParams {
  /** Paillier modulus N = paillierP · paillierQ (2048 bits). */
  readonly paillierN: bigint;
  /** First Paillier prime (1024-bit Blum prime). Secret. */
  readonly paillierP: bigint;
  /** Second Paillier prime (1024-bit Blum prime). Secret. */
  readonly paillierQ: bigint;
  /** Ring-Pedersen modulus Ñ = (2p′+1)(2q′+1) (2048 bits). */
  readonly ntilde: bigint;
  /** h1 = f² mod Ñ, a generator of QR_Ñ. */
  readonly h1: bigint;
  /** h2 = h1^α mod Ñ. */
  readonly h2: bigint;
  /** α ∈ [1, Ñ) with h2 = h1^α (tss-lib `Alpha`; only its class mod p′q′ matters). Secret. */
  readonly alpha: bigint;
  /** β = α⁻¹ mod p′q′, so h1 = h2^β (tss-lib `Beta`). Secret. */
  readonly beta: bigint;
  /** Sophie Germain prime p′ of Ñ's first safe prime 2p′+1 (tss-lib `P`). Secret. */
  readonly sophieGermainP: bigint;
  /** Sophie Germain prime q′ of Ñ's second safe prime 2q′+1 (tss-lib `Q`). Secret. */
  readonly sophieGermainQ: bigint;
}

/** The four primes behind a {@link PreParams} (for tests and imports). */
export interface PreParamsPrimes {
  /** Paillier prime p: a 1024-bit Blum prime. */
  readonly paillierP: bigint;
  /** Paillier prime q: a 1024-bit Blum prime. */
  readonly paillierQ: bigint;
  /** First 1024-bit safe prime P = 2p′+1 of Ñ. */
  readonly ntildeP: bigint;
  /** Second 1024-bit safe prime Q = 2q′+1 of Ñ. */
  readonly ntildeQ: bigint;
}

/** Progress report of {@link generatePreParams}. */
export interface PreParamsProgress {
  /** What just finished: a Paillier (Blum) prime, a safe prime, or the whole set. */
  readonly stage: 'paillier-prime' | 'safe-prime' | 'done';
  /** Primes found so far that were kept (0..4), or 4 when `done`. */
  readonly found: number;
  /** Primes needed: 4. */
  readonly total: 4;
}

/** Options of {@link generatePreParams}. */
export interface GeneratePreParamsOptions {
  /** Cancels the search; the promise rejects with {@link LocalError} `CANCELLED`. */
  signal?: AbortSignal;
  /** Called as each prime is found and once at the end. Must not throw. */
  onProgress?: (p: PreParamsProgress) => void;
}

/**
 * Digests of pre-params that passed {@link validatePreParams} (by value, so copies made by
 * structured clone or JSON round trips are not re-tested). Bounded; holds no secrets.
 */
const validated = new Set<string>();
const VALIDATED_LIMIT = 256;

const FIELDS = [
  'paillierN',
  'paillierP',
  'paillierQ',
  'ntilde',
  'h1',
  'h2',
  'alpha',
  'beta',
  'sophieGermainP',
  'sophieGermainQ',
] as const;

/** SHA-256 over every field (fixed order, length-prefixed hex), or undefined if malformed. */
function digestOf(pre: PreParams): string | undefined {
  const h = createHash('sha256');
  for (const k of FIELDS) {
    const v = (pre as unknown as Record<string, unknown>)[k];
    if (typeof v !== 'bigint' || v <= 0n) return undefined;
    const x = v.toString(16);
    h.update(`${k}:${x.length}:${x};`);
  }
  return h.digest('hex');
}

function invalid(what: string, cause?: unknown): never {
  throw new LocalError(
    'INVALID_KEY_SHARE',
    `pre-params: ${what}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Validates pre-params completely: every field a positive bigint; Paillier p ≠ q both 1024-bit
 * Blum primes, N = p·q of exactly 2048 bits, |p − q| large, gcd(N, φ(N)) = 1; Ñ = (2p′+1)(2q′+1)
 * of exactly 2048 bits with p′, q′, 2p′+1, 2q′+1 prime; h1, h2 ∈ (1, Ñ−1), coprime to Ñ,
 * distinct; α ∈ [1, Ñ), β ∈ [1, p′q′), h2 = h1^α and h1 = h2^β mod Ñ; N ≠ Ñ.
 *
 * Costs six probable-prime tests (~100 ms). Values that passed are remembered (by a digest of
 * every field), so validating them again (e.g. in `createKeygenParty`, in a worker, after a
 * restore) is free.
 *
 * @throws {@link LocalError} `INVALID_KEY_SHARE` naming the failed check (never a value).
 */
export function validatePreParams(pre: PreParams): void {
  if (typeof pre !== 'object' || pre === null) invalid('must be an object');
  const key = digestOf(pre);
  if (key !== undefined && validated.has(key)) return;
  for (const k of FIELDS) {
    if (typeof pre[k] !== 'bigint' || pre[k] <= 0n) invalid(`"${k}" must be a positive bigint`);
  }
  const { paillierP: p, paillierQ: q, paillierN: N } = pre;
  if (p * q !== N) invalid('"paillierN" must equal paillierP·paillierQ');
  if (bitLength(N) !== PRE_PARAMS_PAILLIER_BITS) {
    invalid(`"paillierN" must have exactly ${PRE_PARAMS_PAILLIER_BITS} bits`);
  }
  if (bitLength(p) !== PRIME_BITS || bitLength(q) !== PRIME_BITS) {
    invalid(`Paillier primes must have exactly ${PRIME_BITS} bits`);
  }
  if (p % 4n !== 3n || q % 4n !== 3n) invalid('Paillier primes must be Blum primes (3 mod 4)');
  try {
    // Primality, distinctness, |p − q| and gcd(N, φ(N)) = 1.
    paillierKeyFromPrimes(p, q);
  } catch (e) {
    invalid(`Paillier primes are invalid (${e instanceof MpcError ? e.shortMessage : 'error'})`, e);
  }
  const { ntilde, h1, h2, alpha, beta, sophieGermainP: sp, sophieGermainQ: sq } = pre;
  if (bitLength(2n * sp + 1n) !== RING_PEDERSEN_PRIME_BITS) {
    invalid(`Ñ's safe primes must have exactly ${RING_PEDERSEN_PRIME_BITS} bits`);
  }
  if (bitLength(2n * sq + 1n) !== RING_PEDERSEN_PRIME_BITS) {
    invalid(`Ñ's safe primes must have exactly ${RING_PEDERSEN_PRIME_BITS} bits`);
  }
  if (alpha >= ntilde) invalid('"alpha" must be in [1, Ñ)');
  if (beta >= sp * sq) invalid('"beta" must be in [1, p′q′)');
  try {
    // Ñ bits and shape, h1/h2 ranges, units, distinctness; primality of p′, q′, P, Q;
    // h2 = h1^α and h1 = h2^β.
    validateRingPedersenKeyPair({ pub: { ntilde, h1, h2 }, secret: { p: sp, q: sq, alpha, beta } });
  } catch (e) {
    invalid(
      `ring-Pedersen parameters are invalid (${e instanceof MpcError ? e.shortMessage : 'error'})`,
      e,
    );
  }
  if (N === ntilde) invalid('"paillierN" and "ntilde" must differ');
  if (gcd(N, ntilde) !== 1n) invalid('"paillierN" and "ntilde" must be coprime');
  if (key !== undefined) {
    validated.add(key);
    if (validated.size > VALIDATED_LIMIT)
      validated.delete(validated.values().next().value as string);
  }
}

/** Validates and freezes. */
function seal(pre: PreParams): PreParams {
  const frozen = Object.freeze({ ...pre });
  validatePreParams(frozen);
  return frozen;
}

/**
 * Builds pre-params from known primes: the Paillier Blum primes p, q and the safe primes
 * P, Q of Ñ. Draws fresh h1 and α. For tests (with `test/fixtures/primes.json`) and for primes
 * produced elsewhere.
 *
 * @throws {@link LocalError} `INVALID_KEY_SHARE` when the primes do not qualify (see
 *   {@link validatePreParams}).
 * @example
 * ```ts
 * const pre = preParamsFromPrimes({ paillierP, paillierQ, ntildeP, ntildeQ });
 * ```
 */
export function preParamsFromPrimes(primes: PreParamsPrimes): PreParams {
  requireThat(typeof primes === 'object' && primes !== null, 'primes must be an object');
  const { paillierP, paillierQ, ntildeP, ntildeQ } = primes;
  for (const [k, v] of Object.entries({ paillierP, paillierQ, ntildeP, ntildeQ })) {
    if (typeof v !== 'bigint' || v <= 2n) invalid(`"${k}" must be a bigint > 2`);
  }
  let rp: ReturnType<typeof ringPedersenFromSafePrimes>;
  try {
    rp = ringPedersenFromSafePrimes(ntildeP, ntildeQ);
  } catch (e) {
    invalid(`Ñ primes are invalid (${e instanceof MpcError ? e.shortMessage : 'error'})`, e);
  }
  return seal({
    paillierN: paillierP * paillierQ,
    paillierP,
    paillierQ,
    ntilde: rp.pub.ntilde,
    h1: rp.pub.h1,
    h2: rp.pub.h2,
    alpha: rp.secret.alpha,
    beta: rp.secret.beta,
    sophieGermainP: rp.secret.p,
    sophieGermainQ: rp.secret.q,
  });
}

/**
 * Generates fresh pre-params: two 1024-bit Blum primes for Paillier and two 1024-bit safe primes
 * for Ñ, all four searched in parallel on libuv's thread pool (OpenSSL `generatePrime`), so the
 * event loop stays free. A pair whose product is not exactly 2048 bits (or whose primes are too
 * close) is completed by another search. Typical time: a few seconds on 2 cores, dominated by the
 * safe primes and highly variable.
 *
 * @throws {@link LocalError} `CANCELLED` when `signal` aborts (the OpenSSL searches already
 *   running finish in the background and are discarded).
 * @example
 * ```ts
 * const pre = await generatePreParams({ onProgress: (p) => log(`${p.found}/${p.total}`) });
 * await store.put('pre-params', encrypt(serializePreParams(pre)));
 * ```
 */
export async function generatePreParams(opts: GeneratePreParamsOptions = {}): Promise<PreParams> {
  const { signal, onProgress } = opts;
  let found = 0;
  const report = (stage: PreParamsProgress['stage']) => {
    if (stage !== 'done') found = Math.min(found + 1, 4);
    try {
      onProgress?.({ stage, found: stage === 'done' ? 4 : found, total: 4 });
    } catch {
      // progress callbacks must not break generation
    }
  };
  const blum = () =>
    generateBlumPrime(PRIME_BITS, signal ? { signal } : {}).then((p) => {
      report('paillier-prime');
      return p;
    });
  const safe = () =>
    generateSafePrime(PRIME_BITS, signal ? { signal } : {}).then((p) => {
      report('safe-prime');
      return p;
    });

  // Both pairs run concurrently. A pair whose product is short is completed by replacing its
  // smaller prime (OpenSSL sets only the top bit of a Blum prime; the larger one makes the next
  // attempt likely to reach 2048 bits).
  const pair = async (
    make: () => Promise<bigint>,
    ok: (a: bigint, b: bigint) => boolean,
  ): Promise<[bigint, bigint]> => {
    let [a, b] = await Promise.all([make(), make()]);
    for (;;) {
      if (a !== b && ok(a, b)) return [a, b];
      found = Math.max(found - 1, 0);
      const fresh = await make();
      if (a < b) a = fresh;
      else b = fresh;
    }
  };
  const paillierPair = () =>
    pair(blum, (p, q) => {
      // Primality is checked once, by preParamsFromPrimes; here only what can fail for a pair of
      // fresh primes: the size of N, |p − q| (probability ~2^-100) and gcd(N, φ(N)).
      const d = p > q ? p - q : q - p;
      return (
        bitLength(p * q) === PRE_PARAMS_PAILLIER_BITS &&
        bitLength(d) >= PRIME_BITS - 100 &&
        gcd(p * q, (p - 1n) * (q - 1n)) === 1n
      );
    });
  const ntildePair = () => pair(safe, (P, Q) => bitLength(P * Q) === PRE_PARAMS_NTILDE_BITS);
  const [[paillierP, paillierQ], [ntildeP, ntildeQ]] = await Promise.all([
    paillierPair(),
    ntildePair(),
  ]);
  if (signal?.aborted) throw new LocalError('CANCELLED', 'pre-params generation was cancelled');
  const pre = preParamsFromPrimes({ paillierP, paillierQ, ntildeP, ntildeQ });
  report('done');
  return pre;
}

// ---------------------------------------------------------------------------------------------
// Serialization

/**
 * Serializes pre-params as versioned JSON (integers as lowercase hex). Contains secrets.
 *
 * @throws {@link LocalError} `INVALID_KEY_SHARE` when a field is not a positive bigint.
 * @example
 * ```ts
 * const text = serializePreParams(pre);
 * parsePreParams(text); // equal to pre, validated
 * ```
 */
export function serializePreParams(pre: PreParams): string {
  if (typeof pre !== 'object' || pre === null) invalid('must be an object');
  const out: JsonObject = { kind: KIND, version: PRE_PARAMS_VERSION };
  for (const k of FIELDS) {
    const v = pre[k];
    if (typeof v !== 'bigint' || v <= 0n) invalid(`"${k}" must be a positive bigint`);
    out[k] = v.toString(16);
  }
  return stringifyLosslessJson(out);
}

function parseHex(v: JsonValue | undefined, field: string): bigint {
  if (typeof v !== 'string') invalid(`"${field}" must be a hex string`);
  if (
    v.length === 0 ||
    v.length > 1024 ||
    !/^[0-9a-f]+$/.test(v) ||
    (v.length > 1 && v[0] === '0')
  ) {
    invalid(`"${field}" must be minimal lowercase hex of at most 4096 bits`);
  }
  return BigInt(`0x${v}`);
}

/**
 * Parses and validates pre-params written by {@link serializePreParams}: strict JSON shape (no
 * unknown or missing field, canonical hex), then {@link validatePreParams} (sizes, primality,
 * h1/h2 relations).
 *
 * @throws {@link LocalError} `INVALID_KEY_SHARE` naming the field or check.
 */
export function parsePreParams(json: string): PreParams {
  let root: JsonValue;
  try {
    root = parseLosslessJson(json, {
      maxLength: 64 * 1024,
      maxDepth: 4,
      maxNumberLength: 20,
      maxStringLength: 2048,
    });
  } catch (e) {
    invalid(`not valid JSON (${e instanceof MpcError ? e.shortMessage : 'error'})`, e);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    invalid('must be an object');
  const keys = new Set<string>(['kind', 'version', ...FIELDS]);
  for (const k of Object.keys(root)) if (!keys.has(k)) invalid(`"${k}" is not a known field`);
  if (root.kind !== KIND) invalid(`"kind" must be "${KIND}"`);
  if (root.version !== PRE_PARAMS_VERSION && root.version !== BigInt(PRE_PARAMS_VERSION)) {
    invalid(`"version" is not supported (this library reads ${PRE_PARAMS_VERSION})`);
  }
  const out = {} as Record<(typeof FIELDS)[number], bigint>;
  for (const k of FIELDS) out[k] = parseHex(root[k], k);
  return seal(out);
}

/**
 * Pre-params from a tss-lib key file (`LocalPartySaveData`, whose embedded `LocalPreParams` are
 * `PaillierSK {N, LambdaN, PhiN, P, Q}`, `NTildei`, `H1i`, `H2i`, `Alpha`, `Beta`, `P`, `Q`), as
 * JSON text or as parsed by `parseTssLibSaveData`. The file must be a complete tss-lib v2 file
 * (v1 files lack the primes). Validated like every pre-params.
 *
 * Note: a key file's pre-params already belong to that key. Reusing them for another key is only
 * for tests and migrations (a peer rejects a Paillier modulus it has seen in the same session,
 * not across sessions).
 *
 * @throws {@link LocalError} `INVALID_KEY_SHARE` when fields are missing or invalid.
 */
export function preParamsFromTssLib(data: TssLibSaveData | string): PreParams {
  const d = typeof data === 'string' ? parseTssLibSaveData(data) : data;
  if (typeof d !== 'object' || d === null) invalid('tss-lib save data must be an object');
  const sk = d.paillierSK;
  const need = {
    'PaillierSK.P': sk?.p,
    'PaillierSK.Q': sk?.q,
    Alpha: d.alpha,
    Beta: d.beta,
    P: d.p,
    Q: d.q,
  };
  for (const [k, v] of Object.entries(need)) {
    if (typeof v !== 'bigint') invalid(`tss-lib "${k}" is missing (old key file?)`);
  }
  if (sk.n !== sk.p! * sk.q!) invalid('tss-lib "PaillierSK.N" does not equal P·Q');
  const pm1 = sk.p! - 1n;
  const qm1 = sk.q! - 1n;
  if (sk.phiN !== pm1 * qm1 || sk.lambdaN !== (pm1 * qm1) / gcd(pm1, qm1)) {
    invalid('tss-lib "PaillierSK" fields are inconsistent');
  }
  return seal({
    paillierN: sk.n,
    paillierP: sk.p!,
    paillierQ: sk.q!,
    ntilde: d.nTildei,
    h1: d.h1i,
    h2: d.h2i,
    alpha: d.alpha!,
    beta: d.beta!,
    sophieGermainP: d.p!,
    sophieGermainQ: d.q!,
  });
}
