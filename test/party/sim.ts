/** A tiny in-memory network that drives engine parties in a chosen delivery order. */
import { expect } from 'vitest';
import {
  createParty,
  type Envelope,
  encodeEnvelope,
  type Party,
  type ProtocolDef,
  restoreParty,
  type Step,
} from '../../src/party/index.js';

export interface Delivery {
  from: string;
  to: string;
  bytes: Uint8Array;
}

export interface SimOptions {
  sessionId?: string;
  /** Picks the index of the next message to deliver among `n` queued. Default FIFO. */
  choose?: (n: number) => number;
  /** Probability-like hook: return true to deliver a message twice. */
  duplicate?: (d: Delivery) => boolean;
  /** Replace each party by `restoreParty(snapshot)` after every step. */
  restoreEach?: boolean;
  /** Rewrites (or drops, with `[]`) what `from` sends to `to`. */
  tamper?: (env: Envelope, to: string, bytes: Uint8Array) => Uint8Array[];
  /** Safety cap on deliveries. */
  maxDeliveries?: number;
}

export interface SimResult<O> {
  steps: Map<string, Step<O>>;
  parties: Map<string, Party<O>>;
  delivered: number;
}

/** Deterministic PRNG (mulberry32) for delivery orders derived from a fast-check seed. */
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

function sentBytes<O>(p: Party<O>): string[] {
  return p.sent().map((e) => Buffer.from(encodeEnvelope(e)).toString('hex'));
}

export function simulate<S, O>(
  def: ProtocolDef<S, O, void>,
  ids: string[],
  opts: SimOptions = {},
): SimResult<O> {
  const sessionId = opts.sessionId ?? 'session-1';
  const parties = new Map<string, Party<O>>();
  for (const id of ids) parties.set(id, createParty(def, { self: id, parties: ids, sessionId }));
  const steps = new Map<string, Step<O>>();
  const queue: Delivery[] = [];
  const route = (from: string, envs: readonly Envelope[]) => {
    for (const env of envs) {
      const bytes = encodeEnvelope(env);
      const recipients = env.to.length > 0 ? env.to : ids.filter((x) => x !== from);
      for (const to of recipients) {
        const out = opts.tamper ? opts.tamper(env, to, bytes) : [bytes];
        for (const b of out) queue.push({ from, to, bytes: b });
      }
    }
  };
  const maybeRestore = (id: string) => {
    if (!opts.restoreEach) return;
    const p = parties.get(id)!;
    const q = restoreParty<O>(p.snapshot(), def);
    // A restored party resends exactly the bytes it sent before: no randomness is redrawn.
    expect(sentBytes(q)).toEqual(sentBytes(p));
    expect(q.status).toBe(p.status);
    expect(q.round).toBe(p.round);
    parties.set(id, q);
  };
  for (const id of ids) {
    const step = parties.get(id)!.start();
    steps.set(id, step);
    maybeRestore(id);
    route(id, step.outgoing);
  }
  const choose = opts.choose ?? (() => 0);
  const max = opts.maxDeliveries ?? 100_000;
  let delivered = 0;
  while (queue.length > 0 && delivered < max) {
    const [d] = queue.splice(choose(queue.length), 1) as [Delivery];
    if (opts.duplicate?.(d)) queue.push({ ...d });
    const p = parties.get(d.to)!;
    const step = p.handle(d.bytes, { from: d.from });
    delivered++;
    steps.set(d.to, step);
    maybeRestore(d.to);
    route(d.to, step.outgoing);
  }
  return { steps, parties, delivered };
}

export function ids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `party-${String.fromCharCode(97 + i)}`);
}
