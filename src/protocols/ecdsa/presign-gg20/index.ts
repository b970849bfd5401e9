/**
 * GG20 presigning (Gennaro–Goldfeder 2020, "One Round Threshold ECDSA with Identifiable Abort",
 * eprint 2020/540): everything of a threshold ECDSA signature except the message, for a fixed
 * signer set. Its output, a {@link Presignature}, is consumed by the one-round online signing
 * of `online-gg20`. Native profile only: tss-lib has no GG20, so every proof is bound to the
 * native GG20 ssid ({@link nativeSigningSsid}, `protocol: 'gg20'`, no message).
 *
 * | engine round | receives                                      | then sends                                   | file      |
 * | ------------ | --------------------------------------------- | -------------------------------------------- | --------- |
 * | start        | –                                             | c_i + range proofs (p2p); C(Γ_i); H(c_i)     | round1.ts |
 * | 1            | c_j (digest-checked, range proofs verified)   | MtA/MtAwc replies with Bob's proofs (p2p)    | round1.ts |
 * | 2            | Bob's replies (proofs verified)               | δ_i, T_i + proof, MtA digests                | round2.ts |
 * | 3            | δ_j, T_j (proof, digest checked)              | open Γ_i + Schnorr                           | round3.ts |
 * | 4            | Γ_j (decommitment + Schnorr)                  | R̄_i; PDL proof per verifier (p2p)           | round4.ts |
 * | 5            | R̄_j (PDL verified); Σ R̄_j = G               | S_i + ST proof                               | round5.ts |
 * | 6            | S_j (ST verified); Σ S_j = y                  | nothing (or the blame reveal)                | round6.ts |
 * | 7            | blame only: reveals                           | → {@link Presignature}, or abort naming culprits | round7.ts |
 *
 * Rounds 1 and 2 are GG18's (`sign-gg18/round1.ts`, `round2.ts`: MtA with every range proof),
 * extended; commitments, Schnorr proofs and four message layouts are GG18's too. GG20 adds
 * T_i/S_i (zk/st.ts), R̄_i with PDL-with-slack (zk/pdl.ts), and identifiable abort for the two
 * product checks (blame.ts): a failing check leads every party to a reveal round, which reveals
 * nothing tied to w_i, and names the signers whose values are inconsistent. Every failed proof
 * names its sender directly.
 * @module
 */
import { createParty, registerProtocol, restoreParty } from '../../../party/engine.js';
import type { Party, PartyLimits, ProtocolDef } from '../../../party/types.js';
import type { Presignature } from './presignature.js';
import { round1, start } from './round1.js';
import { round2 } from './round2.js';
import { round3 } from './round3.js';
import { round4 } from './round4.js';
import { round5 } from './round5.js';
import { round6 } from './round6.js';
import { round7 } from './round7.js';
import {
  type PresignInput,
  type PresignPartyOptions,
  type PresignState,
  preparePresign,
} from './state.js';

/** Protocol name of GG20 presigning. */
export const PRESIGN_GG20_PROTOCOL = 'ecdsa-presign-gg20';

/** The GG20 presigning protocol definition (for `restoreParty`). */
export const PRESIGN_GG20: ProtocolDef<PresignState, Presignature, PresignInput> = {
  protocol: PRESIGN_GG20_PROTOCOL,
  version: 1,
  rounds: [round1, round2, round3, round4, round5, round6, round7],
  start,
};

/** Registers GG20 presigning for `restoreParty` (idempotent). */
export function registerPresignGg20(): void {
  registerProtocol(PRESIGN_GG20);
}

/** Options of {@link createPresignParty}. */
export interface CreatePresignPartyOptions extends PresignPartyOptions {
  /** Buffer and size limits of the party engine. */
  readonly limits?: PartyLimits;
}

/**
 * Creates a GG20 presigning party. All validation happens here (throws {@link LocalError});
 * `start()` draws the randomness. Also registers the protocol, so `restoreParty(snapshot)`
 * works in this process. The output is this signer's {@link Presignature} (id = `sessionId`):
 * put it in the pool with `presignatureRecord`, never anywhere unencrypted.
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT`, `INVALID_KEY_SHARE`, `UNSUPPORTED`.
 * @example
 * ```ts
 * const party = createPresignParty({ self: 'alice', signers: ['alice', 'carol'], keyShare, sessionId });
 * let step = party.start();
 * // … deliver envelopes until step.status === 'done'
 * await sessionStore.presignatures.add(step.output!.keyId, [presignatureRecord(step.output!)]);
 * ```
 */
export function createPresignParty(opts: CreatePresignPartyOptions): Party<Presignature> {
  const input = preparePresign(opts);
  registerPresignGg20();
  return createParty(
    PRESIGN_GG20,
    {
      self: opts.self,
      parties: [...opts.signers],
      sessionId: opts.sessionId,
      ...(opts.limits === undefined ? {} : { limits: opts.limits }),
    },
    input,
  );
}

/** Resumes a presigning party from its snapshot (which holds secrets: keep it encrypted). */
export function restorePresignParty(snapshot: string): Party<Presignature> {
  return restoreParty<Presignature>(snapshot, PRESIGN_GG20);
}

export type { Presignature, PresignaturePoints, PresignatureSigner } from './presignature.js';
export {
  PRESIGNATURE_FORMAT,
  PRESIGNATURE_VERSION,
  parsePresignature,
  presignatureRecord,
  serializePresignature,
  validatePresignature,
} from './presignature.js';
export type { PresignPartyOptions } from './state.js';
