/** GG18 signing parties hosted on worker threads (the session worker pool). */
import { afterAll, describe, expect, it } from 'vitest';
import { LocalError, PeerError } from '../../../../src/errors.js';
import type { Step } from '../../../../src/party/types.js';
import {
  decodeSignRound1Message2,
  MSG,
  newSignRound1Message2,
} from '../../../../src/protocols/ecdsa/sign-gg18/messages.js';
import type { Signature } from '../../../../src/protocols/ecdsa/signature.js';
import { createWorkerPool, type WorkerParty } from '../../../../src/session/worker.js';
import { decodeEnvelope, encodeEnvelope } from '../../../../src/wire/envelope.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import { MESSAGE_HASH, newSessionId } from './helpers.js';

const shares = makeKeyShares({ n: 3, minSigners: 2 });
const pool = createWorkerPool(2);
afterAll(() => pool.close());

function create(self: string, signers: string[], sessionId: string, profile = 'native') {
  return pool.createPartyFrom<Signature>('createSignParty', {
    self,
    signers,
    keyShare: shares.find((s) => s.self === self),
    messageHash: MESSAGE_HASH,
    sessionId,
    profile,
  });
}

/** Delivers everything between worker parties until nothing is in flight any more. */
async function drive(
  parties: WorkerParty<Signature>[],
  tamper?: (from: string, bytes: Uint8Array) => Uint8Array,
): Promise<Map<string, Step<Signature>>> {
  const ids = parties.map((p) => p.self);
  const byId = new Map(parties.map((p) => [p.self, p]));
  const last = new Map<string, Step<Signature>>();
  let inFlight = 0;
  await new Promise<void>((resolve, reject) => {
    const track = (to: string, p: Promise<Step<Signature>>) => {
      inFlight++;
      p.then((s) => {
        route(to, s);
        if (--inFlight === 0) resolve();
      }, reject);
    };
    const route = (from: string, step: Step<Signature>) => {
      last.set(from, step);
      for (const env of step.outgoing) {
        const b = tamper ? tamper(from, encodeEnvelope(env)) : encodeEnvelope(env);
        for (const to of env.to.length ? env.to : ids.filter((x) => x !== from)) {
          track(to, byId.get(to)!.handle(b, { from }));
        }
      }
    };
    for (const p of parties) track(p.self, p.start());
  });
  return last;
}

describe('GG18 signing on worker threads', () => {
  it('two parties on two threads sign (both profiles); snapshots work', async () => {
    for (const profile of ['native', 'tss-lib']) {
      const sessionId = newSessionId();
      const signers = ['P1', 'P3'];
      const parties = await Promise.all(
        signers.map((id) => create(id, signers, sessionId, profile)),
      );
      const steps = await drive(parties);
      const sigs = [...steps.values()].map((s) => {
        expect(s.status).toBe('done');
        return s.output!;
      });
      expect(sigs[0]!.r).toBe(sigs[1]!.r);
      expect(sigs[0]!.compact).toBeInstanceOf(Uint8Array);
      expect(JSON.parse(await parties[0]!.snapshot()).status).toBe('done');
      // native: the 10 tss-lib messages plus the l_i reveal
      expect((await parties[1]!.sent()).length).toBe(profile === 'native' ? 11 : 10);
      await Promise.all(parties.map((p) => p.terminate()));
    }
  });

  it('factory errors come back as LocalError with their code', async () => {
    const err = await create('P1', ['P1'], newSessionId()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalError);
    expect((err as LocalError).code).toBe('INVALID_ARGUMENT');
  });

  it('an abort comes back as a PeerError naming the culprit', async () => {
    const sessionId = newSessionId();
    const parties = await Promise.all(
      ['P1', 'P2'].map((id) => create(id, ['P1', 'P2'], sessionId)),
    );
    const out = await drive(parties, (from, bytes) => {
      const env = decodeEnvelope(bytes);
      if (from !== 'P2' || env.type !== MSG.r1bc) return bytes;
      const c = decodeSignRound1Message2(env.payload).commitment;
      return encodeEnvelope({ ...env, payload: newSignRound1Message2(c ^ 1n) });
    });
    const p1 = out.get('P1')!;
    expect(p1.status).toBe('aborted');
    expect(p1.error).toBeInstanceOf(PeerError);
    expect(p1.error!.culprits).toEqual(['P2']);
    await Promise.all(parties.map((p) => p.terminate()));
  });
});
