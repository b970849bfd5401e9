/**
 * GG20 online signing: one round. Each signer turns its presignature and the message into a
 * signature share s_i, broadcasts it, and the output is the same verified, low-s
 * {@link Signature} as GG18's.
 *
 * With the presignature's R (= k⁻¹·G), R̄_j = k_j·R, S_j = σ_j·R (Σ R̄_j = G and Σ S_j = y were
 * established, with proofs, by presigning) and the message m < q:
 *
 *   s_i = m·k_i + r·σ_i   (r = R.x mod q)        check of s_j:  s_j·R = m·R̄_j + r·S_j
 *
 * (GG20 §4, phase 7). Σ s_j = k·(m + r·x), a signature with nonce point R = k⁻¹·G; a share that
 * passes its check is the only one that does, so a wrong share names its sender.
 *
 * **HD derivation.** To sign under a non-hardened child y′ = y + Δ·G of the presignature's root
 * key, the issue proposes s_i′ = (m + r·Δ)·k_i + r·σ_i, checked by s_i′·R = (m + r·Δ)·R̄_i + r·S_i.
 * The algebra is right: Σ s_i′ = k·(m + r·Δ) + r·k·x = k·(m + r·(x + Δ)), a signature under y′,
 * and each check is the equation above with m replaced by m + r·Δ. But it is the "raw
 * presignature + additive key derivation" combination that Groth and Shoup showed weak
 * (Eurocrypt 2022): R, hence r, is known before the request, and (m, Δ) enters only through
 * m + r·Δ, so an adversary choosing messages and among many BIP32 children can search for two
 * requests with equal m + r·Δ (a 4-list birthday problem, ≈ q^(1/3) ≈ 2^85 work) and turn the
 * signature on one into a forgery on the other. Their fix re-randomizes the presignature with a
 * public value fixed only once message and tweak are. We use the multiplicative form, which
 * keeps the round linear in the shares: with derivation,
 *
 *   ρ = H(presignature ssid and id, R, m, y′, Δ) mod q,  R′ = ρ·R,  r′ = R′.x mod q,
 *   m′ = m + r′·Δ,  s_i = ρ⁻¹·(m′·k_i + r′·σ_i),  check: s_j·R′ = m′·R̄_j + r′·S_j.
 *
 * Σ s_i = ρ⁻¹·k·(m + r′·(x + Δ)): an ECDSA signature under y′ with nonce ρ/k, whose point is
 * ρ·R = R′; and s_j·R′ = ρ⁻¹(m′k_j + r′σ_j)·ρR = m′·R̄_j + r′·S_j. R′ and r′ now change
 * unpredictably with (m, Δ), which removes the linear relation the attack needs. (Groth–Shoup
 * analyse the additive form R + δ·G, which would need another interaction here; the
 * multiplicative form is not covered by their proof.) Without derivation we keep GG20's own
 * formula (ρ = 1), for which raw presignatures are analysed. Hardened derivation needs the
 * parent secret and is refused (`derive.ts`).
 *
 * Verification is optimistic: the aggregated signature is verified first (one ECDSA
 * verification, required before output anyway), and only if it fails is each share checked to
 * name the culprits. Each share carries a binding digest (presignature, R′, m, y′), checked as it
 * arrives, so a signer holding another presignature or signing another message is named at once.
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { LocalError, PeerError, VerifyError } from '../../../errors.js';
import { hashItems, Transcript } from '../../../hash/transcript.js';
import { bytesEqual, bytesToBigint, bytesToHex } from '../../../math/bigint.js';
import {
  CURVE_ORDER,
  invQ,
  modQ,
  mulPoint,
  type Point,
  pointFromBytes,
} from '../../../math/curve.js';
import { createParty, registerProtocol, restoreParty } from '../../../party/engine.js';
import type { Party, PartyLimits, ProtocolDef, RoundDef } from '../../../party/types.js';
import { derivePublicKey } from '../derive.js';
import { Reader, Writer } from '../presign-gg20/codec.js';
import type { SignDerivation } from '../sign-gg18/state.js';
import { finishSignature, type Signature } from '../signature.js';
import { type ConsumedPresignature, peekPresignature, spendPresignature } from './lifecycle.js';

/** Protocol name of GG20 online signing. */
export const ONLINE_GG20_PROTOCOL = 'ecdsa-online-gg20';
/** The share message type. */
export const ONLINE_MSG = 'gg20/s';

const q = CURVE_ORDER;
const RERANDOMIZE_TAG = 'mpc-tss/ecdsa/online-gg20/rerandomize/v1';
const BINDING_TAG = 'mpc-tss/ecdsa/online-gg20/binding/v1';

/** The online party's state (public data only, plus our own share once computed). */
export interface OnlineState {
  readonly id: string;
  readonly signers: readonly string[];
  /** R′ = ρ·R (R itself without derivation), compressed. */
  readonly R: Uint8Array;
  /** r′ = R′.x mod q. */
  readonly r: bigint;
  /** m′ = m + r′·Δ mod q. */
  readonly m: bigint;
  /** R̄_j and S_j, in signer order. */
  readonly Rbars: readonly Uint8Array[];
  readonly Ss: readonly Uint8Array[];
  readonly messageHash: Uint8Array;
  /** y′, compressed. */
  readonly publicKey: Uint8Array;
  readonly binding: Uint8Array;
  /** Our share s_i (public once sent). */
  readonly s?: bigint;
}

/** What `start` receives (never snapshotted). */
export interface OnlineInput {
  readonly state: OnlineState;
  readonly secret: { readonly k: bigint; readonly sigma: bigint };
  readonly rho: bigint;
}

/** Options of {@link createOnlineSignParty}. */
export interface OnlineSignPartyOptions {
  /** Our party id; must be the presignature's owner. */
  readonly self: string;
  /** The consumed presignature (from `consumePresignature` / `takePresignature`). Spent here. */
  readonly presignature: ConsumedPresignature;
  /** The 32-byte message hash (used as is); must be < q as an integer. */
  readonly messageHash: Uint8Array;
  /** Sign with a non-hardened BIP32 child of the presignature's key. */
  readonly derivation?: SignDerivation;
  /**
   * Session id of the online round; default `gg20-online-` + the first 16 bytes of
   * SHA-256(presignature id) in hex (unique, since each presignature is used once, and distinct
   * from the presigning session id).
   */
  readonly sessionId?: string;
  /** Buffer and size limits of the party engine. */
  readonly limits?: PartyLimits;
}

function sharePayload(binding: Uint8Array, s: bigint): Uint8Array {
  return new Writer().fixed(binding, 32).scalar(s).finish();
}

function decodeShare(payload: Uint8Array): { binding: Uint8Array; s: bigint } {
  const r = new Reader(payload, ONLINE_MSG);
  const out = { binding: r.fixed(32, 'binding'), s: r.scalar('s', 1n) };
  r.end();
  return out;
}

/** Whether s_j·R′ = m′·R̄_j + r′·S_j. */
function shareValid(state: OnlineState, R: Point, j: number, s: bigint): boolean {
  const Rbar = pointFromBytes(state.Rbars[j]!);
  const S = pointFromBytes(state.Ss[j]!);
  return R.multiplyUnsafe(s).equals(mulPoint(Rbar, state.m).add(S.multiplyUnsafe(state.r)));
}

const round1: RoundDef<OnlineState, Signature> = {
  messages: [{ type: ONLINE_MSG, broadcast: true }],
  decode: (_type, payload) => decodeShare(payload),
  verify: (_type, msg, _from, state) => {
    if (!bytesEqual((msg as { binding: Uint8Array }).binding, state.binding)) {
      throw new VerifyError(
        'CONSISTENCY_CHECK_FAILED',
        'signature share is for another presignature, message or key',
      );
    }
  },
  finalize: (state, inbox, rctx) => {
    const shares = inbox.all<{ s: bigint }>(ONLINE_MSG);
    let s = state.s ?? 0n;
    for (const m of shares.values()) s = (s + m.s) % q;
    const R = pointFromBytes(state.R);
    const sig = finishSignature(R, s, state.messageHash, pointFromBytes(state.publicKey));
    if (sig !== undefined) return { state, output: sig };
    // Some share is wrong: check each one to name its sender.
    const culprits = [...shares]
      .filter(([from, m]) => !shareValid(state, R, state.signers.indexOf(from), m.s))
      .map(([from]) => from);
    throw new PeerError({
      code: 'SIGNATURE_INVALID',
      message:
        culprits.length > 0
          ? 'signature share fails s_j·R′ = m′·R̄_j + r′·S_j'
          : 'the aggregated signature does not verify',
      culprits: culprits.length > 0 ? culprits : rctx.others,
      round: rctx.round,
      sessionId: rctx.sessionId,
    });
  },
};

/** The GG20 online signing protocol definition (for `restoreParty`). */
export const ONLINE_GG20: ProtocolDef<OnlineState, Signature, OnlineInput> = {
  protocol: ONLINE_GG20_PROTOCOL,
  version: 1,
  rounds: [round1],
  start: (input) => {
    const { state, secret, rho } = input;
    const t = modQ(state.m * secret.k + state.r * secret.sigma);
    const s = rho === 1n ? t : modQ(invQ(rho) * t);
    return {
      state: { ...state, s },
      outgoing: [{ type: ONLINE_MSG, payload: sharePayload(state.binding, s) }],
    };
  },
};

/** Registers GG20 online signing for `restoreParty` (idempotent). */
export function registerOnlineGg20(): void {
  registerProtocol(ONLINE_GG20);
}

/**
 * Creates the one-round online signing party for a consumed presignature (spending it: a second
 * call with the same token throws `PRESIGNATURE_USED`). The presignature's secret shares stay in
 * the party only until `start()`, which emits this signer's share.
 *
 * @throws {@link LocalError} `PRESIGNATURE_USED`, `INVALID_ARGUMENT` (not a consumed token, self
 *   mismatch, bad message hash), `UNSUPPORTED` (hardened derivation).
 * @example
 * ```ts
 * const token = await takePresignature(sessions.presignatures, { keyId, signers, self: 'alice' });
 * const party = createOnlineSignParty({ self: 'alice', presignature: token, messageHash });
 * let step = party.start(); // one broadcast; done after every peer's share
 * ```
 */
export function createOnlineSignParty(opts: OnlineSignPartyOptions): Party<Signature> {
  if (typeof opts !== 'object' || opts === null) {
    throw new LocalError('INVALID_ARGUMENT', 'online sign options must be an object');
  }
  const mh = opts.messageHash;
  if (!(mh instanceof Uint8Array) || mh.length !== 32) {
    throw new LocalError('INVALID_ARGUMENT', '"messageHash" must be 32 bytes');
  }
  if (bytesToBigint(mh) >= q) {
    throw new LocalError('INVALID_ARGUMENT', '"messageHash" must be less than the curve order');
  }
  const token = opts.presignature;
  const p = peekPresignature(token); // validate everything before spending the token
  if (p.self !== opts.self) {
    throw new LocalError('INVALID_ARGUMENT', '"self" must be the presignature\'s owner');
  }
  // The token's presignature was fully validated by consumePresignature (parsePresignature):
  // only the two points needed here are decoded again.
  const R0 = pointFromBytes(p.R, 'R');
  const y0 = pointFromBytes(p.publicKey, 'publicKey');
  let delta = 0n;
  let y = y0;
  if (opts.derivation !== undefined) {
    const cc = opts.derivation.chainCode ?? p.chainCode;
    if (cc === undefined) {
      throw new LocalError('INVALID_ARGUMENT', 'derivation needs a chain code (none in the key)');
    }
    ({ delta, publicKey: y } = derivePublicKey(y0, cc, opts.derivation.path));
  }
  const m = bytesToBigint(mh);
  // Re-randomize under derivation only (see the module notes); ρ = 1 is GG20's own formula.
  const rho =
    opts.derivation === undefined
      ? 1n
      : new Transcript(RERANDOMIZE_TAG)
          .append('ssid', p.ssid)
          .append('id', p.id)
          .append('R', p.R)
          .append('messageHash', mh)
          .append('publicKey', y.toBytes(true))
          .append('delta', delta)
          .challengeMod('rho', q);
  if (rho === 0n) throw new LocalError('INTERNAL', 're-randomizer is 0');
  const Rp = rho === 1n ? R0 : R0.multiplyUnsafe(rho);
  const r = Rp.toAffine().x % q;
  if (r === 0n) throw new LocalError('INTERNAL', 'r′ is 0');
  const signers = p.signers.map((s) => s.id);
  const binding = hashItems(BINDING_TAG, [
    ['ssid', p.ssid],
    ['id', p.id],
    ['signers', signers.join('\u0000')],
    ['R', Rp.toBytes(true)],
    ['messageHash', mh],
    ['publicKey', y.toBytes(true)],
  ]);
  const state: OnlineState = {
    id: p.id,
    signers,
    R: Rp.toBytes(true),
    r,
    m: modQ(m + r * delta),
    Rbars: p.signers.map((s) => s.Rbar),
    Ss: p.signers.map((s) => s.S),
    messageHash: Uint8Array.from(mh),
    publicKey: y.toBytes(true),
    binding,
  };
  registerOnlineGg20();
  const party = createParty(
    ONLINE_GG20,
    {
      self: opts.self,
      parties: signers,
      sessionId:
        opts.sessionId ??
        `gg20-online-${bytesToHex(sha256(new TextEncoder().encode(p.id)).subarray(0, 16))}`,
      ...(opts.limits === undefined ? {} : { limits: opts.limits }),
    },
    { state, secret: p.secret, rho },
  );
  spendPresignature(token); // the only copy of the secret shares is now the party's input
  return party;
}

/** Resumes an online signing party from its snapshot (it holds no k_i or σ_i). */
export function restoreOnlineSignParty(snapshot: string): Party<Signature> {
  return restoreParty<Signature>(snapshot, ONLINE_GG20);
}

export type { ConsumedPresignature, ConsumeOptions, TakeOptions } from './lifecycle.js';
export { consumePresignature, takePresignature } from './lifecycle.js';
