/**
 * Real backing services for adapter tests (never mocks): PostgreSQL and Redis.
 *
 * Each is probed once per test file with a short timeout. When it answers, the tests run.
 * When it does not: under CI (CI=true) the run FAILS; elsewhere the tests are skipped with a
 * visible console message. Override the addresses with MPC_TSS_PG_URL and MPC_TSS_REDIS_URL.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, it } from 'vitest';

/** Connection string of the test PostgreSQL database. */
export const PG_URL = process.env.MPC_TSS_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** URL of the test Redis server. */
export const REDIS_URL = process.env.MPC_TSS_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Result of a probe: `error` is set when the service is unreachable. */
export interface Service {
  name: string;
  url: string;
  error?: string;
}

const inCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/** Hides a password in a URL before it is printed. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes PostgreSQL with `SELECT 1`. */
export async function probePostgres(url = PG_URL, timeoutMs = 2000): Promise<Service> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), timeoutMs, 'connect');
    await withTimeout(client.query('SELECT 1'), timeoutMs, 'SELECT 1');
    return { name: 'PostgreSQL', url };
  } catch (e) {
    return { name: 'PostgreSQL', url, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Probes Redis with `PING`. */
export async function probeRedis(url = REDIS_URL, timeoutMs = 2000): Promise<Service> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), timeoutMs, 'connect');
    await withTimeout(client.ping(), timeoutMs, 'PING');
    return { name: 'Redis', url };
  } catch (e) {
    return { name: 'Redis', url, error: e instanceof Error ? e.message : String(e) };
  } finally {
    client.disconnect();
  }
}

/**
 * `describe` for tests that need `service`: runs them when it answered; otherwise fails under CI
 * and skips with a console message elsewhere.
 */
export function describeWithService(name: string, service: Service, fn: () => void): void {
  if (service.error === undefined) {
    describe(name, fn);
    return;
  }
  const why = `${service.name} at ${redact(service.url)} is unreachable (${service.error})`;
  if (inCI()) {
    describe(name, () => {
      it(`requires ${service.name} under CI`, () => {
        throw new Error(`${why}; CI=true requires it`);
      });
    });
  } else {
    console.warn(`[mpc-tss tests] skipping "${name}": ${why}`);
    describe.skip(name, fn);
  }
}
