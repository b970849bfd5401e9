/**
 * The worker script of {@link createWorkerPool} (built as `dist/session-worker.js` and `.cjs`).
 * It hosts parties by id and serves the main thread's calls one at a time, in order.
 * Not a public entry point: do not import it.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalError } from '../errors.js';
import { createParty, restoreParty } from '../party/engine.js';
import type { AnyProtocolDef, Party } from '../party/types.js';
import {
  compactEnvelope,
  ProtocolCatalog,
  toWireError,
  toWireMeta,
  toWireStep,
  WORKER_TAG,
  type WorkerReply,
  type WorkerRequest,
} from './worker.js';

interface Hosted {
  readonly party: Party<unknown>;
  readonly def: AnyProtocolDef | undefined;
}

const port = parentPort;
const data = workerData as { tag?: unknown; modules?: unknown } | null;

if (port !== null && data?.tag === WORKER_TAG) {
  const catalog = new ProtocolCatalog();
  const hosted = new Map<number, Hosted>();
  const modules = Array.isArray(data.modules) ? (data.modules as string[]) : [];
  // Start importing the pool's modules right away; failures surface on the first call.
  const preload = catalog.load(modules);
  preload.catch(() => {});

  const get = (pid: number): Hosted => {
    const h = hosted.get(pid);
    if (h === undefined) throw new LocalError('INVALID_STATE', 'no such party in this worker');
    return h;
  };

  const notFound = (protocol: string): never => {
    throw new LocalError(
      'NOT_FOUND',
      `protocol "${protocol}" is not known in the worker: pass the module exporting its ProtocolDef in "modules"`,
    );
  };

  const keep = async (pid: number, party: Party<unknown>): Promise<unknown> => {
    hosted.set(pid, { party, def: await catalog.def(party.protocol) });
    return toWireMeta(party);
  };

  const dispatch = async (req: WorkerRequest): Promise<unknown> => {
    switch (req.op) {
      case 'load':
        await preload;
        await catalog.load(req.modules);
        return null;
      case 'create': {
        await preload;
        await catalog.load(req.modules);
        const def = (await catalog.def(req.protocol)) ?? notFound(req.protocol);
        return keep(req.pid, createParty(def, req.options, req.input));
      }
      case 'factory': {
        await preload;
        await catalog.load(req.modules);
        const f = await catalog.factory(req.factory);
        if (f === undefined) {
          throw new LocalError(
            'NOT_FOUND',
            `no module given to the worker exports a function "${req.factory}"`,
          );
        }
        const party = (await f(req.options)) as Party<unknown>;
        if (
          typeof party !== 'object' ||
          party === null ||
          typeof party.start !== 'function' ||
          typeof party.handle !== 'function' ||
          typeof party.snapshot !== 'function'
        ) {
          throw new LocalError('INVALID_ARGUMENT', `"${req.factory}" did not return a party`);
        }
        return keep(req.pid, party);
      }
      case 'restore': {
        await preload;
        await catalog.load(req.modules);
        let protocol: unknown;
        try {
          protocol = (JSON.parse(req.snapshot) as { protocol?: unknown }).protocol;
        } catch {
          protocol = undefined;
        }
        const def = typeof protocol === 'string' ? await catalog.def(protocol) : undefined;
        // Without a def, restoreParty looks in this thread's registry (registerProtocol).
        return keep(
          req.pid,
          def === undefined ? restoreParty(req.snapshot) : restoreParty(req.snapshot, def),
        );
      }
      case 'start': {
        const h = get(req.pid);
        return toWireStep(h.party, h.party.start(), h.def);
      }
      case 'handle': {
        const h = get(req.pid);
        const step = h.party.handle(req.msg, req.from === undefined ? {} : { from: req.from });
        return toWireStep(h.party, step, h.def);
      }
      case 'current': {
        const h = get(req.pid);
        return toWireStep(h.party, h.party.current(), h.def);
      }
      case 'sent':
        return get(req.pid).party.sent(req.filter).map(compactEnvelope);
      case 'snapshot':
        return get(req.pid).party.snapshot();
      case 'dispose':
        hosted.delete(req.pid);
        return null;
      default:
        throw new LocalError('INTERNAL', 'unknown worker request');
    }
  };

  const serve = async (req: WorkerRequest): Promise<void> => {
    let reply: WorkerReply;
    try {
      reply = { id: req.id, ok: true, value: await dispatch(req) };
    } catch (e) {
      reply = { id: req.id, ok: false, error: toWireError(e) };
    }
    try {
      port.postMessage(reply);
    } catch (e) {
      const err = new LocalError('INTERNAL', 'the reply could not be sent to the main thread', {
        cause: e,
      });
      port.postMessage({ id: req.id, ok: false, error: toWireError(err) } satisfies WorkerReply);
    }
  };

  // One call at a time, in arrival order: a party's calls must not overtake each other.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(() => serve(req));
  });
}
