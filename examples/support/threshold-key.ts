/**
 * A fresh t-of-n threshold key for the chain examples, with every party in this process:
 * pre-params generated on the spot, then keygen with the parties on worker threads.
 *
 * Pre-params are the slow step (safe primes: seconds, with a long tail). Real deployments
 * generate them ahead of time with `generatePreParams`, store them encrypted, and hand one unused
 * set to each keygen; see examples/2-of-3.ts for the whole flow step by step.
 */
import {
  generatePreParams,
  type KeyShare,
  newSessionId,
  runLocal,
  type WorkerPool,
} from '../../src/index.js';

/** Options of {@link generateThresholdKey}. */
export interface ThresholdKeyOptions {
  /** Party ids. */
  readonly ids: readonly string[];
  /** Parties needed to sign. */
  readonly minSigners: number;
  /** Worker threads hosting the keygen parties. */
  readonly pool: WorkerPool;
  /** Progress lines (default: console.log). */
  readonly log?: (line: string) => void;
}

/**
 * Generates pre-params for every party (concurrently) and runs keygen. Returns one key share
 * per party, in the order of `ids`.
 *
 * @throws the keygen's `PeerError` when a party misbehaves.
 */
export async function generateThresholdKey(opts: ThresholdKeyOptions): Promise<KeyShare[]> {
  const { ids, minSigners, pool, log = console.log } = opts;
  let t = performance.now();
  log(`generating pre-params for ${ids.join(', ')} (safe primes, the slow step)…`);
  const preParams = await Promise.all(ids.map(() => generatePreParams()));
  log(`  done in ${seconds(performance.now() - t)}`);

  t = performance.now();
  log(`keygen ${minSigners}-of-${ids.length} on ${pool.size} worker threads…`);
  const sessionId = newSessionId();
  const parties = await Promise.all(
    ids.map((self, i) =>
      pool.createPartyFrom<KeyShare>('createKeygenParty', {
        self,
        parties: [...ids],
        minSigners,
        sessionId,
        preParams: preParams[i]!,
      }),
    ),
  );
  const res = await runLocal(parties);
  await Promise.all(parties.map((p) => p.terminate()));
  if (res.outcome !== 'done') {
    const cause = [...res.errors.values()][0];
    throw cause ?? new Error(`keygen ${res.outcome}: not every party finished`);
  }
  log(`  done in ${seconds(performance.now() - t)}, ${res.wire.bytes.toLocaleString('en-US')} B`);
  return ids.map((id) => res.outputs.get(id)!);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
