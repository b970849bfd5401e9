/**
 * GG20 presigning with a rushing signer that forces δ = Σ δ_j = 0 (SECURITY.md item 11: "require
 * δ ≠ 0"; "on identifiable abort, reveal nothing tied to w_i").
 *
 * tss-lib inverts δ unchecked, so a last sender that picks δ_c = −Σ δ_i crashes its peers. GG18
 * can only name suspects here (see sign-gg18/adversarial.test.ts); GG20's blame round must name
 * the culprit exactly. Round 3 has its own δ = 0 branch into the blame round, distinct from the
 * Σ R̄_j ≠ G branch that the existing GG20 tests cover; it had no triggering test.
 *
 * The culprit is a consistently malicious party (its own engine sends and echoes the forced
 * δ_c): the network holds Bob's replies to it until both honest δ_i are out, so it finalizes
 * round 2 last and can aim at them.
 */
import { describe, expect, it } from 'vitest';
import type { MpcError } from '../../src/errors.js';
import { modQ } from '../../src/math/curve.js';
import { createParty } from '../../src/party/engine.js';
import type { Party, RoundDef, Step } from '../../src/party/types.js';
import {
  createPresignParty,
  PRESIGN_GG20,
  type Presignature,
} from '../../src/protocols/ecdsa/presign-gg20/index.js';
import {
  decodePresignR3,
  decodePresignReveal,
  MSG,
  newPresignR3,
} from '../../src/protocols/ecdsa/presign-gg20/messages.js';
import { type PresignState, preparePresign } from '../../src/protocols/ecdsa/presign-gg20/state.js';
import { type Envelope, encodeEnvelope } from '../../src/wire/envelope.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import { expectNamed } from './support.js';

const shares = makeKeyShares({ n: 3, minSigners: 2 });
const SIGNERS = ['P1', 'P2', 'P3'];
const CULPRIT = 'P2';
const HONEST = ['P1', 'P3'];

describe('GG20 presigning: a rushing signer forcing δ = 0', () => {
  it('every honest signer reaches the blame round and names exactly the culprit', () => {
    const sessionId = `security-gg20-delta-${Date.now()}`;
    const honestDeltas = new Map<string, bigint>();

    // The culprit's round-2 finalize replaces its δ_c (state and broadcast) by −Σ δ_i.
    const round2 = PRESIGN_GG20.rounds[1]!;
    const forcing: RoundDef<PresignState, Presignature> = {
      ...round2,
      finalize: (state, inbox, rctx) => {
        const res = round2.finalize(state, inbox, rctx);
        expect(honestDeltas.size).toBe(HONEST.length);
        let sum = 0n;
        for (const d of honestDeltas.values()) sum += d;
        const forced = modQ(-sum);
        const outgoing = (res.outgoing ?? []).map((m) =>
          m.type === MSG.r3
            ? {
                ...m,
                payload: newPresignR3({
                  ...decodePresignR3(m.payload, SIGNERS.length - 1),
                  delta: forced,
                }),
              }
            : m,
        );
        return { ...res, state: { ...res.state, delta: forced }, outgoing };
      },
    };
    const culpritDef = {
      ...PRESIGN_GG20,
      rounds: PRESIGN_GG20.rounds.map((rd, i) => (i === 1 ? forcing : rd)),
    };
    const parties = new Map<string, Party<Presignature>>(
      SIGNERS.map((self) => {
        const opts = {
          self,
          signers: SIGNERS,
          keyShare: shares.find((s) => s.self === self)!,
          sessionId,
        };
        return [
          self,
          self === CULPRIT
            ? createParty(culpritDef, { self, parties: SIGNERS, sessionId }, preparePresign(opts))
            : createPresignParty(opts),
        ];
      }),
    );

    // A FIFO network that holds Bob's round-2 replies to the culprit until both honest δ_i are out.
    const queue: { from: string; to: string; bytes: Uint8Array }[] = [];
    const held: typeof queue = [];
    const steps = new Map<string, Step<Presignature>>();
    const reveals: Envelope[] = [];
    const route = (from: string, envs: readonly Envelope[]) => {
      for (const env of envs) {
        if (env.type === MSG.r7) reveals.push(env);
        if (env.type === MSG.r3 && from !== CULPRIT) {
          honestDeltas.set(from, decodePresignR3(env.payload, SIGNERS.length - 1).delta);
        }
        const bytes = encodeEnvelope(env);
        for (const to of env.to.length > 0 ? env.to : SIGNERS.filter((s) => s !== from)) {
          const d = { from, to, bytes };
          if (to === CULPRIT && env.type === MSG.r2 && honestDeltas.size < HONEST.length) {
            held.push(d);
          } else queue.push(d);
        }
        if (honestDeltas.size === HONEST.length) queue.push(...held.splice(0));
      }
    };
    for (const [id, p] of parties) {
      const s = p.start();
      steps.set(id, s);
      route(id, s.outgoing);
    }
    for (let n = 0; queue.length > 0 && n < 10_000; n++) {
      const d = queue.shift()!;
      const s = parties.get(d.to)!.handle(d.bytes, { from: d.from });
      steps.set(d.to, s);
      route(d.to, s.outgoing);
    }

    expect(held).toEqual([]);
    expect(honestDeltas.size).toBe(HONEST.length);
    // Every honest party aborted in the blame round (7), naming exactly the culprit.
    const results = new Map<string, { status: string; error?: MpcError; output?: unknown }>(steps);
    expectNamed(results, HONEST, CULPRIT, {
      code: 'CONSISTENCY_CHECK_FAILED',
      exact: true,
      secrets: shares.flatMap((s) => [s.secret.xi, s.secret.paillier.p, s.secret.paillier.q]),
    });
    for (const id of HONEST) expect(steps.get(id)!.error!.round).toBe(7);
    // It was the round-3 δ = 0 branch (nothing sent in round 4 finalize: no R̄_i, no PDL proof),
    // not the Σ R̄_j ≠ G one.
    for (const id of HONEST) {
      const types = new Set(
        parties
          .get(id)!
          .sent()
          .map((e) => e.type),
      );
      expect(types.has(MSG.r5) || types.has(MSG.r5pdl)).toBe(false);
    }
    // The honest reveals are in mode `delta`: k_i and the MtA plaintexts of γ, nothing of the
    // MtAwc on w_i.
    const honestReveals = reveals.filter((e) => e.from !== CULPRIT);
    expect(honestReveals.length).toBe(HONEST.length);
    for (const env of honestReveals) {
      expect(decodePresignReveal(env.payload, SIGNERS.length - 1).mode).toBe('delta');
    }
  });
});
