/**
 * The ECDSA keygen protocol definitions and the party factory.
 *
 * Round files follow tss-lib's (`round_N.go` sends round-N messages): `round1.ts` is `start`
 * (round-1 broadcast), `round2.ts` processes round 1 and sends round 2, `round3.ts` processes
 * round 2 and sends round 3, `round4.ts` processes round 3 and saves. The engine adds a
 * confirmation round (`confirmFinalRound`), so the key is released only when every party has
 * verified everything with the same view of the broadcasts.
 *
 * Two definitions, one per profile, because the profiles exchange different message sets (the
 * native profile adds `KGRound3Schnorr`): `ecdsa-keygen` (native) and `ecdsa-keygen-tss-lib`.
 * The protocol name travels in every envelope, so parties of different profiles never mix.
 * @module
 */

import type { KeyShare } from '../../../keyshare.js';
import { createParty, registerProtocol } from '../../../party/engine.js';
import type { Party, PartyLimits, ProtocolDef, RoundContext } from '../../../party/types.js';
import { startKeygen } from './round1.js';
import { keygenRound1 } from './round2.js';
import { keygenRound2 } from './round3.js';
import { keygenRound3Native, keygenRound3TssLib } from './round4.js';
import { type KeygenOptions, type KeygenSetup, resolveKeygenSetup } from './setup.js';
import type { KeygenState } from './types.js';

/** Protocol name of the native-profile keygen. */
export const ECDSA_KEYGEN_PROTOCOL = 'ecdsa-keygen';
/** Protocol name of the tss-lib-profile keygen. */
export const ECDSA_KEYGEN_TSS_LIB_PROTOCOL = 'ecdsa-keygen-tss-lib';

function start(setup: KeygenSetup, ctx: RoundContext) {
  return startKeygen(setup, ctx);
}

/** Keygen, native profile (hardened hashing, session-bound proofs, Schnorr proof of u_i). */
export const ecdsaKeygenNative: ProtocolDef<KeygenState, KeyShare, KeygenSetup> = Object.freeze({
  protocol: ECDSA_KEYGEN_PROTOCOL,
  version: 1,
  rounds: [keygenRound1, keygenRound2, keygenRound3Native],
  start,
  confirmFinalRound: true,
});

/** Keygen, tss-lib profile (tss-lib v2 wire payloads and hashing). */
export const ecdsaKeygenTssLib: ProtocolDef<KeygenState, KeyShare, KeygenSetup> = Object.freeze({
  protocol: ECDSA_KEYGEN_TSS_LIB_PROTOCOL,
  version: 1,
  rounds: [keygenRound1, keygenRound2, keygenRound3TssLib],
  start,
  confirmFinalRound: true,
});

/** Both keygen definitions, e.g. for `restoreParty(snapshot, ecdsaKeygenProtocols)`. */
export const ecdsaKeygenProtocols: readonly ProtocolDef<KeygenState, KeyShare, KeygenSetup>[] =
  Object.freeze([ecdsaKeygenNative, ecdsaKeygenTssLib]);

/**
 * Registers both keygen definitions so that `restoreParty(snapshot)` finds them by name.
 * Idempotent. `createKeygenParty` calls it; call it at startup in a process that only restores.
 */
export function registerEcdsaKeygen(): void {
  for (const def of ecdsaKeygenProtocols) registerProtocol(def);
}

/** Options of {@link createKeygenParty}: the keygen options plus the engine's buffer limits. */
export interface CreateKeygenPartyOptions extends KeygenOptions {
  /** Envelope and buffer limits of the party engine (safe defaults). */
  readonly limits?: PartyLimits;
}

/**
 * Creates one party of a threshold ECDSA keygen (GG18 / tss-lib v2 keygen with the checks of
 * SECURITY.md items 1–6, 9, 10, 13, 14). Drive it with `start()` and `handle(bytes, { from })`;
 * its output is this party's {@link KeyShare}.
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT` for bad options (party list, minSigners, indices,
 *   session id), `INVALID_KEY_SHARE` for invalid pre-params.
 * @example
 * ```ts
 * const party = createKeygenParty({
 *   self: 'alice', parties: ['alice', 'bob', 'carol'], minSigners: 2,
 *   sessionId, preParams: await generatePreParams(),
 * });
 * let step = party.start();
 * send(step.outgoing);
 * // for each incoming message: step = party.handle(bytes, { from: authenticatedSender });
 * if (step.status === 'done') await keyStore.put(serializeKeyShare(step.output!));
 * ```
 */
export function createKeygenParty(opts: CreateKeygenPartyOptions): Party<KeyShare> {
  const setup = resolveKeygenSetup(opts);
  registerEcdsaKeygen();
  const def = setup.profile === 'tss-lib' ? ecdsaKeygenTssLib : ecdsaKeygenNative;
  return createParty(
    def,
    {
      self: opts.self,
      parties: opts.parties,
      sessionId: opts.sessionId,
      ...(opts.limits ? { limits: opts.limits } : {}),
    },
    setup,
  );
}
