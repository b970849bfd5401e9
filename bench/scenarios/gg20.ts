/**
 * GG20 benchmarks (BENCHMARKS.md: presign 2-of-3 ≤ 250 ms wall, online ≤ 5 ms), all parties in
 * one process:
 * - `presign … 1 thread`: every party on the main thread (total CPU of the session);
 * - `presign … workers`: one worker thread per party (src/session/worker.ts), as separate
 *   processes would run;
 * - `online …`: the one-round online signing of every party, from consumed presignatures
 *   (`createOnlineSignParty` → verified signature at every party). The pool work before it
 *   (reserve, decrypt, parse, consume) is measured separately in `take + online`.
 * Wire bytes are whole envelopes as sent (a broadcast once), per phase.
 */
import { randomBytes } from 'node:crypto';
import type { KeyShare } from '../../src/keyshare.js';
import {
  type ConsumedPresignature,
  createOnlineSignParty,
  takePresignature,
} from '../../src/protocols/ecdsa/online-gg20/index.js';
import {
  createPresignParty,
  type Presignature,
  presignatureRecord,
} from '../../src/protocols/ecdsa/presign-gg20/index.js';
import type { Signature } from '../../src/protocols/ecdsa/signature.js';
import { runLocal } from '../../src/session/local.js';
import { createWorkerPool, type WorkerPool } from '../../src/session/worker.js';
import { createMemorySessionStore } from '../../src/stores/memory.js';
import type { SessionStore } from '../../src/stores/types.js';
import { makeKeyShares } from '../../test/support/keyshare-fixture.js';
import type { Scenario } from '../harness.js';

const PRESIGN_MODULE = new URL('../../src/protocols/ecdsa/presign-gg20/index.ts', import.meta.url);
const MESSAGE_HASH = new Uint8Array(32).fill(0x42);

interface Ctx {
  shares: KeyShare[];
  signers: string[];
}

function keys(n: number, m: number): Ctx {
  const shares = makeKeyShares({ n, minSigners: m });
  return { shares, signers: shares.slice(0, m).map((s) => s.self) };
}

function presignOptions(ctx: Ctx, sessionId: string) {
  return ctx.signers.map((self) => ({
    self,
    signers: ctx.signers,
    keyShare: ctx.shares.find((s) => s.self === self)!,
    sessionId,
  }));
}

/** One presigning session on the main thread; returns the presignatures and the traffic. */
async function presignOnce(ctx: Ctx) {
  const parties = presignOptions(ctx, randomBytes(16).toString('hex')).map(createPresignParty);
  const res = await runLocal(parties);
  if (res.outcome !== 'done') throw new Error(`presigning ${res.outcome}`);
  return { outputs: res.outputs, bytes: res.wire.bytes, messages: res.wire.messages };
}

function presignScenario(
  n: number,
  m: number,
  targetMs: number | undefined,
  runs: number,
): Scenario {
  return {
    group: 'gg20',
    name: `GG20 presign ${m}-of-${n}, 1 thread`,
    runs,
    warmup: 1,
    setup: () => keys(n, m),
    run: async (c) => {
      const { bytes, messages } = await presignOnce(c as Ctx);
      return { bytes, messages };
    },
    ...(targetMs === undefined ? {} : { targetMs }),
  };
}

function presignWorkerScenario(n: number, m: number, targetMs: number, runs: number): Scenario {
  return {
    group: 'gg20',
    name: `GG20 presign ${m}-of-${n}, ${m} workers`,
    runs,
    warmup: 2,
    setup: async () => {
      const pool = createWorkerPool({ size: m, modules: [PRESIGN_MODULE] });
      await pool.ready();
      return { ...keys(n, m), pool };
    },
    run: async (c) => {
      const ctx = c as Ctx & { pool: WorkerPool };
      const parties = await Promise.all(
        presignOptions(ctx, randomBytes(16).toString('hex')).map((o) =>
          ctx.pool.createPartyFrom<Presignature>('createPresignParty', o),
        ),
      );
      const res = await runLocal(parties);
      await Promise.all(parties.map((p) => p.terminate()));
      if (res.outcome !== 'done') throw new Error(`presigning ${res.outcome}`);
      return { bytes: res.wire.bytes, messages: res.wire.messages };
    },
    targetMs,
  };
}

interface OnlineCtx extends Ctx {
  stores: Map<string, SessionStore>;
  keyId: string;
  /** Pre-consumed token sets, one per run (online scenario). */
  tokens: ConsumedPresignature[][];
}

/** Presigns `count` times and fills one memory pool per signer. */
async function pooled(n: number, m: number, count: number, take: boolean): Promise<OnlineCtx> {
  const ctx = keys(n, m);
  const stores = new Map(ctx.signers.map((id) => [id, createMemorySessionStore()]));
  let keyId = '';
  for (let i = 0; i < count; i++) {
    const { outputs } = await presignOnce(ctx);
    for (const [id, p] of outputs) {
      keyId = p.keyId;
      await stores.get(id)!.presignatures.add(p.keyId, [presignatureRecord(p)]);
    }
  }
  const tokens: ConsumedPresignature[][] = [];
  for (let i = 0; take && i < count; i++)
    tokens.push(await takeAll({ ...ctx, stores, keyId, tokens }));
  return { ...ctx, stores, keyId, tokens };
}

function takeAll(ctx: OnlineCtx): Promise<ConsumedPresignature[]> {
  return Promise.all(
    ctx.signers.map((self) =>
      takePresignature(ctx.stores.get(self)!.presignatures, {
        keyId: ctx.keyId,
        signers: ctx.signers,
        self,
      }),
    ),
  );
}

async function online(ctx: OnlineCtx, tokens: ConsumedPresignature[]) {
  const parties = tokens.map((presignature, i) =>
    createOnlineSignParty({ self: ctx.signers[i]!, presignature, messageHash: MESSAGE_HASH }),
  );
  const res = await runLocal<Signature>(parties);
  if (res.outcome !== 'done') throw new Error(`online signing ${res.outcome}`);
  return { bytes: res.wire.bytes, messages: res.wire.messages };
}

function onlineScenario(n: number, m: number, targetMs: number, runs: number): Scenario {
  const warmup = 2;
  return {
    group: 'gg20',
    name: `GG20 online ${m}-of-${n} (all parties)`,
    runs,
    warmup,
    setup: () => pooled(n, m, runs + warmup, true),
    run: (c) => {
      const ctx = c as OnlineCtx;
      return online(ctx, ctx.tokens.pop()!);
    },
    targetMs,
  };
}

function takeOnlineScenario(n: number, m: number, runs: number): Scenario {
  const warmup = 2;
  return {
    group: 'gg20',
    name: `GG20 take + online ${m}-of-${n} (pool → signature)`,
    runs,
    warmup,
    setup: () => pooled(n, m, runs + warmup, false),
    run: async (c) => online(c as OnlineCtx, await takeAll(c as OnlineCtx)),
  };
}

export const scenarios: Scenario[] = [
  presignScenario(3, 2, 250, 9),
  presignWorkerScenario(3, 2, 250, 9),
  presignScenario(5, 3, undefined, 5),
  onlineScenario(3, 2, 5, 15),
  onlineScenario(5, 3, 5, 9),
  takeOnlineScenario(3, 2, 9),
];
