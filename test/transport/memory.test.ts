import { describe, expect, it } from 'vitest';
import { isMpcError, LocalError, type MpcError } from '../../src/errors.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/party/index.js';
import { createMemoryHub } from '../../src/transport/memory.js';
import type { InboundMessage } from '../../src/transport/types.js';
import { toyDef } from '../party/toy.js';
import { collector, env, runOver } from './helpers.js';

describe('memory transport: routing', () => {
  it('delivers a broadcast to every other endpoint, never back to the sender', async () => {
    const hub = createMemoryHub();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => hub.connect(id)) as [
      ReturnType<typeof hub.connect>,
      ReturnType<typeof hub.connect>,
      ReturnType<typeof hub.connect>,
    ];
    const ca = collector();
    const cb = collector();
    const cc = collector();
    a.subscribe('s-1', ca.handler);
    b.subscribe('s-1', cb.handler);
    c.subscribe('s-1', cc.handler);
    const e = env('a', []);
    await a.send(e);
    await hub.idle();
    expect(ca.got).toHaveLength(0);
    expect(cb.got).toHaveLength(1);
    expect(cc.got).toHaveLength(1);
    expect(cb.got[0]!.from).toBe('a');
    expect(cb.got[0]!.sessionId).toBe('s-1');
    expect(cb.got[0]!.bytes).toEqual(encodeEnvelope(e));
    await hub.close();
  });

  it('restricts a broadcast to `recipients` and delivers p2p only to the named party', async () => {
    const hub = createMemoryHub();
    const eps = ['a', 'b', 'c', 'd'].map((id) => hub.connect(id));
    const cols = eps.map((t) => {
      const col = collector();
      t.subscribe('s-1', col.handler);
      return col;
    });
    await eps[0]!.send(env('a', []), { recipients: ['a', 'b', 'c'] });
    await eps[0]!.send(env('a', ['c'], { type: 'p2p' }));
    await hub.idle();
    expect(cols.map((c) => c.got.length)).toEqual([0, 1, 2, 0]);
    expect(cols[2]!.got.map((m) => decodeEnvelope(m.bytes).type).sort()).toEqual(['msg', 'p2p']);
    expect(cols[1]!.got.map((m) => decodeEnvelope(m.bytes).type)).toEqual(['msg']);
    await hub.close();
  });

  it('routes by session: other sessions are held until subscribed, then delivered', async () => {
    const hub = createMemoryHub();
    const a = hub.connect('a');
    const b = hub.connect('b');
    const s1 = collector();
    b.subscribe('s-1', s1.handler);
    await a.send(env('a', ['b'], { sessionId: 's-2' }));
    await a.send(env('a', ['b']));
    await hub.idle();
    expect(s1.got).toHaveLength(1);
    const s2 = collector();
    b.subscribe('s-2', s2.handler);
    await s2.wait(1);
    expect(decodeEnvelope(s2.got[0]!.bytes).sessionId).toBe('s-2');
    await hub.close();
  });

  it('refuses to send as another party, malformed envelopes and sends after close', async () => {
    const hub = createMemoryHub();
    const a = hub.connect('a');
    hub.connect('b');
    await expect(a.send(env('b', ['a']))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.send(env('a', ['b'], { round: 0 }))).rejects.toBeInstanceOf(LocalError);
    expect(() => hub.connect('a')).toThrow(LocalError);
    expect(() => hub.connect('has space')).toThrow(LocalError);
    expect(() => a.subscribe('has space', () => {})).toThrow(LocalError);
    await a.close();
    await expect(a.send(env('a', ['b']))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await hub.close();
    expect(() => hub.connect('c')).toThrow(LocalError);
  });

  it('reports handler failures through onError and keeps delivering', async () => {
    const errors: MpcError[] = [];
    const hub = createMemoryHub({ onError: (e) => errors.push(e) });
    const a = hub.connect('a');
    const b = hub.connect('b');
    const col = collector();
    b.subscribe('s-1', () => {
      throw new TypeError('boom');
    });
    b.subscribe('s-1', async () => {
      throw new Error('async boom');
    });
    b.subscribe('s-1', col.handler);
    await a.send(env('a', ['b']));
    await a.send(env('a', ['b'], { type: 'second' }));
    await col.wait(2);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => isMpcError(e) && e.code === 'TRANSPORT_ERROR')).toBe(true);
    expect(b.stats().errors).toBe(4);
    await hub.close();
  });

  it('unsubscribe stops delivery; messages to unknown endpoints are dropped', async () => {
    const hub = createMemoryHub();
    const a = hub.connect('a');
    const b = hub.connect('b');
    const col = collector();
    const off = b.subscribe('s-1', col.handler);
    off();
    off();
    const col2 = collector();
    b.subscribe('s-1', col2.handler);
    await a.send(env('a', ['b', 'zed']));
    await hub.idle();
    expect(col.got).toHaveLength(0);
    expect(col2.got).toHaveLength(1);
    expect(hub.stats().dropped).toBe(1);
    await hub.close();
  });

  it('bounds messages held for unsubscribed sessions', async () => {
    const errors: MpcError[] = [];
    const hub = createMemoryHub({ pending: { maxPerSession: 2 }, onError: (e) => errors.push(e) });
    const a = hub.connect('a');
    const b = hub.connect('b');
    for (let i = 1; i <= 5; i++) await a.send(env('a', ['b'], { round: i }));
    await hub.idle();
    expect(b.stats().dropped).toBe(3);
    expect(errors).toHaveLength(3);
    const col = collector();
    b.subscribe('s-1', col.handler);
    await col.wait(2);
    expect(col.got.map((m) => decodeEnvelope(m.bytes).round)).toEqual([4, 5]);
    await hub.close();
  });
});

describe('memory transport: counters and faults', () => {
  it('counts messages and bytes per recipient', async () => {
    const hub = createMemoryHub();
    const a = hub.connect('a');
    const b = hub.connect('b');
    hub.connect('c');
    const e = env('a', []);
    const len = encodeEnvelope(e).length;
    await a.send(e);
    await hub.idle();
    expect(hub.stats()).toEqual({
      messages: 2,
      bytes: 2 * len,
      delivered: 2,
      dropped: 0,
      duplicated: 0,
    });
    expect(a.stats()).toMatchObject({ messagesSent: 2, bytesSent: 2 * len });
    expect(b.stats()).toMatchObject({ messagesReceived: 1, bytesReceived: len });
    hub.resetStats();
    expect(hub.stats().messages).toBe(0);
    expect(a.stats().messagesSent).toBe(0);
    await hub.close();
  });

  it('drops everything at dropRate 1 and duplicates everything at duplicateRate 1', async () => {
    const lossy = createMemoryHub({ dropRate: 1, seed: 1 });
    const la = lossy.connect('a');
    const lb = lossy.connect('b');
    const lc = collector();
    lb.subscribe('s-1', lc.handler);
    await la.send(env('a', ['b']));
    await lossy.idle();
    expect(lc.got).toHaveLength(0);
    expect(lossy.stats()).toMatchObject({ messages: 1, dropped: 1, delivered: 0 });
    await lossy.close();

    const dup = createMemoryHub({ duplicateRate: 1, seed: 1 });
    const da = dup.connect('a');
    const db = dup.connect('b');
    const dc = collector();
    db.subscribe('s-1', dc.handler);
    await da.send(env('a', ['b']));
    await dc.wait(2);
    expect(dc.got[0]!.bytes).toEqual(dc.got[1]!.bytes);
    expect(dup.stats()).toMatchObject({ messages: 2, duplicated: 1, delivered: 2 });
    await dup.close();
  });

  it('reorders with jitter, reproducibly for a given seed', async () => {
    const order = async (seed: number): Promise<number[]> => {
      const hub = createMemoryHub({ jitterMs: 20, seed });
      const a = hub.connect('a');
      const b = hub.connect('b');
      const col = collector();
      b.subscribe('s-1', col.handler);
      for (let i = 1; i <= 12; i++) await a.send(env('a', ['b'], { round: i }));
      await col.wait(12);
      await hub.close();
      return col.got.map((m) => decodeEnvelope(m.bytes).round);
    };
    const first = await order(7);
    expect(first).not.toEqual([...first].sort((x, y) => x - y));
    expect(await order(7)).toEqual(first);
  });

  it('applies latency', async () => {
    const hub = createMemoryHub({ latencyMs: 30 });
    const a = hub.connect('a');
    const b = hub.connect('b');
    const col = collector();
    b.subscribe('s-1', col.handler);
    const t0 = Date.now();
    await a.send(env('a', ['b']));
    await col.wait(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    await hub.close();
  });

  it('lets `intercept` tamper with, drop or multiply deliveries', async () => {
    const hub = createMemoryHub({
      intercept: ({ to, bytes }) => {
        if (to === 'c') return [];
        if (to === 'd') return [bytes, bytes, bytes];
        const copy = bytes.slice();
        copy[copy.length - 1]! ^= 1;
        return [copy];
      },
    });
    const a = hub.connect('a');
    const got = new Map<string, InboundMessage[]>();
    for (const id of ['b', 'c', 'd']) {
      const t = hub.connect(id);
      got.set(id, []);
      t.subscribe('s-1', (m) => {
        got.get(id)!.push(m);
      });
    }
    const e = env('a', []);
    await a.send(e);
    await hub.idle();
    expect(got.get('b')).toHaveLength(1);
    expect(got.get('b')![0]!.bytes).not.toEqual(encodeEnvelope(e));
    expect(got.get('c')).toHaveLength(0);
    expect(got.get('d')).toHaveLength(3);
    expect(hub.stats()).toMatchObject({ dropped: 1, duplicated: 2 });
    await hub.close();
  });

  it('validates fault options', () => {
    expect(() => createMemoryHub({ dropRate: 2 })).toThrow(LocalError);
    expect(() => createMemoryHub({ latencyMs: -1 })).toThrow(LocalError);
    expect(() => createMemoryHub({ seed: 1.5 })).toThrow(LocalError);
  });

  it('runs the toy protocol among 3 parties over a reordering, duplicating network', async () => {
    for (const seed of [1, 2, 3]) {
      const hub = createMemoryHub({ jitterMs: 3, duplicateRate: 0.3, seed });
      const ts = ['p-a', 'p-b', 'p-c'].map((id) => hub.connect(id));
      const steps = await runOver(toyDef(), ts, `toy-${seed}`);
      const totals = new Set([...steps.values()].map((s) => s.output?.total));
      expect([...steps.values()].map((s) => s.status)).toEqual(['done', 'done', 'done']);
      expect(totals.size).toBe(1);
      expect(hub.stats().duplicated).toBeGreaterThan(0);
      await hub.close();
    }
  });
});
