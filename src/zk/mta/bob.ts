/**
 * Bob's proofs in MtA (GG18 Fig. 11, "without check") and MtAwc (Fig. 10, "with check");
 * tss-lib `ProofBob` / `ProofBobWC`.
 *
 * Statement: Alice's key N, her ciphertext c1 = Enc(a), Bob's reply c2 = c1^x·Enc(y; r), proved
 * under Alice's ring-Pedersen parameters (the verifier's Ñ, h1, h2). Bob knows x ∈ [−q³, q³],
 * y ∈ [−q⁷, q⁷] and r; in MtAwc also X = g^x for a public point X.
 *
 * Why the bounds matter: a Bob whose y (β′) or x escapes its range can bias Alice's plaintext
 * past N and learn her secret from whether decryption wraps (SECURITY.md item 7). The verifier
 * therefore checks s1 ≤ q³, t1 ≤ q⁷, tss-lib master's lower bounds (s1, s2, t1, t2 ≥ q), the
 * unit/range rules of item 8, and in MtAwc g^{s1} = X^e·u with validated points.
 *
 * Prover: α ←$ [0, q³), ρ, σ ←$ [0, qÑ), τ, ρ′ ←$ [0, q³Ñ), β ←$ Z*_N, γ ←$ [0, q⁷);
 *   u = g^α, z = h1^x·h2^ρ, z′ = h1^α·h2^ρ′, t = h1^y·h2^σ, v = c1^α·Γ^γ·β^N, w = h1^γ·h2^τ;
 *   e = H(…); s = r^e·β, s1 = e·x + α, s2 = e·ρ + ρ′, t1 = e·y + γ, t2 = e·σ + τ.
 * Verifier: h1^{s1}·h2^{s2} ≡ z^e·z′, h1^{t1}·h2^{t2} ≡ t^e·w (mod Ñ);
 *   c1^{s1}·s^N·Γ^{t1} ≡ c2^e·v (mod N²); in MtAwc g^{s1} = X^e·u.
 *
 * Challenge: `tss-lib` = SHA512_256i_TAGGED(ssid ‖ bytes(prover), N, Γ, [X.x, X.y,] c1, c2,
 * [u.x, u.y,] z, z′, t, v, w) mod q; `native` binds the tag (distinct for the two variants),
 * ssid, prover index, N, Ñ, h1, h2, c1, c2, [X, u,] z, z′, t, v, w through `Transcript`.
 * @module
 */
import { LocalError, requireThat, VerifyError } from '../../errors.js';
import { tssRejectionSample, tssSha512_256iTagged } from '../../hash/tss-lib.js';
import { gcd } from '../../math/bigint.js';
import {
  CurvePoint,
  G,
  mulG,
  mulPoint,
  type Point,
  pointCoords,
  pointFromCoords,
  pointToBytes,
} from '../../math/curve.js';
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
  CAP_COORD,
  CAP_MOD_N,
  CAP_MOD_N2,
  CAP_S1,
  CAP_S2,
  CAP_T1,
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
  Q5,
  Q7,
  type RingPedersenParams,
  s2Bound,
  tssLibSession,
} from './common.js';

/** Native transcript tag of Bob's proof (MtA). */
export const BOB_TAG = 'mpc-tss/zk/mta/bob/v1';
/** Native transcript tag of Bob's proof with check (MtAwc). */
export const BOB_WC_TAG = 'mpc-tss/zk/mta/bob-wc/v1';

/** Bob's proof (tss-lib field order Z, ZPrm, T, V, W, S, S1, S2, T1, T2). */
export interface ProofBob {
  /** z = h1^x·h2^ρ mod Ñ. */
  readonly z: bigint;
  /** z′ = h1^α·h2^ρ′ mod Ñ. */
  readonly zPrm: bigint;
  /** t = h1^y·h2^σ mod Ñ. */
  readonly t: bigint;
  /** v = c1^α·Γ^γ·β^N mod N². */
  readonly v: bigint;
  /** w = h1^γ·h2^τ mod Ñ. */
  readonly w: bigint;
  /** s = r^e·β mod N. */
  readonly s: bigint;
  /** s1 = e·x + α (≤ q³). */
  readonly s1: bigint;
  /** s2 = e·ρ + ρ′. */
  readonly s2: bigint;
  /** t1 = e·y + γ (≤ q⁷). */
  readonly t1: bigint;
  /** t2 = e·σ + τ. */
  readonly t2: bigint;
}

/** Bob's proof with check: {@link ProofBob} plus u = g^α. */
export interface ProofBobWC extends ProofBob {
  /** u = α·G (secp256k1, never the identity). */
  readonly u: Point;
}

const FIELDS = ['z', 'zPrm', 't', 'v', 'w', 's', 's1', 's2', 't1', 't2'] as const;

/** Public inputs shared by prover and verifier. */
export interface BobStatement {
  readonly pk: PaillierPublicKey;
  readonly verifier: RingPedersenParams;
  readonly c1: bigint;
  readonly c2: bigint;
}

/**
 * The challenge e of Bob's proof (with check when `wc` is given) for the given statement and
 * first messages. Exposed for tests that play a cheating prover; not part of the package API.
 * @internal
 */
export function bobChallenge(
  ctx: MtaProofContext,
  st: BobStatement,
  f: Pick<ProofBob, 'z' | 'zPrm' | 't' | 'v' | 'w'>,
  wc?: { X: Point; u: Point },
): bigint {
  const { pk, verifier, c1, c2 } = st;
  if (ctx.profile === 'tss-lib') {
    const session = tssLibSession(ctx);
    const head = [pk.n, paillierGenerator(pk)];
    const tail = [f.z, f.zPrm, f.t, f.v, f.w];
    if (wc === undefined) {
      return tssRejectionSample(Q, tssSha512_256iTagged(session, ...head, c1, c2, ...tail));
    }
    const X = pointCoords(wc.X);
    const u = pointCoords(wc.u);
    return tssRejectionSample(
      Q,
      tssSha512_256iTagged(session, ...head, X.x, X.y, c1, c2, u.x, u.y, ...tail),
    );
  }
  const tr = nativeTranscript(wc === undefined ? BOB_TAG : BOB_WC_TAG, ctx)
    .append('N', pk.n)
    .append('NTilde', verifier.nTilde)
    .append('h1', verifier.h1)
    .append('h2', verifier.h2)
    .append('c1', c1)
    .append('c2', c2);
  if (wc !== undefined) tr.append('X', pointToBytes(wc.X)).append('u', pointToBytes(wc.u));
  return tr
    .append('z', f.z)
    .append('zPrm', f.zPrm)
    .append('t', f.t)
    .append('v', f.v)
    .append('w', f.w)
    .challengeMod('e', Q);
}

function checkPoint(p: Point, title: string): void {
  if (!(p instanceof CurvePoint)) throw new VerifyError('MALFORMED', `"${title}" is not a point`);
  try {
    p.assertValidity();
  } catch (e) {
    throw new VerifyError('OUT_OF_RANGE', `"${title}" is not a valid secp256k1 point`, {
      cause: e,
    });
  }
  if (p.is0()) throw new VerifyError('OUT_OF_RANGE', `"${title}" is the identity`);
}

function prove(
  ctx: MtaProofContext,
  st: BobStatement,
  x: bigint,
  y: bigint,
  r: bigint,
  withCheck: boolean,
): ProofBob | ProofBobWC {
  checkContext(ctx);
  const { pk, verifier, c1, c2 } = st;
  validatePaillierPublicKey(pk, 'N');
  checkRingPedersen(verifier, 'verifier');
  requireThat(
    typeof x === 'bigint' && x >= (withCheck ? 1n : 0n) && x < Q,
    withCheck ? 'x must be in [1, q)' : 'x must be in [0, q)',
  );
  requireThat(typeof y === 'bigint' && y >= 0n && y < Q5, 'y must be in [0, q^5)');
  requireThat(
    typeof r === 'bigint' && r > 0n && r < pk.n && gcd(r, pk.n) === 1n,
    'nonce must be in Z*_N',
  );
  validateCiphertext(pk, c1, 'c1');
  validateCiphertext(pk, c2, 'c2');
  const { nTilde, h1, h2 } = verifier;
  const n2 = nSquare(pk);
  const qNt = Q * nTilde;
  const q3Nt = Q3 * nTilde;

  // In MtAwc, α ≡ 0 (mod q) would make u the identity, which no verifier accepts: resample
  // (probability q^−2, so the distribution is unchanged for all practical purposes).
  let alpha = randomBelow(Q3);
  while (withCheck && alpha % Q === 0n) alpha = randomBelow(Q3);
  const rho = randomBelow(qNt);
  const sigma = randomBelow(qNt);
  const tau = randomBelow(q3Nt);
  const rhoPrm = randomBelow(q3Nt);
  const beta = randomUnit(pk.n);
  const gamma = randomBelow(Q7);

  // Every exponent below except N is secret: native constant-time modPow throughout.
  const pedersen = (a: bigint, b: bigint) =>
    (modPow(h1, a, nTilde) * modPow(h2, b, nTilde)) % nTilde;
  const z = pedersen(x, rho);
  const zPrm = pedersen(alpha, rhoPrm);
  const t = pedersen(y, sigma);
  const v =
    (((powModN2(pk, c1, alpha) * generatorPow(pk, gamma)) % n2) * powModN2(pk, beta, pk.n)) % n2;
  const w = pedersen(gamma, tau);

  let wc: { X: Point; u: Point } | undefined;
  if (withCheck) wc = { X: mulG(x), u: mulG(alpha) };
  const e = bobChallenge(ctx, st, { z, zPrm, t, v, w }, wc);
  const proof: ProofBob = {
    z,
    zPrm,
    t,
    v,
    w,
    s: (modPow(r, e, pk.n) * beta) % pk.n,
    s1: e * x + alpha,
    s2: e * rho + rhoPrm,
    t1: e * y + gamma,
    t2: e * sigma + tau,
  };
  return wc === undefined ? proof : { ...proof, u: wc.u };
}

function verify(
  ctx: MtaProofContext,
  proof: ProofBob | ProofBobWC,
  st: BobStatement,
  X: Point | undefined,
): void {
  const title = X === undefined ? 'ProofBob' : 'ProofBobWC';
  checkContext(ctx);
  checkBigintFields(proof, FIELDS, title);
  const { pk, verifier, c1, c2 } = st;
  validatePaillierPublicKey(pk, 'N');
  checkRingPedersen(verifier, 'verifier');
  validateCiphertext(pk, c1, 'c1');
  validateCiphertext(pk, c2, 'c2');
  let u: Point | undefined;
  if (X !== undefined) {
    checkPoint(X, 'X');
    u = (proof as Partial<ProofBobWC>).u;
    checkPoint(u as Point, `${title}.u`);
  }
  const { nTilde, h1, h2 } = verifier;
  const n2 = nSquare(pk);
  const { z, zPrm, t, v, w, s, s1, s2, t1, t2 } = proof;

  // Ranges first: they also cap every value before any hashing or modexp.
  checkResidue(`${title}.z`, z, nTilde);
  checkResidue(`${title}.zPrm`, zPrm, nTilde);
  checkResidue(`${title}.t`, t, nTilde);
  checkResidue(`${title}.v`, v, n2, pk.n);
  checkResidue(`${title}.w`, w, nTilde);
  checkResidue(`${title}.s`, s, pk.n);
  const bound2 = s2Bound(nTilde);
  if (s1 < Q || s1 > Q3) throw new VerifyError('OUT_OF_RANGE', `"${title}.s1" is out of range`);
  if (t1 < Q || t1 > Q7) throw new VerifyError('OUT_OF_RANGE', `"${title}.t1" is out of range`);
  if (s2 < Q || s2 >= bound2)
    throw new VerifyError('OUT_OF_RANGE', `"${title}.s2" is out of range`);
  if (t2 < Q || t2 >= bound2)
    throw new VerifyError('OUT_OF_RANGE', `"${title}.t2" is out of range`);

  const e = bobChallenge(
    ctx,
    st,
    { z, zPrm, t, v, w },
    X === undefined ? undefined : { X, u: u as Point },
  );

  if (X !== undefined) {
    const lhs = mulPoint(G, s1);
    const rhs = mulPoint(X, e).add(u as Point);
    if (!lhs.equals(rhs)) throw new VerifyError('PROOF_INVALID', `${title}: curve equation failed`);
  }
  const pedersen = (a: bigint, b: bigint) =>
    (modPow(h1, a, nTilde) * modPow(h2, b, nTilde)) % nTilde;
  if (pedersen(s1, s2) !== (modPow(z, e, nTilde) * zPrm) % nTilde) {
    throw new VerifyError('PROOF_INVALID', `${title}: ring-Pedersen equation for x failed`);
  }
  if (pedersen(t1, t2) !== (modPow(t, e, nTilde) * w) % nTilde) {
    throw new VerifyError('PROOF_INVALID', `${title}: ring-Pedersen equation for y failed`);
  }
  const lhs = (((powModN2(pk, c1, s1) * powModN2(pk, s, pk.n)) % n2) * generatorPow(pk, t1)) % n2;
  const rhs = (powModN2(pk, c2, e) * v) % n2;
  if (lhs !== rhs) throw new VerifyError('PROOF_INVALID', `${title}: Paillier equation failed`);
}

/**
 * Bob's proof for MtA: c2 = c1^x·Enc_pk(y; r) with x ∈ [0, q), y ∈ [0, q⁵), under Alice's
 * (the verifier's) ring-Pedersen parameters. `c1` and the verifier parameters are untrusted and
 * checked (VerifyError); out-of-range witnesses are refused (LocalError).
 *
 * @example
 * ```ts
 * const pf = proveBob({ profile, ssid, prover: bobIndex }, pkA, aliceParams, cA, cB, b, betaPrm, r);
 * ```
 */
export function proveBob(
  ctx: MtaProofContext,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c1: bigint,
  c2: bigint,
  x: bigint,
  y: bigint,
  r: bigint,
): ProofBob {
  return prove(ctx, { pk, verifier, c1, c2 }, x, y, r, false);
}

/**
 * Bob's proof with check for MtAwc: as {@link proveBob}, plus X = x·G (x ∈ [1, q); the point
 * is derived here, so it cannot disagree with x).
 */
export function proveBobWC(
  ctx: MtaProofContext,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c1: bigint,
  c2: bigint,
  x: bigint,
  y: bigint,
  r: bigint,
): ProofBobWC {
  return prove(ctx, { pk, verifier, c1, c2 }, x, y, r, true) as ProofBobWC;
}

/**
 * Verifies Bob's MtA proof under Alice's key `pk` and Alice's own parameters `verifier`.
 * Checks c1, c2, v ∈ [1, N²) coprime to N; z, z′, t, w ∈ [1, Ñ) coprime to Ñ; s ∈ [1, N)
 * coprime to N; s1 ∈ [q, q³], t1 ∈ [q, q⁷], s2, t2 ∈ [q, (q³ + q²)Ñ); then the equations.
 * `ctx.prover` is Bob's index. Throws {@link VerifyError}.
 */
export function verifyBob(
  ctx: MtaProofContext,
  proof: ProofBob,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c1: bigint,
  c2: bigint,
): void {
  verify(ctx, proof, { pk, verifier, c1, c2 }, undefined);
}

/**
 * Verifies Bob's MtAwc proof: every check of {@link verifyBob}, plus X and u valid non-identity
 * secp256k1 points and g^{s1} = X^e·u. `X` is Bob's public point (in GG18 signing, W_j = λ_j·X_j).
 */
export function verifyBobWC(
  ctx: MtaProofContext,
  proof: ProofBobWC,
  pk: PaillierPublicKey,
  verifier: RingPedersenParams,
  c1: bigint,
  c2: bigint,
  X: Point,
): void {
  if (X === undefined || X === null) throw new VerifyError('MALFORMED', '"X" is missing');
  verify(ctx, proof, { pk, verifier, c1, c2 }, X);
}

// ---------------------------------------------------------------------------------------------
// tss-lib wire forms.

const CAPS: readonly (readonly [string, number])[] = [
  ['z', CAP_MOD_N],
  ['zPrm', CAP_MOD_N],
  ['t', CAP_MOD_N],
  ['v', CAP_MOD_N2],
  ['w', CAP_MOD_N],
  ['s', CAP_MOD_N],
  ['s1', CAP_S1],
  ['s2', CAP_S2],
  ['t1', CAP_T1],
  ['t2', CAP_S2],
];

function fieldsToBytes(proof: ProofBob, title: string): Uint8Array[] {
  checkBigintFields(proof, FIELDS, title);
  if (FIELDS.some((f) => proof[f] < 0n)) {
    throw new LocalError('INVALID_ARGUMENT', 'proof fields must be non-negative');
  }
  return encodeParts(FIELDS.map((f) => proof[f]));
}

function fieldsFromValues(xs: readonly bigint[]): ProofBob {
  const [z, zPrm, t, v, w, s, s1, s2, t1, t2] = xs as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { z, zPrm, t, v, w, s, s1, s2, t1, t2 };
}

/** tss-lib wire form of {@link ProofBob}: ten minimal big-endian parts. */
export function proofBobToBytes(proof: ProofBob): Uint8Array[] {
  return fieldsToBytes(proof, 'ProofBob');
}

/** tss-lib wire form of {@link ProofBobWC}: ten parts, then u.x and u.y. */
export function proofBobWCToBytes(proof: ProofBobWC): Uint8Array[] {
  const parts = fieldsToBytes(proof, 'ProofBobWC');
  requireThat(proof.u instanceof CurvePoint && !proof.u.is0(), '"u" must be a non-identity point');
  const { x, y } = pointCoords(proof.u);
  return [...parts, ...encodeParts([x, y])];
}

/**
 * Decodes a tss-lib `ProofBob`: exactly ten non-empty, minimally encoded, capped parts.
 * Throws `MALFORMED` or `OVERSIZED`; ranges are checked by {@link verifyBob}.
 */
export function proofBobFromBytes(parts: readonly Uint8Array[]): ProofBob {
  return fieldsFromValues(decodeParts(parts, CAPS, 'ProofBob'));
}

/**
 * Decodes a tss-lib `ProofBobWC`: exactly twelve parts; the last two are u's affine
 * coordinates, which must form a valid non-identity secp256k1 point (`OUT_OF_RANGE` otherwise).
 */
export function proofBobWCFromBytes(parts: readonly Uint8Array[]): ProofBobWC {
  const xs = decodeParts(parts, [...CAPS, ['u.x', CAP_COORD], ['u.y', CAP_COORD]], 'ProofBobWC');
  const u = pointFromCoords(xs[10]!, xs[11]!, 'ProofBobWC.u');
  return { ...fieldsFromValues(xs), u };
}
