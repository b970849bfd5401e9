/**
 * Lazy loading of optional peer dependencies (`pg`, `ioredis`, ...). Adapters call this only
 * when given a connection string instead of a client, so the core never imports them.
 * @internal
 * @module
 */
import { LocalError } from '../errors.js';

const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Runs `importer` (a thunk around a literal `import('pkg')`). When the package is missing,
 * throws `MISSING_DEPENDENCY` with the message `[adapter] install pkg or pass a client`.
 */
export async function importOptional<T>(
  adapter: string,
  pkg: string,
  importer: () => Promise<T>,
): Promise<T> {
  try {
    return await importer();
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NOT_FOUND_CODES.has(code)) {
      throw new LocalError('MISSING_DEPENDENCY', `[${adapter}] install ${pkg} or pass a client`, {
        cause: e,
      });
    }
    throw new LocalError('STORE_ERROR', `[${adapter}] could not load ${pkg}`, { cause: e });
  }
}
