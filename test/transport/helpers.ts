/** Test helpers: drive engine parties over any Transport, and a hand-fed stub transport. */
import { createParty, type Envelope, type ProtocolDef, type Step } from '../../src/party/index.js';
import type {
  InboundMessage,
  MessageHandler,
  SendOptions,
  Transport,
  Unsubscribe,
} from '../../src/transport/types.js';

/**
 * Runs `def` among the transports' parties (one party per transport) until every party is done
 * or aborted, or `timeoutMs` passes. A minimal runner: no persistence, no resends.
 */
export function runOver<S, O>(
  def: ProtocolDef<S, O, void>,
  transports: readonly Transport[],
  sessionId: string,
  timeoutMs = 10_000,
): Promise<Map<string, Step<O>>> {
  const ids = transports.map((t) => t.self);
  return new Promise((resolve, reject) => {
    const final = new Map<string, Step<O>>();
    const offs: Unsubscribe[] = [];
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (err) reject(err);
      else resolve(final);
    };
    const timer = setTimeout(
      () => finish(new Error(`protocol timed out; finished: ${[...final.keys()].join(',')}`)),
      timeoutMs,
    );
    const send = (t: Transport, envs: readonly Envelope[]): void => {
      for (const env of envs) t.send(env, { recipients: ids }).catch((e) => finish(e as Error));
    };
    const settle = (id: string, step: Step<O>): void => {
      if (step.status === 'waiting' || final.has(id)) return;
      final.set(id, step);
      if (final.size === ids.length) finish();
    };
    const parties = transports.map((t) =>
      createParty(def, { self: t.self, parties: ids, sessionId }),
    );
    transports.forEach((t, i) => {
      const party = parties[i]!;
      offs.push(
        t.subscribe(sessionId, ({ bytes, from }) => {
          const step = party.handle(bytes, { from });
          send(t, step.outgoing);
          settle(t.self, step);
        }),
      );
    });
    transports.forEach((t, i) => {
      const step = parties[i]!.start();
      send(t, step.outgoing);
      settle(t.self, step);
    });
  });
}

/** A transport the test feeds by hand: records what is sent, delivers what is pushed. */
export class StubTransport implements Transport {
  readonly sent: { envelope: Envelope; opts?: SendOptions }[] = [];
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  closed = false;

  constructor(readonly self: string) {}

  async send(envelope: Envelope, opts?: SendOptions): Promise<void> {
    this.sent.push(opts ? { envelope, opts } : { envelope });
  }

  subscribe(sessionId: string, handler: MessageHandler): Unsubscribe {
    let set = this.handlers.get(sessionId);
    if (!set) {
      set = new Set();
      this.handlers.set(sessionId, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Delivers a message to the handlers of its session. */
  push(msg: InboundMessage): void {
    for (const h of this.handlers.get(msg.sessionId) ?? []) void h(msg);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Collects handler deliveries. */
export function collector(): {
  handler: MessageHandler;
  got: InboundMessage[];
  wait(n: number, timeoutMs?: number): Promise<InboundMessage[]>;
} {
  const got: InboundMessage[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  return {
    got,
    handler: (m) => {
      got.push(m);
      waiters = waiters.filter((w) => {
        if (got.length >= w.n) w.resolve();
        return got.length < w.n;
      });
    },
    wait(n, timeoutMs = 5000) {
      if (got.length >= n) return Promise.resolve(got);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`expected ${n} messages, got ${got.length}`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve(got);
          },
        });
      });
    },
  };
}

/** A small envelope. */
export function env(from: string, to: string[], opts: Partial<Envelope> = {}): Envelope {
  return {
    version: 1,
    protocol: 'test-proto',
    sessionId: 's-1',
    round: 1,
    type: 'msg',
    from,
    to,
    payload: new Uint8Array([1, 2, 3]),
    ...opts,
  };
}
