/** The round-3 Paillier-key proof (GMR98, tss-lib `paillier.Proof`) in both profiles. */
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../../../src/errors.js';
import { mulG } from '../../../../src/math/curve.js';
import type { Profile } from '../../../../src/profile.js';
import {
  PAILLIER_PROOF_ITERATIONS,
  provePaillierKey,
  verifyPaillierKey,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { fixturePreParams } from './fixtures.js';

const pre = fixturePreParams(5);
const pub = mulG(123456789n);
const ssid = new Uint8Array(32).fill(9);

function codeOf(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    return (e as VerifyError).code;
  }
  return 'OK';
}

describe('Paillier-key proof', () => {
  for (const profile of ['native', 'tss-lib'] as Profile[]) {
    it(`proves and verifies, bound to key and public key (${profile})`, () => {
      const ctx = { profile, ssid, prover: 1, key: 77n };
      const { paillierN: N, paillierP: p, paillierQ: q } = pre;
      const proof = provePaillierKey(ctx, N, p, q, pub);
      expect(proof).toHaveLength(PAILLIER_PROOF_ITERATIONS);
      expect(codeOf(() => verifyPaillierKey(ctx, N, pub, proof))).toBe('OK');
      expect(codeOf(() => verifyPaillierKey({ ...ctx, key: 78n }, N, pub, proof))).toBe(
        'PROOF_INVALID',
      );
      expect(codeOf(() => verifyPaillierKey(ctx, N, mulG(5n), proof))).toBe('PROOF_INVALID');
      if (profile === 'native') {
        expect(codeOf(() => verifyPaillierKey({ ...ctx, prover: 2 }, N, pub, proof))).toBe(
          'PROOF_INVALID',
        );
      }
      expect(codeOf(() => verifyPaillierKey(ctx, N, pub, proof.slice(1)))).toBe('MALFORMED');
      expect(codeOf(() => verifyPaillierKey(ctx, N, pub, [0n, ...proof.slice(1)]))).toBe(
        'OUT_OF_RANGE',
      );
      expect(codeOf(() => verifyPaillierKey(ctx, N, pub, [N, ...proof.slice(1)]))).toBe(
        'OUT_OF_RANGE',
      );
      // A modulus with a small prime factor is refused outright.
      const bad = N - (N % 3n); // divisible by 3
      expect(
        codeOf(() =>
          verifyPaillierKey(
            ctx,
            bad,
            pub,
            proof.map((y) => y % bad || 1n),
          ),
        ),
      ).toBe('PROOF_INVALID');
    });
  }
});
