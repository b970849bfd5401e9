/**
 * The last step of every signing protocol, `finishSignature` (SECURITY.md item 11): low-s
 * normalisation with the recovery id flipped to match, verification against y before anything
 * is returned, s ≠ 0, R ≠ identity; and m < q on the way in. Deterministic: the end-to-end tests
 * only hit a high s by chance.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../src/errors.js';
import { bigintToBytes, bytesToBigint, bytesToHex } from '../../src/math/bigint.js';
import { CURVE_ORDER, IDENTITY, invQ, modQ, mulG, type Point } from '../../src/math/curve.js';
import { randomBelow } from '../../src/math/random.js';
import { createOnlineSignParty } from '../../src/protocols/ecdsa/online-gg20/index.js';
import { createSignParty } from '../../src/protocols/ecdsa/sign-gg18/index.js';
import { finishSignature, recoverPublicKey } from '../../src/protocols/ecdsa/signature.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';

const q = CURVE_ORDER;
const HALF = q >> 1n;
const hash = sha256(new TextEncoder().encode('mpc-tss security: finishSignature'));
const m = bytesToBigint(hash) % q;
const x = 1n + randomBelow(q - 1n);
const y = mulG(x);

/** A textbook ECDSA (R, s) for `hash` under x, with s high or low as asked. */
function rawSignature(high: boolean): { R: Point; s: bigint } {
  for (;;) {
    const k = 1n + randomBelow(q - 1n);
    const R = mulG(k);
    const r = R.toAffine().x % q;
    const s = modQ(invQ(k) * (m + r * x));
    if (r !== 0n && s !== 0n && s > HALF === high) return { R, s };
  }
}

describe('finishSignature', () => {
  it('normalises a high s to q − s and flips the recovery id to match', () => {
    const { R, s } = rawSignature(true);
    const sig = finishSignature(R, s, hash, y);
    expect(sig).toBeDefined();
    expect(sig!.s).toBe(q - s);
    expect(sig!.s <= HALF).toBe(true);
    const parity = R.toAffine().y & 1n ? 1 : 0;
    expect(sig!.recoveryId).toBe(parity ^ 1);
    expect(bytesToHex(recoverPublicKey(sig!, hash).toBytes(true))).toBe(
      bytesToHex(y.toBytes(true)),
    );
    expect(
      secp256k1.verify(sig!.compact, hash, y.toBytes(true), { prehash: false, lowS: true }),
    ).toBe(true);
  });

  it('keeps a low s and its recovery id', () => {
    const { R, s } = rawSignature(false);
    const sig = finishSignature(R, s, hash, y)!;
    expect(sig.s).toBe(s);
    expect(sig.recoveryId).toBe(R.toAffine().y & 1n ? 1 : 0);
    expect(bytesToHex(recoverPublicKey(sig, hash).toBytes(true))).toBe(bytesToHex(y.toBytes(true)));
  });

  it('verifies against y before returning: a wrong s, another key or another message give nothing', () => {
    const { R, s } = rawSignature(false);
    expect(finishSignature(R, s + 1n, hash, y)).toBeUndefined();
    expect(finishSignature(R, s, hash, mulG(x + 1n))).toBeUndefined();
    const other = sha256(new TextEncoder().encode('another message'));
    expect(finishSignature(R, s, other, y)).toBeUndefined();
  });

  it('refuses s ≡ 0 and R = identity without throwing', () => {
    const { R } = rawSignature(false);
    expect(finishSignature(R, 0n, hash, y)).toBeUndefined();
    expect(finishSignature(R, q, hash, y)).toBeUndefined();
    expect(finishSignature(IDENTITY, 1n, hash, y)).toBeUndefined();
  });
});

describe('m < q is required before anything is signed', () => {
  const highHash = bigintToBytes(q + 5n, 32);

  it('GG18: createSignParty refuses a message hash ≥ q', () => {
    const shares = makeKeyShares({ n: 2, minSigners: 2 });
    let err: unknown;
    try {
      createSignParty({
        self: 'P1',
        signers: ['P1', 'P2'],
        keyShare: shares[0]!,
        messageHash: highHash,
        sessionId: 'security-m-lt-q',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LocalError);
    expect((err as LocalError).code).toBe('INVALID_ARGUMENT');
  });

  it('GG20 online: createOnlineSignParty refuses a message hash ≥ q before touching the token', () => {
    let err: unknown;
    try {
      createOnlineSignParty({ self: 'P1', presignature: {} as never, messageHash: highHash });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LocalError);
    expect((err as LocalError).shortMessage).toMatch(/curve order/);
  });
});
