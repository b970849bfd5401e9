/**
 * Shared pieces of the GG20 adversarial tests: one malicious signer (P2) among three signers of
 * a 2-of-3 key; a tamper hook that rewrites what it sends; a hook that corrupts its own state
 * once (a consistently malicious party); and the assertion that every honest signer aborts
 * naming exactly P2.
 */
import { expect } from 'vitest';
import { PeerError } from '../../../../src/errors.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import type { Envelope } from '../../../../src/party/index.js';
import type { Party } from '../../../../src/party/types.js';
import {
  type Presignature,
  restorePresignParty,
} from '../../../../src/protocols/ecdsa/presign-gg20/index.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import { type SimulateResult, simulate, type TamperResult } from '../../../support/simulate.js';
import { editState, presignParties } from './helpers.js';

export const q = CURVE_ORDER;
export const shares = makeKeyShares({ n: 3, minSigners: 2 });
export const SIGNERS = ['P1', 'P2', 'P3'];
export const CULPRIT = 'P2';
export const HONEST = ['P1', 'P3'];

export type Edit = (payload: Uint8Array) => Uint8Array;

/** The culprit's messages of `type` are replaced (to every recipient) by `edit(payload)`. */
export function rewrite(type: string, edit: Edit): (env: Envelope) => TamperResult {
  return (env) =>
    env.from === CULPRIT && env.type === type ? { ...env, payload: edit(env.payload) } : undefined;
}

export function expectBlamed<O>(res: SimulateResult<O>, code?: string, round?: number): void {
  // The culprit's own engine may finish the online round: it receives every honest share, which
  // is inherent to a one-round protocol (the signature is on the agreed message anyway).
  for (const id of HONEST) expect(res.outputs.has(id), `${id} must not finish`).toBe(false);
  for (const id of HONEST) {
    const err = res.errors.get(id);
    expect(err, `${id} must abort`).toBeInstanceOf(PeerError);
    expect(err!.culprits, `${id} blames`).toEqual([CULPRIT]);
    if (code !== undefined) expect(err!.code, `${id} code`).toBe(code);
    if (round !== undefined) expect(err!.round, `${id} round`).toBe(round);
  }
}

export function runPresign(
  tamper?: (env: Envelope, to: string) => TamperResult,
  restore?: (p: Party<Presignature>, id: string) => Party<Presignature>,
  sessionId?: string,
) {
  return simulate(presignParties(shares, SIGNERS, sessionId), {
    order: 'fifo',
    ...(tamper ? { tamper } : {}),
    ...(restore ? { restore } : {}),
  });
}

/** Makes the culprit's own state wrong once, after round `round - 1` finalized. */
export function corruptOnce(round: number, edit: (s: Record<string, unknown>) => void) {
  let done = false;
  return (p: Party<Presignature>, id: string): Party<Presignature> => {
    if (done || id !== CULPRIT || p.round !== round || p.status !== 'waiting') return p;
    done = true;
    return editState(p, restorePresignParty, edit);
  };
}

export const bump = (m: Map<string, bigint>) => {
  for (const [k, v] of m) m.set(k, (v + 1n) % q);
};
