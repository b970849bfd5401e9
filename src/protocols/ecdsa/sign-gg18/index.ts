/**
 * GG18 threshold ECDSA signing (Gennaro–Goldfeder 2018, as in bnb-chain/tss-lib v2): nine
 * rounds, any `minSigners`-of-n subset of the key holders.
 *
 * | engine round | receives                              | then sends (tss-lib)          | file      |
 * | ------------ | ------------------------------------- | ----------------------------- | --------- |
 * | start        | –                                     | c_i + range proofs, C(Γ_i)    | round1.ts |
 * | 1            | ciphertexts (range proofs verified)   | MtA/MtAwc replies (Bob)       | round1.ts |
 * | 2            | Bob's replies (proofs verified)       | δ_i                           | round2.ts |
 * | 3            | δ_j (δ ≠ 0)                           | open Γ_i + Schnorr            | round3.ts |
 * | 4            | Γ_j (decommitment + Schnorr)          | C(V_i, A_i)                   | round4.ts |
 * | 5            | C(V_j, A_j)                           | open V_i, A_i + proofs        | round5.ts |
 * | 6            | V_j, A_j (decommitment + proofs)      | C(U_i, T_i)                   | round6.ts |
 * | 7            | C(U_j, T_j)                           | open U_i, T_i                 | round7.ts |
 * | 8            | U_j, T_j; check Σ U = Σ T             | s_i (+ native: l_i)           | round8.ts |
 * | 9            | s_j (native: each checked)            | → verified {@link Signature}  | round9.ts |
 *
 * Two protocol definitions share every round: {@link SIGN_GG18_NATIVE} (`ecdsa-sign-gg18`) and
 * {@link SIGN_GG18_TSS_LIB} (`ecdsa-sign-gg18-tsslib`); they differ in hashing (ssid, proof
 * sessions, commitments) and in the native round-9 reveal. Messages use tss-lib's layouts in
 * both. Register both with {@link registerSignGg18} (or let {@link createSignParty} do it) so
 * `restoreParty(snapshot)` finds them.
 * @module
 */
import { LocalError } from '../../../errors.js';
import { createParty, registerProtocol, restoreParty } from '../../../party/engine.js';
import type { AnyProtocolDef, Party, PartyLimits, ProtocolDef } from '../../../party/types.js';
import type { Profile } from '../../../profile.js';
import type { Signature } from '../signature.js';
import { round1, start } from './round1.js';
import { round2 } from './round2.js';
import { round3 } from './round3.js';
import { round4 } from './round4.js';
import { round5 } from './round5.js';
import { round6 } from './round6.js';
import { round7 } from './round7.js';
import { round8 } from './round8.js';
import { round9 } from './round9.js';
import { prepareSign, type SignInput, type SignPartyOptions, type SignState } from './state.js';

/** Protocol name of the native profile. */
export const SIGN_GG18_PROTOCOL = 'ecdsa-sign-gg18';
/** Protocol name of the tss-lib profile. */
export const SIGN_GG18_TSS_LIB_PROTOCOL = 'ecdsa-sign-gg18-tsslib';

function def(profile: Profile): ProtocolDef<SignState, Signature, SignInput> {
  return {
    protocol: profile === 'native' ? SIGN_GG18_PROTOCOL : SIGN_GG18_TSS_LIB_PROTOCOL,
    version: 1,
    rounds: [round1, round2, round3, round4, round5, round6, round7, round8, round9(profile)],
    start: (input, rctx) => {
      if (input.state.profile !== profile) {
        throw new LocalError('INVALID_ARGUMENT', 'sign-gg18: input prepared for another profile');
      }
      return start(input, rctx);
    },
  };
}

/** GG18 signing, native profile (hardened hashing, per-share checks). */
export const SIGN_GG18_NATIVE: ProtocolDef<SignState, Signature, SignInput> = def('native');
/** GG18 signing, tss-lib v2 profile (byte-compatible messages and hashing). */
export const SIGN_GG18_TSS_LIB: ProtocolDef<SignState, Signature, SignInput> = def('tss-lib');

/** Both GG18 signing definitions, e.g. for `restoreParty(snapshot, SIGN_GG18_DEFS)`. */
export const SIGN_GG18_DEFS: readonly AnyProtocolDef[] = [SIGN_GG18_NATIVE, SIGN_GG18_TSS_LIB];

/** Registers both GG18 signing protocols for `restoreParty` (idempotent). */
export function registerSignGg18(): void {
  for (const d of SIGN_GG18_DEFS) registerProtocol(d);
}

/** Options of {@link createSignParty}: {@link SignPartyOptions} plus engine limits. */
export interface CreateSignPartyOptions extends SignPartyOptions {
  /** Buffer and size limits of the party engine. */
  readonly limits?: PartyLimits;
}

/**
 * Creates a GG18 signing party. All validation happens here (throws {@link LocalError});
 * `start()` then draws the round-1 randomness. Also registers the protocol, so
 * `restoreParty(snapshot)` works in this process.
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT` (self not in signers, fewer than minSigners,
 *   messageHash not 32 bytes or ≥ q, …), `INVALID_KEY_SHARE`, `UNSUPPORTED` (hardened path).
 * @example
 * ```ts
 * const party = createSignParty({
 *   self: share.self, signers: ['alice', 'carol'], keyShare: share,
 *   messageHash: sha256(msg), sessionId: randomHex(16),
 * });
 * let step = party.start();
 * // …deliver envelopes with party.handle(bytes, { from }) until step.status === 'done'
 * const { r, s, recoveryId, der } = step.output!;
 * ```
 */
export function createSignParty(opts: CreateSignPartyOptions): Party<Signature> {
  const input = prepareSign(opts);
  registerSignGg18();
  const d = input.state.profile === 'native' ? SIGN_GG18_NATIVE : SIGN_GG18_TSS_LIB;
  return createParty(
    d,
    {
      self: opts.self,
      parties: [...opts.signers],
      sessionId: opts.sessionId,
      ...(opts.limits === undefined ? {} : { limits: opts.limits }),
    },
    input,
  );
}

/** Resumes a signing party from its snapshot (either profile). */
export function restoreSignParty(snapshot: string): Party<Signature> {
  return restoreParty<Signature>(snapshot, SIGN_GG18_DEFS);
}

export type { SignContext, Signer } from './messages.js';
export type { SignDerivation, SignPartyOptions, SignState } from './state.js';
