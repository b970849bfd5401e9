/**
 * In-memory transport: a hub connecting several endpoints in one process.
 *
 * For tests, examples and benchmarks. The hub knows which endpoint called `send`, so the `from`
 * it delivers is authentic (an endpoint cannot send as another). Delivery is always
 * asynchronous (never inside `send`), so a handler that answers by sending cannot recurse.
 *
 * Fault injection makes the network as unkind as a real one, reproducibly: fixed latency plus
 * random jitter (which reorders messages), dropped and duplicated messages, all drawn from a
 * seeded generator, and an `intercept` hook that may rewrite, drop or multiply any delivery.
 * The generator is a small non-cryptographic PRNG: it decides only test faults, never secrets.
 *
 * Counters report messages and bytes on the wire (per recipient, duplicates included) for the
 * hub and for each endpoint.
 * @module
 */
import { randomInt } from 'node:crypto';
import { LocalError, type MpcError } from '../errors.js';
import { type Envelope, encodeEnvelope, isValidId } from '../wire/envelope.js';
import { guarded, nonNegative, SessionRouter } from './router.js';
import {
  type MessageHandler,
  type PendingLimits,
  type SendOptions,
  TRANSPORT_MAX_ENVELOPE_BYTES,
  type Transport,
  type TransportErrorHandler,
  type TransportStats,
  type Unsubscribe,
} from './types.js';

/** One copy of an envelope on its way to one recipient, as {@link MemoryHubOptions.intercept} sees it. */
export interface MemoryDelivery {
  /** The sending endpoint. */
  readonly from: string;
  /** The receiving endpoint. */
  readonly to: string;
  /** The envelope as sent. */
  readonly envelope: Envelope;
  /** Its encoding, as the recipient would receive it. */
  readonly bytes: Uint8Array;
}

/** Options of {@link createMemoryHub}. All faults are off by default. */
export interface MemoryHubOptions {
  /** Delay of every delivery, in milliseconds. Default 0. */
  readonly latencyMs?: number;
  /** Extra random delay in [0, jitterMs) per delivery; non-zero values reorder messages. */
  readonly jitterMs?: number;
  /** Probability in [0, 1] that a delivery is lost. Default 0. */
  readonly dropRate?: number;
  /** Probability in [0, 1] that a delivery arrives twice. Default 0. */
  readonly duplicateRate?: number;
  /** Seed of the fault generator, for reproducible runs. Default: random. */
  readonly seed?: number;
  /**
   * Sees every delivery before faults are applied and returns what to deliver instead: `[]`
   * drops it, two entries deliver twice, other bytes tamper with it. `undefined` keeps it.
   */
  readonly intercept?: (delivery: MemoryDelivery) => readonly Uint8Array[] | undefined;
  /** Cap on an encoded envelope. Default {@link TRANSPORT_MAX_ENVELOPE_BYTES}. */
  readonly maxEnvelopeBytes?: number;
  /** Bounds on messages held for sessions an endpoint has not subscribed to yet. */
  readonly pending?: PendingLimits;
  /** Receives non-fatal errors of every endpoint (handler exceptions, dropped messages). */
  readonly onError?: TransportErrorHandler;
}

/** Hub-wide counters. */
export interface MemoryHubStats {
  /** Deliveries put on the wire (one per recipient, duplicates included). */
  readonly messages: number;
  /** Bytes put on the wire (same counting). */
  readonly bytes: number;
  /** Deliveries handed to a recipient endpoint. */
  readonly delivered: number;
  /** Deliveries lost: injected drops, intercepted drops, unknown or closed recipients. */
  readonly dropped: number;
  /** Extra copies created by duplicate injection or `intercept`. */
  readonly duplicated: number;
}

/** One endpoint of a {@link MemoryHub}. */
export interface MemoryTransport extends Transport {
  /** This endpoint's counters. */
  stats(): TransportStats;
}

/** A set of connected in-memory endpoints. */
export interface MemoryHub {
  /**
   * Connects a new endpoint with party id `partyId`. Throws {@link LocalError}
   * `INVALID_ARGUMENT` for an invalid or already connected id, `INVALID_STATE` after `close`.
   */
  connect(partyId: string, opts?: { onError?: TransportErrorHandler }): MemoryTransport;
  /** Party ids of the connected endpoints, sorted. */
  endpoints(): string[];
  /** Hub-wide counters. */
  stats(): MemoryHubStats;
  /** Zeroes every counter (hub and endpoints), e.g. between benchmark phases. */
  resetStats(): void;
  /** Resolves once no delivery is scheduled (handlers that send keep it busy). */
  idle(): Promise<void>;
  /** Closes every endpoint and cancels scheduled deliveries. Idempotent. */
  close(): Promise<void>;
}

/** mulberry32: tiny seeded PRNG for fault decisions (not for secrets). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rate(title: string, v: number | undefined): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a probability in [0, 1]`);
  }
  return v;
}

interface Counters {
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
  dropped: number;
  errors: number;
}

function zeroCounters(): Counters {
  return {
    messagesSent: 0,
    bytesSent: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    dropped: 0,
    errors: 0,
  };
}

class Endpoint implements MemoryTransport {
  readonly router: SessionRouter;
  counters = zeroCounters();
  closed = false;

  constructor(
    readonly self: string,
    private readonly hub: Hub,
    private readonly onError: TransportErrorHandler | undefined,
    pending: PendingLimits | undefined,
  ) {
    this.router = new SessionRouter(
      pending,
      (e) => this.reportError(e),
      () => this.counters.dropped++,
    );
  }

  reportError(e: MpcError): void {
    this.counters.errors++;
    if (this.onError)
      guarded(
        () => this.onError?.(e),
        () => {},
      );
  }

  async send(envelope: Envelope, opts?: SendOptions): Promise<void> {
    if (this.closed) throw new LocalError('INVALID_STATE', 'transport is closed');
    this.hub.route(this, envelope, opts);
  }

  subscribe(sessionId: string, handler: MessageHandler): Unsubscribe {
    return this.router.subscribe(sessionId, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.router.close();
    this.hub.detach(this);
  }

  stats(): TransportStats {
    return { ...this.counters };
  }
}

class Hub implements MemoryHub {
  private readonly eps = new Map<string, Endpoint>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly immediates = new Set<ReturnType<typeof setImmediate>>();
  private readonly random: () => number;
  private readonly latencyMs: number;
  private readonly jitterMs: number;
  private readonly dropRate: number;
  private readonly duplicateRate: number;
  private readonly maxEnvelopeBytes: number;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private counters = { messages: 0, bytes: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(private readonly opts: MemoryHubOptions) {
    this.latencyMs = nonNegative('latencyMs', opts.latencyMs, 0);
    this.jitterMs = nonNegative('jitterMs', opts.jitterMs, 0);
    this.dropRate = rate('dropRate', opts.dropRate);
    this.duplicateRate = rate('duplicateRate', opts.duplicateRate);
    const max = opts.maxEnvelopeBytes ?? TRANSPORT_MAX_ENVELOPE_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) {
      throw new LocalError('INVALID_ARGUMENT', '"maxEnvelopeBytes" must be a positive integer');
    }
    this.maxEnvelopeBytes = max;
    if (opts.seed !== undefined && !Number.isSafeInteger(opts.seed)) {
      throw new LocalError('INVALID_ARGUMENT', '"seed" must be an integer');
    }
    this.random = prng(opts.seed ?? randomInt(0, 2 ** 32 - 1));
  }

  connect(partyId: string, o?: { onError?: TransportErrorHandler }): MemoryTransport {
    if (this.closed) throw new LocalError('INVALID_STATE', 'memory hub is closed');
    if (!isValidId(partyId)) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        '"partyId" must be 1..128 printable ASCII characters',
      );
    }
    if (this.eps.has(partyId)) {
      throw new LocalError('INVALID_ARGUMENT', `party "${partyId}" is already connected`);
    }
    const onError = o?.onError ?? this.opts.onError;
    const ep = new Endpoint(partyId, this, onError, this.opts.pending);
    this.eps.set(partyId, ep);
    return ep;
  }

  detach(ep: Endpoint): void {
    if (this.eps.get(ep.self) === ep) this.eps.delete(ep.self);
  }

  endpoints(): string[] {
    return [...this.eps.keys()].sort();
  }

  stats(): MemoryHubStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = { messages: 0, bytes: 0, delivered: 0, dropped: 0, duplicated: 0 };
    for (const ep of this.eps.values()) ep.counters = zeroCounters();
  }

  route(sender: Endpoint, envelope: Envelope, opts: SendOptions | undefined): void {
    if (envelope?.from !== sender.self) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `envelope "from" must be this transport's party "${sender.self}"`,
      );
    }
    const bytes = encodeEnvelope(envelope, { maxBytes: this.maxEnvelopeBytes });
    let recipients: readonly string[];
    if (envelope.to.length > 0) recipients = envelope.to;
    else if (opts?.recipients !== undefined) recipients = [...new Set(opts.recipients)];
    else recipients = [...this.eps.keys()];
    for (const to of recipients) {
      if (to === sender.self) continue;
      const delivery: MemoryDelivery = { from: sender.self, to, envelope, bytes };
      const copies = this.opts.intercept?.(delivery) ?? [bytes];
      if (copies.length === 0) this.counters.dropped++;
      if (copies.length > 1) this.counters.duplicated += copies.length - 1;
      for (const copy of copies) this.transmit(sender, to, envelope.sessionId, copy);
    }
  }

  private transmit(sender: Endpoint, to: string, sessionId: string, bytes: Uint8Array): void {
    const onWire = (): void => {
      this.counters.messages++;
      this.counters.bytes += bytes.length;
      sender.counters.messagesSent++;
      sender.counters.bytesSent += bytes.length;
    };
    onWire();
    if (this.dropRate > 0 && this.random() < this.dropRate) {
      this.counters.dropped++;
      return;
    }
    this.schedule(() => this.deliver(sender.self, to, sessionId, bytes), this.delay());
    if (this.duplicateRate > 0 && this.random() < this.duplicateRate) {
      this.counters.duplicated++;
      onWire();
      this.schedule(() => this.deliver(sender.self, to, sessionId, bytes), this.delay());
    }
  }

  private delay(): number {
    return this.latencyMs + (this.jitterMs > 0 ? this.random() * this.jitterMs : 0);
  }

  private deliver(from: string, to: string, sessionId: string, bytes: Uint8Array): void {
    const ep = this.eps.get(to);
    if (!ep || ep.closed) {
      this.counters.dropped++;
      return;
    }
    this.counters.delivered++;
    ep.counters.messagesReceived++;
    ep.counters.bytesReceived += bytes.length;
    // Each recipient gets its own copy: a handler mutating its bytes cannot affect another.
    ep.router.dispatch({ bytes: bytes.slice(), from, sessionId });
  }

  private schedule(fn: () => void, delayMs: number): void {
    this.inflight++;
    const run = (): void => {
      try {
        fn();
      } finally {
        this.inflight--;
        if (this.inflight === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      }
    };
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        run();
      }, delayMs);
      this.timers.add(t);
    } else {
      const i = setImmediate(() => {
        this.immediates.delete(i);
        run();
      });
      this.immediates.add(i);
    }
  }

  idle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const i of this.immediates) clearImmediate(i);
    this.timers.clear();
    this.immediates.clear();
    this.inflight = 0;
    for (const ep of [...this.eps.values()]) await ep.close();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Creates an in-memory hub. Connect one endpoint per party with {@link MemoryHub.connect}.
 *
 * @example
 * ```ts
 * // Three parties on a network that reorders, drops 5% and duplicates 5% of the messages.
 * const hub = createMemoryHub({ jitterMs: 5, dropRate: 0.05, duplicateRate: 0.05, seed: 42 });
 * const [a, b, c] = ['a', 'b', 'c'].map((id) => hub.connect(id));
 * // ... run parties over a, b, c ...
 * console.log(hub.stats().bytes, 'bytes on the wire');
 * await hub.close();
 * ```
 */
export function createMemoryHub(opts: MemoryHubOptions = {}): MemoryHub {
  return new Hub(opts);
}
