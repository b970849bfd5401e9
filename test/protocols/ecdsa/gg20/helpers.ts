/**
 * Test helpers for GG20: run presigning (and online signing) in process over the shared
 * simulator (test/support/simulate.ts), and put presignatures into per-party pools.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import { decodeValue, encodeValue, type JsonValue } from '../../../../src/party/codec.js';
import type { Party } from '../../../../src/party/types.js';
import {
  createOnlineSignParty,
  takePresignature,
} from '../../../../src/protocols/ecdsa/online-gg20/index.js';
import {
  createPresignParty,
  type Presignature,
  presignatureRecord,
} from '../../../../src/protocols/ecdsa/presign-gg20/index.js';
import type { SignDerivation } from '../../../../src/protocols/ecdsa/sign-gg18/state.js';
import type { Signature } from '../../../../src/protocols/ecdsa/signature.js';
import { createMemorySessionStore } from '../../../../src/stores/memory.js';
import type { SessionStore } from '../../../../src/stores/types.js';
import { type SimulateOptions, type SimulateResult, simulate } from '../../../support/simulate.js';

/** A fresh random session id (hex). */
export function newSessionId(): string {
  return randomBytes(16).toString('hex');
}

/** The default test message hash. */
export const MESSAGE_HASH = sha256(new TextEncoder().encode('mpc-tss gg20 test message'));

/** Creates one presigning party per signer. */
export function presignParties(
  shares: readonly KeyShare[],
  signers: readonly string[],
  sessionId = newSessionId(),
): Party<Presignature>[] {
  return signers.map((self) => {
    const keyShare = shares.find((s) => s.self === self);
    if (!keyShare) throw new Error(`no share for ${self}`);
    return createPresignParty({ self, signers, keyShare, sessionId });
  });
}

/** Runs one presigning session to completion (FIFO unless `opts` says otherwise). */
export function runPresign(
  shares: readonly KeyShare[],
  signers: readonly string[],
  opts: SimulateOptions<Presignature> = {},
): SimulateResult<Presignature> {
  return simulate(presignParties(shares, signers), { order: 'fifo', ...opts });
}

/** Runs presigning and returns every signer's presignature (throws if any party failed). */
export function presign(
  shares: readonly KeyShare[],
  signers: readonly string[],
): Map<string, Presignature> {
  const res = runPresign(shares, signers);
  if (res.outputs.size !== signers.length) {
    const errs = [...res.errors].map(([id, e]) => `${id}: ${e.code} ${e.message} [${e.culprits}]`);
    throw new Error(`presigning failed: ${errs.join('; ')}`);
  }
  return res.outputs;
}

/** Adds each signer's presignature to that signer's pool. */
export async function addToPools(
  stores: ReadonlyMap<string, SessionStore>,
  presigs: readonly ReadonlyMap<string, Presignature>[],
): Promise<void> {
  for (const [id, store] of stores) {
    const items = presigs.map((m) => presignatureRecord(m.get(id)!));
    if (items.length === 0) continue;
    await store.presignatures.add(presigs[0]!.get(id)!.keyId, items);
  }
}

/** One memory session store (presignature pool) per signer. */
export function memoryStores(ids: readonly string[]): Map<string, SessionStore> {
  return new Map(ids.map((id) => [id, createMemorySessionStore()]));
}

/**
 * Presigns, pools, takes and signs `messageHash` in one go: the whole GG20 flow for one
 * signature. Returns the online simulation result.
 */
export async function presignAndSign(
  shares: readonly KeyShare[],
  signers: readonly string[],
  opts: {
    messageHash?: Uint8Array;
    derivation?: SignDerivation;
    online?: SimulateOptions<Signature>;
  } = {},
): Promise<{ presigs: Map<string, Presignature>; online: SimulateResult<Signature> }> {
  const presigs = presign(shares, signers);
  const stores = memoryStores(signers);
  await addToPools(stores, [presigs]);
  const parties = await onlineParties(stores, presigs.get(signers[0]!)!.keyId, signers, opts);
  return { presigs, online: simulate(parties, { order: 'fifo', ...opts.online }) };
}

/** Takes one presignature from each signer's pool and creates the online parties. */
export async function onlineParties(
  stores: ReadonlyMap<string, SessionStore>,
  keyId: string,
  signers: readonly string[],
  opts: { messageHash?: Uint8Array; derivation?: SignDerivation } = {},
): Promise<Party<Signature>[]> {
  const tokens = await Promise.all(
    signers.map((self) =>
      takePresignature(stores.get(self)!.presignatures, { keyId, signers, self }),
    ),
  );
  return tokens.map((presignature, i) =>
    createOnlineSignParty({
      self: signers[i]!,
      presignature,
      messageHash: opts.messageHash ?? MESSAGE_HASH,
      ...(opts.derivation ? { derivation: opts.derivation } : {}),
    }),
  );
}

/** Plays a malicious party: decodes its snapshot state, edits it, and resumes it. */
export function editState<O>(
  party: Party<O>,
  restore: (snapshot: string) => Party<O>,
  edit: (state: Record<string, unknown>) => void,
): Party<O> {
  const snap = JSON.parse(party.snapshot()) as { state: JsonValue };
  const state = decodeValue(snap.state) as Record<string, unknown>;
  edit(state);
  snap.state = encodeValue(state);
  return restore(JSON.stringify(snap));
}
