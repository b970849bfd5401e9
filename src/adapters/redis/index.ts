/**
 * `mpc-tss/redis`: a {@link SessionStore} on Redis (`ioredis`, an optional peer dependency).
 *
 * - Snapshots: sealed (AES-256-GCM), base64, `SET … PX ttl`.
 * - Locks: `SET NX PX` with a random token, fenced release and extend (Lua compare-and-delete /
 *   compare-and-pexpire), and a per-session fence counter (`INCR`) that only grows.
 * - Presignature pool: one hash per presignature plus a FIFO sorted set per (keyId, signer set);
 *   `reserve`, `consume`, `release`, `add` and `expire` are Lua scripts, so each is atomic on the
 *   server. A consumed or burned presignature keeps a tombstone hash forever.
 *
 * Every operation goes through `EVAL` only, so the client contract is one method. Operations
 * are retried on connection errors (dropped socket, failover, offline queue disabled) with
 * backoff; each script is written so a retry of an operation whose reply was lost returns the
 * same result: every call carries a random call id or token generated once per call, and a
 * script that finds its own earlier effect reports success instead of a conflict.
 *
 * Keys live under a prefix (default `mpc-tss`) and ids are URI-encoded, so `:` in an id cannot
 * collide with the key structure. Scripts touch keys they compute, so Redis Cluster is not
 * supported; use a single primary (with replicas or Sentinel).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { LocalError, MpcError } from '../../errors.js';
import { zeroize } from '../../math/bigint.js';
import { sealWith, unsealWith } from '../../stores/envelope.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_SNAPSHOT_TTL_MS,
} from '../../stores/memory.js';
import { importOptional } from '../../stores/optional.js';
import type {
  KeyProvider,
  PresignatureInput,
  PresignaturePool,
  PresignatureReservation,
  SessionLock,
  SessionStore,
  TtlOptions,
} from '../../stores/types.js';
import {
  checkId,
  checkPresignatureItems,
  checkTtl,
  corrupt,
  payloadBytes,
  signerSet,
  storeError,
} from '../../stores/validate.js';

/**
 * Anything with ioredis's `eval(script, numKeys, ...keysAndArgs)`: an ioredis `Redis` instance,
 * or a wrapper around another client.
 */
export interface RedisClientLike {
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

/** A client the adapter opened itself and must close. */
export interface RedisOwnedClient extends RedisClientLike {
  quit(): Promise<unknown>;
}

/** Retry policy for connection errors. */
export interface RedisRetryOptions {
  /** Attempts after the first (default 5). */
  retries?: number;
  /** First backoff in ms, doubled each time up to 1 s (default 50). */
  delayMs?: number;
  /** Called before each retry (for logging or metrics). */
  onRetry?(error: unknown, attempt: number): void;
}

/** Options of {@link createRedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** The client, e.g. `new Redis(url)` from ioredis. The caller keeps ownership. */
  client: RedisClientLike;
  /** Key that seals snapshots and presignatures at rest. */
  keyProvider: KeyProvider;
  /** Key prefix (default `mpc-tss`). Give each deployment or test run its own. */
  prefix?: string;
  retry?: RedisRetryOptions;
}

/** A {@link SessionStore} on Redis with housekeeping helpers. */
export interface RedisSessionStore extends SessionStore {
  /** The key prefix in use. */
  readonly prefix: string;
  /**
   * Deletes every key under the prefix (SCAN + DEL in batches). For tests and decommissioning:
   * it also forgets consumed presignatures and claimed session ids.
   */
  clear(): Promise<number>;
  /**
   * Quits the client if this module opened it ({@link connectRedisSessionStore}); later calls then
   * fail with `INVALID_STATE`. A no-op for an injected client, which the caller closes.
   */
  close(): Promise<void>;
}

const RETRYABLE =
  /Connection is closed|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTCONN|Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|Socket closed|connection lost|^LOADING|^READONLY|^TRYAGAIN|^MASTERDOWN/i;

/** Whether an error is a connection-level failure worth retrying. */
function isRetryable(e: unknown): boolean {
  if (e instanceof MpcError) return false;
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  return RETRYABLE.test(msg) || (typeof code === 'string' && RETRYABLE.test(code));
}

const enc = (id: string): string => encodeURIComponent(id);
const b64 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

// Server time in ms, so every TTL and lease uses one clock.
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const LUA = {
  snapSet: `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`,
  get: `return redis.call('GET', KEYS[1])`,
  del: `return redis.call('DEL', KEYS[1])`,
  // KEYS: lock, fence. ARGV: token, ttl.
  lockAcquire: `${NOW}
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  return {tonumber(redis.call('GET', KEYS[2])), now + redis.call('PTTL', KEYS[1])}
end
if cur then return false end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {fence, now + tonumber(ARGV[2])}`,
  // KEYS: lock, fence. ARGV: token, ttl.
  lockExtend: `${NOW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {tonumber(redis.call('GET', KEYS[2])), now + tonumber(ARGV[2])}`,
  // KEYS: lock. ARGV: token.
  lockRelease: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  // KEYS: session-id key. ARGV: token, ttl or ''. Returns 1 if this token holds the id.
  claim: `local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return 1 end
if cur then return 0 end
if ARGV[2] == '' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`,
  // ARGV: prefix, keyId, n, retry flag, then n × (encId, id, signersJson, signersKey, data,
  // ttl|'', queue). All-or-nothing. On a retry, an item already stored with the same sealed data
  // is our own earlier write and is skipped.
  psAdd: `${NOW}
local P, n, retry = ARGV[1], tonumber(ARGV[3]), ARGV[4] == '1'
local W = 7
local skip = {}
for i = 0, n - 1 do
  local b = 5 + i * W
  local v = redis.call('HMGET', P .. ':ps:' .. ARGV[b], 'st', 'd')
  if v[1] == 'consumed' or v[1] == 'burned' then return {'used', ARGV[b + 1]} end
  if v[1] then
    if retry and v[2] == ARGV[b + 4] then skip[i] = true else return {'exists', ARGV[b + 1]} end
  end
end
for i = 0, n - 1 do
  if not skip[i] then
    local b = 5 + i * W
    local m, q = ARGV[b], ARGV[b + 6]
    local seq = redis.call('INCR', P .. ':psseq')
    local ex = ''
    if ARGV[b + 5] ~= '' then ex = now + tonumber(ARGV[b + 5]) end
    redis.call('HSET', P .. ':ps:' .. m, 'id', ARGV[b + 1], 'k', ARGV[2], 's', ARGV[b + 2],
      'sk', ARGV[b + 3], 'd', ARGV[b + 4], 'st', 'available', 'q', q, 'seq', seq, 'ex', ex)
    redis.call('ZADD', q, seq, m)
    if ex ~= '' then redis.call('ZADD', P .. ':psexp', ex, m) end
  end
end
return {'ok'}`,
  // KEYS: queue. ARGV: prefix, token, lease.
  psReserve: `${NOW}
local P, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local prior = redis.call('GET', P .. ':pstok:' .. token)
if prior then
  local h = P .. ':ps:' .. prior
  if redis.call('HGET', h, 'st') == 'reserved' and redis.call('HGET', h, 't') == token then
    local v = redis.call('HMGET', h, 'id', 's', 'd', 'lu', 'ex')
    return {v[1], v[2], v[3], v[4], v[5]}
  end
  return false
end
while true do
  local m = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not m then return false end
  redis.call('ZREM', KEYS[1], m)
  local h = P .. ':ps:' .. m
  local v = redis.call('HMGET', h, 'st', 'ex', 'id', 's', 'd')
  if v[1] == 'available' then
    if v[2] and v[2] ~= '' and tonumber(v[2]) <= now then
      redis.call('DEL', h)
      redis.call('ZREM', P .. ':psexp', m)
    else
      local lu = now + lease
      redis.call('HSET', h, 'st', 'reserved', 't', token, 'lu', lu)
      redis.call('HDEL', h, 'rt')
      redis.call('ZADD', P .. ':psleases', lu, m)
      redis.call('SET', P .. ':pstok:' .. token, m, 'PX', lease)
      return {v[3], v[4], v[5], tostring(lu), v[2]}
    end
  end
end`,
  // ARGV: prefix, encId, token, call id (the same on every attempt of one call).
  psConsume: `${NOW}
local P, m, token = ARGV[1], ARGV[2], ARGV[3]
local h = P .. ':ps:' .. m
local v = redis.call('HMGET', h, 'st', 't', 'lu', 'ct')
if not v[1] then return 'missing' end
if v[1] == 'reserved' and v[2] == token then
  local final = 'consumed'
  if tonumber(v[3]) <= now then final = 'burned' end
  redis.call('HDEL', h, 'd', 't', 'lu', 'ex', 'rt')
  redis.call('HSET', h, 'st', final, 'ct', ARGV[4])
  redis.call('ZREM', P .. ':psleases', m)
  redis.call('ZREM', P .. ':psexp', m)
  redis.call('DEL', P .. ':pstok:' .. token)
  return final
end
if v[1] == 'consumed' and v[4] == ARGV[4] then return 'consumed' end
return 'used'`,
  // ARGV: prefix, encId, token, call id.
  psRelease: `${NOW}
local P, m, token = ARGV[1], ARGV[2], ARGV[3]
local h = P .. ':ps:' .. m
local v = redis.call('HMGET', h, 'st', 't', 'lu', 'q', 'seq', 'rt')
if v[1] == 'reserved' and v[2] == token then
  redis.call('ZREM', P .. ':psleases', m)
  redis.call('DEL', P .. ':pstok:' .. token)
  if tonumber(v[3]) <= now then
    redis.call('HDEL', h, 'd', 't', 'lu', 'ex')
    redis.call('HSET', h, 'st', 'burned')
    redis.call('ZREM', P .. ':psexp', m)
    return 0
  end
  redis.call('HDEL', h, 't', 'lu')
  redis.call('HSET', h, 'st', 'available', 'rt', ARGV[4])
  redis.call('ZADD', v[4], v[5], m)
  return 1
end
if v[1] == 'available' and v[6] == ARGV[4] then return 1 end
return 0`,
  // ARGV: prefix.
  psExpire: `${NOW}
local P, n = ARGV[1], 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. ':psleases', '-inf', now)) do
  local h = P .. ':ps:' .. m
  local v = redis.call('HMGET', h, 'st', 'lu')
  if v[1] == 'reserved' and tonumber(v[2]) <= now then
    redis.call('HDEL', h, 'd', 't', 'lu', 'ex')
    redis.call('HSET', h, 'st', 'burned')
    redis.call('ZREM', P .. ':psexp', m)
    n = n + 1
  end
  redis.call('ZREM', P .. ':psleases', m)
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. ':psexp', '-inf', now)) do
  local h = P .. ':ps:' .. m
  local v = redis.call('HMGET', h, 'st', 'q')
  if v[1] == 'available' then
    redis.call('ZREM', v[2], m)
    redis.call('DEL', h)
    n = n + 1
  end
  redis.call('ZREM', P .. ':psexp', m)
end
return n`,
  // KEYS: queue. ARGV: prefix.
  psCount: `${NOW}
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('HMGET', ARGV[1] .. ':ps:' .. m, 'st', 'ex')
  if v[1] == 'available' and (not v[2] or v[2] == '' or tonumber(v[2]) > now) then n = n + 1 end
end
return n`,
  scan: `return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 500)`,
  delMany: `local n = 0
for _, k in ipairs(ARGV) do n = n + redis.call('DEL', k) end
return n`,
} as const;

class Runner {
  readonly #c: RedisClientLike;
  readonly #retries: number;
  readonly #delay: number;
  readonly #onRetry: ((e: unknown, attempt: number) => void) | undefined;
  /** Set by close(): later calls fail at once instead of retrying a quit connection. */
  closed = false;

  constructor(c: RedisClientLike, r: RedisRetryOptions = {}) {
    this.#c = c;
    this.#retries = r.retries ?? 5;
    this.#delay = r.delayMs ?? 50;
    this.#onRetry = r.onRetry;
  }

  /** Runs a script; `args(retry)` may mark retries so scripts can recognise their own success. */
  async eval(
    what: string,
    script: string,
    keys: string[],
    args: (retry: boolean) => (string | number)[],
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new LocalError('INVALID_STATE', '[redis] the store is closed');
      try {
        return await this.#c.eval(script, keys.length, ...keys, ...args(attempt > 0));
      } catch (e) {
        if (!isRetryable(e) || attempt >= this.#retries) throw storeError(`[redis] ${what}`, e);
        this.#onRetry?.(e, attempt + 1);
        await new Promise((r) => setTimeout(r, Math.min(1000, this.#delay * 2 ** attempt)));
      }
    }
  }
}

function checkPrefix(p: unknown): string {
  if (
    typeof p !== 'string' ||
    p.length === 0 ||
    p.length > 100 ||
    /[\s*?[\]\\]/.test(p) ||
    [...p].some((ch) => ch.charCodeAt(0) < 0x20)
  ) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '"prefix" must be 1 to 100 characters without spaces, control or glob characters',
    );
  }
  return p;
}

function parseNumber(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw corrupt(what, 'bad number field');
  return n;
}

function fromB64(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string' || !B64_RE.test(v)) throw corrupt(what, 'not base64');
  return Buffer.from(v, 'base64');
}

class RedisPresignaturePool implements PresignaturePool {
  readonly #r: Runner;
  readonly #p: string;
  readonly #kp: KeyProvider;

  constructor(r: Runner, p: string, kp: KeyProvider) {
    this.#r = r;
    this.#p = p;
    this.#kp = kp;
  }

  #queue(keyId: string, signersKey: string): string {
    return `${this.#p}:psq:${enc(keyId)}:${enc(signersKey)}`;
  }

  async add(keyId: string, items: readonly PresignatureInput[]): Promise<void> {
    checkId('keyId', keyId);
    const checked = checkPresignatureItems(items);
    if (checked.length === 0) return;
    const args: (string | number)[] = [];
    try {
      for (const c of checked) {
        const sealed = await sealWith(
          this.#kp,
          'presignature',
          [keyId, c.id, c.signersKey],
          c.plain,
        );
        args.push(
          enc(c.id),
          c.id,
          JSON.stringify(c.signers),
          c.signersKey,
          b64(sealed),
          c.ttlMs ?? '',
          this.#queue(keyId, c.signersKey),
        );
      }
    } finally {
      for (const c of checked) zeroize(c.plain);
    }
    const res = (await this.#r.eval('presignatures.add', LUA.psAdd, [], (retry) => [
      this.#p,
      keyId,
      checked.length,
      retry ? '1' : '0',
      ...args,
    ])) as [string, string?];
    if (res[0] === 'ok') return;
    if (res[0] === 'used') {
      throw new LocalError('PRESIGNATURE_USED', `presignature "${res[1]}" was already used`);
    }
    throw new LocalError('STORE_ERROR', `presignature "${res[1]}" already exists`);
  }

  async reserve(
    keyId: string,
    signers: readonly string[],
    opts: { leaseMs?: number } = {},
  ): Promise<PresignatureReservation | undefined> {
    checkId('keyId', keyId);
    const set = signerSet(signers);
    const lease = checkTtl('leaseMs', opts.leaseMs, DEFAULT_LEASE_MS)!;
    const token = randomUUID();
    const res = (await this.#r.eval(
      'presignatures.reserve',
      LUA.psReserve,
      [this.#queue(keyId, set.key)],
      () => [this.#p, token, lease],
    )) as [string, string, string, string, string] | null;
    if (!res) return undefined;
    const [id, , data, lu, ex] = res;
    const what = `presignature "${id}"`;
    let plain: Uint8Array;
    try {
      plain = await unsealWith(
        this.#kp,
        'presignature',
        [keyId, id, set.key],
        fromB64(data, what),
        what,
      );
    } catch (e) {
      await this.consume({ id, token }).catch(() => {}); // burn it: never hand out a bad record
      throw e;
    }
    const out: PresignatureReservation = {
      id,
      keyId,
      signers: set.signers,
      data: plain,
      token,
      leaseUntil: parseNumber(lu, what),
    };
    if (ex !== undefined && ex !== null && ex !== '') out.expiresAt = parseNumber(ex, what);
    return out;
  }

  async consume(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<void> {
    const id = checkId('id', reservation?.id);
    const token = checkId('token', reservation.token);
    const call = randomUUID();
    const res = await this.#r.eval('presignatures.consume', LUA.psConsume, [], () => [
      this.#p,
      enc(id),
      token,
      call,
    ]);
    if (res === 'consumed') return;
    if (res === 'missing') throw new LocalError('NOT_FOUND', `presignature "${id}" not found`);
    if (res === 'burned') {
      throw new LocalError('PRESIGNATURE_USED', `reservation of presignature "${id}" lapsed`);
    }
    throw new LocalError(
      'PRESIGNATURE_USED',
      `presignature "${id}" was used or is not reserved by this token`,
    );
  }

  async release(reservation: Pick<PresignatureReservation, 'id' | 'token'>): Promise<boolean> {
    const id = checkId('id', reservation?.id);
    const token = checkId('token', reservation.token);
    const call = randomUUID();
    const res = await this.#r.eval('presignatures.release', LUA.psRelease, [], () => [
      this.#p,
      enc(id),
      token,
      call,
    ]);
    return Number(res) === 1;
  }

  async expire(): Promise<number> {
    return Number(await this.#r.eval('presignatures.expire', LUA.psExpire, [], () => [this.#p]));
  }

  async count(keyId: string, signers: readonly string[]): Promise<number> {
    checkId('keyId', keyId);
    const { key } = signerSet(signers);
    return Number(
      await this.#r.eval('presignatures.count', LUA.psCount, [this.#queue(keyId, key)], () => [
        this.#p,
      ]),
    );
  }
}

class RedisStore implements RedisSessionStore {
  readonly prefix: string;
  readonly presignatures: PresignaturePool;
  readonly #r: Runner;
  readonly #kp: KeyProvider;
  #owned: RedisOwnedClient | undefined;

  constructor(opts: RedisSessionStoreOptions, owned?: RedisOwnedClient) {
    if (typeof opts?.client?.eval !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '[redis] "client" must have an eval() method');
    }
    if (typeof opts.keyProvider?.getKey !== 'function') {
      throw new LocalError('INVALID_ARGUMENT', '[redis] "keyProvider" is required');
    }
    this.prefix = checkPrefix(opts.prefix ?? 'mpc-tss');
    this.#r = new Runner(opts.client, opts.retry);
    this.#kp = opts.keyProvider;
    this.#owned = owned;
    this.presignatures = new RedisPresignaturePool(this.#r, this.prefix, this.#kp);
  }

  #snapKey(sessionId: string, partyId: string): string {
    return `${this.prefix}:snap:${enc(sessionId)}:${enc(partyId)}`;
  }

  async saveSnapshot(
    sessionId: string,
    partyId: string,
    snapshot: Uint8Array | string,
    opts: TtlOptions = {},
  ): Promise<void> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_SNAPSHOT_TTL_MS)!;
    const plain = payloadBytes('snapshot', snapshot);
    let sealed: Uint8Array;
    try {
      sealed = await sealWith(this.#kp, 'snapshot', [sessionId, partyId], plain);
    } finally {
      zeroize(plain);
    }
    const value = b64(sealed);
    await this.#r.eval('saveSnapshot', LUA.snapSet, [this.#snapKey(sessionId, partyId)], () => [
      value,
      ttl,
    ]);
  }

  async loadSnapshot(sessionId: string, partyId: string): Promise<Uint8Array | undefined> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const v = await this.#r.eval(
      'loadSnapshot',
      LUA.get,
      [this.#snapKey(sessionId, partyId)],
      () => [],
    );
    if (v === null || v === undefined) return undefined;
    const what = `snapshot (${sessionId}, ${partyId})`;
    return unsealWith(this.#kp, 'snapshot', [sessionId, partyId], fromB64(v, what), what);
  }

  async deleteSnapshot(sessionId: string, partyId: string): Promise<boolean> {
    checkId('sessionId', sessionId);
    checkId('partyId', partyId);
    const n = await this.#r.eval(
      'deleteSnapshot',
      LUA.del,
      [this.#snapKey(sessionId, partyId)],
      () => [],
    );
    return Number(n) === 1;
  }

  #lockKeys(sessionId: string): string[] {
    return [`${this.prefix}:lock:${enc(sessionId)}`, `${this.prefix}:fence:${enc(sessionId)}`];
  }

  #lock(sessionId: string, token: string, res: unknown): SessionLock | undefined {
    if (!Array.isArray(res)) return undefined;
    const what = `lock of session ${sessionId}`;
    return {
      sessionId,
      token,
      fence: parseNumber(res[0], what),
      expiresAt: parseNumber(res[1], what),
    };
  }

  async acquireLock(sessionId: string, opts: TtlOptions = {}): Promise<SessionLock | undefined> {
    checkId('sessionId', sessionId);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_LOCK_TTL_MS)!;
    const token = randomUUID();
    const res = await this.#r.eval(
      'acquireLock',
      LUA.lockAcquire,
      this.#lockKeys(sessionId),
      () => [token, ttl],
    );
    return this.#lock(sessionId, token, res);
  }

  async extendLock(lock: SessionLock, opts: TtlOptions = {}): Promise<SessionLock | undefined> {
    const sessionId = checkId('sessionId', lock?.sessionId);
    const token = checkId('token', lock.token);
    const ttl = checkTtl('ttlMs', opts.ttlMs, DEFAULT_LOCK_TTL_MS)!;
    const res = await this.#r.eval('extendLock', LUA.lockExtend, this.#lockKeys(sessionId), () => [
      token,
      ttl,
    ]);
    return this.#lock(sessionId, token, res);
  }

  async releaseLock(lock: SessionLock): Promise<boolean> {
    const sessionId = checkId('sessionId', lock?.sessionId);
    const token = checkId('token', lock.token);
    const n = await this.#r.eval(
      'releaseLock',
      LUA.lockRelease,
      [this.#lockKeys(sessionId)[0]!],
      () => [token],
    );
    return Number(n) === 1;
  }

  async #mark(sessionId: string, ttlMs: number | undefined): Promise<boolean> {
    const token = randomUUID();
    const n = await this.#r.eval(
      'session id',
      LUA.claim,
      [`${this.prefix}:sid:${enc(sessionId)}`],
      () => [token, ttlMs ?? ''],
    );
    return Number(n) === 1;
  }

  async claimSessionId(sessionId: string, opts: TtlOptions = {}): Promise<void> {
    checkId('sessionId', sessionId);
    if (!(await this.#mark(sessionId, checkTtl('ttlMs', opts.ttlMs, undefined)))) {
      throw new LocalError('SESSION_REUSED', 'session id was already used', { sessionId });
    }
  }

  async markSessionId(sessionId: string, opts: TtlOptions = {}): Promise<boolean> {
    checkId('sessionId', sessionId);
    return this.#mark(sessionId, checkTtl('ttlMs', opts.ttlMs, undefined));
  }

  async clear(): Promise<number> {
    const match = `${this.prefix}:*`;
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = (await this.#r.eval('clear', LUA.scan, [], () => [cursor, match])) as [
        string,
        string[],
      ];
      cursor = String(next);
      if (keys.length > 0) n += Number(await this.#r.eval('clear', LUA.delMany, [], () => keys));
    } while (cursor !== '0');
    return n;
  }

  async close(): Promise<void> {
    if (!this.#owned) return;
    this.#r.closed = true;
    const c = this.#owned;
    this.#owned = undefined;
    await c?.quit();
  }
}

/**
 * A {@link SessionStore} on an existing Redis client (ioredis or anything with its `eval`).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { envKeyProvider } from 'mpc-tss';
 * import { createRedisSessionStore } from 'mpc-tss/redis';
 *
 * const sessions = createRedisSessionStore({
 *   client: new Redis(process.env.REDIS_URL!),
 *   keyProvider: envKeyProvider(),
 * });
 * const lock = await sessions.acquireLock(sessionId, { ttlMs: 30_000 });
 * ```
 */
export function createRedisSessionStore(opts: RedisSessionStoreOptions): RedisSessionStore {
  return new RedisStore(opts);
}

/**
 * Opens an ioredis client for `url`, importing `ioredis` lazily. Throws `MISSING_DEPENDENCY`
 * (`[redis] install ioredis or pass a client`) when it is not installed.
 *
 * @example
 * ```ts
 * const client = await connectRedis('redis://127.0.0.1:6379', { enableOfflineQueue: false });
 * ```
 */
export async function connectRedis(
  url: string,
  options: Record<string, unknown> = {},
): Promise<RedisOwnedClient> {
  if (typeof url !== 'string' || url.length === 0) {
    throw new LocalError('INVALID_ARGUMENT', '[redis] "url" must be a string');
  }
  const mod = (await importOptional('redis', 'ioredis', () => import('ioredis'))) as unknown as {
    Redis?: RedisCtor;
    default?: RedisCtor | { Redis?: RedisCtor };
  };
  const Ctor =
    mod.Redis ??
    (typeof mod.default === 'function'
      ? mod.default
      : (mod.default as { Redis?: RedisCtor })?.Redis);
  if (!Ctor) throw new LocalError('MISSING_DEPENDENCY', '[redis] install ioredis or pass a client');
  const client = new Ctor(url, options);
  // Connection errors are reported to the operations that hit them (and retried); without a
  // listener ioredis would also print each one.
  client.on('error', () => {});
  return client;
}

type RedisCtor = new (
  url: string,
  opts: Record<string, unknown>,
) => RedisOwnedClient & { on(event: 'error', fn: (e: unknown) => void): unknown };

/** Options of {@link connectRedisSessionStore}. */
export interface RedisConnectOptions extends Omit<RedisSessionStoreOptions, 'client'> {
  /** Redis URL, e.g. `redis://127.0.0.1:6379/0`. */
  url: string;
  /** Extra ioredis options. */
  redisOptions?: Record<string, unknown>;
}

/**
 * Opens an ioredis client (imported lazily) and a {@link SessionStore} that owns it:
 * `close()` quits the client.
 *
 * @example
 * ```ts
 * const sessions = await connectRedisSessionStore({ url: process.env.REDIS_URL!, keyProvider });
 * await sessions.close();
 * ```
 */
export async function connectRedisSessionStore(
  opts: RedisConnectOptions,
): Promise<RedisSessionStore> {
  const { url, redisOptions, ...rest } = opts;
  const client = await connectRedis(url, redisOptions);
  try {
    return new RedisStore({ ...rest, client }, client);
  } catch (e) {
    await client.quit().catch(() => {});
    throw e;
  }
}
