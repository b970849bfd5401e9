/**
 * Keygen refuses a degenerate key (SECURITY.md item 9: "reject a public key y that is the
 * identity, and reject x_i = 0"); neither check had a triggering test.
 *
 * A real adversary cannot aim at these values: it commits to its polynomial (round-1 hash
 * commitment) before it sees anyone else's. The test plays a *rushing* dealer that was handed
 * the honest parties' polynomials anyway (read from their snapshots), so that the checks fire.
 * GG18 keygen cannot attribute this from public data, so every other party is named as a
 * suspect; what matters is that nobody outputs a degenerate key and nothing crashes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { flattenPoints, hashCommitWithRandomness } from '../../src/hash/commitment.js';
import { CURVE_ORDER, invQ, modQ, mulG } from '../../src/math/curve.js';
import { randomBelow, randomBits } from '../../src/math/random.js';
import { decodeValue } from '../../src/party/codec.js';
import type { OutMsg } from '../../src/party/types.js';
import {
  decodeRound1,
  encodeRound1,
  encodeSchnorr,
  type KeygenState,
} from '../../src/protocols/ecdsa/keygen/index.js';
import { commitCtx, schnorrCtx } from '../../src/protocols/ecdsa/keygen/types.js';
import { proveSchnorr } from '../../src/zk/schnorr.js';
import {
  maliciousParty,
  partyIds,
  restore,
  run,
  type Session,
  startedSnapshots,
} from '../protocols/ecdsa/keygen/harness.js';
import { interpolateAtZero } from '../support/lagrange.js';
import { expectNamed } from './support.js';

const q = CURVE_ORDER;
const S: Session = {
  profile: 'native',
  ids: partyIds(3),
  minSigners: 2,
  sessionId: 'security-keygen-degenerate',
};
const [A, B, M] = S.ids as [string, string, string];
const HONEST = [A, B];

let snaps: Map<string, string>;
beforeAll(() => {
  snaps = startedSnapshots(S);
});

/** The keygen state inside an honest party's snapshot (the rushing adversary's cheat sheet). */
function stateOf(id: string): KeygenState {
  const snap = JSON.parse(snaps.get(id)!) as { state: unknown };
  return decodeValue(snap.state) as KeygenState;
}

/** u_j = f_j(0) of an honest dealer, from the shares it dealt (t = 1: two points suffice). */
function secretOf(id: string): bigint {
  const s = stateOf(id);
  return interpolateAtZero([0, 1].map((j) => ({ index: s.keys[j]!, value: s.shares[j]! })));
}

/**
 * A malicious M that deals f(x) = a0 + a1·x instead of a random polynomial, consistently:
 * round-1 commitment, decommitment, every share and the Schnorr proof of a0 all match.
 */
function dealer(a0: bigint, a1: bigint) {
  return maliciousParty(S, M, {
    r1: (out: OutMsg[], state: KeygenState) => {
      const shares = state.keys.map((k) => modQ(a0 + a1 * k));
      const cmt = hashCommitWithRandomness(
        commitCtx(state, state.me),
        randomBits(256),
        flattenPoints([mulG(a0), mulG(a1)]),
      );
      const payload = encodeRound1({
        ...decodeRound1(out[0]!.payload),
        commitment: cmt.commitment,
      });
      const schnorr = encodeSchnorr(proveSchnorr(schnorrCtx(state, state.me), a0));
      return {
        out: [{ ...out[0]!, payload }],
        state: { ...state, decommit: cmt.decommitment, shares, schnorr },
      };
    },
  });
}

/** The honest parties' polynomial secrets, shares and Paillier factors. */
const secrets = (): bigint[] =>
  HONEST.flatMap((id) => {
    const s = stateOf(id);
    return [secretOf(id), ...s.shares, s.pre.paillierP, s.pre.paillierQ];
  });

const nonZero = () => 1n + randomBelow(q - 1n);

describe('keygen: degenerate outputs are refused (item 9)', () => {
  it('a rushing dealer forcing y = identity: every honest party aborts, no key', () => {
    const a0 = modQ(-(secretOf(A) + secretOf(B)));
    const res = run([restore(snaps.get(A)!), restore(snaps.get(B)!), dealer(a0, nonZero())]);
    expectNamed(res.steps, HONEST, M, { code: 'CONSISTENCY_CHECK_FAILED', secrets: secrets() });
    for (const id of HONEST) {
      expect(res.steps.get(id)!.error!.message).toMatch(/public key is the identity/);
    }
  });

  it('a rushing dealer forcing x_A = 0: A refuses its zero share, B the identity public share', () => {
    const a = stateOf(A);
    const b = stateOf(B);
    const kA = a.keys[a.me]!;
    const target = modQ(-(a.shares[a.me]! + b.shares[a.me]!)); // f_M(k_A) that makes x_A = 0
    let a0: bigint;
    let a1: bigint;
    do {
      a0 = nonZero();
      a1 = modQ((target - a0) * invQ(kA));
    } while (a1 === 0n);
    const res = run([restore(snaps.get(A)!), restore(snaps.get(B)!), dealer(a0, a1)]);
    expectNamed(res.steps, HONEST, M, { code: 'CONSISTENCY_CHECK_FAILED', secrets: secrets() });
    expect(res.steps.get(A)!.error!.message).toMatch(/x_i is zero/);
    expect(res.steps.get(B)!.error!.message).toMatch(/public share is the identity/);
  });
});
