/**
 * Parties hosted on `worker_thread`s (DESIGN.md "The Party contract": heavy steps take ~100 ms
 * of CPU, so a server runs them off the event loop, and an in-process session runs its parties
 * on several cores).
 *
 * A {@link WorkerParty} mirrors {@link Party}, with every call returning a promise. The party
 * itself (its state, its secrets and its protocol code) lives in a worker thread; only plain
 * data crosses the thread boundary, by structured clone:
 *
 * - options, input and factory options must be plain data (primitives, bigint, Uint8Array,
 *   arrays, Map, Set, plain objects): they are checked before posting, because structured
 *   clone silently turns a class instance (a curve point) into a plain object;
 * - a step's output goes through the protocol's `outputCodec` (when it has one) in the worker
 *   and back through it on the main thread;
 * - {@link MpcError}s are rebuilt on the main thread with their class, code, culprits, round,
 *   session id and cause chain.
 *
 * The worker finds a protocol by name among the ProtocolDefs exported by the `modules` it was
 * told to import, and among mpc-tss's own protocols ({@link BUILTIN_PROTOCOL_MODULES}).
 *
 * @example
 * ```ts
 * const pool = createWorkerPool();                       // os.availableParallelism() workers
 * const parties = await Promise.all(ids.map((self) =>
 *   pool.createPartyFrom('createKeygenParty', { self, parties: ids, minSigners: 2, sessionId, preParams: pre[self] }),
 * ));
 * const res = await runLocal(parties);                   // or drive them over a transport
 * await pool.close();
 * ```
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { ErrorCode, LocalError, MpcError, PeerError, VerifyError } from '../errors.js';
import type {
  AnyProtocolDef,
  HandleOptions,
  Party,
  PartyOptions,
  PartyStatus,
  Step,
} from '../party/types.js';
import type { Envelope } from '../wire/envelope.js';

// ------------------------------------------------------------------------------------------
// Built-in protocols
// ------------------------------------------------------------------------------------------

/**
 * mpc-tss's own protocol modules, by protocol name, so that workers find them without a
 * `modules` option. Each module must export its ProtocolDef(s) (and may export a
 * `createXxxParty(options)` factory for {@link WorkerPool.createPartyFrom}).
 *
 * Protocol authors: add one line per protocol name, e.g.
 * `'ecdsa-keygen': () => import('../protocols/ecdsa/keygen/index.js'),`
 * (the import is lazy: a worker loads a module only when it first needs it).
 */
const BUILTIN_PROTOCOL_MODULES: Readonly<Record<string, () => Promise<object>>> = {
  'ecdsa-keygen': () => import('../protocols/ecdsa/keygen/index.js'),
  'ecdsa-keygen-tss-lib': () => import('../protocols/ecdsa/keygen/index.js'),
  'ecdsa-sign-gg18': () => import('../protocols/ecdsa/sign-gg18/index.js'),
  'ecdsa-sign-gg18-tsslib': () => import('../protocols/ecdsa/sign-gg18/index.js'),
  // GG20 presigning runs on workers; the online round needs a consumed-presignature token that
  // cannot cross a thread boundary (and costs a few ms), so it runs in-process.
  'ecdsa-presign-gg20': () => import('../protocols/ecdsa/presign-gg20/index.js'),
};

/** The protocol names workers know without a `modules` option. */
export function builtinWorkerProtocols(): string[] {
  return Object.keys(BUILTIN_PROTOCOL_MODULES).sort();
}

// ------------------------------------------------------------------------------------------
// Public types
// ------------------------------------------------------------------------------------------

/**
 * A module a worker imports to learn protocols: a `file:` URL (e.g.
 * `new URL('./my-protocol.js', import.meta.url)`), an absolute path, a path relative to the
 * current working directory (`./dist/my-protocol.js`), or a bare package specifier (resolved
 * from mpc-tss's own location). The worker registers every ProtocolDef the module exports
 * (directly, or in an exported array) and can call any function it exports as a factory.
 */
export type WorkerModule = string | URL;

/** Options of a worker-hosted party. */
export interface WorkerPartyOptions {
  /** Modules to import in the worker before creating the party (see {@link WorkerModule}). */
  readonly modules?: readonly WorkerModule[];
}

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of worker threads. Default `os.availableParallelism()`. */
  readonly size?: number;
  /** Modules every worker imports (see {@link WorkerModule}). */
  readonly modules?: readonly WorkerModule[];
  /** V8 heap limits of each worker. */
  readonly resourceLimits?: ResourceLimits;
  /**
   * The worker script, when mpc-tss cannot find its own (e.g. after bundling mpc-tss into an
   * application): a URL or path of mpc-tss's `dist/session-worker.js` (ESM) or
   * `dist/session-worker.cjs` (CJS), copied next to the bundle.
   */
  readonly workerScript?: string | URL;
}

/**
 * A {@link Party} hosted on a worker thread. Same contract, asynchronous: calls to one party
 * are processed in order. `status` and `round` reflect the last reply.
 *
 * @example
 * ```ts
 * const p = await createWorkerParty('my-protocol', { self, parties, sessionId }, input, { modules: [url] });
 * let step = await p.start();
 * step = await p.handle(bytes, { from: authenticatedSender });
 * await store.put(sessionId, await p.snapshot());
 * await p.terminate();
 * ```
 */
export interface WorkerParty<O = unknown> {
  /** Protocol name. */
  readonly protocol: string;
  /** Session id. */
  readonly sessionId: string;
  /** This party's id. */
  readonly self: string;
  /** All party ids of the session, in session order. */
  readonly parties: readonly string[];
  /** Status as of the last reply from the worker. */
  readonly status: PartyStatus;
  /** Round as of the last reply from the worker. */
  readonly round: number;
  /** See {@link Party.start}. Rejects with the {@link LocalError} `start` would throw. */
  start(): Promise<Step<O>>;
  /** See {@link Party.handle}. */
  handle(msg: Uint8Array | Envelope, opts?: HandleOptions): Promise<Step<O>>;
  /** See {@link Party.current}. */
  current(): Promise<Step<O>>;
  /** See {@link Party.sent}. */
  sent(filter?: { round?: number; to?: string }): Promise<Envelope[]>;
  /** See {@link Party.snapshot}; resume with {@link restoreWorkerParty} or `restoreParty`. */
  snapshot(): Promise<string>;
  /**
   * Frees the party in its worker (and ends the worker when the party has one of its own).
   * Idempotent; later calls on the party reject with {@link LocalError} `INVALID_STATE`.
   */
  terminate(): Promise<void>;
}

/**
 * A fixed set of worker threads that host many parties: each new party goes to the worker
 * hosting the fewest live parties, and stays there.
 */
export interface WorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /**
   * Creates a party of the protocol named `protocol` (exported by one of the modules, or
   * built in) with `createParty(def, options, input)` in a worker. `input` must be plain data.
   */
  createParty<O = unknown>(
    protocol: string,
    options: PartyOptions,
    input?: unknown,
    opts?: WorkerPartyOptions,
  ): Promise<WorkerParty<O>>;
  /**
   * Creates a party in a worker by calling `factory(options)`, where `factory` is a function
   * exported under that name by one of the modules (or by a built-in protocol module), e.g.
   * `createKeygenParty`. `options` must be plain data. The factory may return a promise.
   */
  createPartyFrom<O = unknown>(
    factory: string,
    options: unknown,
    opts?: WorkerPartyOptions,
  ): Promise<WorkerParty<O>>;
  /** Restores a party from {@link Party.snapshot} in a worker. */
  restoreParty<O = unknown>(snapshot: string, opts?: WorkerPartyOptions): Promise<WorkerParty<O>>;
  /** Starts every worker and imports the pool's modules, so that the first party is fast. */
  ready(): Promise<void>;
  /** Live parties per worker. */
  load(): number[];
  /** Ends every worker. Pending calls reject with {@link LocalError} `CANCELLED`. */
  close(): Promise<void>;
}

// ------------------------------------------------------------------------------------------
// Messages between the threads (internal)
// ------------------------------------------------------------------------------------------

/** @internal An error as it crosses the thread boundary. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  culprits?: string[];
  round?: number;
  sessionId?: string;
  stack?: string;
  cause?: WireError;
}

/** @internal */
export interface WireMeta {
  protocol: string;
  sessionId: string;
  self: string;
  parties: string[];
  status: PartyStatus;
  round: number;
}

/** @internal A step as it crosses the thread boundary. */
export interface WireStep {
  status: Step<unknown>['status'];
  round: number;
  outgoing: Envelope[];
  waitingFor: string[];
  /** The output, through the protocol's `outputCodec` when `outputEncoded`. */
  output?: unknown;
  outputEncoded?: boolean;
  error?: WireError;
  rejected?: WireError;
  /** The party's status and round after the call. */
  party: { status: PartyStatus; round: number };
}

/** @internal */
export type WorkerRequest =
  | { id: number; op: 'load'; modules: string[] }
  | {
      id: number;
      op: 'create';
      pid: number;
      protocol: string;
      options: PartyOptions;
      input: unknown;
      modules: string[];
    }
  | { id: number; op: 'factory'; pid: number; factory: string; options: unknown; modules: string[] }
  | { id: number; op: 'restore'; pid: number; snapshot: string; modules: string[] }
  | { id: number; op: 'start' | 'current' | 'snapshot' | 'dispose'; pid: number }
  | { id: number; op: 'handle'; pid: number; msg: Uint8Array | Envelope; from?: string }
  | { id: number; op: 'sent'; pid: number; filter: { round?: number; to?: string } };

/** @internal */
export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };

/** @internal Marks the eval'd source-mode bootstrap, so the entry knows it runs in a worker. */
export const WORKER_TAG = 'mpc-tss/session-worker/v1';

// ------------------------------------------------------------------------------------------
// Errors across the boundary
// ------------------------------------------------------------------------------------------

const CODES = new Set<string>(Object.values(ErrorCode));
const MAX_CAUSE_DEPTH = 4;

/** @internal Converts a thrown value into cloneable data. */
export function toWireError(e: unknown, depth = 0): WireError {
  if (e instanceof MpcError) {
    return {
      name: e.name,
      message: e.shortMessage,
      code: e.code,
      culprits: [...e.culprits],
      ...(e.round === undefined ? {} : { round: e.round }),
      ...(e.sessionId === undefined ? {} : { sessionId: e.sessionId }),
      ...(e.stack === undefined ? {} : { stack: e.stack }),
      ...(e.cause !== undefined && depth < MAX_CAUSE_DEPTH
        ? { cause: toWireError(e.cause, depth + 1) }
        : {}),
    };
  }
  if (e instanceof Error) {
    return {
      name: e.name,
      message: e.message,
      ...(e.stack === undefined ? {} : { stack: e.stack }),
      ...(e.cause !== undefined && depth < MAX_CAUSE_DEPTH
        ? { cause: toWireError(e.cause, depth + 1) }
        : {}),
    };
  }
  return { name: 'Error', message: `non-error value thrown (${typeof e})` };
}

/**
 * @internal Rebuilds an error thrown in a worker: `PeerError`, `LocalError`, `VerifyError` and
 * `MpcError` keep their class, code, culprits, round, session id and cause; other errors become
 * an `Error` with the same name and message. The stack is the worker's.
 */
export function fromWireError(w: WireError): Error {
  const cause = w.cause === undefined ? undefined : fromWireError(w.cause);
  const code = (w.code !== undefined && CODES.has(w.code) ? w.code : 'INTERNAL') as ErrorCode;
  const culprits = Array.isArray(w.culprits) ? w.culprits : [];
  const ctx = {
    ...(w.round === undefined ? {} : { round: w.round }),
    ...(w.sessionId === undefined ? {} : { sessionId: w.sessionId }),
    ...(cause === undefined ? {} : { cause }),
  };
  let e: Error;
  if (w.code === undefined) {
    e = new Error(w.message, cause === undefined ? undefined : { cause });
    e.name = w.name;
  } else if (w.name === 'PeerError' && culprits.length > 0) {
    e = new PeerError({ code, message: w.message, culprits, ...ctx });
  } else if (w.name === 'LocalError') {
    e = new LocalError(code, w.message, ctx);
  } else if (w.name === 'VerifyError') {
    e = new VerifyError(code, w.message, cause === undefined ? {} : { cause });
  } else {
    e = new MpcError({ code, message: w.message, culprits, ...ctx });
    e.name = w.name;
  }
  if (w.stack !== undefined) e.stack = w.stack;
  return e;
}

// ------------------------------------------------------------------------------------------
// Plain data
// ------------------------------------------------------------------------------------------

function describe(v: object): string {
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'non-plain object';
}

/**
 * @internal Throws {@link LocalError} `code` unless structured clone carries `value` faithfully
 * (primitives, bigint, ArrayBuffer and its views, Date, arrays, Map, Set, plain objects).
 * Class instances would arrive as plain objects, functions not at all. The message names the
 * path and the class only, never a value.
 */
export function checkPlain(value: unknown, what: string, code: ErrorCode): void {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): void => {
    const bad = (why: string): never => {
      throw new LocalError(code, `${what}${path} ${why}: only plain data crosses to a worker`);
    };
    if (typeof v === 'function' || typeof v === 'symbol') bad(`is a ${typeof v}`);
    if (typeof v !== 'object' || v === null) return;
    if (depth > 256) bad('nests too deeply');
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`, depth + 1);
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k, `${path}.<key>`, depth + 1);
        walk(x, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`, depth + 1);
      }
      return;
    }
    if (v instanceof Set) {
      for (const x of v) walk(x, `${path}.<item>`, depth + 1);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) bad(`is a ${describe(v)} instance`);
    for (const k of Object.keys(v))
      walk((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
  };
  walk(value, '', 0);
}

/** @internal A copy of `b` that owns its whole buffer (cloning a view copies all its buffer). */
export function compactBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}

/** @internal An envelope whose byte fields own their buffers. */
export function compactEnvelope(e: Envelope): Envelope {
  return {
    ...e,
    to: [...e.to],
    payload: compactBytes(e.payload),
    ...(e.echo === undefined ? {} : { echo: compactBytes(e.echo) }),
  };
}

// ------------------------------------------------------------------------------------------
// Protocol modules
// ------------------------------------------------------------------------------------------

/** @internal Whether `v` looks like a {@link ProtocolDef}. */
export function isProtocolDef(v: unknown): v is AnyProtocolDef {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AnyProtocolDef).protocol === 'string' &&
    Array.isArray((v as AnyProtocolDef).rounds) &&
    typeof (v as AnyProtocolDef).start === 'function'
  );
}

/**
 * @internal The protocols and factories one thread has imported: the ProtocolDefs and
 * functions exported by the given modules and, on demand, by the built-in protocol modules.
 */
export class ProtocolCatalog {
  private readonly loading = new Map<string, Promise<void>>();
  private readonly namespaces: Record<string, unknown>[] = [];
  private readonly defs = new Map<string, AnyProtocolDef>();

  /** Imports `specifiers` (each once). Rejects with `NOT_FOUND` when one cannot be imported. */
  async load(specifiers: readonly string[]): Promise<void> {
    await Promise.all(specifiers.map((s) => this.loadOne(s, () => import(s))));
  }

  /** The ProtocolDef named `protocol`, importing built-in modules as needed. */
  async def(protocol: string): Promise<AnyProtocolDef | undefined> {
    const found = this.defs.get(protocol);
    if (found !== undefined) return found;
    const builtin = BUILTIN_PROTOCOL_MODULES[protocol];
    if (builtin !== undefined && Object.hasOwn(BUILTIN_PROTOCOL_MODULES, protocol)) {
      await this.loadOne(`mpc-tss:builtin:${protocol}`, builtin);
      return this.defs.get(protocol);
    }
    return undefined;
  }

  /** The exported function named `name`, importing every built-in module if needed. */
  async factory(name: string): Promise<((options: unknown) => unknown) | undefined> {
    const find = () => {
      for (const ns of this.namespaces) {
        const f = Object.hasOwn(ns, name) ? ns[name] : undefined;
        if (typeof f === 'function') return f as (options: unknown) => unknown;
      }
      return undefined;
    };
    const f = find();
    if (f !== undefined) return f;
    await Promise.all(
      Object.entries(BUILTIN_PROTOCOL_MODULES).map(([p, load]) =>
        this.loadOne(`mpc-tss:builtin:${p}`, load),
      ),
    );
    return find();
  }

  private loadOne(key: string, importer: () => Promise<object>): Promise<void> {
    let p = this.loading.get(key);
    if (p === undefined) {
      p = importer().then(
        (ns) => this.add(ns as Record<string, unknown>),
        (e: unknown) => {
          this.loading.delete(key);
          throw new LocalError('NOT_FOUND', `cannot import protocol module ${key}`, { cause: e });
        },
      );
      this.loading.set(key, p);
    }
    return p;
  }

  private add(ns: Record<string, unknown>): void {
    if (this.namespaces.includes(ns)) return;
    const found: AnyProtocolDef[] = [];
    for (const v of Object.values(ns)) {
      if (isProtocolDef(v)) found.push(v);
      else if (Array.isArray(v)) for (const x of v) if (isProtocolDef(x)) found.push(x);
    }
    for (const d of found) {
      const prev = this.defs.get(d.protocol);
      if (prev !== undefined && prev !== d) {
        throw new LocalError(
          'INVALID_ARGUMENT',
          `two different definitions of protocol "${d.protocol}" were imported`,
        );
      }
    }
    for (const d of found) this.defs.set(d.protocol, d);
    this.namespaces.push(ns);
  }
}

/** Normalizes a {@link WorkerModule} into what `import()` accepts in any thread. */
function moduleSpecifier(m: WorkerModule): string {
  if (m instanceof URL) return m.href;
  if (typeof m !== 'string' || m === '') {
    throw new LocalError('INVALID_ARGUMENT', 'a worker module must be a URL or a non-empty string');
  }
  if (/^(file|data|node):/.test(m)) return m;
  if (isAbsolute(m)) return pathToFileURL(m).href;
  if (m.startsWith('./') || m.startsWith('../')) return pathToFileURL(resolvePath(m)).href;
  return m;
}

function specifiers(...lists: (readonly WorkerModule[] | undefined)[]): string[] {
  const out = new Set<string>();
  for (const l of lists) {
    if (l === undefined) continue;
    if (!Array.isArray(l)) throw new LocalError('INVALID_ARGUMENT', '"modules" must be an array');
    for (const m of l) out.add(moduleSpecifier(m));
  }
  return [...out];
}

/** The main thread's catalog, used to decode outputs of protocols with an `outputCodec`. */
const mainCatalog = new ProtocolCatalog();

// ------------------------------------------------------------------------------------------
// Worker threads
// ------------------------------------------------------------------------------------------

interface WorkerScript {
  readonly filename: string | URL;
  readonly eval: boolean;
}

/**
 * Where the worker script is: next to this module in `dist` (`session-worker.js` or `.cjs`,
 * matching this module's format), or `worker-entry.ts` when running from TypeScript sources
 * (tsx, vitest), bootstrapped through tsx's loader, which workers do not inherit.
 */
function defaultWorkerScript(): WorkerScript {
  const here = import.meta.url;
  const path = new URL(here).pathname;
  if (/\.[cm]?ts$/.test(path)) {
    const entry = new URL('./worker-entry.ts', here).href;
    let tsx: string;
    try {
      // The ESM build of tsx's API (`require.resolve` would give the CJS one).
      const pkg = createRequire(here).resolve('tsx/package.json');
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as {
        exports: Record<string, { import: { default: string } }>;
      };
      tsx = new URL(json.exports['./esm/api']!.import.default, pathToFileURL(pkg)).href;
    } catch (e) {
      throw new LocalError(
        'MISSING_DEPENDENCY',
        'running mpc-tss workers from TypeScript sources needs "tsx" installed',
        { cause: e },
      );
    }
    const code =
      `import(${JSON.stringify(tsx)})` +
      '.then((m) => m.register())' +
      `.then(() => import(${JSON.stringify(entry)}));`;
    return { filename: code, eval: true };
  }
  const ext = path.endsWith('.cjs') ? 'cjs' : 'js';
  return { filename: new URL(`./session-worker.${ext}`, here), eval: false };
}

function cancelled(msg: string): LocalError {
  return new LocalError('CANCELLED', msg);
}

/** One worker thread and its pending calls. */
class WorkerHost {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private failure: Error | undefined;
  /** Live parties hosted here. */
  parties = 0;

  constructor(script: WorkerScript, modules: string[], resourceLimits?: ResourceLimits) {
    this.worker = new Worker(script.filename, {
      eval: script.eval,
      workerData: { tag: WORKER_TAG, modules },
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    this.worker.unref();
    this.worker.on('message', (r: WorkerReply) => this.reply(r));
    this.worker.on('error', (e) =>
      this.fail(new LocalError('INTERNAL', 'mpc-tss worker thread failed', { cause: e })),
    );
    this.worker.on('exit', (code) =>
      this.fail(
        this.failure ?? new LocalError('INTERNAL', `mpc-tss worker thread exited (code ${code})`),
      ),
    );
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  call<T>(req: DistributiveOmit<WorkerRequest, 'id'>): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage({ ...req, id });
      } catch (e) {
        this.settle(id);
        reject(
          new LocalError('INVALID_ARGUMENT', 'message could not be sent to the worker', {
            cause: e,
          }),
        );
      }
    });
  }

  async terminate(reason: Error): Promise<void> {
    this.fail(reason);
    await this.worker.terminate();
  }

  private settle(id: number) {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return p;
  }

  private reply(r: WorkerReply): void {
    const p = this.settle(r.id);
    if (p === undefined) return;
    if (r.ok) p.resolve(r.value);
    else p.reject(fromWireError(r.error));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const all = [...this.pending.values()];
    this.pending.clear();
    this.worker.unref();
    for (const p of all) p.reject(this.failure);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class Pool implements WorkerPool {
  readonly size: number;
  private readonly hosts: (WorkerHost | undefined)[];
  private readonly modules: string[];
  private readonly script: WorkerScript;
  private nextPid = 1;
  private closed = false;

  constructor(opts: WorkerPoolOptions) {
    const size = opts.size ?? availableParallelism();
    if (!Number.isSafeInteger(size) || size < 1 || size > 1024) {
      throw new LocalError('INVALID_ARGUMENT', '"size" must be an integer in [1, 1024]');
    }
    this.size = size;
    this.hosts = new Array(size).fill(undefined);
    this.modules = specifiers(opts.modules);
    this.script =
      opts.workerScript === undefined
        ? defaultWorkerScript()
        : { filename: new URL(moduleSpecifier(opts.workerScript)), eval: false };
    this.resourceLimits = opts.resourceLimits;
  }

  private readonly resourceLimits: ResourceLimits | undefined;

  private host(i: number): WorkerHost {
    let h = this.hosts[i];
    if (h === undefined || !h.alive) {
      h = new WorkerHost(this.script, this.modules, this.resourceLimits);
      this.hosts[i] = h;
    }
    return h;
  }

  /** The worker with the fewest live parties (a dead or unstarted one counts as empty). */
  private pick(): WorkerHost {
    if (this.closed) throw new LocalError('INVALID_STATE', 'worker pool is closed');
    let best = 0;
    let bestLoad = Number.POSITIVE_INFINITY;
    this.hosts.forEach((h, i) => {
      const load = h === undefined || !h.alive ? 0 : h.parties;
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    });
    return this.host(best);
  }

  async ready(): Promise<void> {
    if (this.closed) throw new LocalError('INVALID_STATE', 'worker pool is closed');
    await Promise.all(
      this.hosts.map((_, i) => this.host(i).call({ op: 'load', modules: this.modules })),
    );
  }

  load(): number[] {
    return this.hosts.map((h) => (h === undefined || !h.alive ? 0 : h.parties));
  }

  createParty<O>(
    protocol: string,
    options: PartyOptions,
    input?: unknown,
    opts: WorkerPartyOptions = {},
  ): Promise<WorkerParty<O>> {
    return this.spawn<O>(opts, (pid, modules) => {
      if (typeof protocol !== 'string') {
        throw new LocalError('INVALID_ARGUMENT', '"protocol" must be a string');
      }
      checkPlain(options, 'party options', 'INVALID_ARGUMENT');
      checkPlain(input, 'input', 'INVALID_ARGUMENT');
      return { op: 'create', pid, protocol, options, input, modules };
    });
  }

  createPartyFrom<O>(
    factory: string,
    options: unknown,
    opts: WorkerPartyOptions = {},
  ): Promise<WorkerParty<O>> {
    return this.spawn<O>(opts, (pid, modules) => {
      if (typeof factory !== 'string' || factory === '') {
        throw new LocalError(
          'INVALID_ARGUMENT',
          '"factory" must be the name of an exported function',
        );
      }
      checkPlain(options, 'factory options', 'INVALID_ARGUMENT');
      return { op: 'factory', pid, factory, options, modules };
    });
  }

  restoreParty<O>(snapshot: string, opts: WorkerPartyOptions = {}): Promise<WorkerParty<O>> {
    return this.spawn<O>(opts, (pid, modules) => {
      if (typeof snapshot !== 'string') {
        throw new LocalError('INVALID_ARGUMENT', 'snapshot must be a string');
      }
      return { op: 'restore', pid, snapshot, modules };
    });
  }

  /** @internal Used by a dedicated party's pool to end itself with the party. */
  onEmpty: (() => Promise<void>) | undefined;

  private async spawn<O>(
    opts: WorkerPartyOptions,
    build: (pid: number, modules: string[]) => DistributiveOmit<WorkerRequest, 'id'>,
  ): Promise<WorkerParty<O>> {
    const modules = specifiers(opts.modules);
    const pid = this.nextPid++;
    const req = build(pid, modules);
    const host = this.pick();
    host.parties++;
    try {
      const meta = await host.call<WireMeta>(req);
      return new RemoteParty<O>(host, pid, meta, [...this.modules, ...modules], async () => {
        host.parties--;
        await this.onEmpty?.();
      });
    } catch (e) {
      host.parties--;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = cancelled('worker pool was closed');
    await Promise.all(this.hosts.map((h) => h?.terminate(err)));
  }
}

class RemoteParty<O> implements WorkerParty<O> {
  readonly protocol: string;
  readonly sessionId: string;
  readonly self: string;
  readonly parties: readonly string[];
  private _status: PartyStatus;
  private _round: number;
  private gone = false;

  constructor(
    private readonly host: WorkerHost,
    private readonly pid: number,
    meta: WireMeta,
    private readonly modules: string[],
    private readonly release: () => Promise<void>,
  ) {
    this.protocol = meta.protocol;
    this.sessionId = meta.sessionId;
    this.self = meta.self;
    this.parties = Object.freeze([...meta.parties]);
    this._status = meta.status;
    this._round = meta.round;
  }

  get status(): PartyStatus {
    return this._status;
  }

  get round(): number {
    return this._round;
  }

  private call<T>(req: DistributiveOmit<WorkerRequest, 'id' | 'pid'>): Promise<T> {
    if (this.gone) {
      return Promise.reject(new LocalError('INVALID_STATE', 'the worker party was terminated'));
    }
    return this.host.call<T>({ ...req, pid: this.pid } as DistributiveOmit<WorkerRequest, 'id'>);
  }

  private async step(req: DistributiveOmit<WorkerRequest, 'id' | 'pid'>): Promise<Step<O>> {
    const w = await this.call<WireStep>(req);
    this._status = w.party.status;
    this._round = w.party.round;
    let output = w.output as O | undefined;
    if (w.outputEncoded && w.output !== undefined) {
      await mainCatalog.load(this.modules);
      const def = await mainCatalog.def(this.protocol);
      if (def?.outputCodec === undefined) {
        throw new LocalError(
          'NOT_FOUND',
          `cannot decode the output of "${this.protocol}" on this thread: its module was not given in "modules"`,
        );
      }
      output = def.outputCodec.decode(w.output) as O;
    }
    return {
      status: w.status,
      round: w.round,
      outgoing: w.outgoing,
      waitingFor: w.waitingFor,
      ...(output === undefined ? {} : { output }),
      ...(w.error === undefined ? {} : { error: fromWireError(w.error) as MpcError }),
      ...(w.rejected === undefined ? {} : { rejected: fromWireError(w.rejected) as MpcError }),
    };
  }

  start(): Promise<Step<O>> {
    return this.step({ op: 'start' });
  }

  handle(msg: Uint8Array | Envelope, opts: HandleOptions = {}): Promise<Step<O>> {
    let m: Uint8Array | Envelope;
    if (msg instanceof Uint8Array) m = compactBytes(msg);
    else if (typeof msg === 'object' && msg !== null && msg.payload instanceof Uint8Array) {
      m = compactEnvelope(msg);
    } else {
      return Promise.reject(
        new LocalError('INVALID_ARGUMENT', 'handle() takes envelope bytes or an Envelope'),
      );
    }
    return this.step({
      op: 'handle',
      msg: m,
      ...(opts.from === undefined ? {} : { from: opts.from }),
    });
  }

  current(): Promise<Step<O>> {
    return this.step({ op: 'current' });
  }

  sent(filter: { round?: number; to?: string } = {}): Promise<Envelope[]> {
    return this.call<Envelope[]>({
      op: 'sent',
      filter: {
        ...(filter.round === undefined ? {} : { round: filter.round }),
        ...(filter.to === undefined ? {} : { to: filter.to }),
      },
    });
  }

  snapshot(): Promise<string> {
    return this.call<string>({ op: 'snapshot' });
  }

  async terminate(): Promise<void> {
    if (this.gone) return;
    this.gone = true;
    try {
      if (this.host.alive) await this.host.call({ op: 'dispose', pid: this.pid });
    } catch {
      // The worker is gone already: nothing to free.
    } finally {
      await this.release();
    }
  }
}

// ------------------------------------------------------------------------------------------
// Entry points
// ------------------------------------------------------------------------------------------

/**
 * A pool of worker threads hosting parties. Workers start lazily (or all at once with
 * {@link WorkerPool.ready}) and do not keep the process alive while idle; {@link WorkerPool.close}
 * ends them.
 *
 * @param options - the number of workers (default `os.availableParallelism()`), or options
 * @example
 * ```ts
 * const pool = createWorkerPool({ modules: [new URL('./my-protocol.js', import.meta.url)] });
 * await pool.ready();
 * const a = await pool.createParty('my-protocol', { self: 'a', parties, sessionId }, inputA);
 * ```
 */
export function createWorkerPool(options: number | WorkerPoolOptions = {}): WorkerPool {
  return new Pool(typeof options === 'number' ? { size: options } : options);
}

async function dedicated<O>(
  make: (pool: WorkerPool) => Promise<WorkerParty<O>>,
): Promise<WorkerParty<O>> {
  const pool = new Pool({ size: 1 });
  pool.onEmpty = () => pool.close();
  try {
    return await make(pool);
  } catch (e) {
    await pool.close();
    throw e;
  }
}

/**
 * Creates a party on a worker thread of its own: `createParty(def, options, input)` runs in the
 * worker, with `def` the ProtocolDef named `protocol` that one of `opts.modules` exports (or a
 * built-in protocol). `input` must be plain data. {@link WorkerParty.terminate} ends the worker.
 * Use a {@link WorkerPool} to host many parties on few threads.
 *
 * Rejects with {@link LocalError}: `INVALID_ARGUMENT` for bad options or non-plain input,
 * `NOT_FOUND` for an unknown protocol or a module that cannot be imported.
 *
 * @example
 * ```ts
 * const p = await createWorkerParty('toy-sum', { self: 'a', parties: ['a', 'b'], sessionId: 's1' },
 *   { secret: 5n }, { modules: [new URL('./toy.js', import.meta.url)] });
 * const step = await p.start();
 * ```
 */
export function createWorkerParty<O = unknown>(
  protocol: string,
  options: PartyOptions,
  input?: unknown,
  opts: WorkerPartyOptions = {},
): Promise<WorkerParty<O>> {
  return dedicated((pool) => pool.createParty<O>(protocol, options, input, opts));
}

/**
 * Creates a party on a worker thread of its own by calling the exported function `factory`
 * (e.g. `createKeygenParty`) with `options` (plain data) in the worker.
 *
 * @example
 * ```ts
 * const p = await createWorkerPartyFrom<KeyShare>('createKeygenParty', keygenOptions);
 * ```
 */
export function createWorkerPartyFrom<O = unknown>(
  factory: string,
  options: unknown,
  opts: WorkerPartyOptions = {},
): Promise<WorkerParty<O>> {
  return dedicated((pool) => pool.createPartyFrom<O>(factory, options, opts));
}

/**
 * Resumes a party from its {@link Party.snapshot} (taken in or out of a worker) on a worker
 * thread of its own. The protocol must be exported by one of `opts.modules` or built in.
 *
 * @example
 * ```ts
 * const p = await restoreWorkerParty(await sessionStore.get(id), { modules });
 * for (const env of await p.sent()) transport.send(encodeEnvelope(env));
 * ```
 */
export function restoreWorkerParty<O = unknown>(
  snapshot: string,
  opts: WorkerPartyOptions = {},
): Promise<WorkerParty<O>> {
  return dedicated((pool) => pool.restoreParty<O>(snapshot, opts));
}

/** @internal Worker side: the step of `party` as cloneable data. */
export function toWireStep(
  party: Party<unknown>,
  step: Step<unknown>,
  def?: AnyProtocolDef,
): WireStep {
  let output: unknown;
  let outputEncoded = false;
  if (step.output !== undefined) {
    if (def?.outputCodec !== undefined) {
      output = def.outputCodec.encode(step.output);
      outputEncoded = true;
    } else {
      output = step.output;
    }
    checkPlain(output, `${party.protocol} output`, 'INTERNAL');
  }
  return {
    status: step.status,
    round: step.round,
    outgoing: step.outgoing.map(compactEnvelope),
    waitingFor: [...step.waitingFor],
    ...(output === undefined ? {} : { output, outputEncoded }),
    ...(step.error === undefined ? {} : { error: toWireError(step.error) }),
    ...(step.rejected === undefined ? {} : { rejected: toWireError(step.rejected) }),
    party: { status: party.status, round: party.round },
  };
}

/** @internal Worker side: the identity of `party`. */
export function toWireMeta(party: Party<unknown>): WireMeta {
  return {
    protocol: party.protocol,
    sessionId: party.sessionId,
    self: party.self,
    parties: [...party.parties],
    status: party.status,
    round: party.round,
  };
}
