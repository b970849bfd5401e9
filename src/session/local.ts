/**
 * An in-process network: {@link runLocal} delivers every envelope the given parties send to
 * its recipients (a broadcast to every other party) until all are done, one aborts, or nothing
 * is left to deliver. It drives plain {@link Party} objects and {@link WorkerParty} handles
 * alike, so a session whose parties live on worker threads runs on several cores: the runner
 * keeps one call in flight per party and never waits for one party to deliver to another.
 *
 * Used by the examples, the benchmarks and the tests; `simulate` in `mpc-tss/testing` wraps it.
 *
 * @example
 * ```ts
 * const parties = ids.map((self) => createParty(def, { self, parties: ids, sessionId }, input(self)));
 * const res = await runLocal(parties, { shuffle: 7 });
 * res.outcome;               // 'done'
 * res.outputs.get('alice');  // alice's output
 * res.wire;                  // { bytes, messages, deliveries }
 * ```
 * @module
 */
import { LocalError, type MpcError } from '../errors.js';
import type { Envelope } from '../party/index.js';
import { encodeEnvelope } from '../party/index.js';
import type { Party, Step } from '../party/types.js';
import type { WorkerParty } from './worker.js';

/** A party {@link runLocal} can drive: in-process or on a worker thread. */
export type LocalParty<O = unknown> = Party<O> | WorkerParty<O>;

/**
 * What a `tamper` hook returns for one (envelope, recipient) pair: `undefined` to deliver the
 * envelope unchanged, `null` or `[]` to drop it, or envelopes or raw bytes (one or several) to
 * deliver instead.
 */
export type TamperResult = undefined | null | Envelope | Uint8Array | (Envelope | Uint8Array)[];

/** One envelope as sent, for {@link RunLocalOptions.onMessage}. */
export interface SentMessage {
  /** The envelope. */
  readonly envelope: Envelope;
  /** Its encoding (what goes on the wire and is counted in {@link LocalRunResult.wire}). */
  readonly bytes: Uint8Array;
  /** Who receives it. */
  readonly recipients: readonly string[];
}

/** Options of {@link runLocal}. */
export interface RunLocalOptions<O = unknown> {
  /**
   * Delivery order. `false` (default): first in, first out. `true` or a number (the seed):
   * each next delivery is picked at random (reproducibly, mulberry32) among those queued.
   * With worker parties the order also depends on timing.
   */
  readonly shuffle?: boolean | number;
  /**
   * Plays a malicious network or sender: called for every (envelope, recipient). See
   * {@link TamperResult}. Replaced envelopes are encoded without checks of the sender's limits.
   */
  readonly tamper?: (envelope: Envelope, to: string, bytes: Uint8Array) => TamperResult;
  /** Called once for every envelope a party sends (before `tamper`). */
  readonly onMessage?: (msg: SentMessage) => void;
  /** Called after every step of a party (start and each delivery). */
  readonly onStep?: (self: string, step: Step<O>) => void;
  /**
   * Stop at the first party that aborts (default `true`). With `false`, the run goes on until
   * nothing is left to deliver, so every honest party's verdict is in the result.
   */
  readonly stopOnAbort?: boolean;
  /** Safety cap on deliveries (default 1 000 000); reaching it ends the run as `stalled`. */
  readonly maxDeliveries?: number;
  /** Cancels the run: it rejects with {@link LocalError} `CANCELLED`. */
  readonly signal?: AbortSignal;
}

/** Outcome of {@link runLocal}. */
export interface LocalRunResult<O> {
  /**
   * `done` when every party finished, `aborted` when one aborted, `stalled` when nothing was
   * left to deliver (or the delivery cap was reached) before all finished.
   */
  readonly outcome: 'done' | 'aborted' | 'stalled';
  /** Outputs of the parties that finished, by party id. */
  readonly outputs: Map<string, O>;
  /** Errors of the parties that aborted, by party id. */
  readonly errors: Map<string, MpcError>;
  /** Messages each party dropped without aborting (`Step.rejected`), by party id. */
  readonly rejected: Map<string, MpcError[]>;
  /** The last step of each party. */
  readonly steps: Map<string, Step<O>>;
  /**
   * Traffic: `bytes` and `messages` count the encoded envelopes as sent (a broadcast once);
   * `deliveries` counts `handle` calls.
   */
  readonly wire: { readonly bytes: number; readonly messages: number; readonly deliveries: number };
  /** Wall time of the run, in ms. */
  readonly elapsedMs: number;
}

interface Delivery {
  readonly from: string;
  readonly to: string;
  readonly msg: Uint8Array;
}

/** Deterministic PRNG (mulberry32): an index in [0, n). */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

/** Envelopes a party produced are encoded without a size cap: the party enforced its own. */
const NO_CAP = { maxBytes: Number.MAX_SAFE_INTEGER };

/**
 * Runs parties of one session to completion in this process, delivering every envelope to
 * its recipients with the sender as authenticated identity (`handle(bytes, { from })`).
 *
 * - Fresh parties are started; parties already started (e.g. restored from snapshots) resend
 *   everything they sent (`sent()`), which peers ignore as exact duplicates when they have it.
 * - Worker parties run concurrently, one call in flight per party.
 * - It never throws for a party that aborts (see {@link LocalRunResult.errors}); it rejects
 *   when a party throws (misuse, a dead worker), on `signal`, or for duplicate party ids.
 *
 * @example
 * ```ts
 * const pool = createWorkerPool();
 * const parties = await Promise.all(ids.map((self) => pool.createParty('my-protocol', { self, parties: ids, sessionId }, input)));
 * const { outputs, wire } = await runLocal(parties);
 * ```
 */
export function runLocal<O>(
  parties: readonly LocalParty<O>[],
  opts: RunLocalOptions<O> = {},
): Promise<LocalRunResult<O>> {
  const t0 = performance.now();
  if (!Array.isArray(parties) || parties.length === 0) {
    return Promise.reject(new LocalError('INVALID_ARGUMENT', 'runLocal needs at least one party'));
  }
  const byId = new Map<string, LocalParty<O>>();
  for (const p of parties) {
    if (byId.has(p.self)) {
      return Promise.reject(
        new LocalError('INVALID_ARGUMENT', `two parties have the id "${p.self}"`),
      );
    }
    byId.set(p.self, p);
  }
  const ids = [...byId.keys()];
  const pick =
    opts.shuffle === undefined || opts.shuffle === false
      ? undefined
      : prng(opts.shuffle === true ? 1 : opts.shuffle);
  const stopOnAbort = opts.stopOnAbort ?? true;
  const maxDeliveries = opts.maxDeliveries ?? 1_000_000;

  const outputs = new Map<string, O>();
  const errors = new Map<string, MpcError>();
  const rejected = new Map<string, MpcError[]>();
  const steps = new Map<string, Step<O>>();
  const finished = new Set<string>();
  const wire = { bytes: 0, messages: 0, deliveries: 0 };
  const queue: Delivery[] = [];
  const busy = new Set<string>();
  let inflight = 0;
  let stopping = false;
  let capped = false;
  let settled = false;

  return new Promise<LocalRunResult<O>>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      stopping = true;
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    };
    const onAbort = () => fail(new LocalError('CANCELLED', 'runLocal was cancelled'));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const route = (from: string, envs: readonly Envelope[]) => {
      const sender = byId.get(from)!;
      for (const env of envs) {
        const bytes = encodeEnvelope(env, NO_CAP);
        const recipients = (
          env.to.length > 0 ? [...env.to] : sender.parties.filter((p) => p !== from)
        ).filter((p) => byId.has(p));
        wire.bytes += bytes.length;
        wire.messages++;
        opts.onMessage?.({ envelope: env, bytes, recipients });
        for (const to of recipients) {
          const t = opts.tamper?.(env, to, bytes);
          const list = t === undefined ? [bytes] : t === null ? [] : Array.isArray(t) ? t : [t];
          for (const m of list) {
            queue.push({ from, to, msg: m instanceof Uint8Array ? m : encodeEnvelope(m, NO_CAP) });
          }
        }
      }
    };

    const onStep = (id: string, step: Step<O>, resend?: readonly Envelope[]) => {
      steps.set(id, step);
      if (step.rejected) {
        const list = rejected.get(id) ?? [];
        list.push(step.rejected);
        rejected.set(id, list);
      }
      opts.onStep?.(id, step);
      route(id, resend ?? step.outgoing);
      if (step.status === 'done') {
        finished.add(id);
        outputs.set(id, step.output as O);
      } else if (step.status === 'aborted') {
        finished.add(id);
        if (step.error) errors.set(id, step.error);
        if (stopOnAbort) stopping = true;
      }
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      const outcome =
        errors.size > 0 ? 'aborted' : finished.size === ids.length && !capped ? 'done' : 'stalled';
      resolve({
        outcome,
        outputs,
        errors,
        rejected,
        steps,
        wire: { ...wire },
        elapsedMs: performance.now() - t0,
      });
    };

    /** Runs `call` on party `id`: synchronously for an in-process party, else in flight. */
    const run = <T>(id: string, call: () => T | Promise<T>, then: (v: T) => void) => {
      let r: T | Promise<T>;
      try {
        r = call();
      } catch (e) {
        fail(e);
        return;
      }
      if (!isThenable(r)) {
        try {
          then(r);
        } catch (e) {
          fail(e);
        }
        return;
      }
      busy.add(id);
      inflight++;
      r.then(
        (v) => {
          busy.delete(id);
          inflight--;
          if (settled) return;
          try {
            then(v);
          } catch (e) {
            fail(e);
            return;
          }
          pump();
        },
        (e: unknown) => {
          busy.delete(id);
          inflight--;
          fail(e);
        },
      );
    };

    const pump = () => {
      while (!stopping && !settled) {
        let idx = -1;
        if (pick === undefined) {
          idx = queue.findIndex((d) => !busy.has(d.to));
        } else {
          const ready: number[] = [];
          queue.forEach((d, i) => {
            if (!busy.has(d.to)) ready.push(i);
          });
          if (ready.length > 0) idx = ready[pick(ready.length)]!;
        }
        if (idx < 0) break;
        const [d] = queue.splice(idx, 1) as [Delivery];
        if (finished.has(d.to)) continue;
        if (wire.deliveries >= maxDeliveries) {
          capped = true;
          stopping = true;
          break;
        }
        wire.deliveries++;
        const party = byId.get(d.to)!;
        run(
          d.to,
          () => party.handle(d.msg, { from: d.from }),
          (step) => onStep(d.to, step),
        );
      }
      if (inflight === 0) finish();
    };

    // Start (or resume) every party; worker parties start concurrently.
    let starting = ids.length;
    const started = () => {
      if (--starting === 0 && !settled) pump();
    };
    for (const id of ids) {
      const party = byId.get(id)!;
      if (party.status === 'idle') {
        run(
          id,
          () => party.start(),
          (step) => {
            onStep(id, step);
            started();
          },
        );
      } else {
        run(
          id,
          () => party.current(),
          (step) => {
            run(
              id,
              () => party.sent(),
              (sent) => {
                onStep(id, step, sent);
                started();
              },
            );
          },
        );
      }
      if (settled) return;
    }
  });
}
