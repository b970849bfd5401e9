/**
 * Test-only drivers for GG18 signing: an in-memory network that delivers envelopes in a chosen
 * (random) order, with hooks to tamper with, drop or replay messages, and snapshot/restore.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import type { Party, Step } from '../../../../src/party/types.js';
import type { Profile } from '../../../../src/profile.js';
import {
  createSignParty,
  restoreSignParty,
} from '../../../../src/protocols/ecdsa/sign-gg18/index.js';
import type { SignDerivation } from '../../../../src/protocols/ecdsa/sign-gg18/state.js';
import type { Signature } from '../../../../src/protocols/ecdsa/signature.js';
import { decodeEnvelope, type Envelope, encodeEnvelope } from '../../../../src/wire/envelope.js';

export interface NetOptions {
  /** Picks the next delivery among `n` queued (default: random). */
  choose?: (n: number) => number;
  /**
   * Rewrites what `env.from` sends to `to`; return [] to drop. `net.inject` queues any bytes
   * later (e.g. a rushing adversary's delayed message).
   */
  tamper?: (env: Envelope, to: string, bytes: Uint8Array, net: Net) => Uint8Array[];
  /** Replace each party by restoreSignParty(snapshot) after every step. */
  restoreEach?: boolean;
  /** Called after each step of a party; a returned party replaces it. */
  afterStep?: (party: Party<Signature>) => Party<Signature> | undefined;
  /** Stop delivering after this many deliveries. */
  maxDeliveries?: number;
}

/** Handle given to `tamper`. */
export interface Net {
  inject(from: string, to: string, bytes: Uint8Array): void;
}

export interface NetResult {
  steps: Map<string, Step<Signature>>;
  parties: Map<string, Party<Signature>>;
  bytes: number;
  messages: number;
  /** Every envelope ever sent, by sender. */
  sent: Envelope[];
  /** Inputs a party dropped without aborting (`Step.rejected`), with the recipient. */
  rejected: { to: string; code: string }[];
}

/** Delivers every envelope between `parties` (already created) until the queue is empty. */
export function runParties(list: Party<Signature>[], opts: NetOptions = {}): NetResult {
  const parties = new Map(list.map((p) => [p.self, p]));
  const ids = list.map((p) => p.self);
  const steps = new Map<string, Step<Signature>>();
  const queue: { from: string; to: string; bytes: Uint8Array }[] = [];
  const sent: Envelope[] = [];
  const rejected: { to: string; code: string }[] = [];
  let bytes = 0;
  let messages = 0;
  const net: Net = { inject: (from, to, b) => queue.push({ from, to, bytes: b }) };
  const route = (from: string, envs: readonly Envelope[]) => {
    for (const env of envs) {
      sent.push(env);
      const b = encodeEnvelope(env);
      bytes += b.length;
      messages++;
      const to = env.to.length > 0 ? env.to : ids.filter((x) => x !== from);
      for (const t of to) {
        for (const x of opts.tamper ? opts.tamper(env, t, b, net) : [b])
          queue.push({ from, to: t, bytes: x });
      }
    }
  };
  const maybeRestore = (id: string) => {
    const p = parties.get(id)!;
    const q = opts.afterStep?.(p);
    if (q !== undefined) parties.set(id, q);
    if (opts.restoreEach) parties.set(id, restoreSignParty(parties.get(id)!.snapshot()));
  };
  for (const p of list) {
    const s = p.start();
    steps.set(p.self, s);
    maybeRestore(p.self);
    route(p.self, s.outgoing);
  }
  const choose = opts.choose ?? ((n: number) => Math.floor(Math.random() * n));
  let delivered = 0;
  while (queue.length > 0 && delivered < (opts.maxDeliveries ?? 1e6)) {
    const [d] = queue.splice(choose(queue.length), 1);
    const p = parties.get(d!.to)!;
    const s = p.handle(d!.bytes, { from: d!.from });
    delivered++;
    if (s.rejected) rejected.push({ to: d!.to, code: s.rejected.code });
    steps.set(d!.to, s);
    maybeRestore(d!.to);
    route(d!.to, s.outgoing);
  }
  return { steps, parties, bytes, messages, sent, rejected };
}

export interface SignSetup {
  shares: KeyShare[];
  signers: string[];
  messageHash?: Uint8Array;
  profile?: Profile;
  sessionId?: string;
  derivation?: SignDerivation;
}

/** A fresh random session id (hex). */
export function newSessionId(): string {
  return randomBytes(16).toString('hex');
}

/** The default test message hash. */
export const MESSAGE_HASH = sha256(new TextEncoder().encode('mpc-tss sign-gg18 test message'));

/** Creates one party per signer. */
export function makeParties(setup: SignSetup): Party<Signature>[] {
  const sessionId = setup.sessionId ?? newSessionId();
  return setup.signers.map((id) => {
    const share = setup.shares.find((s) => s.self === id);
    if (!share) throw new Error(`no share for ${id}`);
    return createSignParty({
      self: id,
      signers: setup.signers,
      keyShare: share,
      messageHash: setup.messageHash ?? MESSAGE_HASH,
      sessionId,
      profile: setup.profile ?? 'native',
      ...(setup.derivation ? { derivation: setup.derivation } : {}),
    });
  });
}

/** Creates the parties and runs them to completion. */
export function runSign(setup: SignSetup, opts: NetOptions = {}): NetResult {
  return runParties(makeParties(setup), opts);
}

/** Random k-subset of `items`. */
export function randomSubset<T>(items: readonly T[], k: number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

/** Rewrites the payload of an envelope (re-encoding it with the same routing). */
export function withPayload(bytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const env = decodeEnvelope(bytes);
  return encodeEnvelope({ ...env, payload });
}
