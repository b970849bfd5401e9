/**
 * Presignature lifecycle (SECURITY.md item 12): unused → reserved → **used**, where "used" is
 * durably recorded *before* anything derived from the presignature leaves the process.
 *
 * The online party cannot be built from a raw {@link Presignature}: `createOnlineSignParty`
 * takes only a {@link ConsumedPresignature}, and the only way to get one is
 * {@link consumePresignature} (or {@link takePresignature}), which awaits the pool's `consume`
 * — the durable "used" mark — before it returns. So the first signature share is computed
 * (in the party's `start()`) strictly after the mark, whatever the caller does.
 *
 * A token can be spent once: the presignature's secret shares live in a module-private map, not
 * in the token object (so serializing or logging a token shows nothing), and the first
 * `createOnlineSignParty` takes them out; a second use throws `PRESIGNATURE_USED`, as does a
 * second `consume` of the same reservation. After a crash following the mark, the pool no longer
 * has the presignature: `reserve` never returns it and `consume` of the old reservation throws
 * `PRESIGNATURE_USED`, so a restarted node cannot sign with it again. (Restoring the *online
 * party's* snapshot is still possible and safe: it resends the same share for the same message,
 * and that snapshot holds no k_i or σ_i.)
 *
 * Wiping is best effort: the reservation's bytes are zeroed, the token drops its reference to
 * the secret shares when spent, and the online party keeps them only until `start()`. JS bigints
 * cannot be overwritten, so copies may survive in the heap until garbage collection.
 * @module
 */
import { LocalError } from '../../../errors.js';
import { zeroize } from '../../../math/bigint.js';
import type { PresignaturePool, PresignatureReservation } from '../../../stores/types.js';
import { type Presignature, parsePresignature } from '../presign-gg20/presignature.js';

/**
 * A presignature that was durably marked used in its pool, ready for exactly one
 * `createOnlineSignParty`. Holds no secret itself (the shares are kept out of reach until
 * spent).
 */
export interface ConsumedPresignature {
  /** The presignature id. */
  readonly id: string;
  /** The key id it belongs to. */
  readonly keyId: string;
  /** Its signer set, in signer (index) order. */
  readonly signers: readonly string[];
  /** The signer it belongs to. */
  readonly self: string;
  /** When the pool's `consume` resolved (ms since the epoch). */
  readonly consumedAt: number;
}

const secrets = new WeakMap<ConsumedPresignature, { presignature?: Presignature }>();

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Options of {@link consumePresignature}. */
export interface ConsumeOptions {
  /** Require the presignature to belong to this signer (recommended). */
  readonly self?: string;
}

/**
 * Parses the reserved presignature, checks it against its reservation, durably marks it used in
 * the pool (`pool.consume`), wipes the reservation's bytes and returns the single-use token.
 *
 * A presignature that fails to parse or does not match its reservation is consumed (burned)
 * anyway and refused (`STORE_CORRUPT`): it must never be handed out again. One that belongs to
 * another signer (`opts.self`) is released back untouched (`INVALID_ARGUMENT`).
 *
 * @throws {@link LocalError} `PRESIGNATURE_USED` (already consumed, lapsed, or reserved under
 *   another token), `NOT_FOUND`, `STORE_CORRUPT`, `INVALID_ARGUMENT`, or the pool's errors.
 * @example
 * ```ts
 * const r = await sessions.presignatures.reserve(keyId, signers);
 * if (!r) throw new Error('pool empty');
 * const token = await consumePresignature(sessions.presignatures, r, { self: 'alice' });
 * const party = createOnlineSignParty({ self: 'alice', presignature: token, messageHash });
 * ```
 */
export async function consumePresignature(
  pool: PresignaturePool,
  reservation: PresignatureReservation,
  opts: ConsumeOptions = {},
): Promise<ConsumedPresignature> {
  if (typeof pool?.consume !== 'function') {
    throw new LocalError('INVALID_ARGUMENT', '"pool" must be a PresignaturePool');
  }
  if (
    typeof reservation !== 'object' ||
    reservation === null ||
    !(reservation.data instanceof Uint8Array)
  ) {
    throw new LocalError('INVALID_ARGUMENT', '"reservation" must come from pool.reserve');
  }
  let p: Presignature;
  try {
    p = parsePresignature(reservation.data);
    if (p.id !== reservation.id || p.keyId !== reservation.keyId) {
      throw new LocalError(
        'STORE_CORRUPT',
        'presignature does not match its reservation (id or key)',
      );
    }
    if (
      !sameSet(
        p.signers.map((s) => s.id),
        reservation.signers,
      )
    ) {
      throw new LocalError(
        'STORE_CORRUPT',
        'presignature does not match its reservation (signers)',
      );
    }
  } catch (e) {
    await pool.consume(reservation).catch(() => undefined); // burn it: never hand it out again
    zeroize(reservation.data);
    throw e;
  }
  if (opts.self !== undefined && p.self !== opts.self) {
    await pool.release(reservation);
    throw new LocalError('INVALID_ARGUMENT', `presignature "${p.id}" belongs to another signer`);
  }
  try {
    await pool.consume(reservation); // the durable "used" mark: nothing leaves before it
  } finally {
    zeroize(reservation.data);
  }
  const token: ConsumedPresignature = Object.freeze({
    id: p.id,
    keyId: p.keyId,
    signers: Object.freeze(p.signers.map((s) => s.id)),
    self: p.self,
    consumedAt: Date.now(),
  });
  secrets.set(token, { presignature: p });
  return token;
}

/** Options of {@link takePresignature}. */
export interface TakeOptions {
  /** The key id of the pool entries. */
  readonly keyId: string;
  /** The exact signer set (any order). */
  readonly signers: readonly string[];
  /** This signer (the presignature must be its own). */
  readonly self?: string;
  /**
   * The presignature the session agreed on (e.g. chosen by the coordinator, or by the first
   * signer and announced to the others). When given, only that presignature is consumed; see
   * the note on {@link takePresignature}.
   */
  readonly id?: string;
  /** Reservation lease (ms); the pool's default otherwise. */
  readonly leaseMs?: number;
  /** With `id`: how many other presignatures may be skipped over to find it (default 64). */
  readonly maxScan?: number;
}

/**
 * Reserves, then consumes, one presignature for `signers` (see {@link consumePresignature}).
 *
 * Every signer must use the same presignature. Pools hand them out in insertion order, so
 * signers that add the same presignatures in the same order and sign in the same order agree
 * without coordination; otherwise pass the agreed `id`. `PresignaturePool` has no
 * reserve-by-id yet, so with `id` this reserves in order and releases the ones it skips (at most
 * `maxScan`): correct under concurrency (each skipped reservation is returned), but O(position).
 * The online round detects signers that ended up with different presignatures and aborts
 * (both are burned: safe, since each signer releases at most one share per presignature).
 *
 * @throws {@link LocalError} `NOT_FOUND` when no (matching) presignature is available, and the
 *   errors of {@link consumePresignature}.
 */
export async function takePresignature(
  pool: PresignaturePool,
  opts: TakeOptions,
): Promise<ConsumedPresignature> {
  const reserveOpts = opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs };
  const skipped: PresignatureReservation[] = [];
  try {
    for (let i = 0; i <= (opts.id === undefined ? 0 : (opts.maxScan ?? 64)); i++) {
      const r = await pool.reserve(opts.keyId, opts.signers, reserveOpts);
      if (r === undefined) break;
      if (opts.id === undefined || r.id === opts.id) {
        return await consumePresignature(
          pool,
          r,
          opts.self === undefined ? {} : { self: opts.self },
        );
      }
      skipped.push(r);
    }
  } finally {
    for (const r of skipped) {
      zeroize(r.data);
      await pool.release(r);
    }
  }
  throw new LocalError(
    'NOT_FOUND',
    opts.id === undefined
      ? `no presignature available for key "${opts.keyId}" and these signers`
      : `presignature "${opts.id}" is not available`,
  );
}

/**
 * The presignature behind an unspent token, without spending it (to validate a request before
 * committing the token). Internal to the online round.
 * @internal
 */
export function peekPresignature(token: ConsumedPresignature): Presignature {
  const entry = secrets.get(token);
  if (entry === undefined) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '"presignature" must be a ConsumedPresignature from consumePresignature or takePresignature',
    );
  }
  if (entry.presignature === undefined) {
    throw new LocalError('PRESIGNATURE_USED', `presignature "${token.id}" was already used`);
  }
  return entry.presignature;
}

/**
 * Takes the presignature out of a token (once). Internal to the online round.
 * @internal
 */
export function spendPresignature(token: ConsumedPresignature): Presignature {
  const entry = secrets.get(token);
  if (entry === undefined) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '"presignature" must be a ConsumedPresignature from consumePresignature or takePresignature',
    );
  }
  const p = entry.presignature;
  if (p === undefined) {
    throw new LocalError('PRESIGNATURE_USED', `presignature "${token.id}" was already used`);
  }
  entry.presignature = undefined;
  return p;
}
