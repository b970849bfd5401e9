/**
 * Snapshots: every party is replaced by `restoreParty(snapshot)` after each of its steps; the
 * restored party resends exactly the same bytes (no randomness redrawn) and the keygen finishes
 * with consistent shares, in both profiles.
 */
import { describe, expect, it } from 'vitest';
import type { KeyShare } from '../../../../src/keyshare.js';
import { restoreParty } from '../../../../src/party/engine.js';
import { encodeEnvelope } from '../../../../src/party/index.js';
import type { Party } from '../../../../src/party/types.js';
import type { Profile } from '../../../../src/profile.js';
import { ecdsaKeygenProtocols } from '../../../../src/protocols/ecdsa/keygen/index.js';
import { expectConsistentShares, honestParties, partyIds, run } from './harness.js';

const hex = (p: Party<KeyShare>) =>
  p.sent().map((e) => Buffer.from(encodeEnvelope(e)).toString('hex'));

describe('ECDSA keygen snapshots', () => {
  for (const profile of ['native', 'tss-lib'] as Profile[]) {
    it(`restores after every step and finishes (${profile}, 2-of-3)`, () => {
      const ids = partyIds(3);
      let restores = 0;
      const res = run(
        honestParties({ profile, ids, minSigners: 2, sessionId: `snap-${profile}` }),
        {
          seed: 11,
          restore: (p) => {
            const snap = p.snapshot();
            // A fresh object, found through the explicit definitions (no registry needed).
            const q = restoreParty<KeyShare>(snap, ecdsaKeygenProtocols);
            expect(q.status).toBe(p.status);
            expect(q.round).toBe(p.round);
            expect(hex(q)).toEqual(hex(p));
            expect(q.current().waitingFor).toEqual(p.current().waitingFor);
            // Snapshots are deterministic: restoring and snapshotting again gives the same JSON.
            expect(q.snapshot()).toBe(snap);
            restores++;
            return q;
          },
        },
      );
      expect(restores).toBeGreaterThan(15);
      const shares = expectConsistentShares(res, ids, 2);
      // A finished party restores to the same output.
      const done = res.parties.get(ids[0]!)!;
      const again = restoreParty<KeyShare>(done.snapshot());
      expect(again.status).toBe('done');
      expect(again.current().output).toEqual(shares[0]);
    });
  }
});
