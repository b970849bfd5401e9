/**
 * Side channels and randomness (SECURITY.md item 16): every secret-exponent modulus class is
 * served by the native constant-time path, sampling comes from the platform CSPRNG with
 * rejection sampling (never `Math.random`), and the package exposes no switch that turns the
 * native path or a proof off.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashCommit } from '../../src/hash/commitment.js';
import * as api from '../../src/index.js';
import { CURVE_ORDER } from '../../src/math/curve.js';
import { isNativeModulus, modPowBigInt, modPowNative } from '../../src/math/modexp.js';
import { randomBelow, randomBits, randomInRange, randomUnit } from '../../src/math/random.js';
import { encrypt } from '../../src/paillier/paillier.js';
import { newSessionNonce } from '../../src/protocols/ecdsa/ssid.js';
import { splitSecret } from '../../src/vss/feldman.js';
import { proveRangeAlice } from '../../src/zk/mta/index.js';
import { proveSchnorr } from '../../src/zk/schnorr.js';
import { paillierKey, primes, ringPedersen } from './support.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'gen' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CSPRNG only', () => {
  it('no source file calls Math.random (comments aside)', () => {
    const hits: string[] = [];
    for (const file of sourceFiles(SRC)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trim();
          if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
          if (/Math\s*\.\s*random/.test(code)) hits.push(`${file}:${i + 1}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('samplers, commitments, encryption and provers draw from crypto.getRandomValues, never Math.random', () => {
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random must not be used');
    });
    const csprng = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const sk = paillierKey(0);
    const rp = ringPedersen(1).pub;
    const k = randomBelow(CURVE_ORDER);
    randomUnit(sk.n);
    randomInRange(5n, 10n ** 40n);
    newSessionNonce();
    hashCommit({ profile: 'native', ssid: new Uint8Array(32).fill(1), sender: 0 }, [1n, 2n]);
    splitSecret(1n + k, 1, [1n, 2n, 3n]);
    const { c, r } = encrypt(sk.publicKey, k);
    proveRangeAlice(
      { profile: 'native', ssid: new Uint8Array(32).fill(2), prover: 0 },
      sk.publicKey,
      { nTilde: rp.ntilde, h1: rp.h1, h2: rp.h2 },
      c,
      k,
      r,
    );
    proveSchnorr({ profile: 'native', ssid: new Uint8Array(32).fill(3), prover: 0 }, 1n + k);
    expect(csprng).toHaveBeenCalled();
    expect(Math.random).not.toHaveBeenCalled();
  });

  it('randomBelow is rejection sampling: uniform on [0, n), no modulo bias', () => {
    // A 2-bit draw reduced mod 3 would give 0 half of the time; rejection gives 1/3 each.
    const counts = [0, 0, 0];
    const draws = 30_000;
    for (let i = 0; i < draws; i++) {
      const v = randomBelow(3n);
      expect(v >= 0n && v < 3n).toBe(true);
      counts[Number(v)]!++;
    }
    for (const c of counts) expect(Math.abs(c - draws / 3)).toBeLessThan(600); // ≈ 7σ
    // Bounds: [min, max) exactly, and bit widths respected.
    for (let i = 0; i < 2000; i++) {
      const v = randomInRange(10n, 12n);
      expect(v === 10n || v === 11n).toBe(true);
      expect(randomBits(5) < 32n).toBe(true);
      const w = randomBelow((1n << 256n) + 1n);
      expect(w <= 1n << 256n).toBe(true);
    }
  });
});

describe('native constant-time modexp covers every secret-exponent modulus', () => {
  const { p, q, P, Q } = primes(0);
  const N = p * q;
  const moduli: [string, bigint][] = [
    ['Paillier prime p (CRT decryption, Π^mod prover)', p],
    ['Paillier prime q', q],
    ['p² (CRT decryption mod N²)', p * p],
    ['q²', q * q],
    ['N (Π^mod, Paillier-key proof)', N],
    ['N² (encryption nonce r^N, MtA b·c)', N * N],
    ['safe prime P of Ñ (DLN prover CRT)', P],
    ['safe prime Q of Ñ', Q],
    ['Ñ (ring-Pedersen commitments h1^m·h2^ρ)', P * Q],
  ];
  it.each(moduli)('%s is served by OpenSSL', (_name, m) => {
    expect(isNativeModulus(m)).toBe(true);
    const b = randomBelow(m);
    const e = randomBelow(m);
    expect(modPowNative(b, e, m)).toBe(modPowBigInt(b, e, m));
  });

  it('the package entry point exports no switch for the native path or for any proof', () => {
    const names = Object.keys(api);
    expect(names).not.toContain('setNativeModPow');
    expect(
      names.filter((n) => /skip|disabl|unsafe|insecure|noproof|withoutproof/i.test(n)),
    ).toEqual([]);
  });
});
