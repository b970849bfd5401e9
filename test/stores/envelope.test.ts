import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMpcError } from '../../src/errors.js';
import {
  ENVELOPE_OVERHEAD,
  fetchKey,
  seal,
  sealWith,
  unseal,
  unsealWith,
} from '../../src/stores/envelope.js';
import { callbackKeyProvider } from '../../src/stores/key-provider.js';

const key = new Uint8Array(randomBytes(32));
const msg = new TextEncoder().encode('threshold key share');

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return isMpcError(e) ? e.code : `non-MpcError ${String(e)}`;
  }
}

describe('sealed record envelope', () => {
  it('round-trips and starts with the versioned header', () => {
    const s = seal(key, 'key-share', ['k', 'p'], msg);
    expect([...s.subarray(0, 6)]).toEqual([0x4d, 0x54, 0x53, 0x45, 1, 1]);
    expect(s.length).toBe(msg.length + ENVELOPE_OVERHEAD);
    expect(unseal(key, 'key-share', ['k', 'p'], s, 'x')).toEqual(msg);
  });

  it('uses a fresh random nonce each time', () => {
    const nonces = new Set(
      Array.from({ length: 50 }, () =>
        Buffer.from(seal(key, 'snapshot', ['s'], msg).subarray(6, 18)).toString('hex'),
      ),
    );
    expect(nonces.size).toBe(50);
  });

  it('binds purpose and address; length prefixes stop part-boundary games', () => {
    const s = seal(key, 'key-share', ['ab', 'c'], msg);
    expect(codeOf(() => unseal(key, 'snapshot', ['ab', 'c'], s, 'x'))).toBe('STORE_CORRUPT');
    expect(codeOf(() => unseal(key, 'key-share', ['a', 'bc'], s, 'x'))).toBe('STORE_CORRUPT');
    expect(codeOf(() => unseal(key, 'key-share', ['ab', 'c', ''], s, 'x'))).toBe('STORE_CORRUPT');
    const other = new Uint8Array(randomBytes(32));
    expect(codeOf(() => unseal(other, 'key-share', ['ab', 'c'], s, 'x'))).toBe('STORE_CORRUPT');
  });

  it('any flipped bit or any truncation is STORE_CORRUPT, never plaintext', () => {
    const s = seal(key, 'key-share', ['k', 'p'], msg);
    fc.assert(
      fc.property(fc.nat({ max: s.length * 8 - 1 }), (bit) => {
        const t = s.slice();
        t[bit >> 3]! ^= 1 << (bit & 7);
        expect(codeOf(() => unseal(key, 'key-share', ['k', 'p'], t, 'x'))).toBe('STORE_CORRUPT');
      }),
    );
    for (let len = 0; len < s.length; len++) {
      const code = codeOf(() => unseal(key, 'key-share', ['k', 'p'], s.subarray(0, len), 'x'));
      expect(code).toBe('STORE_CORRUPT');
    }
  });

  it('error messages name the record, never its content', () => {
    const s = seal(key, 'key-share', ['k', 'p'], msg);
    s[20]! ^= 1;
    try {
      unseal(key, 'key-share', ['k', 'p'], s, 'key share (k, p)');
    } catch (e) {
      expect((e as Error).message).toContain('key share (k, p) is corrupt');
      expect((e as Error).message).not.toContain('threshold');
    }
  });

  it('wipes the key buffers it gets from the provider', async () => {
    const handed: Uint8Array[] = [];
    const kp = callbackKeyProvider(() => {
      const k = new Uint8Array(key);
      handed.push(k);
      return k;
    });
    const s = await sealWith(kp, 'presignature', ['a'], msg);
    expect(await unsealWith(kp, 'presignature', ['a'], s, 'x')).toEqual(msg);
    expect(handed.length).toBe(2);
    for (const k of handed) expect(k.every((b) => b === 0)).toBe(true);
  });

  it('rejects providers that return a wrong-size key (wiping it) or fail', async () => {
    const short = new Uint8Array(16).fill(7);
    const err = await fetchKey(callbackKeyProvider(() => short)).catch((e: unknown) => e);
    expect(isMpcError(err) && err.code).toBe('INVALID_ARGUMENT');
    expect(short.every((b) => b === 0)).toBe(true);
    const failing = callbackKeyProvider(async () => {
      throw new Error('kms down');
    });
    const err2 = await fetchKey(failing).catch((e: unknown) => e);
    expect(isMpcError(err2) && err2.code).toBe('STORE_ERROR');
  });
});
