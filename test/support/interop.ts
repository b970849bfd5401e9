/**
 * Locates ../shared/interop (override with MPC_TSS_INTEROP_DIR). Outside CI, tests that need it
 * skip with a visible message when it is absent; with CI=true its absence fails the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Absolute path of the interop folder (may not exist). */
export const INTEROP_DIR = resolve(
  process.env.MPC_TSS_INTEROP_DIR ?? join(here, '..', '..', '..', 'shared', 'interop'),
);

/** Whether the interop folder is present. */
export const hasInterop = existsSync(join(INTEROP_DIR, 'golden'));

/** Reads a file under the interop folder as text. */
export function readInterop(rel: string): string {
  return readFileSync(join(INTEROP_DIR, rel), 'utf8');
}

/**
 * `describe` for interop tests: runs when the data is present; otherwise fails under CI and
 * skips with a message elsewhere.
 */
export function describeInterop(name: string, fn: () => void): void {
  if (hasInterop) {
    describe(name, fn);
  } else if (process.env.CI === 'true' || process.env.CI === '1') {
    describe(name, () => {
      it('requires ../shared/interop under CI', () => {
        throw new Error(`interop data not found at ${INTEROP_DIR} (set MPC_TSS_INTEROP_DIR)`);
      });
    });
  } else {
    console.warn(`[mpc-tss tests] skipping "${name}": interop data not found at ${INTEROP_DIR}`);
    describe.skip(name, fn);
  }
}
