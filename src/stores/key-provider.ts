/**
 * Ready-made {@link KeyProvider}s: environment variable, key file, static key, or a callback
 * (for a KMS). Each call returns a fresh buffer that the store wipes after use.
 *
 * Generate a key with `openssl rand -hex 32`, or
 * `node -e "console.log(crypto.randomBytes(32).toString('hex'))"`.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { LocalError } from '../errors.js';
import { zeroize } from '../math/bigint.js';
import type { KeyProvider } from './types.js';

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const B64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Decodes a 32-byte key written as 64 hex digits or as base64/base64url. */
function decodeKeyText(text: string, where: string): Uint8Array {
  const t = text.trim();
  let out: Buffer | undefined;
  if (HEX_KEY.test(t)) out = Buffer.from(t, 'hex');
  else if (B64_KEY.test(t)) out = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (out?.length !== 32) {
    zeroize(out);
    throw new LocalError(
      'INVALID_ARGUMENT',
      `${where} must hold a 32-byte key as 64 hex digits or base64`,
    );
  }
  const key = new Uint8Array(out);
  zeroize(out);
  return key;
}

/**
 * Reads the key from an environment variable (64 hex digits or base64) at every call, so a
 * rotated value is picked up.
 *
 * @param name variable name, default `MPC_TSS_STORE_KEY`
 * @example
 * ```ts
 * // MPC_TSS_STORE_KEY=$(openssl rand -hex 32)
 * const store = createFileKeyShareStore({ dir: './shares', keyProvider: envKeyProvider() });
 * ```
 */
export function envKeyProvider(name = 'MPC_TSS_STORE_KEY'): KeyProvider {
  return {
    getKey() {
      const v = process.env[name];
      if (v === undefined || v === '') {
        throw new LocalError('INVALID_STATE', `environment variable ${name} is not set`);
      }
      return decodeKeyText(v, `environment variable ${name}`);
    },
  };
}

/**
 * Reads the key from a file (32 raw bytes, or 64 hex digits / base64 text) at every call.
 * On POSIX systems the file must not be readable by group or others (like an SSH key), unless
 * `allowInsecureMode` is set.
 *
 * @example
 * ```ts
 * // openssl rand -hex 32 > /etc/mpc/store.key && chmod 600 /etc/mpc/store.key
 * const keyProvider = fileKeyProvider('/etc/mpc/store.key');
 * ```
 */
export function fileKeyProvider(
  path: string,
  opts: { allowInsecureMode?: boolean } = {},
): KeyProvider {
  return {
    async getKey() {
      if (!opts.allowInsecureMode && process.platform !== 'win32') {
        const st = await stat(path);
        if ((st.mode & 0o077) !== 0) {
          throw new LocalError(
            'INVALID_STATE',
            `key file ${path} is accessible by group or others; run chmod 600`,
          );
        }
      }
      const raw = await readFile(path);
      try {
        if (raw.length === 32) return new Uint8Array(raw);
        return decodeKeyText(raw.toString('latin1'), `key file ${path}`);
      } finally {
        zeroize(raw);
      }
    },
  };
}

/**
 * Wraps a callback, typically a KMS call that unwraps a data key. It must return a fresh
 * 32-byte buffer each time: the store wipes it after use.
 *
 * @example
 * ```ts
 * const keyProvider = callbackKeyProvider(async () => {
 *   const { Plaintext } = await kms.decrypt({ CiphertextBlob: wrappedDataKey });
 *   return new Uint8Array(Plaintext);
 * });
 * ```
 */
export function callbackKeyProvider(fn: () => Promise<Uint8Array> | Uint8Array): KeyProvider {
  return { getKey: () => fn() };
}

/**
 * Holds a key in memory and hands out copies. Convenient for tests and development; in
 * production prefer {@link envKeyProvider}, {@link fileKeyProvider} or a KMS callback.
 *
 * @example
 * ```ts
 * const keyProvider = staticKeyProvider(crypto.getRandomValues(new Uint8Array(32)));
 * ```
 */
export function staticKeyProvider(key: Uint8Array): KeyProvider {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new LocalError('INVALID_ARGUMENT', '"key" must be 32 bytes');
  }
  // new Uint8Array(x) always copies; Buffer#slice would return a view of the caller's memory.
  const held = new Uint8Array(key);
  return { getKey: () => new Uint8Array(held) };
}
