import { describe, expect, it } from 'vitest';
import { LocalError, PeerError } from '../../src/errors.js';
import { createParty, type Envelope, restoreParty } from '../../src/party/index.js';
import { runLocal, type SentMessage } from '../../src/session/local.js';
import { createWorkerPool } from '../../src/session/worker.js';
import { simulate } from '../../src/testing/simulate.js';
import { toyDef } from '../party/toy.js';
import {
  CPU_TOY_MODULE,
  type CpuToyInput,
  type CpuToyOutput,
  cpuToyDef,
  createCpuToyParty,
} from './cpu-toy.js';

const ids = ['alice', 'bob', 'carol'];
const input = (self: string): CpuToyInput => ({ secret: BigInt(self.length * 7 + 1), work: 0 });
const make = (sessionId = 's-1', parties = ids) =>
  parties.map((self) => createParty(cpuToyDef, { self, parties, sessionId }, input(self)));
const expectedTotal = ids.reduce((s, id) => s + input(id).secret, 0n);

describe('runLocal', () => {
  it('runs in-process parties to completion and counts the traffic', async () => {
    const sent: SentMessage[] = [];
    const steps: string[] = [];
    const res = await runLocal(make(), {
      onMessage: (m) => sent.push(m),
      onStep: (id, s) => steps.push(`${id}:${s.status}`),
    });
    expect(res.outcome).toBe('done');
    expect([...res.outputs.keys()].sort()).toEqual(ids);
    for (const o of res.outputs.values()) expect(o.total).toBe(expectedTotal);
    expect(res.errors.size).toBe(0);
    // 3 commits + 3 × (reveal + 2 shares) + 3 totals; each broadcast counted once.
    expect(res.wire.messages).toBe(15);
    expect(res.wire.deliveries).toBe(24);
    expect(sent).toHaveLength(15);
    expect(res.wire.bytes).toBe(sent.reduce((s, m) => s + m.bytes.length, 0));
    expect(sent[0]!.recipients).toEqual(['bob', 'carol']);
    expect(sent.find((m) => m.envelope.type === 'share')!.recipients).toHaveLength(1);
    expect(steps.filter((s) => s.endsWith(':done'))).toHaveLength(3);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('is reproducible for a shuffle seed, and every order completes', async () => {
    const trace = async (seed: number) => {
      const order: string[] = [];
      const parties = ids.map((self) =>
        createParty(toyDef(), { self, parties: ids, sessionId: 'shuf' }),
      );
      const res = await runLocal(parties, {
        shuffle: seed,
        onStep: (id, s) => order.push(`${id}@${s.round}`),
      });
      expect(res.outcome).toBe('done');
      return order.join(' ');
    };
    expect(await trace(5)).toBe(await trace(5));
    const orders = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) orders.add(await trace(seed));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('ends stalled when messages are dropped, naming who is missing', async () => {
    const res = await runLocal(make(), {
      tamper: (env, to) =>
        env.from === 'carol' && to === 'alice' && env.round === 2 ? null : undefined,
    });
    expect(res.outcome).toBe('stalled');
    expect(res.steps.get('alice')?.waitingFor).toEqual(['carol']);
    expect(res.outputs.size).toBe(0);
  });

  it('stops at the first abort, or collects every verdict with stopOnAbort: false', async () => {
    const tamper = (env: Envelope, _to: string): Envelope | undefined => {
      if (env.type !== 'total' || env.from !== 'carol') return undefined;
      const payload = env.payload.slice();
      payload[31]! ^= 1;
      return { ...env, payload };
    };
    const first = await runLocal(make('abort-1'), { tamper });
    expect(first.outcome).toBe('aborted');
    expect(first.errors.size).toBe(1);
    const all = await runLocal(make('abort-2'), { tamper, stopOnAbort: false });
    expect(all.outcome).toBe('aborted');
    expect([...all.errors.keys()].sort()).toEqual(['alice', 'bob']);
    for (const e of all.errors.values()) {
      expect(e).toBeInstanceOf(PeerError);
      expect(e.code).toBe('CONSISTENCY_CHECK_FAILED');
      expect(e.culprits).toEqual(['carol']);
    }
    expect(all.outputs.has('carol')).toBe(true);
  });

  it('delivers raw bytes and duplicates from tamper; records rejected messages', async () => {
    const res = await runLocal(make(), {
      tamper: (env, _to, bytes) =>
        env.round === 1
          ? [bytes, bytes]
          : env.round === 3
            ? [bytes, new Uint8Array([1])]
            : undefined,
    });
    // Exact duplicates are ignored; an undecodable message from an authenticated peer aborts.
    expect(res.outcome).toBe('aborted');
    const e = [...res.errors.values()][0]!;
    expect(e.code).toBe('MALFORMED');
  });

  it('resumes parties restored from snapshots (they resend what they sent)', async () => {
    const parties = make('resume');
    for (const p of parties) p.start();
    const restored = parties.map((p) => restoreParty<CpuToyOutput>(p.snapshot(), cpuToyDef));
    const res = await runLocal(restored);
    expect(res.outcome).toBe('done');
    expect(res.outputs.get('bob')?.total).toBe(expectedTotal);
  });

  it('rejects duplicate ids, cancellation and thrown errors', async () => {
    const [a] = make();
    await expect(runLocal([a!, a!])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runLocal([])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runLocal(make(), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    // A party whose start throws (bad input) rejects the run.
    const broken = createParty(
      cpuToyDef,
      { self: 'alice', parties: ids, sessionId: 's' },
      {
        secret: -1n,
        work: 0,
      },
    );
    await expect(runLocal([broken, ...make().slice(1)])).rejects.toBeInstanceOf(LocalError);
    // A tamper hook returning an envelope that cannot be encoded.
    await expect(
      runLocal(make(), { tamper: (env) => ({ ...env, from: '' }) }),
    ).rejects.toMatchObject({ name: 'LocalError', code: 'INVALID_ARGUMENT' });
  });

  it('caps deliveries', async () => {
    const res = await runLocal(make(), { maxDeliveries: 5 });
    expect(res.outcome).toBe('stalled');
    expect(res.wire.deliveries).toBe(5);
  });

  it('drives a mix of in-process and worker parties', async () => {
    const pool = createWorkerPool({ size: 2, modules: [CPU_TOY_MODULE] });
    try {
      const remote = await Promise.all(
        ['bob', 'carol'].map((self) =>
          pool.createParty<CpuToyOutput>(
            'cpu-toy',
            { self, parties: ids, sessionId: 'mix' },
            input(self),
          ),
        ),
      );
      const local = createParty(
        cpuToyDef,
        { self: 'alice', parties: ids, sessionId: 'mix' },
        input('alice'),
      );
      const res = await runLocal([local, ...remote], { shuffle: 3 });
      expect(res.outcome).toBe('done');
      for (const o of res.outputs.values()) expect(o.total).toBe(expectedTotal);
    } finally {
      await pool.close();
    }
  });
});

describe('simulate', () => {
  it('runs a ProtocolDef in-process with per-party input', async () => {
    const res = await simulate(cpuToyDef, { parties: ids, sessionId: 'sim', input });
    expect(res.outcome).toBe('done');
    expect(res.ids).toEqual(ids);
    expect(res.sessionId).toBe('sim');
    expect(res.outputs.get('carol')?.total).toBe(expectedTotal);
  });

  it('generates ids and a session id', async () => {
    const res = await simulate(toyDef(), { parties: 4 });
    expect(res.ids).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(res.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.outputs.size).toBe(4);
  });

  it('runs on workers by name or by def, with a temporary or given pool', async () => {
    const a = await simulate<CpuToyOutput>('cpu-toy', {
      parties: ids,
      input,
      workers: true,
      modules: [CPU_TOY_MODULE],
      sessionId: 'w',
    });
    expect(a.outcome).toBe('done');
    expect(a.outputs.get('alice')?.total).toBe(expectedTotal);
    const pool = createWorkerPool({ size: 1, modules: [CPU_TOY_MODULE] });
    try {
      const b = await simulate(cpuToyDef, { parties: ids, input, workers: pool, shuffle: 9 });
      expect(b.outputs.get('bob')?.total).toBe(expectedTotal);
      expect(pool.load()).toEqual([0]); // simulate terminated the parties it created
    } finally {
      await pool.close();
    }
    await expect(simulate('cpu-toy', { input })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('builds parties with a factory', async () => {
    const res = await simulate<CpuToyOutput>(
      ({ self, parties, sessionId }) =>
        createCpuToyParty({ self, parties, sessionId, secret: input(self).secret }),
      { parties: ids },
    );
    expect(res.outputs.get('alice')?.total).toBe(expectedTotal);
    expect(res.parties).toHaveLength(3);
  });

  it('expectDone rejects with the first error', async () => {
    await expect(
      simulate(cpuToyDef, {
        parties: ids,
        input,
        expectDone: true,
        tamper: (env) =>
          env.type === 'reveal' ? { ...env, payload: new Uint8Array(64) } : undefined,
      }),
    ).rejects.toSatisfy((e) => e instanceof PeerError && e.code === 'COMMITMENT_INVALID');
    await expect(
      simulate(cpuToyDef, { parties: ids, input, expectDone: true, maxDeliveries: 1 }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
