/**
 * Identifiable abort for GG20 presigning (Gennaro–Goldfeder 2020, §4.2 "identifying the
 * culprit"), used when a cross-party check fails although every proof verified:
 *
 * - `delta`: Σ R̄_j ≠ G (or δ = 0). Some δ_j is wrong, i.e. some signer used a wrong γ in an MtA
 *   as Bob or summed its δ_j wrongly. Nothing here is tied to the key.
 * - `sigma`: Σ S_j ≠ y while Σ R̄_j = G. Some signer's σ_j (committed in T_j, proven equal to
 *   the one in S_j) is not the sum its MtAwc values give.
 *
 * Every signer then broadcasts a reveal: k_i with the nonce of its round-1 ciphertext c_i, and,
 * for each Bob j, the two MtA ciphertexts Bob j sent it with the decryption of one of them
 * (c1 → α_ij in mode `delta`, c2 → μ_ij in mode `sigma`) and that ciphertext's Paillier nonce.
 * Everyone checks each reveal against public data it already holds (its own copy of c_i, whose
 * digest every signer broadcast in round 1, and Bob j's round-3 digest of what he sent Alice i),
 * so a lying reveal names its sender. Then, with k = Σ k_i and a_j = Σ_i (m_ji − m_ij):
 *
 * - `delta`: δ_j·G must equal k·Γ_j + a_j·G (honest: δ_j = k_j·γ_j + Σ_i (α_ji + β_ij) and
 *   β_ij = k_i·γ_j − α_ij);
 * - `sigma`: σ_j·G = k·S_j (as R = k⁻¹·G) must equal k·W_j + a_j·G (honest: ν_ij = k_i·w_j − μ_ij,
 *   which Bob's MtAwc proof guarantees);
 *
 * and every j for which it fails is a culprit.
 *
 * **Nothing revealed is tied to w_i** in a way that leaks it (SECURITY.md item 11): γ_i, β′ and
 * w_i are never revealed; k_i and the α's are nonce material of an aborted session. In mode
 * `sigma` the μ_ij = k_i·w_j + β′_ij are revealed as integers: β′_ij is uniform in [0, q⁵) and
 * never revealed, so μ_ij is statistically independent of w_j (distance < q⁻³); its nonce
 * ρ_i^{w_j}·r is uniform because Bob's r is. The presignature of an aborted session is never
 * output, so none of this is ever combined with a signature share.
 * @module
 */
import { LocalError, VerifyError } from '../../../errors.js';
import { bytesEqual, gcd, modInv } from '../../../math/bigint.js';
import {
  CURVE_ORDER,
  G,
  type IDENTITY,
  modQ,
  mulPoint,
  pointFromBytes,
} from '../../../math/curve.js';
import { modPowCrt } from '../../../math/modexp.js';
import {
  decrypt,
  encryptWithNonce,
  type PaillierPrivateKey,
  type PaillierPublicKey,
} from '../../../paillier/paillier.js';
import type { OutMsg } from '../../../party/types.js';
import { need, ownPaillierKey, posOf } from '../sign-gg18/state.js';
import { MSG, newPresignReveal, type PresignReveal } from './messages.js';
import { type BlameMode, ctxOf, mtaDigest, type PresignState, peersOf } from './state.js';

const q = CURVE_ORDER;

/** The Paillier nonce ρ with c = (1 + N)^m·ρ^N mod N² (the key owner can compute it). */
export function recoverNonce(sk: PaillierPrivateKey, c: bigint, m: bigint): bigint {
  const n = sk.n;
  const n2 = n * n;
  // c·(1 + N)^(−m) = c·(1 − m·N) ≡ ρ^N (mod N²), so ρ^N ≡ that (mod N) and ρ = (·)^(N⁻¹ mod φ).
  const x = ((c * (1n + ((n - (m % n)) % n) * n)) % n2) % n;
  const nonce = modPowCrt(x, modInv(n, sk.phiN), sk.p, sk.q);
  if (encryptWithNonce(sk.publicKey, m, nonce) !== c) {
    throw new LocalError('INTERNAL', 'could not recover a Paillier nonce');
  }
  return nonce;
}

/** Our reveal for `mode`, and our own plaintexts mod q by Bob (kept for the final check). */
export function makeReveal(
  state: PresignState,
  mode: BlameMode,
): { outgoing: OutMsg[]; own: Map<string, bigint> } {
  const sk = ownPaillierKey(state);
  const recv = need(state.recvMta, 'recvMta');
  const own = new Map<string, bigint>();
  const entries = peersOf(state).map((bob) => {
    const [c1, c2] = need(recv.get(bob), 'recvMta[bob]');
    const c = mode === 'delta' ? c1 : c2;
    const m = decrypt(sk, c);
    own.set(bob, m % q);
    return { c1, c2, m, nonce: recoverNonce(sk, c, m) };
  });
  const payload = newPresignReveal({
    mode,
    k: need(state.k, 'k'),
    rho: need(state.rho, 'rho'),
    entries,
  });
  return { outgoing: [{ type: MSG.r7, payload }], own };
}

function opens(pk: PaillierPublicKey, c: bigint, m: bigint, nonce: bigint, what: string): void {
  if (m < 0n || m >= pk.n)
    throw new VerifyError('OUT_OF_RANGE', `${what}: plaintext is not in [0, N)`);
  if (nonce < 1n || nonce >= pk.n || gcd(nonce, pk.n) !== 1n) {
    throw new VerifyError('OUT_OF_RANGE', `${what}: nonce is not in Z*_N`);
  }
  if (encryptWithNonce(pk, m, nonce) !== c) {
    throw new VerifyError(
      'CONSISTENCY_CHECK_FAILED',
      `${what}: the revealed plaintext does not open it`,
    );
  }
}

/**
 * Checks `from`'s reveal against what we hold: its k_j opens the c_j it sent us; each entry's
 * ciphertexts are the ones Bob digested in round 3 (our own record when we are that Bob); each
 * plaintext opens its ciphertext. Throws {@link VerifyError} (the engine blames `from`).
 */
export function verifyReveal(state: PresignState, from: string, msg: PresignReveal): void {
  if (msg.mode !== state.blame) {
    throw new VerifyError('CONSISTENCY_CHECK_FAILED', 'reveal is for another blame mode');
  }
  const ctx = ctxOf(state);
  const a = posOf(state, from);
  const pk = ctx.signers[a]!.paillier;
  const cA = need(need(state.peerC, 'peerC').get(from), 'peerC[from]');
  opens(pk, cA, msg.k, msg.rho, 'c_j');
  const bobs = state.signers.filter((_, j) => j !== a).map((s) => s.id);
  bobs.forEach((bob, i) => {
    const e = msg.entries[i]!;
    const expected =
      bob === state.self
        ? need(state.sentDigests, 'sentDigests').get(from)
        : need(state.bobDigests, 'bobDigests').get(bob)?.get(from);
    const b = posOf(state, bob);
    if (expected === undefined || !bytesEqual(expected, mtaDigest(state.ssid, b, a, e.c1, e.c2))) {
      throw new VerifyError(
        'CONSISTENCY_CHECK_FAILED',
        'revealed MtA ciphertexts are not the ones their Bob sent',
      );
    }
    opens(pk, msg.mode === 'delta' ? e.c1 : e.c2, e.m, e.nonce, `MtA from ${bob}`);
  });
}

/**
 * With every reveal verified, recomputes each signer's δ_j·G (mode `delta`) or σ_j·G (mode
 * `sigma`) from the revealed values and returns the signers whose broadcast value disagrees.
 */
export function culprits(
  state: PresignState,
  reveals: ReadonlyMap<string, PresignReveal>,
): string[] {
  const mode = need(state.blame, 'blame');
  const ids = state.signers.map((s) => s.id);
  const ks = new Map<string, bigint>([[state.self, need(state.k, 'k')]]);
  // plain.get(a).get(b): Alice a's plaintext from Bob b, mod q.
  const plain = new Map<string, ReadonlyMap<string, bigint>>([
    [state.self, need(state.ownReveal, 'ownReveal')],
  ]);
  for (const [from, rv] of reveals) {
    ks.set(from, rv.k);
    const bobs = ids.filter((id) => id !== from);
    plain.set(from, new Map(bobs.map((b, i) => [b, rv.entries[i]!.m % q])));
  }
  let K = 0n;
  for (const k of ks.values()) K = modQ(K + k);
  const ctx = ctxOf(state);
  const bad: string[] = [];
  ids.forEach((j, pos) => {
    let a = 0n;
    for (const i of ids) {
      if (i === j) continue;
      a += need(plain.get(j)?.get(i), 'plaintext') - need(plain.get(i)?.get(j), 'plaintext');
    }
    const aG = mulPoint(G, modQ(a));
    let lhs: typeof IDENTITY;
    let rhs: typeof IDENTITY;
    if (mode === 'delta') {
      const dj = j === state.self ? need(state.delta, 'delta') : need(state.deltas?.get(j), 'δ_j');
      lhs = mulPoint(G, dj);
      const gamma = pointFromBytes(need(state.Gammas?.get(j), 'Γ_j'));
      rhs = mulPoint(gamma, K).add(aG);
    } else {
      lhs = mulPoint(pointFromBytes(need(state.Ss?.get(j), 'S_j')), K);
      rhs = mulPoint(ctx.signers[pos]!.W, K).add(aG);
    }
    if (!lhs.equals(rhs)) bad.push(j);
  });
  if (bad.includes(state.self)) {
    throw new LocalError('INTERNAL', 'our own presigning values failed the blame check');
  }
  return bad;
}
