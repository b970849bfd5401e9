/**
 * A `ThresholdSigner` backed by GG18: every digest the chain layer (`mpc-tss/bitcoin`,
 * `mpc-tss/ethereum`) asks for is signed by a fresh threshold signing session between the chosen
 * key holders, run in this process with `runLocal` (on worker threads when a pool is given).
 *
 * This is the piece a single-key callback stands in for. In production each signer is its own
 * node and the session runs over a transport (`runParty`, or a coordinator); the callback then
 * starts that session and waits for its signature. The chain layer does not change.
 *
 * @example
 * ```ts
 * const pool = createWorkerPool();
 * const signer = createThresholdSigner({ shares, signers: ['alice', 'carol'], pool });
 * const eth = createEthereumSigner({ publicKey: shares[0], signer });
 * const { serialized } = await eth.signTransaction({ chain: 'sepolia', ... });
 * ```
 */
import type { RecoveryId, SigningContext, ThresholdSigner } from '../../src/chains/types.js';
import {
  type CreateSignPartyOptions,
  createSignParty,
  type KeyShare,
  LocalError,
  type LocalParty,
  type LocalRunResult,
  newSessionId,
  type Profile,
  runLocal,
  type Signature,
  type SignDerivation,
  type WorkerParty,
  type WorkerPool,
} from '../../src/index.js';

/** One finished signing session, reported to {@link ThresholdSignerOptions.onSigned}. */
export interface SigningRun {
  /** The 32-byte digest that was signed. */
  readonly digest: Uint8Array;
  /** What the chain layer said it is signing (PSBT input, transaction, message, …). */
  readonly context: SigningContext | undefined;
  /** The signature every signer output (verified by each against the (derived) key). */
  readonly signature: Signature;
  /** The session id of the signing run. */
  readonly sessionId: string;
  /** Traffic of the session: encoded envelopes as sent. */
  readonly wire: { readonly bytes: number; readonly messages: number };
  /** Wall time of the session, ms. */
  readonly elapsedMs: number;
}

/** Options of {@link createThresholdSigner}. */
export interface ThresholdSignerOptions {
  /** Key shares of the signers (shares of other parties are ignored). */
  readonly shares: readonly KeyShare[];
  /** Ids of the parties that sign: at least `minSigners` of the key. */
  readonly signers: readonly string[];
  /** Host the signing parties on these worker threads (default: in this thread). */
  readonly pool?: WorkerPool;
  /** Sign with a non-hardened BIP32 child key (see `derivePublicKey` for its public key). */
  readonly derivation?: SignDerivation;
  /** GG18 profile, `native` by default. */
  readonly profile?: Profile;
  /** Called after each successful signing session (timings, bytes, audit). */
  readonly onSigned?: (run: SigningRun) => void;
}

/**
 * Returns a {@link ThresholdSigner} that runs one GG18 signing session among `signers` per
 * digest.
 *
 * - A party that misbehaves makes the call reject with its `PeerError` (`culprits` names it);
 *   the chain layer passes it on unchanged.
 * - Every signer must output the same signature; the chain layer verifies it again anyway.
 *
 * @throws {@link LocalError} `INVALID_ARGUMENT` when a signer has no share among `shares`, or
 *   when fewer than `minSigners` signers are named.
 */
export function createThresholdSigner(opts: ThresholdSignerOptions): ThresholdSigner {
  const { signers, pool, derivation, profile, onSigned } = opts;
  const shareOf = new Map(opts.shares.map((s) => [s.self, s]));
  for (const id of signers) {
    if (!shareOf.has(id)) {
      throw new LocalError('INVALID_ARGUMENT', `no key share for signer "${id}"`);
    }
  }
  const first = shareOf.get(signers[0] ?? '');
  if (first === undefined || signers.length < first.minSigners) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `need at least ${first?.minSigners ?? 2} signers, got ${signers.length}`,
    );
  }

  return async (digest, context) => {
    const sessionId = newSessionId(); // fresh for every signing, the same for all signers
    const options = (self: string): CreateSignPartyOptions => ({
      self,
      signers: [...signers],
      keyShare: shareOf.get(self)!,
      messageHash: digest,
      sessionId,
      ...(derivation === undefined ? {} : { derivation }),
      ...(profile === undefined ? {} : { profile }),
    });
    const parties: LocalParty<Signature>[] =
      pool === undefined
        ? signers.map((self) => createSignParty(options(self)))
        : await createOnWorkers(pool, signers.map(options));
    let result: LocalRunResult<Signature>;
    try {
      result = await runLocal(parties);
    } finally {
      // Frees the worker-hosted parties and the secrets they hold.
      if (pool !== undefined) await terminate(parties as WorkerParty<Signature>[]);
    }
    const signature = signatureOf(result, signers);
    onSigned?.({
      digest: Uint8Array.from(digest),
      context,
      signature,
      sessionId,
      wire: { bytes: result.wire.bytes, messages: result.wire.messages },
      elapsedMs: result.elapsedMs,
    });
    return { r: signature.r, s: signature.s, recoveryId: signature.recoveryId as RecoveryId };
  };
}

/** Creates one signing party per options on `pool`; if one fails, frees the others. */
async function createOnWorkers(
  pool: WorkerPool,
  options: readonly CreateSignPartyOptions[],
): Promise<WorkerParty<Signature>[]> {
  const created = await Promise.allSettled(
    options.map((o) => pool.createPartyFrom<Signature>('createSignParty', o)),
  );
  const parties = created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const failed = created.find((c) => c.status === 'rejected');
  if (failed !== undefined) {
    await terminate(parties);
    throw failed.reason;
  }
  return parties;
}

async function terminate(parties: readonly WorkerParty<Signature>[]): Promise<void> {
  await Promise.allSettled(parties.map((p) => p.terminate()));
}

/** The signature of a finished run, or the error that ended it. */
function signatureOf(result: LocalRunResult<Signature>, signers: readonly string[]): Signature {
  if (result.outcome === 'aborted') {
    // Typically a PeerError whose `culprits` names the misbehaving signer.
    throw [...result.errors.values()][0]!;
  }
  if (result.outcome !== 'done') {
    const waiting = [...result.steps.entries()]
      .filter(([, step]) => step.status !== 'done')
      .map(([id, step]) => `${id} waits for ${step.waitingFor.join(', ') || 'nothing'}`);
    throw new LocalError('INVALID_STATE', `signing stalled: ${waiting.join('; ')}`);
  }
  const [sig, ...others] = signers.map((id) => result.outputs.get(id)!);
  for (const other of others) {
    if (other.r !== sig!.r || other.s !== sig!.s) {
      throw new LocalError('INTERNAL', 'signers output different signatures');
    }
  }
  return sig!;
}
