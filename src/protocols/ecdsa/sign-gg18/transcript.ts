/**
 * Offline verification of a complete GG18 signing transcript (e.g. one recorded from tss-lib),
 * through the same decoders and validators the party's rounds use (`messages.ts`).
 *
 * It checks, from public data only: every range proof (under the recipient's Ñ), every Bob
 * proof (against the ciphertext the recipient sent and W_j = λ_j·X_j), every decommitment and
 * Schnorr proof, δ ≠ 0, R ≠ identity, r ≠ 0, the phase-5 check, the native s_j reveals, and the
 * final signature — and returns it, normalised exactly as a party would.
 *
 * Blame: a failed check on a message names its sender. Three failures are not attributable from
 * public data in GG18 and name every signer: δ = 0; every V_j proof failing at once (R itself is
 * wrong, i.e. some δ_j is); Σ U ≠ Σ T; and (tss-lib profile) an invalid final signature. With
 * `audit.paillierKeys` (every signer's Paillier factors: a forensic or test tool, never for
 * live parties) the verifier decrypts the MtA values and pins those down too: it checks each
 * δ_j·G = k_j·Γ_j + Σ_i (α_ji + k_i·γ_j − α_ij)·G and each s_j·G = m·k_j·G + r·σ_j·G.
 * @module
 */
import { LocalError, PeerError } from '../../../errors.js';
import type { KeyShareParty } from '../../../keyshare.js';
import { bytesToBigint } from '../../../math/bigint.js';
import { CURVE_ORDER, G, invQ, type Point, pointFromBytes } from '../../../math/curve.js';
import { decrypt } from '../../../paillier/paillier.js';
import type { Profile } from '../../../profile.js';
import { finishSignature, type Signature } from '../signature.js';
import {
  decodeSignRound1Message1,
  decodeSignRound1Message2,
  decodeSignRound2Message,
  decodeSignRound3Message,
  decodeSignRound4Message,
  decodeSignRound5Message,
  decodeSignRound6Message,
  decodeSignRound7Message,
  decodeSignRound8Message,
  decodeSignRound9Message,
  decodeSignRound9Reveal,
  decommittedPoints,
  MSG,
  type SignContext,
  type SignR1P2P,
  type SignR2,
  type SignR4,
  type SignR6,
  verifySignRound1Message1,
  verifySignRound2Message,
  verifySignRound4Message,
  verifySignRound6Message,
  verifySignRound8Message,
  verifySignRound9Reveal,
} from './messages.js';
import { paillierKeyOf, prepareSession, type SignDerivation } from './state.js';

const q = CURVE_ORDER;

/** One recorded message. */
export interface SignTranscriptMessage {
  /** Sender id. */
  readonly from: string;
  /** Recipient id of a point-to-point message; omit for a broadcast. */
  readonly to?: string;
  /** Message type: `SignRound1Message1` … (the tss-lib name, short or full) or `SignRound9Reveal`. */
  readonly type: string;
  /** The payload (tss-lib: the `Any` wire bytes). */
  readonly payload: Uint8Array;
}

/** A transcript and the public session facts it belongs to. */
export interface SignTranscript {
  /** The profile the session ran in. */
  readonly profile: Profile;
  /** Every party of the key (public data), e.g. `keyShare.parties`. */
  readonly parties: readonly KeyShareParty[];
  /** Ids of the signers. */
  readonly signers: readonly string[];
  /** Parties needed to sign. */
  readonly minSigners: number;
  /** The group public key, compressed hex. */
  readonly publicKey: string;
  /** The key's chain code (hex), for `derivation`. */
  readonly chainCode?: string;
  /** The derivation the session signed under, if any. */
  readonly derivation?: SignDerivation;
  /** The 32-byte message hash. */
  readonly messageHash: Uint8Array;
  /** Session id (native profile only: its nonce is SHA-256 of it). */
  readonly sessionId?: string;
  /** Every message of the session, in any order. */
  readonly messages: readonly SignTranscriptMessage[];
}

/** Options of {@link verifySignTranscript}. */
export interface TranscriptVerifyOptions {
  /**
   * Forensic mode: every signer's Paillier factors, by signer id, to attribute the failures GG18
   * cannot attribute publicly. Never use with live keys you intend to keep private.
   */
  readonly audit?: { readonly paillierKeys: ReadonlyMap<string, { p: bigint; q: bigint }> };
}

/** Result of {@link verifySignTranscript}. */
export interface TranscriptResult {
  /** The signature, normalised and verified as a party would return it. */
  readonly signature: Signature;
  /** The nonce point R. */
  readonly R: Point;
  /** The session's ssid. */
  readonly ssid: Uint8Array;
}

const P2P: ReadonlySet<string> = new Set([MSG.r1p2p, MSG.r2]);
const PREFIX = 'binance.tsslib.ecdsa.signing.';

/**
 * Verifies a complete signing transcript and returns the signature it produces.
 *
 * @throws {@link PeerError} naming the culprit(s) of the first failed check (see the module
 *   notes on blame); {@link LocalError} for bad session inputs.
 * @example
 * ```ts
 * const { signature } = verifySignTranscript({ profile: 'tss-lib', parties, signers, minSigners: 2,
 *   publicKey, messageHash, messages });
 * ```
 */
export function verifySignTranscript(
  t: SignTranscript,
  opts: TranscriptVerifyOptions = {},
): TranscriptResult {
  const session = prepareSession({ ...t, sessionId: t.sessionId ?? '' });
  const ids = session.signers.map((s) => s.id);
  const n = ids.length;
  const ctx: SignContext = {
    profile: t.profile,
    ssid: session.ssid,
    signers: session.signers.map((s) => ({
      id: s.id,
      index: s.index,
      paillier: { n: s.paillierN },
      ringPedersen: { nTilde: s.ntilde, h1: s.h1, h2: s.h2 },
      W: pointFromBytes(s.W),
    })),
    publicKey: session.publicKey,
    m: bytesToBigint(t.messageHash),
  };
  const fail = (
    culprits: readonly string[],
    round: number,
    code: PeerError['code'],
    message: string,
  ) => new PeerError({ code, message, culprits, round });
  const guard = <T>(from: number, round: number, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw PeerError.from(e, ids[from]!, { round });
    }
  };

  // Index the messages by slot; reject strangers, duplicates that differ, and gaps.
  const types = new Set<string>(Object.values(MSG));
  if (t.profile !== 'native') types.delete(MSG.r9reveal);
  const slots = new Map<string, Uint8Array>();
  const pos = new Map(ids.map((id, i) => [id, i]));
  if (!Array.isArray(t.messages))
    throw new LocalError('INVALID_ARGUMENT', '"messages" must be a list');
  for (const m of t.messages) {
    const type = m.type.startsWith(PREFIX) ? m.type.slice(PREFIX.length) : m.type;
    if (!pos.has(m.from))
      throw new LocalError('INVALID_ARGUMENT', `message from non-signer "${m.from}"`);
    const round = roundOf(type);
    if (!types.has(type) || P2P.has(type) !== (m.to !== undefined)) {
      throw fail([m.from], round, 'UNEXPECTED_MESSAGE', `unexpected "${type}" message`);
    }
    if (m.to !== undefined && (!pos.has(m.to) || m.to === m.from)) {
      throw fail([m.from], round, 'UNEXPECTED_MESSAGE', 'message to a non-signer');
    }
    const key = slot(type, m.from, m.to);
    const prev = slots.get(key);
    if (prev !== undefined && Buffer.compare(prev, m.payload) !== 0) {
      throw fail([m.from], round, 'EQUIVOCATION', `two different "${type}" messages`);
    }
    slots.set(key, m.payload);
  }
  const get = (type: string, from: number, to?: number): Uint8Array => {
    const b = slots.get(slot(type, ids[from]!, to === undefined ? undefined : ids[to]));
    if (b === undefined) {
      throw fail([ids[from]!], roundOf(type), 'MALFORMED', `transcript lacks its "${type}"`);
    }
    return b;
  };
  const others = (i: number) => ids.map((_, j) => j).filter((j) => j !== i);
  const all = ids.map((_, i) => i);

  // Round 1: ciphertexts with range proofs (verified by their recipient's Ñ), Γ commitments.
  const r1 = all.map(
    (i) =>
      new Map(
        others(i).map((j) => {
          const msg = guard(i, 1, () => decodeSignRound1Message1(get(MSG.r1p2p, i, j)));
          guard(i, 1, () => verifySignRound1Message1(ctx, i, j, msg));
          return [j, msg] as const;
        }),
      ),
  );
  const gammaCommits = all.map(
    (i) => guard(i, 1, () => decodeSignRound1Message2(get(MSG.r1bc, i))).commitment,
  );
  // Round 2: Bob j's replies to Alice i, against the ciphertext i sent j.
  const r2 = all.map(
    (j) =>
      new Map(
        others(j).map((i) => {
          const msg = guard(j, 2, () => decodeSignRound2Message(get(MSG.r2, j, i)));
          const cA = (r1[i]!.get(j) as SignR1P2P).c;
          guard(j, 2, () => verifySignRound2Message(ctx, j, i, cA, msg));
          return [i, msg] as const;
        }),
      ),
  );
  // Round 3: δ_j.
  const thetas = all.map((i) => guard(i, 3, () => decodeSignRound3Message(get(MSG.r3, i))).theta);
  // Round 4: Γ_j openings and proofs.
  const gammas = all.map((i) => {
    const msg: SignR4 = guard(i, 4, () => decodeSignRound4Message(get(MSG.r4, i)));
    guard(i, 4, () => verifySignRound4Message(ctx, i, gammaCommits[i]!, msg));
    return decommittedPoints(msg.decommitment, 1, 'Gamma')[0]!;
  });

  const audit = opts.audit ? makeAudit(ctx, ids, opts.audit.paillierKeys, r1, r2) : undefined;
  audit?.checkDeltas(thetas, gammas);

  const delta = thetas.reduce((a, b) => (a + b) % q, 0n);
  if (delta === 0n) throw fail(ids, 3, 'CONSISTENCY_CHECK_FAILED', 'δ = Σ δ_j is 0');
  const Gamma = gammas.reduce((a, b) => a.add(b));
  if (Gamma.is0()) throw fail(ids, 4, 'CONSISTENCY_CHECK_FAILED', 'Σ Γ_j is the identity');
  const R = Gamma.multiplyUnsafe(invQ(delta));
  const r = R.toAffine().x % q;
  if (r === 0n) throw fail(ids, 4, 'CONSISTENCY_CHECK_FAILED', 'r is 0');

  // Rounds 5 and 6: (V_j, A_j) commitments, openings and proofs.
  const vaCommits = all.map(
    (i) => guard(i, 5, () => decodeSignRound5Message(get(MSG.r5, i))).commitment,
  );
  const r6 = all.map((i) => guard(i, 6, () => decodeSignRound6Message(get(MSG.r6, i))));
  const bad6: { i: number; e: unknown }[] = [];
  for (const i of all) {
    try {
      verifySignRound6Message(ctx, i, vaCommits[i]!, R, r6[i] as SignR6);
    } catch (e) {
      bad6.push({ i, e });
    }
  }
  if (bad6.length === n && n > 1) {
    throw fail(
      ids,
      6,
      'CONSISTENCY_CHECK_FAILED',
      'every V_j proof fails: R is inconsistent with the δ_j',
    );
  }
  if (bad6.length > 0) throw PeerError.from(bad6[0]!.e, ids[bad6[0]!.i]!, { round: 6 });
  const VA = r6.map((m) => decommittedPoints(m.decommitment, 2, 'V-A') as [Point, Point]);
  // Rounds 7 and 8: (U_j, T_j) and the phase-5 check.
  const utCommits = all.map(
    (i) => guard(i, 7, () => decodeSignRound7Message(get(MSG.r7, i))).commitment,
  );
  let U: Point | undefined;
  let T: Point | undefined;
  for (const i of all) {
    const msg = guard(i, 8, () => decodeSignRound8Message(get(MSG.r8, i)));
    guard(i, 8, () => verifySignRound8Message(ctx, i, utCommits[i]!, msg));
    const [Ui, Ti] = decommittedPoints(msg.decommitment, 2, 'U-T') as [Point, Point];
    U = U ? U.add(Ui) : Ui;
    T = T ? T.add(Ti) : Ti;
  }
  if (!U!.equals(T!))
    throw fail(ids, 8, 'CONSISTENCY_CHECK_FAILED', 'phase-5 check failed: Σ U_j ≠ Σ T_j');

  // Round 9: the shares.
  const shares = all.map((i) => guard(i, 9, () => decodeSignRound9Message(get(MSG.r9, i))).s);
  if (t.profile === 'native') {
    for (const i of all) {
      const { l } = guard(i, 9, () => decodeSignRound9Reveal(get(MSG.r9reveal, i)));
      guard(i, 9, () => verifySignRound9Reveal(R, VA[i]![0], shares[i]!, l));
    }
  }
  audit?.checkShares(shares, r);
  const s = shares.reduce((a, b) => (a + b) % q, 0n);
  const signature = finishSignature(R, s, t.messageHash, session.publicKey);
  if (signature === undefined) {
    throw fail(ids, 9, 'SIGNATURE_INVALID', 'the aggregated signature does not verify');
  }
  return { signature, R, ssid: session.ssid };
}

function slot(type: string, from: string, to: string | undefined): string {
  return `${type}\u0000${from}\u0000${to ?? ''}`;
}

function roundOf(type: string): number {
  const m = /^SignRound(\d)/.exec(type);
  return m ? Number(m[1]) : 1;
}

/** Forensic checks of δ_j and s_j from decrypted MtA values (see the module notes). */
function makeAudit(
  ctx: SignContext,
  ids: readonly string[],
  keys: ReadonlyMap<string, { p: bigint; q: bigint }>,
  r1: readonly ReadonlyMap<number, SignR1P2P>[],
  r2: readonly ReadonlyMap<number, SignR2>[],
) {
  const sks = ids.map((id, i) => {
    const k = keys.get(id);
    if (!k || k.p * k.q !== ctx.signers[i]!.paillier.n) {
      throw new LocalError('INVALID_ARGUMENT', `audit needs the Paillier factors of "${id}"`);
    }
    return paillierKeyOf(k.p, k.q);
  });
  const n = ids.length;
  // k[i][j]: what i encrypted for j; alpha[i][j], mu[i][j]: Alice i's shares from Bob j.
  const k: bigint[][] = [];
  const alpha: bigint[][] = [];
  const mu: bigint[][] = [];
  for (let i = 0; i < n; i++) {
    k[i] = [];
    alpha[i] = [];
    mu[i] = [];
    for (const [j, m] of r1[i]!) k[i]![j] = decrypt(sks[i]!, m.c) % q;
  }
  for (let j = 0; j < n; j++) {
    for (const [i, m] of r2[j]!) {
      alpha[i]![j] = decrypt(sks[i]!, m.c1) % q;
      mu[i]![j] = decrypt(sks[i]!, m.c2) % q;
    }
  }
  const blame = (i: number, round: number, message: string) =>
    new PeerError({ code: 'CONSISTENCY_CHECK_FAILED', message, culprits: [ids[i]!], round });
  const ownK = (i: number): bigint => {
    const ks = k[i]!.filter((x) => x !== undefined);
    if (ks.some((x) => x !== ks[0]))
      throw blame(i, 1, 'encrypted different nonces for different peers');
    return ks[0]!;
  };
  const mulG = (x: bigint): Point => G.multiplyUnsafe(((x % q) + q) % q);
  return {
    /** δ_i·G = k_i·Γ_i + Σ_j (α_ij − α_ji)·G + k_j·Γ_i. */
    checkDeltas(thetas: readonly bigint[], gammas: readonly Point[]): void {
      for (let i = 0; i < n; i++) {
        const ki = ownK(i);
        let acc = gammas[i]!.multiplyUnsafe(ki);
        let scalar = 0n;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          scalar += alpha[i]![j]! - alpha[j]![i]!;
          acc = acc.add(gammas[i]!.multiplyUnsafe(k[j]![i]!));
        }
        acc = acc.add(mulG(scalar));
        if (!mulG(thetas[i]!).equals(acc))
          throw blame(i, 3, 'δ_i is inconsistent with its MtA values');
      }
    },
    /** s_i·G = m·k_i·G + r·σ_i·G, σ_i·G = k_i·W_i + Σ_j (μ_ij − μ_ji)·G + k_j·W_i. */
    checkShares(shares: readonly bigint[], r: bigint): void {
      for (let i = 0; i < n; i++) {
        const ki = ownK(i);
        const Wi = ctx.signers[i]!.W;
        let sigmaG = Wi.multiplyUnsafe(ki);
        let scalar = 0n;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          scalar += mu[i]![j]! - mu[j]![i]!;
          sigmaG = sigmaG.add(Wi.multiplyUnsafe(k[j]![i]!));
        }
        sigmaG = sigmaG.add(mulG(scalar));
        const expect = mulG((ctx.m * ki) % q).add(sigmaG.multiplyUnsafe(r));
        if (!mulG(shares[i]!).equals(expect)) {
          throw new PeerError({
            code: 'SIGNATURE_INVALID',
            message: 's_i is inconsistent with its MtA values',
            culprits: [ids[i]!],
            round: 9,
          });
        }
      }
    },
  };
}
