/**
 * `simulate`: run a whole session of any protocol in one process, for users' tests. Built on
 * {@link runLocal}; parties run in-process or on worker threads.
 *
 * @example
 * ```ts
 * import { simulate } from 'mpc-tss/testing';
 * const res = await simulate(myProtocolDef, { parties: 3, input: (self) => ({ secret: secrets[self] }) });
 * expect(res.outcome).toBe('done');
 *
 * // any factory, e.g. keygen, on worker threads:
 * const kg = await simulate(
 *   ({ self, parties, sessionId }) => pool.createPartyFrom('createKeygenParty', { self, parties, sessionId, minSigners: 2, preParams: pre[self] }),
 *   { parties: ['alice', 'bob', 'carol'] },
 * );
 * ```
 * @module
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { LocalError } from '../errors.js';
import { createParty } from '../party/engine.js';
import type { PartyLimits, ProtocolDef } from '../party/types.js';
import {
  type LocalParty,
  type LocalRunResult,
  type RunLocalOptions,
  runLocal,
} from '../session/local.js';
import {
  createWorkerPool,
  type WorkerModule,
  type WorkerParty,
  type WorkerPool,
} from '../session/worker.js';

/** What a party factory of {@link simulate} receives. */
export interface SimulatedPartyContext {
  /** This party's id. */
  readonly self: string;
  /** Every party id, in session order. */
  readonly parties: readonly string[];
  /** The session id. */
  readonly sessionId: string;
  /** Index of `self` in `parties`. */
  readonly index: number;
}

/** Options of {@link simulate}. */
export interface SimulateOptions<I = unknown, O = unknown> extends RunLocalOptions<O> {
  /** Party ids, or how many parties (ids `p1` … `pn`). Default 3. */
  readonly parties?: number | readonly string[];
  /** Session id. Default: 32 random hex characters. */
  readonly sessionId?: string;
  /**
   * The input of every party (with a ProtocolDef or protocol name): one value for all, or a
   * function of the party. With workers it must be plain data.
   */
  readonly input?: I | ((self: string, index: number) => I);
  /** Engine limits of every party (with a ProtocolDef or protocol name). */
  readonly limits?: PartyLimits;
  /**
   * Run the parties on worker threads (with a ProtocolDef or protocol name): `true` for a
   * temporary pool of min(parties, cores) workers, a number for a temporary pool of that size,
   * or a pool of yours. Default `false` (in-process).
   */
  readonly workers?: boolean | number | WorkerPool;
  /** Modules that export the protocol, for workers (see {@link WorkerModule}). */
  readonly modules?: readonly WorkerModule[];
  /** Reject with the first party error unless every party finishes. Default `false`. */
  readonly expectDone?: boolean;
}

/** Outcome of {@link simulate}: the {@link LocalRunResult} plus the session it ran. */
export interface SimulateResult<O> extends LocalRunResult<O> {
  /** The party ids, in session order. */
  readonly ids: readonly string[];
  /** The session id. */
  readonly sessionId: string;
  /**
   * The parties. Worker parties that `simulate` created are terminated after the run; those
   * returned by your factory are left to you.
   */
  readonly parties: readonly LocalParty<O>[];
}

/** Builds one party from its context (may return a worker party, or a promise of one). */
export type PartyFactory<O> = (
  ctx: SimulatedPartyContext,
) => LocalParty<O> | Promise<LocalParty<O>>;

function partyIds(p: number | readonly string[] | undefined): string[] {
  if (p === undefined || typeof p === 'number') {
    const n = p ?? 3;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new LocalError('INVALID_ARGUMENT', '"parties" must be a positive integer or a list');
    }
    return Array.from({ length: n }, (_, i) => `p${i + 1}`);
  }
  if (!Array.isArray(p)) throw new LocalError('INVALID_ARGUMENT', '"parties" must be a list');
  return [...p];
}

/**
 * Runs one session of a protocol with every party in this process and returns each party's
 * output or error, the traffic and the last steps.
 *
 * - `simulate(def, opts)`: every party is `createParty(def, { self, parties, sessionId }, input)`,
 *   in-process, or on worker threads with `opts.workers` (the workers find the def by name in
 *   `opts.modules`, or among mpc-tss's built-in protocols).
 * - `simulate('protocol-name', opts)`: the same on workers only.
 * - `simulate(factory, opts)`: every party is `await factory({ self, parties, sessionId, index })`,
 *   e.g. `createKeygenParty(...)` or `pool.createPartyFrom('createKeygenParty', ...)`.
 *
 * Delivery options (`shuffle`, `tamper`, `stopOnAbort`, ...) are those of {@link runLocal}.
 */
export async function simulate<O = unknown, I = unknown, S = unknown>(
  protocol: ProtocolDef<S, O, I> | string | PartyFactory<O>,
  opts: SimulateOptions<I, O> = {},
): Promise<SimulateResult<O>> {
  const ids = partyIds(opts.parties);
  const sessionId = opts.sessionId ?? Buffer.from(randomBytes(16)).toString('hex');
  const ctxs = ids.map((self, index) => ({ self, parties: ids, sessionId, index }));
  let pool: WorkerPool | undefined;
  let ownPool = false;
  const created: WorkerParty<O>[] = [];
  try {
    let parties: LocalParty<O>[];
    if (typeof protocol === 'function') {
      parties = await Promise.all(ctxs.map((c) => protocol(c)));
    } else {
      const inputOf = (self: string, i: number): I =>
        typeof opts.input === 'function'
          ? (opts.input as (self: string, index: number) => I)(self, i)
          : (opts.input as I);
      const partyOpts = (self: string) => ({
        self,
        parties: ids,
        sessionId,
        ...(opts.limits === undefined ? {} : { limits: opts.limits }),
      });
      const w = opts.workers ?? false;
      if (w === false) {
        if (typeof protocol === 'string') {
          throw new LocalError(
            'INVALID_ARGUMENT',
            'a protocol given by name runs on workers only: set "workers"',
          );
        }
        const def = protocol;
        parties = ids.map((self, i) => createParty(def, partyOpts(self), inputOf(self, i)));
      } else {
        if (typeof w === 'object') {
          pool = w;
        } else {
          pool = createWorkerPool(w === true ? Math.min(ids.length, availableParallelism()) : w);
          ownPool = true;
        }
        const name = typeof protocol === 'string' ? protocol : protocol.protocol;
        const p = pool;
        parties = await Promise.all(
          ids.map(async (self, i) => {
            const party = await p.createParty<O>(
              name,
              partyOpts(self),
              inputOf(self, i),
              opts.modules === undefined ? {} : { modules: opts.modules },
            );
            created.push(party);
            return party;
          }),
        );
      }
    }
    const res = await runLocal(parties, opts);
    if (opts.expectDone && res.outcome !== 'done') {
      const first = [...res.errors.values()][0];
      throw (
        first ??
        new LocalError(
          'INTERNAL',
          `simulation ${res.outcome}: ${ids.filter((id) => !res.outputs.has(id)).join(', ')} did not finish`,
        )
      );
    }
    return { ...res, ids, sessionId, parties };
  } finally {
    await Promise.all(created.map((p) => p.terminate()));
    if (ownPool) await pool?.close();
  }
}
