/**
 * Keygen test harness: honest parties from fixture pre-params, a malicious party that runs the
 * real protocol but rewrites its own outgoing payloads (so its engine echoes exactly what it
 * sent), snapshots to skip repeated round-1 proving, and assertions on blame.
 */
import { expect } from 'vitest';
import type { MpcError } from '../../../../src/errors.js';
import { PeerError } from '../../../../src/errors.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import { mulG } from '../../../../src/math/curve.js';
import { createParty, restoreParty } from '../../../../src/party/engine.js';
import type { OutMsg, Party, ProtocolDef, RoundDef } from '../../../../src/party/types.js';
import type { Profile } from '../../../../src/profile.js';
import {
  createKeygenParty,
  ecdsaKeygenNative,
  ecdsaKeygenTssLib,
  type KeygenSetup,
  type KeygenState,
  resolveKeygenSetup,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { interpolateAtZero } from '../../../support/lagrange.js';
import { type SimulateOptions, type SimulateResult, simulate } from '../../../support/simulate.js';
import { fixturePreParams } from './fixtures.js';

export type KeygenDef = ProtocolDef<KeygenState, KeyShare, KeygenSetup>;

/** Party ids a..z. */
export function partyIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `p-${String.fromCharCode(97 + i)}`);
}

export interface Session {
  profile: Profile;
  ids: string[];
  minSigners: number;
  sessionId: string;
  indices?: Record<string, bigint>;
}

/** Options of party `id` in `s` (fixture pre-params by position in `ids`). */
export function optionsFor(s: Session, id: string) {
  return {
    self: id,
    parties: s.ids,
    minSigners: s.minSigners,
    sessionId: s.sessionId,
    preParams: fixturePreParams(s.ids.indexOf(id)),
    profile: s.profile,
    ...(s.indices ? { indices: s.indices } : {}),
  };
}

/** Honest parties of a session. */
export function honestParties(s: Session): Party<KeyShare>[] {
  return s.ids.map((id) => createKeygenParty(optionsFor(s, id)));
}

/** Rewrites of a malicious party's own outgoing messages, per round. */
export interface MaliciousHooks {
  /** Round 1 (in `start`): rewrite the state and/or the round-1 messages. */
  r1?: (out: OutMsg[], state: KeygenState) => { out: OutMsg[]; state?: KeygenState };
  /** Round 2 (sent by round-1 finalize). */
  r2?: (out: OutMsg[], state: KeygenState) => OutMsg[];
  /** Round 3 (sent by round-2 finalize). */
  r3?: (out: OutMsg[], state: KeygenState) => OutMsg[];
}

function wrap(
  rd: RoundDef<KeygenState, KeyShare>,
  hook?: (out: OutMsg[], state: KeygenState) => OutMsg[],
): RoundDef<KeygenState, KeyShare> {
  if (!hook) return rd;
  return {
    ...rd,
    finalize(state, inbox, ctx) {
      const res = rd.finalize(state, inbox, ctx);
      return { ...res, outgoing: hook([...(res.outgoing ?? [])], res.state) };
    },
  };
}

/** The keygen definition with a malicious party's rewrites (same protocol name). */
export function maliciousDef(profile: Profile, hooks: MaliciousHooks): KeygenDef {
  const base = profile === 'tss-lib' ? ecdsaKeygenTssLib : ecdsaKeygenNative;
  return {
    ...base,
    start(input, ctx) {
      const r = base.start(input, ctx);
      if (!hooks.r1) return r;
      const { out, state } = hooks.r1([...r.outgoing], r.state);
      return { state: state ?? r.state, outgoing: out };
    },
    rounds: [wrap(base.rounds[0]!, hooks.r2), wrap(base.rounds[1]!, hooks.r3), base.rounds[2]!],
  };
}

/** Parties built by {@link maliciousParty} or restored with hooks: they keep sending. */
const malicious = new WeakSet<Party<KeyShare>>();

/** A malicious party `id` of session `s`. */
export function maliciousParty(s: Session, id: string, hooks: MaliciousHooks): Party<KeyShare> {
  const opts = optionsFor(s, id);
  const p = createParty(
    maliciousDef(s.profile, hooks),
    { self: id, parties: s.ids, sessionId: s.sessionId },
    resolveKeygenSetup(opts),
  );
  malicious.add(p);
  return p;
}

/**
 * Snapshots of every honest party right after `start` (round 1 sent). Restoring them replays
 * the same round-1 bytes, so peers' round-1 verifications hit the verification memo and each
 * adversarial test only pays for what it changes.
 */
export function startedSnapshots(s: Session): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of honestParties(s)) {
    p.start();
    out.set(p.self, p.snapshot());
  }
  return out;
}

/** Restores a party from a snapshot, optionally as a malicious party (for rounds ≥ 2). */
export function restore(snap: string, hooks?: MaliciousHooks, profile: Profile = 'native') {
  if (!hooks) return restoreParty<KeyShare>(snap);
  const p = restoreParty<KeyShare>(snap, maliciousDef(profile, hooks));
  malicious.add(p);
  return p;
}

/**
 * Runs the parties with a random delivery order. Malicious parties keep sending after their own
 * engine aborts (they ignore its verdict), so honest parties get to judge their messages.
 */
export function run(
  parties: Party<KeyShare>[],
  opts: SimulateOptions<KeyShare> = {},
): SimulateResult<KeyShare> {
  const keepSending = parties.filter((p) => malicious.has(p)).map((p) => p.self);
  return simulate(parties, { seed: 7, keepSending, ...opts });
}

/** Every honest party aborted with a PeerError naming exactly `culprits` (and `code`). */
export function expectBlamed(
  res: SimulateResult<KeyShare>,
  honest: readonly string[],
  culprits: readonly string[],
  code?: MpcError['code'],
): void {
  for (const id of honest) {
    const step = res.steps.get(id)!;
    expect(step.status, `${id} should abort`).toBe('aborted');
    expect(step.error, `${id} error`).toBeInstanceOf(PeerError);
    expect([...step.error!.culprits].sort(), `${id} culprits (${step.error!.message})`).toEqual(
      [...culprits].sort(),
    );
    if (code) expect(step.error!.code, `${id} code (${step.error!.message})`).toBe(code);
    expect(step.output).toBeUndefined();
  }
}

/**
 * Checks the key shares of a finished keygen: every party done, same public key and public
 * data, x_i·G = X_i, and every minSigners-subset of the secret shares interpolates to the
 * secret key of y (test-only reconstruction).
 */
export function expectConsistentShares(
  res: SimulateResult<KeyShare>,
  ids: readonly string[],
  minSigners: number,
): KeyShare[] {
  for (const id of ids) {
    const s = res.steps.get(id)!;
    expect(s.status, `${id}: ${s.error?.message ?? ''}`).toBe('done');
  }
  const shares = ids.map((id) => res.outputs.get(id)!);
  const first = shares[0]!;
  for (const sh of shares) {
    expect(sh.minSigners).toBe(minSigners);
    expect(sh.publicKey).toEqual(first.publicKey);
    expect(sh.parties).toEqual(first.parties);
    const me = sh.parties.find((p) => p.id === sh.self)!;
    expect(Buffer.from(mulG(sh.secret.xi).toBytes(true)).toString('hex')).toBe(me.publicShare);
  }
  expect(first.publicKey.uncompressed.startsWith('04')).toBe(true);
  expect(first.publicKey.compressed).toHaveLength(66);
  const points = shares.map((sh) => ({
    index: sh.parties.find((p) => p.id === sh.self)!.index,
    value: sh.secret.xi,
  }));
  const keyHex = (x: bigint) => Buffer.from(mulG(x).toBytes(true)).toString('hex');
  for (const subset of subsets(points.length, minSigners)) {
    const secret = interpolateAtZero(subset.map((k) => points[k]!));
    expect(keyHex(secret)).toBe(first.publicKey.compressed);
  }
  // Fewer than minSigners shares do not determine the key.
  const few = interpolateAtZero(points.slice(0, minSigners - 1));
  expect(keyHex(few === 0n ? 1n : few)).not.toBe(first.publicKey.compressed);
  return shares;
}

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === k) {
      out.push([...acc]);
      return;
    }
    for (let i = start; i < n; i++) rec(i + 1, [...acc, i]);
  };
  rec(0, []);
  return out;
}
