import { describe, expect, it } from 'vitest';
import { createKeygenParty } from '../../../../src/protocols/ecdsa/keygen/index.js';
import { preParamsFromTssLib } from '../../../../src/protocols/ecdsa/preparams.js';
import { describeInterop, readInterop } from '../../../support/interop.js';
import { e2eCases } from './e2e.js';
import { expectConsistentShares, partyIds, run } from './harness.js';

describe('ECDSA keygen end to end, tss-lib profile', () => {
  e2eCases('tss-lib');
});

describeInterop('ECDSA keygen with pre-params imported from tss-lib key files', () => {
  it('runs a 2-of-3 tss-lib-profile keygen on tss-lib LocalPreParams', () => {
    const ids = partyIds(3);
    const pre = ids.map((_, i) =>
      preParamsFromTssLib(readInterop(`tss-lib-fixtures/ecdsa/keygen_data_${i}.json`)),
    );
    const parties = ids.map((self, i) =>
      createKeygenParty({
        self,
        parties: ids,
        minSigners: 2,
        sessionId: 'tss-lib-fixture-pre',
        preParams: pre[i]!,
        profile: 'tss-lib',
      }),
    );
    const shares = expectConsistentShares(run(parties), ids, 2);
    expect(shares[0]!.parties.map((p) => p.paillierN).sort()).toEqual(
      pre.map((p) => p.paillierN).sort(),
    );
  });
});
