/**
 * Session routing shared by the transports: subscriptions per session id, and a bounded buffer
 * for messages that arrive before anyone subscribed to their session.
 * @internal
 * @module
 */
import { LocalError, type MpcError } from '../errors.js';
import { isValidId } from '../wire/envelope.js';
import type { InboundMessage, MessageHandler, PendingLimits, Unsubscribe } from './types.js';

interface Held {
  readonly message: InboundMessage;
  readonly at: number;
}

/** Checks a positive safe integer option; returns it or the default. */
export function positiveInt(title: string, value: number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a positive safe integer`);
  }
  return value;
}

/** Checks a non-negative finite number option; returns it or the default. */
export function nonNegative(title: string, value: number | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new LocalError('INVALID_ARGUMENT', `"${title}" must be a non-negative number`);
  }
  return value;
}

/** Calls `fn` and routes anything it throws (or rejects with) to `report`. */
export function guarded(fn: () => void | Promise<void>, report: (e: unknown) => void): void {
  try {
    const r = fn();
    if (r && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(undefined, report);
    }
  } catch (e) {
    report(e);
  }
}

/**
 * Dispatches inbound messages to the handlers of their session, holding messages of sessions
 * without handlers (bounded: sessions, messages per session, total bytes, age).
 */
export class SessionRouter {
  private readonly subs = new Map<string, Set<MessageHandler>>();
  private readonly held = new Map<string, Held[]>();
  private heldBytes = 0;
  private readonly maxSessions: number;
  private readonly maxPerSession: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private closed = false;

  constructor(
    limits: PendingLimits | undefined,
    /** Reports a handler failure or a dropped message. */
    private readonly report: (error: MpcError) => void,
    /** Counts a dropped message. */
    private readonly onDrop: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.maxSessions = positiveInt('pending.maxSessions', limits?.maxSessions, 1024);
    this.maxPerSession = positiveInt('pending.maxPerSession', limits?.maxPerSession, 1024);
    this.maxBytes = positiveInt('pending.maxBytes', limits?.maxBytes, 64 * 1024 * 1024);
    this.ttlMs = positiveInt('pending.ttlMs', limits?.ttlMs, 120_000);
  }

  /** Messages currently held for unsubscribed sessions. */
  get heldCount(): number {
    let n = 0;
    for (const list of this.held.values()) n += list.length;
    return n;
  }

  subscribe(sessionId: string, handler: MessageHandler): Unsubscribe {
    if (!isValidId(sessionId)) {
      throw new LocalError('INVALID_ARGUMENT', '"sessionId" must be 1..128 printable ASCII chars');
    }
    if (typeof handler !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '"handler" must be a function');
    }
    if (this.closed) throw new LocalError('INVALID_STATE', 'transport is closed');
    let set = this.subs.get(sessionId);
    if (!set) {
      set = new Set();
      this.subs.set(sessionId, set);
    }
    set.add(handler);
    const held = this.held.get(sessionId);
    if (held) {
      this.held.delete(sessionId);
      for (const h of held) this.heldBytes -= h.message.bytes.length;
      const fresh = held.filter((h) => this.now() - h.at <= this.ttlMs);
      // Deliver after `subscribe` returns, so the handler can already use its unsubscribe.
      queueMicrotask(() => {
        for (const h of fresh) this.dispatch(h.message);
      });
    }
    return () => {
      const s = this.subs.get(sessionId);
      if (s?.delete(handler) && s.size === 0) this.subs.delete(sessionId);
    };
  }

  /** True when some handler is subscribed to `sessionId`. */
  has(sessionId: string): boolean {
    return this.subs.has(sessionId);
  }

  dispatch(message: InboundMessage): void {
    if (this.closed) return;
    const set = this.subs.get(message.sessionId);
    if (set && set.size > 0) {
      for (const handler of [...set]) {
        guarded(
          () => handler(message),
          (e) =>
            this.report(
              new LocalError('TRANSPORT_ERROR', 'a message handler failed', {
                sessionId: message.sessionId,
                cause: e,
              }),
            ),
        );
      }
      return;
    }
    this.hold(message);
  }

  private hold(message: InboundMessage): void {
    const { sessionId } = message;
    this.expire();
    let list = this.held.get(sessionId);
    if (!list) {
      if (this.held.size >= this.maxSessions) this.evictOldestSession();
      list = [];
      this.held.set(sessionId, list);
    }
    list.push({ message, at: this.now() });
    this.heldBytes += message.bytes.length;
    while (list.length > this.maxPerSession) this.dropFirst(sessionId, list);
    while (this.heldBytes > this.maxBytes && this.held.size > 0) {
      const [sid, oldest] = this.held.entries().next().value as [string, Held[]];
      this.dropFirst(sid, oldest);
    }
  }

  private dropFirst(sessionId: string, list: Held[]): void {
    const h = list.shift();
    if (h) {
      this.heldBytes -= h.message.bytes.length;
      this.onDrop();
      this.report(
        new LocalError('TRANSPORT_ERROR', 'dropped a message held for an unsubscribed session', {
          sessionId,
        }),
      );
    }
    if (list.length === 0) this.held.delete(sessionId);
  }

  private evictOldestSession(): void {
    const first = this.held.entries().next().value as [string, Held[]] | undefined;
    if (!first) return;
    const [sid, list] = first;
    while (list.length > 0) this.dropFirst(sid, list);
    this.held.delete(sid);
  }

  private expire(): void {
    const limit = this.now() - this.ttlMs;
    for (const [sid, list] of this.held) {
      while (list.length > 0 && (list[0] as Held).at < limit) {
        const h = list.shift() as Held;
        this.heldBytes -= h.message.bytes.length;
        this.onDrop();
      }
      if (list.length === 0) this.held.delete(sid);
    }
  }

  close(): void {
    this.closed = true;
    this.subs.clear();
    this.held.clear();
    this.heldBytes = 0;
  }
}
