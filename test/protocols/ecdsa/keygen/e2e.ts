/** Shared end-to-end keygen cases, run once per profile by the two test files. */
import { expect, it } from 'vitest';
import { parseKeyShare, serializeKeyShare } from '../../../../src/keyshare.js';
import type { Profile } from '../../../../src/profile.js';
import { expectConsistentShares, honestParties, partyIds, run } from './harness.js';

export function e2eCases(profile: Profile): void {
  // [minSigners, n]: 2-of-3, 3-of-5, and the smallest allowed configuration 2-of-2 (the issue's
  // "1-of-2" read as t = 1 with n = 2: a single signer, t = 0, is forbidden by SECURITY.md 9).
  const cases: [number, number][] = [
    [2, 3],
    [3, 5],
    [2, 2],
  ];
  for (const [m, n] of cases) {
    it(`${m}-of-${n} (${profile}): consistent shares, any ${m} reconstruct the key`, () => {
      const ids = partyIds(n);
      const res = run(honestParties({ profile, ids, minSigners: m, sessionId: `e2e-${m}-${n}` }), {
        seed: m * 31 + n,
      });
      const shares = expectConsistentShares(res, ids, m);
      // Serialization round trip of every share (parse validates everything).
      for (const sh of shares) expect(parseKeyShare(serializeKeyShare(sh))).toEqual(sh);
      // Wire: 1 + (n − 1) + 1 + 1 (+1 native Schnorr) + 1 echo-confirm envelopes per party.
      const perParty = 1 + (n - 1) + 1 + 1 + 1 + (profile === 'native' ? 1 : 0);
      expect(res.wire.messages).toBe(n * perParty);
    });
  }
}
