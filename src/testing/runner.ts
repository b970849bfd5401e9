/**
 * The test-runner contract of the conformance suites. The runner is injected (keyv style), so
 * this package never imports vitest, jest or node:test: pass your runner's own functions.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { isMpcError } from '../errors.js';

/** The assertions the suites use; vitest's and jest's `expect` satisfy it. */
export interface Expectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
}

/**
 * Test-runner functions, e.g. `{ describe, it, expect }` from vitest or jest.
 * `beforeEach` and `afterEach` are accepted so one object can be passed to every suite; the
 * store suites create and close a store inside each test and do not need them.
 */
export interface TestRunner {
  describe(name: string, fn: () => void): void;
  /** Registers a test. When the runner passes a context with `skip()` (vitest), tests that
   * need a hook the harness lacks are reported as skipped; otherwise they pass without checks. */
  it(name: string, fn: (ctx?: TestContextLike) => Promise<void>): void;
  expect(actual: unknown): Expectation;
  beforeEach?(fn: () => unknown): void;
  afterEach?(fn: () => unknown): void;
}

/** The part of a test context the suites use (vitest passes one to every test). */
export interface TestContextLike {
  skip?(note?: string): void;
}

/** Options shared by the store suites. */
export interface SuiteOptions {
  /** Name of the top-level `describe` (default: the interface name). */
  name?: string;
  /**
   * Short TTL used by the expiry tests, in ms (default 100). The tests wait 2.5× this long.
   * Raise it for backends with coarse clocks.
   */
  ttlMs?: number;
}

/** A factory result: the store alone, or the store with test hooks. */
export type FactoryResult<S, H extends { store: S }> = S | H;

/** @internal A random id unique to one test. */
export function uid(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** @internal */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** @internal The `MpcError` code of a rejection, `'OK'` when it resolves. */
export async function codeOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'OK';
  } catch (e) {
    if (isMpcError(e)) return e.code;
    return `non-MpcError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

/** @internal Settles all promises and returns the codes (`'OK'` for fulfilled ones). */
export async function codesOf(ps: Promise<unknown>[]): Promise<string[]> {
  return Promise.all(ps.map((p) => codeOf(p)));
}

/** @internal Normalises a factory result into a harness. */
export function toHarness<S extends object, H extends { store: S }>(r: FactoryResult<S, H>): H {
  if (typeof r === 'object' && r !== null && 'store' in r) {
    const s = (r as { store: unknown }).store;
    if (typeof s === 'object' && s !== null) return r as H;
  }
  // Every harness field other than `store` is optional, so a bare store is a valid harness.
  return { store: r as S } as H;
}

/** @internal Every method name an object exposes (own and inherited, minus Object's). */
export function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof (o as Record<string, unknown>)[k] === 'function') {
        names.add(k);
      }
    }
  }
  return [...names].sort();
}

/** @internal Bytes as a plain number array, for assertions that print well. */
export function arr(b: Uint8Array | undefined): number[] | undefined {
  return b === undefined ? undefined : [...b];
}

/** @internal Text of UTF-8 bytes. */
export function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : new TextDecoder().decode(b);
}
