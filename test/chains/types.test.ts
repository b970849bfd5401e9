import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import {
  _loadPeer,
  _normalizeSignature,
  _publicKeyPoint,
  _signChecked,
  type ThresholdSigner,
} from '../../src/chains/types.js';
import { LocalError, VerifyError } from '../../src/errors.js';
import { CURVE_N, singleKeySigner, tamper, testKey } from './support.js';

const key = testKey(7);
const point = _publicKeyPoint(key.publicKey, 'ethereum');
const digest = new Uint8Array(32).map((_, i) => i * 7 + 1);

async function rawSig() {
  return (await singleKeySigner(key.secretKey)(digest)) as {
    r: bigint;
    s: bigint;
    recoveryId: 0 | 1;
  };
}

describe('chain signature checks', () => {
  it('passes a good low-s signature through unchanged', async () => {
    const sig = await rawSig();
    expect(_normalizeSignature(sig, digest, point, 'ethereum')).toEqual(sig);
  });

  it('normalises high s and flips the parity of the recovery id', async () => {
    const sig = await rawSig();
    const high = { r: sig.r, s: CURVE_N - sig.s, recoveryId: (sig.recoveryId ^ 1) as 0 | 1 };
    expect(_normalizeSignature(high, digest, point, 'ethereum')).toEqual(sig);
  });

  it('recomputes a missing, wrong or nonsense recovery id', async () => {
    const sig = await rawSig();
    for (const recoveryId of [undefined, sig.recoveryId ^ 1, 2, 3, 9, -1, 0.5, '1']) {
      expect(
        _normalizeSignature({ r: sig.r, s: sig.s, recoveryId }, digest, point, 'ethereum'),
      ).toEqual(sig);
    }
    // high s and no recovery id at all
    expect(_normalizeSignature({ r: sig.r, s: CURVE_N - sig.s }, digest, point, 'bitcoin')).toEqual(
      sig,
    );
  });

  it('rejects signatures that do not verify against the key', async () => {
    const sig = await rawSig();
    const otherDigest = digest.slice();
    otherDigest[0]! ^= 1;
    const cases: unknown[] = [
      { ...sig, s: sig.s + 1n },
      { ...sig, r: sig.r ^ 2n },
      { r: 0n, s: sig.s },
      { r: sig.r, s: CURVE_N },
      { r: Number(1), s: sig.s },
      null,
      'sig',
    ];
    for (const c of cases) {
      expect(() => _normalizeSignature(c, digest, point, 'ethereum')).toThrow(VerifyError);
    }
    expect(() => _normalizeSignature(sig, otherDigest, point, 'ethereum')).toThrow(
      /does not verify/,
    );
    const other = _publicKeyPoint(testKey(8).publicKey, 'bitcoin');
    expect(() => _normalizeSignature(sig, digest, other, 'bitcoin')).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
    );
  });

  it('_signChecked checks the digest length and hands the signer a copy', async () => {
    const seen: Uint8Array[] = [];
    const signer: ThresholdSigner = async (d) => {
      seen.push(d);
      const out = await singleKeySigner(key.secretKey)(d);
      d.fill(0); // a misbehaving callback mutating its input must not change what we verify
      return out;
    };
    const d = digest.slice();
    const sig = await _signChecked(signer, d, point, 'ethereum');
    expect(d).toEqual(digest);
    expect(seen[0]).not.toBe(d);
    expect(
      secp256k1.verify(new secp256k1.Signature(sig.r, sig.s).toBytes(), digest, key.publicKey, {
        prehash: false,
      }),
    ).toBe(true);
    for (const bad of [new Uint8Array(31), new Uint8Array(33), 'ab'.repeat(32), undefined]) {
      await expect(_signChecked(signer, bad as never, point, 'ethereum')).rejects.toMatchObject({
        name: 'LocalError',
        code: 'INVALID_ARGUMENT',
      });
    }
  });

  it('a signer returning garbage is caught', async () => {
    const inner = singleKeySigner(key.secretKey);
    const bad = tamper(inner, () => ({ r: 'x', s: 1n }));
    await expect(_signChecked(bad, digest, point, 'bitcoin')).rejects.toBeInstanceOf(VerifyError);
  });
});

describe('optional peer loading', () => {
  it('turns "module not found" into MISSING_DEPENDENCY', async () => {
    const name = 'mpc-tss-no-such-package';
    const err = await _loadPeer('bitcoin', name, () => import(/* @vite-ignore */ name)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LocalError);
    expect(err).toMatchObject({
      code: 'MISSING_DEPENDENCY',
      message: `[mpc-tss] MISSING_DEPENDENCY: [bitcoin] install ${name}`,
    });
  });

  it('keeps other load failures as they are', async () => {
    const boom = new SyntaxError('Unexpected token');
    await expect(_loadPeer('ethereum', 'x', () => Promise.reject(boom))).rejects.toBe(boom);
    // A module that is present but fails to find one of *its* dependencies is not "missing".
    const nested = Object.assign(new Error("Cannot find module 'other-pkg'"), {
      code: 'MODULE_NOT_FOUND',
    });
    await expect(_loadPeer('ethereum', 'x-pkg', () => Promise.reject(nested))).rejects.toBe(nested);
  });

  it('loads a package that is installed', async () => {
    const m = await _loadPeer('bitcoin', 'bitcoinjs-lib', () => import('bitcoinjs-lib'));
    expect(typeof m.Psbt).toBe('function');
  });
});
