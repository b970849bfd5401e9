/**
 * gRPC {@link Transport}: a full mesh of `MpcTransport.Deliver` streams.
 *
 * Every node runs a server, and dials each peer it sends to: the stream from A to B carries
 * only A's envelopes to B, and B answers with cumulative acknowledgements. A node keeps every
 * envelope in a bounded per-peer queue until the peer acknowledged it; when a stream fails it
 * reconnects with exponential backoff and jitter and resends the unacknowledged rest. So a peer
 * that restarts gets what was sent meanwhile, possibly twice (at-least-once; parties drop exact
 * duplicates). A peer with nothing queued is not redialled until there is something to send.
 *
 * The sender a handler receives is the party id the dialer announced in its `Hello`. Without
 * mutual TLS that is only a claim; with it, the server binds the claim to the client
 * certificate (subject CN = party id by default, or any rule through `authorizePeer`). In both
 * cases, run the secure channel on top for per-message signatures and end-to-end encryption.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type * as grpc from '@grpc/grpc-js';
import { LocalError, type MpcError, PeerError } from '../../errors.js';
import { guarded, nonNegative, positiveInt, SessionRouter } from '../../transport/router.js';
import {
  type MessageHandler,
  type PendingLimits,
  type SendOptions,
  TRANSPORT_MAX_ENVELOPE_BYTES,
  type Transport,
  type TransportErrorHandler,
  type TransportStats,
  type Unsubscribe,
} from '../../transport/types.js';
import { decodeEnvelope, type Envelope, encodeEnvelope, isValidId } from '../../wire/envelope.js';
import {
  ackResponse,
  type DeliverRequest,
  type DeliverResponse,
  type GrpcModule,
  helloRequest,
  loadGrpc,
  MpcTransportService,
  packetRequest,
  STREAM_VERSION,
  welcomeResponse,
} from './service.js';

/** TLS settings. Omit them only on a trusted network or for tests. */
export interface GrpcTlsOptions {
  /** PEM certificate(s) of the CA that signed every node's certificate. */
  readonly rootCerts: string | Uint8Array;
  /** PEM certificate chain of this node, used as server and as client certificate. */
  readonly certChain: string | Uint8Array;
  /** PEM private key of this node. */
  readonly privateKey: string | Uint8Array;
  /** Require and verify client certificates (mutual TLS). Default `true`. */
  readonly mutual?: boolean;
  /**
   * With mutual TLS, refuse a dialer whose certificate's subject CN differs from the party id
   * it announces. Default `true`; set `false` when certificates follow another naming rule
   * (and check it in `authorizePeer`).
   */
  readonly bindPartyId?: boolean;
  /** Name to verify in the server certificate when it differs from the dialed host. */
  readonly serverNameOverride?: string;
}

/** Reconnect policy: delay = min(max, initial · multiplier^attempt) · (1 ± jitter). */
export interface GrpcReconnectOptions {
  /** First delay, in ms. Default 100. */
  readonly initialDelayMs?: number;
  /** Largest delay, in ms. Default 10 000. */
  readonly maxDelayMs?: number;
  /** Growth factor. Default 2. */
  readonly multiplier?: number;
  /** Random spread, a fraction in [0, 1). Default 0.2. */
  readonly jitter?: number;
  /** How long to wait for the peer's `Welcome` before giving up on an attempt, in ms. Default 10 000. */
  readonly connectTimeoutMs?: number;
}

/** What {@link GrpcTransportOptions.authorizePeer} sees of a dialer. */
export interface GrpcPeerInfo {
  /** The party id the dialer announced. */
  readonly partyId: string;
  /** The dialer's network address, as gRPC reports it. */
  readonly address: string;
  /** The dialer's TLS client certificate, with mutual TLS. */
  readonly certificate?: PeerCertificate;
}

/** Options of {@link createGrpcTransport}. */
export interface GrpcTransportOptions {
  /** This node's party id. */
  readonly self: string;
  /**
   * Address to listen on, `host:port`. Default `127.0.0.1:0` (loopback, an ephemeral port; read
   * the bound one from {@link GrpcTransport.address}). Use `0.0.0.0:port` to accept remote peers.
   */
  readonly listen?: string;
  /** Peers to dial: party id to `host:port`. More can be added with {@link GrpcTransport.setPeer}. */
  readonly peers?: Readonly<Record<string, string>>;
  /** TLS (and by default mutual TLS). Without it the connections are plaintext. */
  readonly tls?: GrpcTlsOptions;
  /** The `@grpc/grpc-js` module; imported lazily when omitted. */
  readonly grpc?: GrpcModule;
  /** Reconnect policy. */
  readonly reconnect?: GrpcReconnectOptions;
  /** Most envelopes queued (sent but unacknowledged) per peer. Default 4096. */
  readonly maxQueueMessages?: number;
  /** Most bytes queued per peer. Default 64 MiB. */
  readonly maxQueueBytes?: number;
  /** Cap on one envelope. Default {@link TRANSPORT_MAX_ENVELOPE_BYTES}. */
  readonly maxEnvelopeBytes?: number;
  /** How long {@link GrpcTransport.close} waits for queues to drain, in ms. Default 5 000. */
  readonly drainTimeoutMs?: number;
  /** HTTP/2 keepalive ping interval, in ms. Default 30 000. */
  readonly keepaliveMs?: number;
  /** Accept dialers whose party id is not among the peers. Default `false`. */
  readonly allowUnknownPeers?: boolean;
  /** Extra admission check of a dialer (after the built-in ones); return `false` to refuse. */
  readonly authorizePeer?: (peer: GrpcPeerInfo) => boolean;
  /** Bounds on messages held for sessions nobody subscribed to yet. */
  readonly pending?: PendingLimits;
  /** Receives non-fatal errors: failed connections, refused dialers, malformed envelopes. */
  readonly onError?: TransportErrorHandler;
}

/** Counters of a {@link GrpcTransport}. */
export interface GrpcTransportStats extends TransportStats {
  /** Envelopes queued and not yet acknowledged, over all peers. */
  readonly queued: number;
  /** Connection attempts after the first, over all peers. */
  readonly reconnects: number;
}

/** A gRPC transport node: a server plus one outgoing stream per peer. */
export interface GrpcTransport extends Transport {
  /** The bound address, `host:port` (the real port when listening on port 0). */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /** Adds a peer or changes its address (an open stream to the old address is restarted). */
  setPeer(partyId: string, address: string): void;
  /** Forgets a peer and drops what is queued for it. */
  removePeer(partyId: string): void;
  /** Party ids of the known peers, sorted. */
  peers(): string[];
  /** Counters. */
  stats(): GrpcTransportStats;
}

type ClientCall = grpc.ClientDuplexStream<DeliverRequest, DeliverResponse>;
type ServerCall = grpc.ServerDuplexStream<DeliverRequest, DeliverResponse>;
type DeliverClient = grpc.Client & { Deliver(): ClientCall };

interface Queued {
  readonly seq: bigint;
  readonly bytes: Uint8Array;
}

interface Settings {
  readonly maxEnvelopeBytes: number;
  readonly maxQueueMessages: number;
  readonly maxQueueBytes: number;
  readonly drainTimeoutMs: number;
  readonly keepaliveMs: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly connectTimeoutMs: number;
}

function checkAddress(title: string, address: unknown): string {
  if (
    typeof address !== 'string' ||
    !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address)
  ) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `"${title}" must be host:port, got "${String(address)}"`,
    );
  }
  return address;
}

function toBuffer(v: string | Uint8Array): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.length);
}

/** The outgoing stream to one peer and its queue of unacknowledged envelopes. */
class Link {
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private nextSeq = 1n;
  private written = 0;
  private client: DeliverClient | undefined;
  private call: ClientCall | undefined;
  private state: 'idle' | 'connecting' | 'open' | 'waiting' | 'closed' = 'idle';
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private welcomeTimer: ReturnType<typeof setTimeout> | undefined;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly node: Node,
    readonly peer: string,
    public address: string,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  canTake(bytes: number): boolean {
    const s = this.node.settings;
    return this.queue.length < s.maxQueueMessages && this.queuedBytes + bytes <= s.maxQueueBytes;
  }

  enqueue(bytes: Uint8Array): void {
    this.queue.push({ seq: this.nextSeq, bytes });
    this.nextSeq += 1n;
    this.queuedBytes += bytes.length;
    if (this.state === 'open') this.flush();
    else if (this.state === 'idle') this.connect();
  }

  /** Restarts the stream (e.g. after an address change); queued envelopes are kept. */
  restart(): void {
    if (this.call) this.call.cancel();
  }

  drained(): Promise<void> {
    if (this.queue.length === 0 || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private connect(): void {
    if (this.state === 'closed') return;
    if (this.attempt > 0) this.node.counters.reconnects++;
    this.state = 'connecting';
    const client = this.node.newClient(this.address);
    this.client = client;
    let call: ClientCall;
    try {
      call = client.Deliver();
    } catch (e) {
      this.down(undefined, e);
      return;
    }
    this.call = call;
    call.on('data', (res: DeliverResponse) => this.onResponse(call, res));
    call.on('error', (e: unknown) => this.down(call, e));
    call.on('status', (s: grpc.StatusObject) => this.down(call, s));
    call.write(helloRequest(this.node.self));
    this.welcomeTimer = setTimeout(() => {
      if (this.call === call && this.state === 'connecting') call.cancel();
    }, this.node.settings.connectTimeoutMs);
  }

  private onResponse(call: ClientCall, res: DeliverResponse): void {
    if (call !== this.call) return;
    if (res.kind.case === 'welcome') {
      const w = res.kind.value;
      if (this.state !== 'connecting' || w.partyId !== this.peer || w.version !== STREAM_VERSION) {
        this.node.report(
          new LocalError(
            'TRANSPORT_ERROR',
            `[grpc] ${this.address} answered as "${w.partyId}", expected "${this.peer}"`,
          ),
        );
        call.cancel();
        return;
      }
      clearTimeout(this.welcomeTimer);
      this.state = 'open';
      this.attempt = 0;
      this.written = 0;
      this.flush();
      return;
    }
    if (res.kind.case === 'ack') {
      const seq = res.kind.value.seq;
      let n = 0;
      while (n < this.queue.length && (this.queue[n] as Queued).seq <= seq) {
        this.queuedBytes -= (this.queue[n] as Queued).bytes.length;
        n++;
      }
      if (n > 0) {
        this.queue.splice(0, n);
        this.written = Math.max(0, this.written - n);
      }
      if (this.queue.length === 0) this.resolveDrained();
    }
  }

  private flush(): void {
    const call = this.call;
    if (!call || this.state !== 'open') return;
    while (this.written < this.queue.length) {
      const q = this.queue[this.written] as Queued;
      this.written++;
      this.node.counters.messagesSent++;
      this.node.counters.bytesSent += q.bytes.length;
      call.write(packetRequest(q.seq, q.bytes));
    }
  }

  private down(call: ClientCall | undefined, why: unknown): void {
    if (call !== undefined && call !== this.call) return;
    this.call = undefined;
    clearTimeout(this.welcomeTimer);
    this.client?.close();
    this.client = undefined;
    if (this.state === 'closed') return;
    const code = (why as { code?: unknown } | null)?.code;
    const ok = code === this.node.grpc.status.OK;
    if (!ok) {
      const details = (why as { details?: unknown } | null)?.details;
      this.node.report(
        new LocalError(
          'TRANSPORT_ERROR',
          `[grpc] stream to "${this.peer}" at ${this.address} failed${
            typeof details === 'string' && details ? `: ${details}` : ''
          }`,
          { cause: why },
        ),
      );
    }
    if (this.queue.length === 0) {
      this.state = 'idle';
      return;
    }
    this.state = 'waiting';
    const delay = this.node.backoff(this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.state === 'waiting') this.connect();
    }, delay);
  }

  private resolveDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Ends the stream and drops the queue. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    clearTimeout(this.welcomeTimer);
    const call = this.call;
    this.call = undefined;
    if (call) {
      call.end();
      // A peer that never answers the half-close must not keep the process alive.
      setTimeout(() => call.cancel(), 1000).unref();
    }
    this.client?.close();
    this.client = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    this.resolveDrained();
  }
}

class Node implements GrpcTransport {
  readonly self: string;
  address = '';
  port = 0;
  readonly settings: Settings;
  readonly counters = {
    messagesSent: 0,
    bytesSent: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    dropped: 0,
    errors: 0,
    reconnects: 0,
  };
  private readonly server: grpc.Server;
  private readonly links = new Map<string, Link>();
  private readonly inbound = new Set<ServerCall>();
  private readonly router: SessionRouter;
  private readonly Client: new (
    address: string,
    creds: grpc.ChannelCredentials,
    options: Partial<grpc.ChannelOptions>,
  ) => DeliverClient;
  private closing: Promise<void> | undefined;

  constructor(
    readonly grpc: GrpcModule,
    private readonly opts: GrpcTransportOptions,
  ) {
    if (!isValidId(opts.self)) {
      throw new LocalError('INVALID_ARGUMENT', '"self" must be 1..128 printable ASCII characters');
    }
    this.self = opts.self;
    const r = opts.reconnect;
    const jitter = nonNegative('reconnect.jitter', r?.jitter, 0.2);
    if (jitter >= 1) throw new LocalError('INVALID_ARGUMENT', '"reconnect.jitter" must be < 1');
    const multiplier = nonNegative('reconnect.multiplier', r?.multiplier, 2);
    if (multiplier < 1)
      throw new LocalError('INVALID_ARGUMENT', '"reconnect.multiplier" must be ≥ 1');
    this.settings = {
      maxEnvelopeBytes: positiveInt(
        'maxEnvelopeBytes',
        opts.maxEnvelopeBytes,
        TRANSPORT_MAX_ENVELOPE_BYTES,
      ),
      maxQueueMessages: positiveInt('maxQueueMessages', opts.maxQueueMessages, 4096),
      maxQueueBytes: positiveInt('maxQueueBytes', opts.maxQueueBytes, 64 * 1024 * 1024),
      drainTimeoutMs: nonNegative('drainTimeoutMs', opts.drainTimeoutMs, 5000),
      keepaliveMs: positiveInt('keepaliveMs', opts.keepaliveMs, 30_000),
      initialDelayMs: positiveInt('reconnect.initialDelayMs', r?.initialDelayMs, 100),
      maxDelayMs: positiveInt('reconnect.maxDelayMs', r?.maxDelayMs, 10_000),
      multiplier,
      jitter,
      connectTimeoutMs: positiveInt('reconnect.connectTimeoutMs', r?.connectTimeoutMs, 10_000),
    };
    for (const [id, addr] of Object.entries(opts.peers ?? {})) this.setPeer(id, addr);
    this.router = new SessionRouter(
      opts.pending,
      (e) => this.report(e),
      () => this.counters.dropped++,
    );
    const msgMax = this.settings.maxEnvelopeBytes + 1024;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': msgMax,
      'grpc.max_send_message_length': msgMax,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': Math.min(5000, this.settings.keepaliveMs),
    });
    this.server.addService(MpcTransportService, {
      Deliver: (call: ServerCall) => this.accept(call),
    });
    this.Client = grpc.makeGenericClientConstructor(
      MpcTransportService,
      'MpcTransport',
    ) as unknown as typeof this.Client;
  }

  async listen(): Promise<void> {
    const listen = checkAddress('listen', this.opts.listen ?? '127.0.0.1:0');
    const tls = this.opts.tls;
    const creds = tls
      ? this.grpc.ServerCredentials.createSsl(
          toBuffer(tls.rootCerts),
          [{ cert_chain: toBuffer(tls.certChain), private_key: toBuffer(tls.privateKey) }],
          tls.mutual !== false,
        )
      : this.grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(listen, creds, (err, port) => {
        if (err) {
          reject(
            new LocalError('TRANSPORT_ERROR', `[grpc] cannot listen on ${listen}`, { cause: err }),
          );
        } else resolve(port);
      });
    });
    this.address = `${listen.slice(0, listen.lastIndexOf(':'))}:${this.port}`;
  }

  report(e: MpcError): void {
    this.counters.errors++;
    if (this.opts.onError)
      guarded(
        () => this.opts.onError?.(e),
        () => {},
      );
  }

  backoff(attempt: number): number {
    const s = this.settings;
    const base = Math.min(s.maxDelayMs, s.initialDelayMs * s.multiplier ** Math.min(attempt, 64));
    const spread = s.jitter * (2 * (randomInt(0, 1_000_000) / 1_000_000) - 1);
    return Math.max(1, Math.round(base * (1 + spread)));
  }

  newClient(address: string): DeliverClient {
    const tls = this.opts.tls;
    const creds = tls
      ? tls.mutual === false
        ? this.grpc.credentials.createSsl(toBuffer(tls.rootCerts))
        : this.grpc.credentials.createSsl(
            toBuffer(tls.rootCerts),
            toBuffer(tls.privateKey),
            toBuffer(tls.certChain),
          )
      : this.grpc.credentials.createInsecure();
    const msgMax = this.settings.maxEnvelopeBytes + 1024;
    return new this.Client(address, creds, {
      'grpc.max_receive_message_length': msgMax,
      'grpc.max_send_message_length': msgMax,
      'grpc.keepalive_time_ms': this.settings.keepaliveMs,
      'grpc.keepalive_timeout_ms': 10_000,
      // Our own backoff decides when to redial: give each attempt a fresh connection.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.enable_retries': 0,
      ...(tls?.serverNameOverride
        ? { 'grpc.ssl_target_name_override': tls.serverNameOverride }
        : {}),
    });
  }

  // ---------------------------------------------------------------- peers

  setPeer(partyId: string, address: string): void {
    if (!isValidId(partyId)) {
      throw new LocalError('INVALID_ARGUMENT', 'peer id must be 1..128 printable ASCII characters');
    }
    if (partyId === this.self)
      throw new LocalError('INVALID_ARGUMENT', 'a node is not its own peer');
    checkAddress(`peers.${partyId}`, address);
    const link = this.links.get(partyId);
    if (!link) {
      this.links.set(partyId, new Link(this, partyId, address));
    } else if (link.address !== address) {
      link.address = address;
      link.restart();
    }
  }

  removePeer(partyId: string): void {
    this.links.get(partyId)?.close();
    this.links.delete(partyId);
  }

  peers(): string[] {
    return [...this.links.keys()].sort();
  }

  stats(): GrpcTransportStats {
    let queued = 0;
    for (const l of this.links.values()) queued += l.size;
    const { reconnects, ...rest } = this.counters;
    return { ...rest, queued, reconnects };
  }

  // ---------------------------------------------------------------- send / subscribe

  async send(envelope: Envelope, opts?: SendOptions): Promise<void> {
    if (this.closing) throw new LocalError('INVALID_STATE', 'transport is closed');
    if (envelope?.from !== this.self) {
      throw new LocalError(
        'INVALID_ARGUMENT',
        `envelope "from" must be this transport's party "${this.self}"`,
      );
    }
    const bytes = encodeEnvelope(envelope, { maxBytes: this.settings.maxEnvelopeBytes });
    const recipients =
      envelope.to.length > 0 ? envelope.to : (opts?.recipients ?? [...this.links.keys()]);
    const links: Link[] = [];
    for (const r of new Set(recipients)) {
      if (r === this.self) continue;
      const link = this.links.get(r);
      if (!link) throw new LocalError('INVALID_ARGUMENT', `no address for party "${r}"`);
      if (!link.canTake(bytes.length)) {
        throw new LocalError('TRANSPORT_ERROR', `[grpc] send queue to "${r}" is full`);
      }
      links.push(link);
    }
    for (const link of links) link.enqueue(bytes);
  }

  subscribe(sessionId: string, handler: MessageHandler): Unsubscribe {
    return this.router.subscribe(sessionId, handler);
  }

  // ---------------------------------------------------------------- server side

  private accept(call: ServerCall): void {
    const status = this.grpc.status;
    if (this.closing) {
      call.emit('error', { code: status.UNAVAILABLE, details: 'shutting down' });
      return;
    }
    this.inbound.add(call);
    let peer: string | undefined;
    let failed = false;
    const fail = (code: grpc.status, details: string): void => {
      if (failed) return;
      failed = true;
      this.report(new LocalError('TRANSPORT_ERROR', `[grpc] refused a stream: ${details}`));
      call.emit('error', { code, details });
    };
    const onData = (req: DeliverRequest): void => {
      if (failed) return;
      if (peer === undefined) {
        if (req.kind.case !== 'hello') {
          fail(status.INVALID_ARGUMENT, 'expected Hello');
          return;
        }
        const refusal = this.admit(call, req.kind.value.partyId, req.kind.value.version);
        if (refusal) {
          fail(refusal[0], refusal[1]);
          return;
        }
        peer = req.kind.value.partyId;
        call.write(welcomeResponse(this.self));
        return;
      }
      if (req.kind.case !== 'packet') {
        fail(status.INVALID_ARGUMENT, 'expected Packet');
        return;
      }
      this.receive(peer, req.kind.value.envelope);
      call.write(ackResponse(req.kind.value.seq));
    };
    call.on('data', (req: DeliverRequest) => {
      // Nothing a peer sends may throw out of an event listener (it would crash the process).
      try {
        onData(req);
      } catch (e) {
        this.report(new LocalError('INTERNAL', '[grpc] failed to process a request', { cause: e }));
        fail(status.INTERNAL, 'internal error');
      }
    });
    const forget = (): void => {
      this.inbound.delete(call);
    };
    // The dialer half-closed: finish the call with OK.
    call.on('end', () => {
      if (!failed) call.end();
      forget();
    });
    call.on('error', forget);
    call.on('cancelled', forget);
    call.on('close', forget);
  }

  /** Checks a dialer's Hello; returns why it is refused, or undefined. */
  private admit(
    call: ServerCall,
    partyId: string,
    version: number,
  ): [grpc.status, string] | undefined {
    const status = this.grpc.status;
    if (version !== STREAM_VERSION) return [status.FAILED_PRECONDITION, 'unsupported version'];
    if (!isValidId(partyId) || partyId === this.self) {
      return [status.INVALID_ARGUMENT, 'invalid party id'];
    }
    if (!this.opts.allowUnknownPeers && !this.links.has(partyId)) {
      return [status.PERMISSION_DENIED, `unknown party "${partyId}"`];
    }
    const tls = this.opts.tls;
    // getAuthContext exists from @grpc/grpc-js 1.13; without it the CN check fails closed.
    const certificate =
      tls && typeof call.getAuthContext === 'function'
        ? call.getAuthContext()?.sslPeerCertificate
        : undefined;
    if (tls && tls.mutual !== false && tls.bindPartyId !== false) {
      const cn = certificate?.subject?.CN;
      if (cn !== partyId) {
        return [status.PERMISSION_DENIED, `certificate does not belong to "${partyId}"`];
      }
    }
    if (this.opts.authorizePeer) {
      let ok = false;
      try {
        ok = this.opts.authorizePeer({
          partyId,
          address: call.getPeer(),
          ...(certificate ? { certificate } : {}),
        });
      } catch {
        ok = false;
      }
      if (!ok) return [status.PERMISSION_DENIED, `party "${partyId}" is not authorized`];
    }
    return undefined;
  }

  private receive(peer: string, raw: Uint8Array): void {
    this.counters.messagesReceived++;
    this.counters.bytesReceived += raw.length;
    let env: Envelope;
    try {
      env = decodeEnvelope(raw, { maxBytes: this.settings.maxEnvelopeBytes });
    } catch (e) {
      this.counters.dropped++;
      this.report(PeerError.from(e, peer));
      return;
    }
    if (env.from !== peer) {
      this.counters.dropped++;
      this.report(
        new PeerError({
          code: 'UNEXPECTED_MESSAGE',
          message: `envelope from "${env.from}" on the stream of "${peer}"`,
          culprits: [peer],
          sessionId: env.sessionId,
        }),
      );
      return;
    }
    if (env.to.length > 0 && !env.to.includes(this.self)) {
      this.counters.dropped++;
      this.report(
        new PeerError({
          code: 'UNEXPECTED_MESSAGE',
          message: 'envelope addressed to other parties',
          culprits: [peer],
          sessionId: env.sessionId,
        }),
      );
      return;
    }
    // A plain copy: `raw` is a view into gRPC's receive buffer.
    this.router.dispatch({ bytes: new Uint8Array(raw), from: peer, sessionId: env.sessionId });
  }

  // ---------------------------------------------------------------- close

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const links = [...this.links.values()];
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(links.map((l) => l.drained())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.settings.drainTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const l of links) l.close();
    for (const call of [...this.inbound]) {
      try {
        call.end();
      } catch {
        // already finished
      }
    }
    this.inbound.clear();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.router.close();
  }
}

/**
 * Starts a gRPC transport node: binds its server, and dials peers when it first sends to them.
 *
 * Rejects with {@link LocalError} `MISSING_DEPENDENCY` when `@grpc/grpc-js` is neither
 * installed nor passed, and `TRANSPORT_ERROR` when it cannot listen.
 *
 * @example
 * ```ts
 * import * as grpc from '@grpc/grpc-js';
 * const node = await createGrpcTransport({
 *   self: 'alice',
 *   listen: '0.0.0.0:7001',
 *   peers: { bob: 'bob.internal:7001', carol: 'carol.internal:7001' },
 *   tls: { rootCerts: caPem, certChain: alicePem, privateKey: aliceKeyPem },
 *   grpc, // optional: imported lazily otherwise
 * });
 * const channel = createSecureChannel(node, { identity, directory });
 * // ... run parties over `channel` ...
 * await channel.close(); // drains the queues, then closes the node
 * ```
 */
export async function createGrpcTransport(opts: GrpcTransportOptions): Promise<GrpcTransport> {
  if (typeof opts !== 'object' || opts === null) {
    throw new LocalError('INVALID_ARGUMENT', 'options are required');
  }
  const g = opts.grpc ?? (await loadGrpc());
  const node = new Node(g, opts);
  await node.listen();
  return node;
}
