/**
 * GG18 signing benchmarks (BENCHMARKS.md), all parties in one process:
 * - `1 thread`: every party on the main thread, FIFO delivery (total CPU of the session);
 * - `workers`: a worker pool with one thread per party (`createWorkerPool`, src/session/worker.ts),
 *   so the parties use the cores as separate processes would.
 * Wall time of a whole session, from `createSignParty` to every party done; `bytes` are whole
 * envelopes on the wire (payloads plus routing and echo digests).
 */

import type { KeyShare } from '../../src/keyshare.js';
import type { Party, Step } from '../../src/party/types.js';
import type { Profile } from '../../src/profile.js';
import { createSignParty } from '../../src/protocols/ecdsa/sign-gg18/index.js';
import type { Signature } from '../../src/protocols/ecdsa/signature.js';
import { createWorkerPool, type WorkerParty, type WorkerPool } from '../../src/session/worker.js';
import { encodeEnvelope } from '../../src/wire/envelope.js';
import { makeKeyShares } from '../../test/support/keyshare-fixture.js';
import type { Scenario } from '../harness.js';

const MESSAGE_HASH = new Uint8Array(32).fill(0x42);
let session = 0;

interface Ctx {
  shares: KeyShare[];
  signers: string[];
}

/** Runs one signing session in process; returns traffic. */
export function signOnce(
  ctx: Ctx,
  profile: Profile,
): { bytes: number; messages: number; payloadBytes: number } {
  const sessionId = `bench-sign-${process.pid}-${++session}-${Date.now()}`;
  const parties = new Map<string, Party<Signature>>(
    ctx.signers.map((id) => [
      id,
      createSignParty({
        self: id,
        signers: ctx.signers,
        keyShare: ctx.shares.find((s) => s.self === id)!,
        messageHash: MESSAGE_HASH,
        sessionId,
        profile,
      }),
    ]),
  );
  const queue: { from: string; to: string; bytes: Uint8Array }[] = [];
  let bytes = 0;
  let messages = 0;
  let payloadBytes = 0;
  const route = (from: string, step: Step<Signature>) => {
    if (step.status === 'aborted') throw step.error;
    for (const env of step.outgoing) {
      const b = encodeEnvelope(env);
      bytes += b.length;
      payloadBytes += env.payload.length;
      messages++;
      for (const to of env.to.length ? env.to : ctx.signers.filter((x) => x !== from)) {
        queue.push({ from, to, bytes: b });
      }
    }
  };
  for (const [id, p] of parties) route(id, p.start());
  for (let i = 0; i < queue.length; i++) {
    const d = queue[i]!;
    route(d.to, parties.get(d.to)!.handle(d.bytes, { from: d.from }));
  }
  for (const p of parties.values()) {
    if (p.status !== 'done') throw new Error(`signing did not finish: ${p.self} ${p.status}`);
  }
  return { bytes, messages, payloadBytes };
}

function setup(n: number, minSigners: number): () => Ctx {
  return () => {
    const shares = makeKeyShares({ n, minSigners });
    return { shares, signers: shares.slice(0, minSigners).map((s) => s.self) };
  };
}

function scenario(
  n: number,
  m: number,
  profile: Profile,
  targetMs: number,
  runs: number,
): Scenario {
  return {
    group: 'sign',
    name: `GG18 ${m}-of-${n}, ${profile}, 1 thread`,
    runs,
    warmup: 2,
    setup: setup(n, m),
    run: (c) => {
      const { bytes, messages } = signOnce(c as Ctx, profile);
      return { bytes, messages };
    },
    targetMs,
  };
}

interface WorkerCtx extends Ctx {
  pool: WorkerPool;
}

/** One signing session with each party on its own worker thread. */
export async function signOnWorkers(
  ctx: WorkerCtx,
  profile: Profile,
): Promise<{ bytes: number; messages: number }> {
  const sessionId = `bench-sign-w-${process.pid}-${++session}-${Date.now()}`;
  const parties = await Promise.all(
    ctx.signers.map((id) =>
      ctx.pool.createPartyFrom<Signature>('createSignParty', {
        self: id,
        signers: ctx.signers,
        keyShare: ctx.shares.find((s) => s.self === id)!,
        messageHash: MESSAGE_HASH,
        sessionId,
        profile,
      }),
    ),
  );
  const byId = new Map<string, WorkerParty<Signature>>(parties.map((p) => [p.self, p]));
  let bytes = 0;
  let messages = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const route = (from: string, step: Step<Signature>): void => {
      if (step.status === 'aborted') {
        reject(step.error);
        return;
      }
      if (step.status === 'done' && ++done === ctx.signers.length) {
        resolve();
        return;
      }
      for (const env of step.outgoing) {
        const b = encodeEnvelope(env);
        bytes += b.length;
        messages++;
        for (const to of env.to.length ? env.to : ctx.signers.filter((x) => x !== from)) {
          byId
            .get(to)!
            .handle(b, { from })
            .then((s) => route(to, s), reject);
        }
      }
    };
    for (const p of parties) p.start().then((s) => route(p.self, s), reject);
  });
  await Promise.all(parties.map((p) => p.terminate()));
  return { bytes, messages };
}

function workerScenario(
  n: number,
  m: number,
  profile: Profile,
  targetMs: number,
  runs: number,
): Scenario {
  return {
    group: 'sign',
    name: `GG18 ${m}-of-${n}, ${profile}, ${m} workers`,
    runs,
    warmup: 2,
    setup: async () => {
      const pool = createWorkerPool(m);
      await pool.ready();
      return { ...setup(n, m)(), pool };
    },
    run: (c) => signOnWorkers(c as WorkerCtx, profile),
    targetMs,
  };
}

export const scenarios: Scenario[] = [
  scenario(3, 2, 'native', 200, 9),
  scenario(3, 2, 'tss-lib', 200, 9),
  scenario(5, 3, 'native', 600, 5),
  scenario(5, 3, 'tss-lib', 600, 5),
  workerScenario(3, 2, 'native', 200, 9),
  workerScenario(3, 2, 'tss-lib', 200, 9),
  workerScenario(5, 3, 'native', 600, 5),
  workerScenario(5, 3, 'tss-lib', 600, 5),
];
