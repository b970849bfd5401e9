import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalError, MpcError, PeerError, VerifyError } from '../../src/errors.js';
import {
  createParty,
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  restoreParty,
  type Step,
} from '../../src/party/index.js';
import { type LocalParty, runLocal } from '../../src/session/local.js';
import {
  checkPlain,
  createWorkerParty,
  createWorkerPartyFrom,
  createWorkerPool,
  fromWireError,
  restoreWorkerParty,
  toWireError,
  type WorkerParty,
  type WorkerPool,
} from '../../src/session/worker.js';
import {
  CPU_TOY_MODULE,
  type CpuToyInput,
  type CpuToyOutput,
  cpuToyDef,
  ToyResult,
} from './cpu-toy.js';

const ids = ['alice', 'bob', 'carol'];
const modules = [CPU_TOY_MODULE];
const secretOf = (self: string) => BigInt(self.length) * 1_000_003n + BigInt(self.charCodeAt(0));
const input = (self: string, work = 1): CpuToyInput => ({ secret: secretOf(self), work });
const opts = (self: string, sessionId = 'sess-1') => ({ self, parties: ids, sessionId });

function inProcess(sessionId = 'sess-1', work = 1) {
  return ids.map((self) => createParty(cpuToyDef, opts(self, sessionId), input(self, work)));
}

function canon(m: Map<string, { total: bigint; acc: bigint; parties?: string[] }>) {
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.total, v.acc]);
}

/** Max gap between ticks of a 5 ms interval while `f` runs. */
async function eventLoopGap<T>(f: () => Promise<T>): Promise<{ value: T; maxGap: number }> {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  try {
    const value = await f();
    maxGap = Math.max(maxGap, performance.now() - last);
    return { value, maxGap };
  } finally {
    clearInterval(timer);
  }
}

describe('worker-hosted parties', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = createWorkerPool({ size: 2, modules });
    await pool.ready();
  });
  afterAll(async () => {
    await pool.close();
  });

  const onPool = (sessionId = 'sess-1', work = 1) =>
    Promise.all(
      ids.map((self) =>
        pool.createParty<CpuToyOutput>('cpu-toy', opts(self, sessionId), input(self, work)),
      ),
    );

  it('gives the same outputs and traffic as in-process parties', async () => {
    const local = await runLocal(inProcess());
    expect(local.outcome).toBe('done');
    const parties = await onPool();
    expect(pool.load()).toEqual([2, 1]);
    expect(parties.map((p) => [p.self, p.status, p.round])).toEqual(
      ids.map((id) => [id, 'idle', 0]),
    );
    const remote = await runLocal(parties);
    expect(remote.outcome).toBe('done');
    expect(canon(remote.outputs)).toEqual(canon(local.outputs));
    expect(remote.outputs.get('bob')?.parties).toEqual(ids);
    expect(typeof remote.outputs.get('bob')?.total).toBe('bigint');
    expect(remote.wire).toEqual(local.wire);
    expect(parties.every((p) => p.status === 'done')).toBe(true);
    // sent() and current() mirror the in-process party.
    const sent = await parties[0]!.sent();
    expect(sent.map((e) => [e.round, e.type, e.to])).toEqual([
      [1, 'commit', []],
      [2, 'reveal', []],
      [2, 'share', ['bob']],
      [2, 'share', ['carol']],
      [3, 'total', []],
    ]);
    expect(sent[0]!.payload).toBeInstanceOf(Uint8Array);
    expect((await parties[0]!.sent({ round: 2, to: 'carol' })).map((e) => e.type)).toEqual([
      'reveal',
      'share',
    ]);
    const cur = await parties[1]!.current();
    expect(cur.status).toBe('done');
    expect(cur.output?.total).toBe(local.outputs.get('bob')?.total);
    await Promise.all(parties.map((p) => p.terminate()));
    expect(pool.load()).toEqual([0, 0]);
  });

  it('creates parties with an exported factory, and with a dedicated worker', async () => {
    const parties: WorkerParty<CpuToyOutput>[] = await Promise.all(
      ids.map((self, i) =>
        i === 0
          ? createWorkerPartyFrom<CpuToyOutput>(
              'createCpuToyParty',
              { ...opts(self), secret: secretOf(self), work: 1 },
              { modules },
            )
          : pool.createPartyFrom<CpuToyOutput>(
              'createCpuToyParty',
              {
                ...opts(self),
                secret: secretOf(self),
                work: 1,
              },
              { modules },
            ),
      ),
    );
    const res = await runLocal(parties);
    const local = await runLocal(inProcess());
    expect(canon(res.outputs)).toEqual(canon(local.outputs));
    await Promise.all(parties.map((p) => p.terminate()));
    await expect(parties[0]!.current()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await parties[0]!.terminate(); // idempotent
  });

  it('decodes class outputs with the protocol outputCodec on the main thread', async () => {
    const parties = await Promise.all(
      ids.map((self) =>
        pool.createParty<ToyResult>('cpu-toy-class', opts(self), input(self), { modules }),
      ),
    );
    const res = await runLocal(parties);
    expect(res.outcome).toBe('done');
    const out = res.outputs.get('alice')!;
    expect(out.constructor.name).toBe('ToyResult');
    expect(out.sum()).toBe(out.total + out.acc);
    await Promise.all(parties.map((p) => p.terminate()));
  });

  it('rebuilds PeerError with class, code, culprits, round, session and cause', async () => {
    const parties = await onPool('sess-tamper');
    const res = await runLocal(parties, {
      stopOnAbort: false,
      tamper: (env, to) => {
        if (env.type !== 'reveal' || env.from !== 'carol' || to !== 'alice') return undefined;
        const payload = env.payload.slice();
        payload[0]! ^= 1;
        return { ...env, payload };
      },
    });
    expect(res.outcome).toBe('aborted');
    const e = res.errors.get('alice')!;
    expect(e).toBeInstanceOf(PeerError);
    expect(e).toBeInstanceOf(MpcError);
    expect(e.code).toBe('COMMITMENT_INVALID');
    expect(e.culprits).toEqual(['carol']);
    expect(e.round).toBe(2);
    expect(e.sessionId).toBe('sess-tamper');
    expect(e.message).toContain('COMMITMENT_INVALID');
    expect(e.cause).toBeInstanceOf(VerifyError);
    expect((e.cause as Error).stack).toContain('cpu-toy');
    expect(res.steps.get('alice')?.status).toBe('aborted');
    expect(parties[0]!.status).toBe('aborted');
    // The others finished round 2 and now wait for alice's total.
    expect(res.steps.get('bob')?.waitingFor).toEqual(['alice']);
    // The final step is kept: current() returns the same error.
    const again = await parties[0]!.current();
    expect(again.error).toBeInstanceOf(PeerError);
    expect(again.error?.culprits).toEqual(['carol']);
    await Promise.all(parties.map((p) => p.terminate()));
  });

  it('rejects with LocalError for misuse, unknown protocols and non-plain data', async () => {
    await expect(
      pool.createParty('cpu-toy', { self: 'mallory', parties: ids, sessionId: 's' }, input('x')),
    ).rejects.toSatisfy(
      (e) => e instanceof LocalError && e.code === 'INVALID_ARGUMENT' && e.culprits.length === 0,
    );
    expect(pool.load()).toEqual([0, 0]);
    await expect(pool.createParty('no-such-protocol', opts('alice'), null)).rejects.toMatchObject({
      name: 'LocalError',
      code: 'NOT_FOUND',
    });
    await expect(
      pool.createParty('cpu-toy', opts('alice'), input('alice'), {
        modules: ['file:///nonexistent/protocol.js'],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(pool.createPartyFrom('noSuchFactory', {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // A class instance in the input would arrive as a plain object: refused before posting.
    await expect(
      pool.createParty('cpu-toy', opts('alice'), {
        secret: 1n,
        work: 0,
        extra: new ToyResult(1n, 2n),
      }),
    ).rejects.toSatisfy(
      (e) =>
        e instanceof LocalError && e.code === 'INVALID_ARGUMENT' && /input\.extra/.test(e.message),
    );
    // A LocalError thrown by the protocol's start.
    const p = await pool.createParty('cpu-toy', opts('alice'), { secret: -1n, work: 0 });
    await expect(p.start()).rejects.toSatisfy(
      (e) => e instanceof LocalError && e.code === 'INVALID_ARGUMENT' && /secret/.test(e.message),
    );
    await p.terminate();
    const q = await pool.createParty('cpu-toy', opts('alice'), input('alice'));
    await expect(q.handle(new Uint8Array([1]), { from: 'bob' })).rejects.toMatchObject({
      name: 'LocalError',
      code: 'INVALID_STATE',
    });
    await q.start();
    await expect(q.start()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(q.handle('nope' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    // Garbage from an authenticated peer aborts the party, naming it.
    const s = await q.handle(new Uint8Array([0xff, 0xff]), { from: 'bob' });
    expect(s.status).toBe('aborted');
    expect(s.error).toBeInstanceOf(PeerError);
    expect(s.error?.culprits).toEqual(['bob']);
    // Garbage without a sender is dropped: `rejected`, not fatal.
    const r = await pool.createParty('cpu-toy', opts('bob'), input('bob'));
    await r.start();
    const d = await r.handle(new Uint8Array([0xff]));
    expect(d.status).toBe('waiting');
    expect(d.rejected).toBeInstanceOf(MpcError);
    await Promise.all([q.terminate(), r.terminate()]);
  });

  it('reports a crash in protocol code as LocalError INTERNAL with the TypeError as cause', async () => {
    const parties = await Promise.all(
      ids.map((self) =>
        pool.createParty<CpuToyOutput>('cpu-toy', opts(self), { ...input(self), crash: true }),
      ),
    );
    const res = await runLocal(parties);
    expect(res.outcome).toBe('aborted');
    const [who, e] = [...res.errors][0]!;
    expect(ids).toContain(who);
    expect(e).toBeInstanceOf(LocalError);
    expect(e.code).toBe('INTERNAL');
    expect(e.round).toBe(2);
    expect((e.cause as Error).name).toBe('TypeError');
    await Promise.all(parties.map((p) => p.terminate()));
  });

  it('refuses a class-instance output without a codec', async () => {
    const parties = await Promise.all(
      ids.map((self) => pool.createParty('cpu-toy-nocodec', opts(self), input(self), { modules })),
    );
    await expect(runLocal(parties)).rejects.toSatisfy(
      (e) => e instanceof LocalError && e.code === 'INTERNAL' && /ToyResult/.test(e.message),
    );
    await Promise.all(parties.map((p) => p.terminate()));
  });

  it('snapshots and restores through the worker at every step', async () => {
    // Drive the session by hand; after every step, replace the party by a worker restored from
    // its snapshot (alternating pool and dedicated workers, and one in-process restore).
    const local = await runLocal(inProcess('sess-snap'));
    const parties = new Map<string, LocalParty<CpuToyOutput>>();
    for (const p of await onPool('sess-snap')) parties.set(p.self, p);
    const queue: { from: string; to: string; bytes: Uint8Array }[] = [];
    const route = (from: string, envs: readonly Envelope[]) => {
      for (const env of envs) {
        const bytes = encodeEnvelope(env);
        for (const to of env.to.length > 0 ? env.to : ids.filter((x) => x !== from)) {
          queue.push({ from, to, bytes });
        }
      }
    };
    let n = 0;
    const replace = async (id: string) => {
      const old = parties.get(id)!;
      const snap = await old.snapshot();
      const before = (await old.sent()).map((e) => Buffer.from(encodeEnvelope(e)).toString('hex'));
      if ('terminate' in old) await old.terminate();
      const k = n++ % 3;
      const next: LocalParty<CpuToyOutput> =
        k === 0
          ? await pool.restoreParty<CpuToyOutput>(snap)
          : k === 1
            ? await restoreWorkerParty<CpuToyOutput>(snap, { modules })
            : restoreParty<CpuToyOutput>(snap, cpuToyDef);
      const after = (await next.sent()).map((e) => Buffer.from(encodeEnvelope(e)).toString('hex'));
      expect(after).toEqual(before); // nothing re-drawn
      expect(next.status).toBe(old.status);
      expect(next.round).toBe(old.round);
      parties.set(id, next);
    };
    const steps = new Map<string, Step<CpuToyOutput>>();
    for (const id of ids) {
      const step = await parties.get(id)!.start();
      route(id, step.outgoing);
      await replace(id);
    }
    while (queue.length > 0) {
      const d = queue.shift()!;
      const step = await parties.get(d.to)!.handle(d.bytes, { from: d.from });
      steps.set(d.to, step);
      route(d.to, step.outgoing);
      await replace(d.to);
    }
    expect(ids.map((id) => steps.get(id)?.status)).toEqual(['done', 'done', 'done']);
    const outs = new Map(ids.map((id) => [id, steps.get(id)!.output!]));
    expect(canon(outs)).toEqual(canon(local.outputs));
    // A snapshot of a finished worker party restores with its output.
    const last = parties.get('alice')!;
    const done = restoreParty<CpuToyOutput>(await last.snapshot(), cpuToyDef);
    expect(done.current().output?.total).toBe(local.outputs.get('alice')?.total);
    for (const p of parties.values()) if ('terminate' in p) await p.terminate();
  });

  it('resumes restored worker parties with runLocal (they resend what they sent)', async () => {
    const fresh = await onPool('sess-resume');
    const steps = await Promise.all(fresh.map((p) => p.start()));
    expect(steps.every((s) => s.outgoing.length === 1)).toBe(true);
    // Crash before any delivery: keep only the snapshots.
    const snaps = await Promise.all(fresh.map((p) => p.snapshot()));
    await Promise.all(fresh.map((p) => p.terminate()));
    const restored = await Promise.all(snaps.map((s) => pool.restoreParty<CpuToyOutput>(s)));
    expect(restored.map((p) => p.status)).toEqual(['waiting', 'waiting', 'waiting']);
    const res = await runLocal(restored);
    expect(res.outcome).toBe('done');
    expect(canon(res.outputs)).toEqual(canon((await runLocal(inProcess('sess-resume'))).outputs));
    await Promise.all(restored.map((p) => p.terminate()));
  });

  it('rejects pending calls when the pool closes', async () => {
    const own = createWorkerPool({ size: 1, modules });
    const p = await own.createParty('cpu-toy', opts('alice'), input('alice', 200));
    const started = expect(p.start()).rejects.toMatchObject({
      name: 'LocalError',
      code: 'CANCELLED',
    });
    await own.close();
    await started;
    await expect(own.createParty('cpu-toy', opts('alice'), input('alice'))).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });

  it('rejects calls on a crashed worker and replaces it for new parties', async () => {
    const own = createWorkerPool({ size: 1, modules });
    try {
      const p = await own.createParty('cpu-toy', opts('alice'), { ...input('alice'), exit: true });
      const q = await own.createParty('cpu-toy', opts('bob'), input('bob'));
      await expect(p.start()).rejects.toSatisfy(
        (e) => e instanceof LocalError && e.code === 'INTERNAL' && /exited/.test(e.message),
      );
      await expect(q.start()).rejects.toMatchObject({ code: 'INTERNAL' });
      await p.terminate();
      await q.terminate();
      const r = await own.createParty('cpu-toy', opts('carol'), input('carol'));
      expect((await r.start()).status).toBe('waiting');
      await r.terminate();
    } finally {
      await own.close();
    }
  });

  it('round-trips errors through the wire format', () => {
    const cause = new VerifyError('PROOF_INVALID', 'bad proof');
    const e = new PeerError({
      code: 'PROOF_INVALID',
      message: 'bad proof',
      culprits: ['x', 'y'],
      round: 4,
      sessionId: 's',
      cause,
    });
    const back = fromWireError(structuredClone(toWireError(e)));
    expect(back).toBeInstanceOf(PeerError);
    expect(back.message).toBe(e.message);
    expect((back as PeerError).culprits).toEqual(['x', 'y']);
    expect(back.cause).toBeInstanceOf(VerifyError);
    const t = fromWireError(structuredClone(toWireError(new RangeError('r'))));
    expect([t.name, t.message]).toEqual(['RangeError', 'r']);
    const odd = fromWireError({ name: 'LocalError', message: 'm', code: 'NOPE' });
    expect((odd as LocalError).code).toBe('INTERNAL');
    expect(() =>
      checkPlain(
        { a: [new Map([[1, new Set([1n])]])], b: new Uint8Array(2) },
        'x',
        'INVALID_ARGUMENT',
      ),
    ).not.toThrow();
    expect(() => checkPlain({ f: () => 1 }, 'x', 'INVALID_ARGUMENT')).toThrow(/x\.f is a function/);
  });

  it('runs parties in parallel: same outputs, event loop stays free (timings logged)', async () => {
    const work = 20; // 2048-bit modexps per step
    const sessions = 2;
    const runInProcess = () =>
      eventLoopGap(async () => {
        for (let s = 0; s < sessions; s++) await runLocal(inProcess(`par-${s}`, work));
      });
    const runOnWorkers = () =>
      eventLoopGap(async () => {
        for (let s = 0; s < sessions; s++) {
          const parties = await onPool(`par-${s}`, work);
          const res = await runLocal(parties);
          expect(res.outcome).toBe('done');
          await Promise.all(parties.map((p) => p.terminate()));
        }
      });
    await runOnWorkers(); // warm-up (DH contexts, JIT)
    let t = performance.now();
    const a = await runInProcess();
    const tLocal = performance.now() - t;
    t = performance.now();
    const b = await runOnWorkers();
    const tWorkers = performance.now() - t;
    console.log(
      `[workers] ${sessions} × 3-party cpu-toy (work ${work}): in-process ${tLocal.toFixed(0)} ms ` +
        `(max event-loop gap ${a.maxGap.toFixed(0)} ms), 2 workers ${tWorkers.toFixed(0)} ms ` +
        `(max gap ${b.maxGap.toFixed(1)} ms), speed-up ${(tLocal / tWorkers).toFixed(2)}×`,
    );
    expect(b.maxGap).toBeGreaterThan(0);
  });

  it('decodes a wire envelope the same way on both sides', async () => {
    const p = await pool.createParty('cpu-toy', opts('alice'), input('alice'));
    const step = await p.start();
    const env = step.outgoing[0]!;
    expect(decodeEnvelope(encodeEnvelope(env))).toEqual(env);
    await p.terminate();
  });
});

describe('dedicated worker parties', () => {
  it('start, handle, snapshot and terminate', async () => {
    const [a, b] = await Promise.all([
      createWorkerParty<CpuToyOutput>(
        'cpu-toy',
        { self: 'a', parties: ['a', 'b'], sessionId: 'd' },
        { secret: 1n, work: 0 },
        { modules },
      ),
      createWorkerParty<CpuToyOutput>(
        'cpu-toy',
        { self: 'b', parties: ['a', 'b'], sessionId: 'd' },
        { secret: 2n, work: 0 },
        { modules: [CPU_TOY_MODULE.pathname] },
      ),
    ]);
    const res = await runLocal([a!, b!]);
    expect(res.outputs.get('a')?.total).toBe(3n);
    expect(typeof (await a!.snapshot())).toBe('string');
    await a!.terminate();
    await b!.terminate();
    await expect(a!.snapshot()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
