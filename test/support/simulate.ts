/**
 * In-process network for protocol tests and benchmarks: runs already-created {@link Party}
 * objects (any protocol) to completion, delivering their envelopes in a random but reproducible
 * order, with hooks to play a malicious network or party.
 *
 * - Each envelope is delivered to its recipients (all other parties for a broadcast) with the
 *   sender as the authenticated transport identity (`handle(bytes, { from })`).
 * - `tamper` rewrites, duplicates or drops what a sender sends to one recipient.
 * - `restore` replaces a party after each of its steps (e.g. snapshot → `restoreParty`).
 * - Traffic is counted as sent: each envelope once (a broadcast counts once), encoded bytes.
 *
 * @example
 * ```ts
 * const res = simulate(ids.map((self) => createKeygenParty({ ...opts, self })), { seed: 7 });
 * res.steps.get('alice')!.output; // KeyShare
 * ```
 */

import type { MpcError } from '../../src/errors.js';
import { type Envelope, encodeEnvelope } from '../../src/party/index.js';
import type { Party, Step } from '../../src/party/types.js';

/** What a tamper hook may return for one (envelope, recipient) pair. */
export type TamperResult = undefined | null | Envelope | Uint8Array | (Envelope | Uint8Array)[];

/** Options of {@link simulate}. */
export interface SimulateOptions<O> {
  /**
   * Seed of the delivery order (mulberry32). Default 1. Use `order: 'fifo'` for FIFO.
   */
  seed?: number;
  /** `random` (default, from `seed`) or `fifo`. */
  order?: 'random' | 'fifo';
  /**
   * Called for every (envelope, recipient). Return `undefined` to deliver unchanged, `null` or
   * `[]` to drop, an envelope or raw bytes (or several) to deliver instead.
   */
  tamper?: (env: Envelope, to: string) => TamperResult;
  /** Called after every step of a party; returns the party to continue with (default: same). */
  restore?: (party: Party<O>, id: string) => Party<O>;
  /** Called after every step. */
  onStep?: (id: string, step: Step<O>) => void;
  /**
   * Parties that keep sending after they abort (a malicious party ignores its own engine's
   * verdict): envelopes they produced in the call that aborted them (kept in `sent()`, but not
   * in the aborted step's `outgoing`) are delivered anyway.
   */
  keepSending?: readonly string[];
  /** Safety cap on deliveries (default 100 000). */
  maxDeliveries?: number;
}

/** Outcome of {@link simulate}. */
export interface SimulateResult<O> {
  /** The last step of each party. */
  steps: Map<string, Step<O>>;
  /** The parties (possibly restored copies). */
  parties: Map<string, Party<O>>;
  /** Outputs of the parties that finished. */
  outputs: Map<string, O>;
  /** Errors of the parties that aborted. */
  errors: Map<string, MpcError>;
  /** Inputs each party dropped without aborting (`Step.rejected`). */
  rejected: Map<string, MpcError[]>;
  /** Traffic as sent by the parties: encoded envelope bytes and envelope count. */
  wire: { bytes: number; messages: number };
  /** Number of `handle` calls made. */
  deliveries: number;
}

interface Delivery {
  from: string;
  to: string;
  msg: Uint8Array;
}

/** Deterministic PRNG (mulberry32): returns an index in [0, n). */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(r * n);
  };
}

/**
 * Runs `parties` until no message is in flight. Parties not started yet are started; parties
 * already started (e.g. restored from a snapshot) resend everything they have sent. Parties that
 * finish, abort or wait forever are all reported; nothing throws on protocol failure.
 */
export function simulate<O>(
  parties: readonly Party<O>[],
  opts: SimulateOptions<O> = {},
): SimulateResult<O> {
  const byId = new Map<string, Party<O>>();
  for (const p of parties) byId.set(p.self, p);
  const ids = [...byId.keys()];
  const steps = new Map<string, Step<O>>();
  const rejected = new Map<string, MpcError[]>();
  const wire = { bytes: 0, messages: 0 };
  const queue: Delivery[] = [];
  const routed = new Map<string, number>();
  const choose = opts.order === 'fifo' ? () => 0 : prng(opts.seed ?? 1);

  const route = (from: string, envs: readonly Envelope[]) => {
    routed.set(from, (routed.get(from) ?? 0) + envs.length);
    for (const env of envs) {
      const bytes = encodeEnvelope(env);
      wire.bytes += bytes.length;
      wire.messages++;
      const members = byId.get(from)?.parties ?? ids;
      const recipients = env.to.length > 0 ? env.to : members.filter((x) => x !== from);
      for (const to of recipients) {
        const r = opts.tamper ? opts.tamper(env, to) : undefined;
        const list = r === undefined ? [bytes] : r === null ? [] : Array.isArray(r) ? r : [r];
        for (const item of list) {
          queue.push({ from, to, msg: item instanceof Uint8Array ? item : encodeEnvelope(item) });
        }
      }
    }
  };
  const after = (id: string, step: Step<O>) => {
    steps.set(id, step);
    if (step.rejected) {
      const list = rejected.get(id) ?? [];
      list.push(step.rejected);
      rejected.set(id, list);
    }
    opts.onStep?.(id, step);
    if (opts.restore) byId.set(id, opts.restore(byId.get(id)!, id));
  };

  for (const id of ids) {
    const p = byId.get(id)!;
    if (p.status === 'idle') {
      const step = p.start();
      after(id, step);
      route(id, step.outgoing);
    } else {
      // A restored or already started party: resend what it has sent (peers drop exact
      // duplicates), and continue from its current step.
      steps.set(id, p.current());
      route(id, p.sent());
    }
  }
  const max = opts.maxDeliveries ?? 100_000;
  let deliveries = 0;
  while (queue.length > 0 && deliveries < max) {
    const [d] = queue.splice(choose(queue.length), 1) as [Delivery];
    const p = byId.get(d.to);
    if (p === undefined) continue; // addressed to a party outside the simulation
    const step = p.handle(d.msg, { from: d.from });
    deliveries++;
    after(d.to, step);
    route(d.to, step.outgoing);
    if (step.status === 'aborted' && opts.keepSending?.includes(d.to)) {
      route(
        d.to,
        byId
          .get(d.to)!
          .sent()
          .slice(routed.get(d.to) ?? 0),
      );
    }
  }
  const outputs = new Map<string, O>();
  const errors = new Map<string, MpcError>();
  for (const [id, s] of steps) {
    if (s.status === 'done' && s.output !== undefined) outputs.set(id, s.output);
    if (s.status === 'aborted' && s.error) errors.set(id, s.error);
  }
  return { steps, parties: byId, outputs, errors, rejected, wire, deliveries };
}
