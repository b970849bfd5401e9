/**
 * Adversarial keygen, round 1 and the message layer: a malicious party (p-c) runs the real
 * protocol but rewrites its own payloads; every honest party must abort with a PeerError naming
 * exactly it (SECURITY.md items 1, 2, 3, 4, 6, 10, 13, 14).
 */

import { generatePrimeSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PeerError } from '../../../../src/errors.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import { bitLength, gcd } from '../../../../src/math/bigint.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import { modPow } from '../../../../src/math/modexp.js';
import { randomBelow } from '../../../../src/math/random.js';
import { type Envelope, encodeEnvelope } from '../../../../src/party/index.js';
import type { Party } from '../../../../src/party/types.js';
import {
  createKeygenParty,
  KEYGEN_MESSAGE_TYPES as MSG,
  resolveKeygenSetup,
} from '../../../../src/protocols/ecdsa/keygen/index.js';
import { FAC_TAG, type FacProof, facBounds, facProofToBytes } from '../../../../src/zk/fac.js';
import { modProofToBytes, proveMod } from '../../../../src/zk/mod.js';
import {
  type ProofContext,
  proofTranscript,
  type RingPedersenPublic,
} from '../../../../src/zk/ring-pedersen.js';
import { fixturePreParams } from './fixtures.js';
import {
  expectBlamed,
  maliciousParty,
  optionsFor,
  partyIds,
  restore,
  run,
  type Session,
  startedSnapshots,
} from './harness.js';
import { bytes, editWire, int, mapType } from './tamper.js';

const S: Session = { profile: 'native', ids: partyIds(3), minSigners: 2, sessionId: 'adv-r1' };
const [A, B, M] = S.ids as [string, string, string];
const HONEST = [A, B];

let snaps: Map<string, string>;
beforeAll(() => {
  snaps = startedSnapshots(S);
});

const honest = (): Party<KeyShare>[] => HONEST.map((id) => restore(snaps.get(id)!));
const r1Payload = (id: string) => restore(snaps.get(id)!).sent({ round: 1 })[0]!.payload;

/** A malicious M whose round-1 message is rewritten by `edit`. */
function withR1(edit: (m: Record<string, Uint8Array | Uint8Array[]>) => void) {
  return [
    ...honest(),
    maliciousParty(S, M, {
      r1: (out) => ({ out: mapType(out, MSG.r1, (p) => editWire(MSG.r1, p, edit)) }),
    }),
  ];
}

describe('keygen round 1: Paillier and ring-Pedersen parameters', () => {
  it('rejects a forged 1-iteration DLN proof (exact item count)', () => {
    const res = run(
      withR1((m) => {
        const d = m.dlnproof1 as Uint8Array[];
        m.dlnproof1 = [bytes(1n), d[1]!, bytes(1n), d[130]!];
      }),
    );
    expectBlamed(res, HONEST, [M], 'MALFORMED');
  });

  it('rejects a DLN proof with one wrong response', () => {
    const res = run(
      withR1((m) => {
        const d = m.dlnproof2 as Uint8Array[];
        d[200] = bytes(int(d[200]) + 1n);
      }),
    );
    expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
  });

  it('rejects h2 changed under its old DLN proofs', () => {
    const pre = fixturePreParams(2);
    const res = run(
      withR1((m) => {
        m.h2 = bytes((pre.h2 * pre.h1) % pre.ntilde);
      }),
    );
    expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
  });

  it('rejects h1 = h2', () => {
    const res = run(
      withR1((m) => {
        m.h2 = m.h1 as Uint8Array;
      }),
    );
    expectBlamed(res, HONEST, [M], 'OUT_OF_RANGE');
  });

  it('rejects a Paillier modulus that is not exactly 2048 bits', () => {
    const res = run(
      withR1((m) => {
        m.paillierN = bytes((int(m.paillierN as Uint8Array) >> 1n) | 1n);
      }),
    );
    expectBlamed(res, HONEST, [M], 'OUT_OF_RANGE');
  });

  it('rejects a reused Paillier modulus (the owner at once, others through Π^mod/Π^fac)', () => {
    const nA = fixturePreParams(0).paillierN;
    const res = run(
      withR1((m) => {
        m.paillierN = bytes(nA);
      }),
    );
    expectBlamed(res, [A], [M], 'DUPLICATE_PARAMETER');
    expectBlamed(res, [B], [M], 'PROOF_INVALID');
  });

  it('rejects a reused Ñ with replayed DLN proofs (native proofs are bound to the prover)', () => {
    const src = r1Payload(A);
    const copy = (m: Record<string, Uint8Array | Uint8Array[]>) =>
      editWire(MSG.r1, src, (a) => {
        for (const k of ['nTilde', 'h1', 'h2', 'dlnproof1', 'dlnproof2']) m[k] = a[k]!;
      });
    const res = run(withR1(copy));
    expectBlamed(res, [A], [M], 'DUPLICATE_PARAMETER');
    expectBlamed(res, [B], [M], 'PROOF_INVALID');
  });

  it('rejects an N with a ~16-bit factor even with a valid Π^mod: Π^fac catches it', () => {
    // N' = p16 · q with both Blum primes, exactly 2048 bits: Π^mod holds, Π^fac cannot.
    const q = generatePrimeSync(2033, { bigint: true, add: 4n, rem: 3n });
    let p16 = ((1n << 2047n) + q - 1n) / q;
    const isPrime = (x: bigint) => {
      for (let d = 2n; d * d <= x; d++) if (x % d === 0n) return false;
      return true;
    };
    while (!(p16 % 4n === 3n && isPrime(p16) && gcd(p16 * q, (p16 - 1n) * (q - 1n)) === 1n)) p16++;
    const N = p16 * q;
    expect(bitLength(N)).toBe(2048);
    expect(bitLength(p16)).toBeLessThanOrEqual(16);
    const setupM = resolveKeygenSetup(optionsFor(S, M));
    const ctx: ProofContext = { profile: 'native', ssid: setupM.ssid, prover: setupM.me };
    const mod = proveMod(ctx, N, p16, q);
    const malicious = maliciousParty(S, M, {
      r1: (out) => ({
        out: mapType(out, MSG.r1, (p) => editWire(MSG.r1, p, (m) => (m.paillierN = bytes(N)))),
      }),
      r2: (out) => {
        let res = mapType(out, MSG.r2Decommit, (p) =>
          editWire(MSG.r2Decommit, p, (m) => (m.modProof = modProofToBytes(mod))),
        );
        res = mapType(res, MSG.r2Share, (p, to) =>
          editWire(MSG.r2Share, p, (m) => {
            const v = fixturePreParams(S.ids.indexOf(to!));
            m.facProof = facProofToBytes(
              honestFacAlgorithm(ctx, N, p16, q, { ntilde: v.ntilde, h1: v.h1, h2: v.h2 }),
            );
          }),
        );
        return res;
      },
    });
    const res = run([...honest(), malicious]);
    expectBlamed(res, HONEST, [M]);
    for (const id of HONEST) {
      // z2 = β + e·q with a 2032-bit q cannot fit q³·√N0: rejected by the byte cap of the
      // decoder (OVERSIZED) or by the range check (OUT_OF_RANGE), before any exponentiation.
      const err = res.steps.get(id)!.error!;
      expect(['OVERSIZED', 'OUT_OF_RANGE']).toContain(err.code);
      expect(err.message).toMatch(/z2/);
    }
  });

  it('rejects an N = 3·k that is no product of two Blum primes', () => {
    let k = (1n << 2047n) / 3n + 12345n;
    if (k % 2n === 0n) k++;
    const res = run(
      withR1((m) => {
        m.paillierN = bytes(3n * k);
      }),
    );
    // The sender's Π^mod / Π^fac (for its real N) cannot hold for 3·k: a response is out of
    // range for the smaller modulus or an equation fails.
    expectBlamed(res, HONEST, [M]);
    for (const id of HONEST) {
      expect(['OUT_OF_RANGE', 'PROOF_INVALID']).toContain(res.steps.get(id)!.error!.code);
    }
  });
});

describe('keygen round 1: indices and sessions', () => {
  it('rejects a party configured with another index (indices are bound by the ssid)', () => {
    const liar = maliciousParty({ ...S, indices: { [A]: 1n, [B]: 2n, [M]: 4n } }, M, {});
    const res = run([...honest(), liar]);
    expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
  });

  it('rejects a round-1 payload replayed from another session (native ssid nonce)', () => {
    const other = createKeygenParty(optionsFor({ ...S, sessionId: 'adv-r1-old' }, M));
    const old = other.start().outgoing[0]!.payload;
    const res = run([
      ...honest(),
      maliciousParty(S, M, { r1: (out) => ({ out: mapType(out, MSG.r1, () => old) }) }),
    ]);
    expectBlamed(res, HONEST, [M], 'PROOF_INVALID');
  });

  it('drops envelopes from another session and from non-members without aborting', () => {
    const other = createKeygenParty(optionsFor({ ...S, sessionId: 'adv-r1-other' }, M));
    const replay = encodeEnvelope(other.start().outgoing[0]!);
    const parties = [...honest(), restore(snaps.get(M)!)];
    const stranger: Envelope = {
      ...parties[0]!.sent()[0]!,
      from: 'mallory',
    };
    for (const p of parties.slice(0, 2)) {
      const r1 = p.handle(replay, { from: M });
      expect(r1.status).toBe('waiting');
      expect(r1.rejected?.code).toBe('WRONG_SESSION');
      expect(r1.rejected?.culprits).toEqual([M]);
      const r2 = p.handle(encodeEnvelope(stranger), { from: 'mallory' });
      expect(r2.status).toBe('waiting');
      expect(r2.rejected?.code).toBe('NOT_A_MEMBER');
      expect(r2.rejected?.culprits).toEqual(['mallory']);
    }
    const res = run(parties);
    for (const id of S.ids) expect(res.steps.get(id)!.status).toBe('done');
  });
});

describe('keygen message layer', () => {
  it('rejects a 10 MB envelope before decoding it', () => {
    const res = run([...honest(), restore(snaps.get(M)!)], {
      tamper: (env) =>
        env.from === M && env.round === 1
          ? encodeEnvelope(
              { ...env, payload: new Uint8Array(10 * 1024 * 1024).fill(7) },
              { maxBytes: 64 * 1024 * 1024 },
            )
          : undefined,
    });
    expectBlamed(res, HONEST, [M], 'OVERSIZED');
  });

  it('rejects a 10 MB integer field before any arithmetic (with a raised envelope cap)', () => {
    const limits = { maxEnvelopeBytes: 16 * 1024 * 1024 };
    const parties = S.ids.map((id) => createKeygenParty({ ...optionsFor(S, id), limits }));
    const res = run(parties, {
      tamper: (env) =>
        env.from === M && env.round === 1
          ? encodeEnvelope(
              {
                ...env,
                payload: editWire(MSG.r1, env.payload, (m) => {
                  const big = new Uint8Array(10 * 1024 * 1024).fill(0xff);
                  m.paillierN = big;
                }),
              },
              { maxBytes: 16 * 1024 * 1024 },
            )
          : undefined,
    });
    expectBlamed(res, HONEST, [M], 'OVERSIZED');
  });

  it('rejects two different round-1 broadcasts to the same party (equivocation)', () => {
    const res = run([...honest(), restore(snaps.get(M)!)], {
      tamper: (env: Envelope) => {
        if (env.from !== M || env.round !== 1) return undefined;
        const twin = editWire(MSG.r1, env.payload, (m) => {
          m.commitment = bytes(int(m.commitment as Uint8Array) ^ 1n);
        });
        return [env, { ...env, payload: twin }];
      },
    });
    expectBlamed(res, HONEST, [M], 'EQUIVOCATION');
  });

  it('no honest party outputs a key when a broadcast differs between recipients (echo)', () => {
    const res = run([...honest(), restore(snaps.get(M)!)], {
      tamper: (env: Envelope, to) => {
        if (env.from !== M || env.round !== 1 || to !== B) return undefined;
        return {
          ...env,
          payload: editWire(MSG.r1, env.payload, (m) => {
            m.commitment = bytes(int(m.commitment as Uint8Array) ^ 1n);
          }),
        };
      },
    });
    // The honest parties hold different views of M's broadcast. The engine's echo check names
    // the party whose echo differs, which can be the other honest party (an unsigned echo cannot
    // prove who equivocated), and a party that aborts while finishing a round drops that
    // round's messages, so a peer may be left waiting (a runner then times out). What must hold:
    // nobody outputs a key, and at least one honest party detects the inconsistency.
    let aborted = 0;
    for (const id of HONEST) {
      const step = res.steps.get(id)!;
      expect(step.output).toBeUndefined();
      expect(step.status).not.toBe('done');
      if (step.status === 'aborted') {
        aborted++;
        expect(step.error).toBeInstanceOf(PeerError);
        expect(['CONSISTENCY_CHECK_FAILED', 'COMMITMENT_INVALID']).toContain(step.error!.code);
      }
    }
    expect(aborted).toBeGreaterThan(0);
  });
});

/**
 * The Π^fac prover's algorithm (CGGMP21 fig. 28, as in src/zk/fac.ts) without its guard on the
 * factor sizes, i.e. what a cheating prover with a small factor would send.
 */
function honestFacAlgorithm(
  ctx: ProofContext,
  N0: bigint,
  p: bigint,
  q: bigint,
  v: RingPedersenPublic,
): FacProof {
  const { ntilde: Nt, h1: s, h2: t } = v;
  const qc = CURVE_ORDER;
  const q3 = qc ** 3n;
  const b = facBounds(N0, Nt);
  const pow = (x: bigint, e: bigint) => modPow(x, e, Nt);
  const alpha = randomBelow(b.z);
  const beta = randomBelow(b.z);
  const mu = randomBelow(qc * Nt);
  const nu = randomBelow(qc * Nt);
  const sigma = randomBelow(b.sigma);
  const r = randomBelow(q3 * N0 * Nt);
  const x = randomBelow(q3 * Nt);
  const y = randomBelow(q3 * Nt);
  const P = (pow(s, p) * pow(t, mu)) % Nt;
  const Q = (pow(s, q) * pow(t, nu)) % Nt;
  const A = (pow(s, alpha) * pow(t, x)) % Nt;
  const B = (pow(s, beta) * pow(t, y)) % Nt;
  const T = (pow(Q, alpha) * pow(t, r)) % Nt;
  const e = proofTranscript(FAC_TAG, ctx)
    .append('N0', N0)
    .append('ntilde', Nt)
    .append('s', s)
    .append('t', t)
    .append('P', P)
    .append('Q', Q)
    .append('A', A)
    .append('B', B)
    .append('T', T)
    .append('sigma', sigma)
    .challengeMod('e', qc);
  let v2 = r + e * (sigma - nu * p);
  if (v2 < 0n) v2 = 0n;
  return {
    P,
    Q,
    A,
    B,
    T,
    sigma,
    z1: alpha + e * p,
    z2: beta + e * q,
    w1: x + e * mu,
    w2: y + e * nu,
    v: v2,
  };
}
