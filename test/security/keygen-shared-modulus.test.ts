/**
 * N unique across parties (SECURITY.md item 1), in the one case the per-message checks cannot
 * see: two colluding parties announce the same Paillier modulus and both know its factors, so
 * both pass Π^mod and Π^fac (a copier who does not know the factors already fails those, which
 * the existing tests cover). Only the cross-party check of round 2 (`checkModuliDistinct`) stops
 * this; it had no triggering test. The honest party must name both colluders.
 */
import { describe, expect, it } from 'vitest';
import type { KeyShare } from '../../src/keyshare.js';
import { createParty } from '../../src/party/engine.js';
import {
  createKeygenParty,
  ecdsaKeygenNative,
  type KeygenState,
  type Round1Message,
  resolveKeygenSetup,
  verifyRound1,
} from '../../src/protocols/ecdsa/keygen/index.js';
import { keygenRound1 } from '../../src/protocols/ecdsa/keygen/round2.js';
import { positionOf, proofCtx } from '../../src/protocols/ecdsa/keygen/types.js';
import { type PreParams, preParamsFromPrimes } from '../../src/protocols/ecdsa/preparams.js';
import { simulate } from '../support/simulate.js';
import { expectNamed, primes } from './support.js';

const ids = ['p-a', 'p-b', 'p-c'];
const [H, C1, C2] = ids as [string, string, string];
const sessionId = 'security-keygen-shared-n';

/** Pre-params with the Ñ of fixture set `i` and the Paillier key of set `paillierFrom`. */
function pre(i: number, paillierFrom = i): PreParams {
  const n = primes(i);
  const p = primes(paillierFrom);
  return preParamsFromPrimes({ paillierP: p.p, paillierQ: p.q, ntildeP: n.P, ntildeQ: n.Q });
}

const options = (self: string, preParams: PreParams) => ({
  self,
  parties: ids,
  minSigners: 2,
  sessionId,
  preParams,
});

/** The real keygen, except that a colluder skips its own "N equals ours" check in round 1. */
const colluderDef = {
  ...ecdsaKeygenNative,
  rounds: [
    {
      ...keygenRound1,
      verify: (_type: string, msg: unknown, from: string, state: KeygenState) =>
        verifyRound1(proofCtx(state, positionOf(state, from)), msg as Round1Message),
    },
    ...ecdsaKeygenNative.rounds.slice(1),
  ],
};

const colluder = (self: string, preParams: PreParams) =>
  createParty(
    colluderDef,
    { self, parties: ids, sessionId },
    resolveKeygenSetup(options(self, preParams)),
  );

describe('keygen: Paillier moduli are unique across parties (item 1)', () => {
  it('two colluders sharing one N (both know its factors) are both named by the honest party', () => {
    const res = simulate<KeyShare>(
      [createKeygenParty(options(H, pre(0))), colluder(C1, pre(1)), colluder(C2, pre(2, 1))],
      { seed: 7, keepSending: [C1, C2] },
    );
    const { p, q } = primes(0);
    expectNamed(res.steps, [H], C1, { code: 'DUPLICATE_PARAMETER', secrets: [p, q] });
    expect([...res.steps.get(H)!.error!.culprits].sort()).toEqual([C1, C2]);
    expect(res.steps.get(H)!.error!.round).toBe(2);
  });
});
