import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMpcError } from '../../src/errors.js';
import {
  callbackKeyProvider,
  envKeyProvider,
  fileKeyProvider,
  staticKeyProvider,
} from '../../src/stores/key-provider.js';

const dir = await mkdtemp(join(tmpdir(), 'mpc-tss-kp-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const raw = randomBytes(32);

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'OK';
  } catch (e) {
    return isMpcError(e) ? e.code : `non-MpcError ${String(e)}`;
  }
}

describe('key providers', () => {
  it('env: hex, base64 and base64url, read at each call', async () => {
    const name = 'MPC_TSS_TEST_KEY_ENV';
    for (const text of [
      raw.toString('hex'),
      raw.toString('hex').toUpperCase(),
      raw.toString('base64'),
      raw.toString('base64url'),
      ` ${raw.toString('hex')}\n`,
    ]) {
      process.env[name] = text;
      expect(Buffer.from(await envKeyProvider(name).getKey()).equals(raw)).toBe(true);
    }
    delete process.env[name];
    expect(await codeOf(() => envKeyProvider(name).getKey())).toBe('INVALID_STATE');
  });

  it('env: a malformed value is rejected without echoing it', async () => {
    const name = 'MPC_TSS_TEST_KEY_BAD';
    process.env[name] = 'secret-looking-but-wrong';
    const err = await (async () => envKeyProvider(name).getKey())().catch((e: unknown) => e);
    expect(isMpcError(err) && err.code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).not.toContain('secret-looking');
    process.env[name] = randomBytes(16).toString('hex');
    expect(await codeOf(() => envKeyProvider(name).getKey())).toBe('INVALID_ARGUMENT');
    delete process.env[name];
  });

  it('file: raw bytes or text; refuses group/world-readable files on POSIX', async () => {
    const bin = join(dir, 'bin.key');
    const txt = join(dir, 'txt.key');
    await writeFile(bin, raw, { mode: 0o600 });
    await writeFile(txt, `${raw.toString('hex')}\n`, { mode: 0o600 });
    expect(Buffer.from(await fileKeyProvider(bin).getKey()).equals(raw)).toBe(true);
    expect(Buffer.from(await fileKeyProvider(txt).getKey()).equals(raw)).toBe(true);
    if (process.platform !== 'win32') {
      await chmod(txt, 0o644);
      expect(await codeOf(() => fileKeyProvider(txt).getKey())).toBe('INVALID_STATE');
      const lax = fileKeyProvider(txt, { allowInsecureMode: true });
      expect(Buffer.from(await lax.getKey()).equals(raw)).toBe(true);
    }
    await writeFile(join(dir, 'short.key'), 'abcd', { mode: 0o600 });
    expect(await codeOf(() => fileKeyProvider(join(dir, 'short.key')).getKey())).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('static: holds its own copy even of a Buffer, and hands out independent copies', async () => {
    const original = Buffer.from(raw);
    const kp = staticKeyProvider(original);
    original.fill(1); // the caller reuses its buffer
    const a = await kp.getKey();
    a.fill(0); // a store wipes its copy after use
    const b = await kp.getKey();
    expect(Buffer.from(b).equals(raw)).toBe(true);
    expect(() => staticKeyProvider(new Uint8Array(31))).toThrow(/INVALID_ARGUMENT/);
  });

  it('callback: passes through what the KMS hook returns', async () => {
    const kp = callbackKeyProvider(async () => new Uint8Array(raw));
    expect(Buffer.from(await kp.getKey()).equals(raw)).toBe(true);
  });
});
