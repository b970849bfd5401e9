import { afterEach, describe, expect, it } from 'vitest';
import { isMpcError, LocalError, type MpcError, PeerError } from '../../src/errors.js';
import { createParty, type Envelope, encodeEnvelope, type Party } from '../../src/party/index.js';
import { createSignParty, SIGN_GG18_DEFS } from '../../src/protocols/ecdsa/sign-gg18/index.js';
import type { Signature } from '../../src/protocols/ecdsa/signature.js';
import {
  type DrivableParty,
  type RunProgress,
  resumeParty,
  runnerStoreId,
  runParty,
} from '../../src/session/runner.js';
import { createWorkerPool } from '../../src/session/worker.js';
import { createMemorySessionStore } from '../../src/stores/memory.js';
import type { SessionStore } from '../../src/stores/types.js';
import {
  createKeyDirectory,
  generateIdentity,
  publicIdentityOf,
} from '../../src/transport/identity.js';
import { createMemoryHub, type MemoryHub } from '../../src/transport/memory.js';
import { createSecureChannel } from '../../src/transport/secure-channel.js';
import type { MessageHandler, SendOptions, Transport } from '../../src/transport/types.js';
import { type ToyOutput, toyDef } from '../party/toy.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';

const IDS = ['a', 'b', 'c'];
const hubs: MemoryHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

function hub(opts: Parameters<typeof createMemoryHub>[0] = {}): MemoryHub {
  const h = createMemoryHub(opts);
  hubs.push(h);
  return h;
}

let n = 0;
const sid = (): string => `s-${process.pid}-${Date.now()}-${++n}`;

/** A transport wrapper that counts live subscriptions and lets a test hook sends. */
function tracked(
  inner: Transport,
  onSend?: (env: Envelope) => void | Promise<void>,
): Transport & { live: () => number } {
  let live = 0;
  return {
    self: inner.self,
    live: () => live,
    async send(env: Envelope, opts?: SendOptions) {
      await onSend?.(env);
      return inner.send(env, opts);
    },
    subscribe(sessionId: string, handler: MessageHandler) {
      live++;
      const off = inner.subscribe(sessionId, handler);
      let done = false;
      return () => {
        if (!done) live--;
        done = true;
        off();
      };
    },
    close: () => inner.close(),
  };
}

const toy = (self: string, sessionId: string, parties = IDS): Party<ToyOutput> =>
  createParty(toyDef(), { self, parties, sessionId });

function expectSameTotals(outs: ToyOutput[]): void {
  expect(outs).toHaveLength(3);
  for (const o of outs) expect(o.total).toBe(outs[0]!.total);
}

async function rejection(p: Promise<unknown>): Promise<MpcError> {
  try {
    await p;
  } catch (e) {
    expect(isMpcError(e)).toBe(true);
    return e as MpcError;
  }
  throw new Error('expected a rejection');
}

describe('runParty', () => {
  it('drives every party to the same output, persisting before each send, and unsubscribes', async () => {
    const h = hub({ jitterMs: 3, seed: 1 });
    const store = createMemorySessionStore();
    const sessionId = sid();
    const checked: string[] = [];
    const transports = IDS.map((id) =>
      tracked(h.connect(id), async (env) => {
        // The snapshot in the store must already list this envelope as sent.
        const snap = await store.loadSnapshot(sessionId, id);
        expect(snap).toBeDefined();
        const sent = JSON.parse(new TextDecoder().decode(snap)).sent as string[];
        expect(sent).toContain(Buffer.from(encodeEnvelope(env)).toString('base64'));
        checked.push(`${id}:${env.round}:${env.type}`);
      }),
    );
    const events: RunProgress[] = [];
    const outs = await Promise.all(
      transports.map((t) =>
        runParty(toy(t.self, sessionId), {
          transport: t,
          sessionStore: store,
          timeoutMs: 10_000,
          onProgress: (p) => events.push(p),
        }),
      ),
    );
    expectSameTotals(outs);
    // 3 parties × (commit + reveal + 2 shares + total)
    expect(checked.length).toBe(15);
    for (const t of transports) expect(t.live()).toBe(0);
    expect(events.filter((e) => e.event === 'started')).toHaveLength(3);
    expect(events.filter((e) => e.event === 'done')).toHaveLength(3);
    // The final snapshot is kept (done, with the output) until the caller deletes it.
    const last = JSON.parse(new TextDecoder().decode(await store.loadSnapshot(sessionId, 'a')));
    expect(last.status).toBe('done');
    // The lock was released.
    const lock = await store.acquireLock(runnerStoreId('a', sessionId));
    expect(lock).toBeDefined();
  });

  it('works without a session store', async () => {
    const h = hub();
    const sessionId = sid();
    const outs = await Promise.all(
      IDS.map((id) => runParty(toy(id, sessionId), { transport: h.connect(id), timeoutMs: 5000 })),
    );
    expectSameTotals(outs);
  });

  it('finishes on a lossy network by resending (drops, duplicates, reordering)', async () => {
    const h = hub({ dropRate: 0.25, duplicateRate: 0.2, jitterMs: 5, seed: 42 });
    const store = createMemorySessionStore();
    const sessionId = sid();
    const resent: RunProgress[] = [];
    const outs = await Promise.all(
      IDS.map((id) =>
        runParty(toy(id, sessionId), {
          transport: h.connect(id),
          sessionStore: store,
          timeoutMs: 15_000,
          resendIntervalMs: 40,
          lingerMs: 400,
          onProgress: (p) => {
            if (p.event === 'resent') resent.push(p);
          },
        }),
      ),
    );
    expectSameTotals(outs);
    expect(resent.length).toBeGreaterThan(0);
  });

  it('resumes a party discarded mid-protocol from its snapshot, without new randomness', async () => {
    const h = hub({ seed: 3 });
    const store = createMemorySessionStore();
    const sessionId = sid();
    // c "crashes" when it is about to send its round-3 message: the transport dies under it
    // (its snapshot with that message was already saved).
    let crashed = false;
    const cEndpoint = h.connect('c');
    const cTransport = tracked(cEndpoint, async (env) => {
      if (env.round === 3) {
        crashed = true;
        await cEndpoint.close();
        throw new LocalError('INVALID_STATE', 'process died');
      }
    });
    const cParty = toy('c', sessionId);
    const others = ['a', 'b'].map((id) =>
      runParty(toy(id, sessionId), {
        transport: h.connect(id),
        sessionStore: store,
        timeoutMs: 15_000,
        resendIntervalMs: 50,
      }),
    );
    const first = await rejection(
      runParty(cParty, {
        transport: cTransport,
        sessionStore: store,
        timeoutMs: 15_000,
        resendIntervalMs: 50,
      }),
    );
    expect(crashed).toBe(true);
    expect(first.code).toBe('INVALID_STATE');
    expect(cTransport.live()).toBe(0);
    const snap = JSON.parse(new TextDecoder().decode(await store.loadSnapshot(sessionId, 'c')));
    expect(snap.round).toBe(3);
    const sentBefore = snap.sent as string[];

    // A new process: new transport endpoint, party restored from the store.
    const progress: RunProgress[] = [];
    const resumed = await resumeParty<ToyOutput>(sessionId, 'c', {
      transport: h.connect('c'),
      sessionStore: store,
      timeoutMs: 15_000,
      resendIntervalMs: 50,
      defs: toyDef(),
      onProgress: (p) => progress.push(p),
    });
    const outs = [resumed, ...(await Promise.all(others))];
    expectSameTotals(outs);
    expect(progress[0]?.event).toBe('resumed');
    // Exactly the envelopes of the crashed run were sent again (same bytes: no new randomness).
    const after = JSON.parse(new TextDecoder().decode(await store.loadSnapshot(sessionId, 'c')));
    expect(after.sent).toEqual(sentBefore);
  });

  it('resume fails with NOT_FOUND without a snapshot, and a finished snapshot returns its output', async () => {
    const h = hub();
    const store = createMemorySessionStore();
    const sessionId = sid();
    const err = await rejection(
      resumeParty(sessionId, 'a', {
        transport: h.connect('x'),
        sessionStore: store,
        timeoutMs: 1000,
        defs: toyDef(),
      }),
    );
    expect(err.code).toBe('NOT_FOUND');
    const outs = await Promise.all(
      IDS.map((id) =>
        runParty(toy(id, sessionId), {
          transport: h.connect(id),
          sessionStore: store,
          timeoutMs: 5000,
        }),
      ),
    );
    const again = await resumeParty<ToyOutput>(sessionId, 'a', {
      transport: h.connect('a2-not-a'),
      sessionStore: store,
      timeoutMs: 1000,
      defs: toyDef(),
    }).catch((e) => e);
    // The transport must be the party's own id.
    expect((again as MpcError).code).toBe('INVALID_ARGUMENT');
    await h.close();
    const h2 = hub();
    const out = await resumeParty<ToyOutput>(sessionId, 'a', {
      transport: h2.connect('a'),
      sessionStore: store,
      timeoutMs: 1000,
      defs: toyDef(),
    });
    expect(out.total).toBe(outs[0]!.total);
  });

  it('times out with PeerError TIMEOUT naming the silent party', async () => {
    const h = hub();
    const store = createMemorySessionStore();
    const sessionId = sid();
    h.connect('c'); // connected but silent
    const t0 = Date.now();
    const errs = await Promise.all(
      ['a', 'b'].map((id) =>
        rejection(
          runParty(toy(id, sessionId), {
            transport: h.connect(id),
            sessionStore: store,
            timeoutMs: 400,
            resendIntervalMs: 100,
          }),
        ),
      ),
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    for (const e of errs) {
      expect(e).toBeInstanceOf(PeerError);
      expect(e.code).toBe('TIMEOUT');
      expect(e.culprits).toEqual(['c']);
      expect(e.round).toBe(1);
      expect(e.sessionId).toBe(sessionId);
    }
  });

  it('rejects a reused session id with SESSION_REUSED before sending anything', async () => {
    const h = hub();
    const store = createMemorySessionStore();
    const sessionId = sid();
    await Promise.all(
      IDS.map((id) =>
        runParty(toy(id, sessionId), {
          transport: h.connect(id),
          sessionStore: store,
          timeoutMs: 5000,
        }),
      ),
    );
    await h.close();
    const h2 = hub();
    let sent = 0;
    const t = tracked(h2.connect('a'), () => {
      sent++;
    });
    const err = await rejection(
      runParty(toy('a', sessionId), { transport: t, sessionStore: store, timeoutMs: 5000 }),
    );
    expect(err.code).toBe('SESSION_REUSED');
    expect(sent).toBe(0);
    expect(t.live()).toBe(0);
  });

  it('holds a per-session lock: a second runner of the same party is refused', async () => {
    const h = hub();
    const store = createMemorySessionStore();
    const sessionId = sid();
    const ctl = new AbortController();
    const first = runParty(toy('a', sessionId), {
      transport: h.connect('a'),
      sessionStore: store,
      timeoutMs: 5000,
      signal: ctl.signal,
    });
    await new Promise((r) => setTimeout(r, 20));
    // Another process running the same party (same id, its own connection).
    const other = h.connect('a-elsewhere');
    const alias: Transport = {
      self: 'a',
      send: (env, o) => other.send(env, o),
      subscribe: (s, fn) => other.subscribe(s, fn),
      close: () => other.close(),
    };
    const refused = await rejection(
      runParty(toy('a', sessionId), { transport: alias, sessionStore: store, timeoutMs: 5000 }),
    );
    expect(refused.code).toBe('INVALID_STATE');
    ctl.abort();
    expect((await rejection(first)).code).toBe('CANCELLED');
  });

  it('honours an AbortSignal (CANCELLED) and leaves nothing subscribed', async () => {
    const h = hub();
    const store = createMemorySessionStore();
    const t = tracked(h.connect('a'));
    const ctl = new AbortController();
    const p = runParty(toy('a', sid()), {
      transport: t,
      sessionStore: store,
      timeoutMs: 10_000,
      signal: ctl.signal,
    });
    setTimeout(() => ctl.abort(), 30);
    const err = await rejection(p);
    expect(err).toBeInstanceOf(LocalError);
    expect(err.code).toBe('CANCELLED');
    expect(t.live()).toBe(0);
    const pre = new AbortController();
    pre.abort();
    const err2 = await rejection(
      runParty(toy('a', sid()), { transport: t, timeoutMs: 1000, signal: pre.signal }),
    );
    expect(err2.code).toBe('CANCELLED');
    expect(t.live()).toBe(0);
  });

  it('retries failing store writes and never sends before the snapshot is saved', async () => {
    const h = hub();
    const inner = createMemorySessionStore();
    let failures = 0;
    const flaky: SessionStore = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'saveSnapshot') {
          return async (...args: Parameters<SessionStore['saveSnapshot']>) => {
            if (failures < 4) {
              failures++;
              throw new LocalError('STORE_ERROR', 'connection reset');
            }
            return target.saveSnapshot(...args);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const sessionId = sid();
    const retries: RunProgress[] = [];
    const outs = await Promise.all(
      IDS.map((id) =>
        runParty(toy(id, sessionId), {
          transport: h.connect(id),
          sessionStore: id === 'a' ? flaky : inner,
          timeoutMs: 10_000,
          storeRetryDelayMs: 5,
          onProgress: (p) => {
            if (p.event === 'store-retry') retries.push(p);
          },
        }),
      ),
    );
    expectSameTotals(outs);
    expect(failures).toBe(4);
    expect(retries).toHaveLength(4);
    expect(retries[0]?.error?.code).toBe('STORE_ERROR');
  });

  it('fails the run when the store keeps failing (nothing sent)', async () => {
    const h = hub();
    const inner = createMemorySessionStore();
    const broken: SessionStore = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'saveSnapshot') {
          return async () => {
            throw new LocalError('STORE_ERROR', 'down');
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    let sent = 0;
    const t = tracked(h.connect('a'), () => {
      sent++;
    });
    const err = await rejection(
      runParty(toy('a', sid()), {
        transport: t,
        sessionStore: broken,
        timeoutMs: 300,
        storeRetryDelayMs: 10,
      }),
    );
    expect(['STORE_ERROR', 'TIMEOUT']).toContain(err.code);
    expect(sent).toBe(0);
  });

  it('drives asynchronous (worker-style) parties', async () => {
    const h = hub();
    const sessionId = sid();
    const asyncParty = (p: Party<ToyOutput>): DrivableParty<ToyOutput> => ({
      protocol: p.protocol,
      sessionId: p.sessionId,
      self: p.self,
      parties: p.parties,
      get status() {
        return p.status;
      },
      start: async () => p.start(),
      handle: async (m, o) => {
        await new Promise((r) => setImmediate(r));
        return p.handle(m, o);
      },
      current: async () => p.current(),
      sent: async (f) => p.sent(f),
      snapshot: async () => p.snapshot(),
    });
    const store = createMemorySessionStore();
    const outs = await Promise.all(
      IDS.map((id) =>
        runParty(asyncParty(toy(id, sessionId)), {
          transport: h.connect(id),
          sessionStore: store,
          timeoutMs: 5000,
        }),
      ),
    );
    expectSameTotals(outs);
  });

  it('drives parties hosted on worker threads (createWorkerPool)', async () => {
    const pool = createWorkerPool({ size: 2 });
    try {
      const h = hub();
      const shares = makeKeyShares({ n: 3, minSigners: 2, ids: IDS });
      const signers = ['a', 'b'];
      const store = createMemorySessionStore();
      const sessionId = sid();
      const parties = await Promise.all(
        signers.map((self) =>
          pool.createPartyFrom<Signature>('createSignParty', {
            self,
            signers,
            keyShare: shares.find((s) => s.self === self),
            messageHash: new Uint8Array(32).fill(3),
            sessionId,
          }),
        ),
      );
      const sigs = await Promise.all(
        parties.map((p) =>
          runParty(p, { transport: h.connect(p.self), sessionStore: store, timeoutMs: 30_000 }),
        ),
      );
      expect(sigs[0]!.s).toBe(sigs[1]!.s);
      // The worker's snapshots went to the store like any other.
      const again = await resumeParty<Signature>(sessionId, 'a', {
        transport: hub().connect('a'),
        sessionStore: store,
        timeoutMs: 1000,
        defs: SIGN_GG18_DEFS,
      });
      expect(again.r).toBe(sigs[0]!.r);
    } finally {
      await pool.close();
    }
  });

  it('rejects bad options', async () => {
    const h = hub();
    const t = h.connect('a');
    expect((await rejection(runParty(toy('a', sid()), { transport: t, timeoutMs: 0 }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      (await rejection(runParty(toy('b', sid()), { transport: t, timeoutMs: 100 }))).code,
    ).toBe('INVALID_ARGUMENT');
  });

  it('drives a real GG18 signing over the secure channel', async () => {
    const h = hub({ jitterMs: 2, seed: 9 });
    const shares = makeKeyShares({ n: 3, minSigners: 2, ids: IDS });
    const signers = ['a', 'c'];
    const identities = signers.map((id) => generateIdentity(id));
    const directory = createKeyDirectory(identities.map(publicIdentityOf));
    const store = createMemorySessionStore();
    const sessionId = sid();
    const messageHash = new Uint8Array(32).fill(7);
    const sigs = await Promise.all(
      identities.map((identity) =>
        runParty<Signature>(
          createSignParty({
            self: identity.partyId,
            signers,
            keyShare: shares.find((s) => s.self === identity.partyId)!,
            messageHash,
            sessionId,
          }),
          {
            transport: createSecureChannel(h.connect(identity.partyId), { identity, directory }),
            sessionStore: store,
            timeoutMs: 20_000,
          },
        ),
      ),
    );
    expect(sigs[0]!.r).toBe(sigs[1]!.r);
    expect(sigs[0]!.s).toBe(sigs[1]!.s);
    // And the stored snapshot resumes to the same signature.
    const again = await resumeParty<Signature>(sessionId, 'a', {
      transport: hub().connect('a'),
      sessionStore: store,
      timeoutMs: 1000,
      defs: SIGN_GG18_DEFS,
    });
    expect(again.s).toBe(sigs[0]!.s);
  });
});
