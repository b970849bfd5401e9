import type { KeyShare } from '../../src/keyshare.js';
import type { Profile } from '../../src/profile.js';
import {
  createKeygenParty,
  newSessionId,
  setKeygenVerifyCache,
} from '../../src/protocols/ecdsa/keygen/index.js';
import { generatePreParams, type PreParams } from '../../src/protocols/ecdsa/preparams.js';
import { runLocal } from '../../src/session/local.js';
import { createWorkerPool, type WorkerPool } from '../../src/session/worker.js';
import { fixturePreParams as fixturePreParamsOf } from '../../test/protocols/ecdsa/keygen/fixtures.js';
import { simulate } from '../../test/support/simulate.js';
import type { Scenario } from '../harness.js';

function fixturePreParams(n: number): PreParams[] {
  return Array.from({ length: n }, (_, k) => fixturePreParamsOf(k));
}

function keygen(pre: PreParams[], minSigners: number, profile: Profile) {
  const ids = pre.map((_, i) => `party-${i + 1}`);
  const sessionId = newSessionId();
  const parties = ids.map((self, i) =>
    createKeygenParty({ self, parties: ids, minSigners, sessionId, preParams: pre[i]!, profile }),
  );
  const res = simulate<KeyShare>(parties, { seed: 1 });
  if (res.outputs.size !== ids.length) {
    const why = [...res.errors.values()].map((e) => e.message).join('; ');
    throw new Error(`keygen did not finish: ${why}`);
  }
  return res.wire;
}

function scenario(
  name: string,
  n: number,
  minSigners: number,
  profile: Profile,
  shared: boolean,
  targetMs?: number,
): Scenario {
  return {
    group: 'keygen',
    name,
    runs: 5,
    warmup: 1,
    setup: () => fixturePreParams(n),
    run: (ctx) => {
      const old = setKeygenVerifyCache(shared);
      try {
        return keygen(ctx as PreParams[], minSigners, profile);
      } finally {
        setKeygenVerifyCache(old);
      }
    },
    ...(targetMs === undefined ? {} : { targetMs }),
  };
}

/** 2-of-3 keygen with each party on a worker thread (2 workers: both cores busy). */
async function keygenOnWorkers(pool: WorkerPool, pre: PreParams[], profile: Profile) {
  const ids = pre.map((_, i) => `party-${i + 1}`);
  const sessionId = newSessionId();
  const parties = await Promise.all(
    ids.map((self, i) =>
      pool.createPartyFrom<KeyShare>('createKeygenParty', {
        self,
        parties: ids,
        minSigners: 2,
        sessionId,
        preParams: { ...pre[i]! },
        profile,
      }),
    ),
  );
  try {
    const res = await runLocal(parties);
    if (res.outcome !== 'done') throw new Error(`keygen did not finish: ${res.outcome}`);
    return { bytes: res.wire.bytes, messages: res.wire.messages };
  } finally {
    await Promise.all(parties.map((p) => p.terminate()));
  }
}

export const scenarios: Scenario[] = [
  scenario('2-of-3 keygen, pre-params given (native)', 3, 2, 'native', true, 3000),
  scenario('2-of-3 keygen, pre-params given (tss-lib)', 3, 2, 'tss-lib', true, 3000),
  scenario('2-of-3 keygen, per-party cost (no shared verify)', 3, 2, 'native', false),
  scenario('3-of-5 keygen, pre-params given (native)', 5, 3, 'native', true),
  {
    group: 'keygen',
    name: '2-of-3 keygen, parties on 2 worker threads',
    runs: 5,
    warmup: 1,
    setup: async () => {
      const pool = createWorkerPool({ size: 2 });
      await pool.ready();
      return { pool, pre: fixturePreParams(3) };
    },
    run: (ctx) => {
      const { pool, pre } = ctx as { pool: WorkerPool; pre: PreParams[] };
      return keygenOnWorkers(pool, pre, 'native');
    },
  },
  {
    group: 'preparams',
    name: 'generatePreParams (one party, fresh primes)',
    runs: 5,
    warmup: 0,
    run: async () => {
      await generatePreParams();
    },
    targetMs: 13_000,
  },
];
