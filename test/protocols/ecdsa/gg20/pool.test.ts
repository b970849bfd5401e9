/**
 * Presignature lifecycle (SECURITY.md item 12): the pool, single use, crash after the "used"
 * mark, and 50 presignatures consumed by 50 concurrent online signings.
 */
import { describe, expect, it } from 'vitest';
import { type LocalError, PeerError } from '../../../../src/errors.js';
import {
  type ConsumedPresignature,
  consumePresignature,
  createOnlineSignParty,
  restoreOnlineSignParty,
  takePresignature,
} from '../../../../src/protocols/ecdsa/online-gg20/index.js';
import {
  type Presignature,
  presignatureRecord,
  serializePresignature,
} from '../../../../src/protocols/ecdsa/presign-gg20/index.js';
import { verifySignature } from '../../../../src/protocols/ecdsa/signature.js';
import { staticKeyProvider } from '../../../../src/stores/key-provider.js';
import {
  createMemorySessionStore,
  type MemorySessionRecords,
} from '../../../../src/stores/memory.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import { simulate } from '../../../support/simulate.js';
import { addToPools, MESSAGE_HASH, memoryStores, onlineParties, presign } from './helpers.js';

const shares = makeKeyShares({ n: 3, minSigners: 2 });
const pub = Buffer.from(shares[0]!.publicKey.compressed, 'hex');
const SIGNERS = ['P1', 'P3'];

async function code(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return (e as LocalError).code ?? String(e);
  }
  return undefined;
}

describe('presignature pool and single use', () => {
  it('50 presignatures, 50 concurrent online signings, all verify', async () => {
    const t0 = performance.now();
    const all: Map<string, Presignature>[] = [];
    for (let i = 0; i < 50; i++) all.push(presign(shares, SIGNERS));
    const presignMs = performance.now() - t0;
    const stores = memoryStores(SIGNERS);
    await addToPools(stores, all);
    const keyId = all[0]!.get('P1')!.keyId;
    for (const id of SIGNERS)
      expect(await stores.get(id)!.presignatures.count(keyId, SIGNERS)).toBe(50);

    const t1 = performance.now();
    const messages = Array.from({ length: 50 }, (_, i) => {
      const m = new Uint8Array(32).fill(i + 1);
      m[0] = 0x10;
      return m;
    });
    const results = await Promise.all(
      messages.map(async (messageHash) => {
        const parties = await onlineParties(stores, keyId, SIGNERS, { messageHash });
        return { messageHash, res: simulate(parties, { seed: messageHash[1]! }) };
      }),
    );
    const onlineMs = performance.now() - t1;
    const used = new Set<string>();
    for (const { messageHash, res } of results) {
      expect(res.errors.size).toBe(0);
      const sig = res.outputs.get('P1')!;
      expect(res.outputs.get('P3')!.compact).toEqual(sig.compact);
      expect(verifySignature(sig.r, sig.s, messageHash, pub)).toBe(true);
      used.add(res.parties.get('P1')!.sessionId);
    }
    expect(used.size).toBe(50); // 50 distinct presignatures
    for (const id of SIGNERS)
      expect(await stores.get(id)!.presignatures.count(keyId, SIGNERS)).toBe(0);
    console.log(
      `GG20 2-of-3: 50 presignatures in ${(presignMs / 1000).toFixed(1)} s ` +
        `(${(presignMs / 50).toFixed(0)} ms each); 50 concurrent online signings in ${onlineMs.toFixed(0)} ms`,
    );
  }, 180_000);

  it('a presignature is used once: second consume, second party, forged token, re-add', async () => {
    const presigs = presign(shares, SIGNERS);
    const stores = memoryStores(SIGNERS);
    await addToPools(stores, [presigs]);
    const pool = stores.get('P1')!.presignatures;
    const keyId = presigs.get('P1')!.keyId;
    const r = (await pool.reserve(keyId, SIGNERS))!;
    const saved = r.data.slice();
    const token = await consumePresignature(pool, r, { self: 'P1' });
    expect(r.data.every((b) => b === 0)).toBe(true); // reservation bytes wiped
    expect(JSON.stringify(token)).not.toContain(presigs.get('P1')!.secret.k.toString(16));
    // The same reservation again.
    expect(await code(consumePresignature(pool, { ...r, data: saved.slice() }))).toBe(
      'PRESIGNATURE_USED',
    );
    // One party per token.
    createOnlineSignParty({ self: 'P1', presignature: token, messageHash: MESSAGE_HASH });
    expect(
      await code(() =>
        createOnlineSignParty({ self: 'P1', presignature: token, messageHash: MESSAGE_HASH }),
      ),
    ).toBe('PRESIGNATURE_USED');
    // A token not made by consumePresignature.
    const forged = { ...token } as ConsumedPresignature;
    expect(
      await code(() =>
        createOnlineSignParty({ self: 'P1', presignature: forged, messageHash: MESSAGE_HASH }),
      ),
    ).toBe('INVALID_ARGUMENT');
    // A used id can never be added back.
    expect(await code(pool.add(keyId, [presignatureRecord(presigs.get('P1')!)]))).toBe(
      'PRESIGNATURE_USED',
    );
    expect(await pool.reserve(keyId, SIGNERS)).toBeUndefined();
    expect(await code(takePresignature(pool, { keyId, signers: SIGNERS }))).toBe('NOT_FOUND');
  });

  it("refuses a presignature that is not this signer's, and puts it back", async () => {
    const presigs = presign(shares, SIGNERS);
    const pool = createMemorySessionStore().presignatures;
    const p3 = presigs.get('P3')!;
    await pool.add(p3.keyId, [presignatureRecord(p3)]);
    expect(
      await code(takePresignature(pool, { keyId: p3.keyId, signers: SIGNERS, self: 'P1' })),
    ).toBe('INVALID_ARGUMENT');
    expect(await pool.count(p3.keyId, SIGNERS)).toBe(1);
  });

  it('a corrupt pool record is burned and refused', async () => {
    const presigs = presign(shares, SIGNERS);
    const pool = createMemorySessionStore().presignatures;
    const p = presigs.get('P1')!;
    const j = JSON.parse(serializePresignature(p));
    j.secret.sigma = '01'.padStart(64, '0');
    await pool.add(p.keyId, [{ id: p.id, signers: SIGNERS, data: JSON.stringify(j) }]);
    expect(await code(takePresignature(pool, { keyId: p.keyId, signers: SIGNERS }))).toBe(
      'STORE_CORRUPT',
    );
    expect(await pool.count(p.keyId, SIGNERS)).toBe(0);
    expect(await code(pool.add(p.keyId, [presignatureRecord(p)]))).toBe('PRESIGNATURE_USED');
  });

  it('after a crash following the "used" mark, a restarted node refuses to sign again', async () => {
    const presigs = presign(shares, SIGNERS);
    const key = new Uint8Array(32).fill(7);
    const records: MemorySessionRecords = {
      snapshots: new Map(),
      locks: new Map(),
      fences: new Map(),
      sessionIds: new Map(),
      presignatures: new Map(),
      usedPresignatures: new Set(),
    };
    const node = () => createMemorySessionStore({ records, keyProvider: staticKeyProvider(key) });
    const p1 = presigs.get('P1')!;
    await node().presignatures.add(p1.keyId, [presignatureRecord(p1)]);

    // Before the crash: reserve, consume (durable mark), start the online party (s_1 is out).
    const before = node().presignatures;
    const r = (await before.reserve(p1.keyId, SIGNERS))!;
    const copy = { ...r, data: r.data.slice() };
    const token = await consumePresignature(before, r, { self: 'P1' });
    const party = createOnlineSignParty({
      self: 'P1',
      presignature: token,
      messageHash: MESSAGE_HASH,
    });
    party.start();
    const snapshot = party.snapshot();
    // The online party's snapshot holds no secret share of the presignature.
    expect(snapshot).not.toContain(p1.secret.k.toString(16));

    // Crash. The restarted node shares the durable records only.
    const after = node().presignatures;
    expect(await after.reserve(p1.keyId, SIGNERS)).toBeUndefined();
    expect(await code(consumePresignature(after, copy, { self: 'P1' }))).toBe('PRESIGNATURE_USED');
    expect(
      await code(takePresignature(after, { keyId: p1.keyId, signers: SIGNERS, id: p1.id })),
    ).toBe('NOT_FOUND');
    // Resuming the same signing from its snapshot is allowed: it resends the same share.
    const resumed = restoreOnlineSignParty(snapshot);
    expect(resumed.sent()).toEqual(party.sent());
  });

  it('signers holding different presignatures abort, naming each other', async () => {
    const a = presign(shares, SIGNERS);
    const b = presign(shares, SIGNERS);
    const pool1 = createMemorySessionStore().presignatures;
    const pool3 = createMemorySessionStore().presignatures;
    await pool1.add(a.get('P1')!.keyId, [presignatureRecord(a.get('P1')!)]);
    await pool3.add(b.get('P3')!.keyId, [presignatureRecord(b.get('P3')!)]);
    const keyId = a.get('P1')!.keyId;
    const t1 = await takePresignature(pool1, { keyId, signers: SIGNERS, self: 'P1' });
    const t3 = await takePresignature(pool3, { keyId, signers: SIGNERS, self: 'P3' });
    const res = simulate([
      createOnlineSignParty({
        self: 'P1',
        presignature: t1,
        messageHash: MESSAGE_HASH,
        sessionId: 'x',
      }),
      createOnlineSignParty({
        self: 'P3',
        presignature: t3,
        messageHash: MESSAGE_HASH,
        sessionId: 'x',
      }),
    ]);
    expect(res.outputs.size).toBe(0);
    expect(res.errors.get('P1')).toBeInstanceOf(PeerError);
    expect(res.errors.get('P1')!.culprits).toEqual(['P3']);
    expect(res.errors.get('P3')!.culprits).toEqual(['P1']);
    expect(res.errors.get('P1')!.code).toBe('CONSISTENCY_CHECK_FAILED');
  });

  it('takePresignature with an agreed id skips (and returns) the others', async () => {
    const a = presign(shares, SIGNERS);
    const b = presign(shares, SIGNERS);
    const stores = memoryStores(SIGNERS);
    await addToPools(stores, [a, b]);
    const keyId = a.get('P1')!.keyId;
    const want = b.get('P1')!.id;
    const t = await takePresignature(stores.get('P1')!.presignatures, {
      keyId,
      signers: SIGNERS,
      id: want,
    });
    expect(t.id).toBe(want);
    expect(await stores.get('P1')!.presignatures.count(keyId, SIGNERS)).toBe(1);
  });
});
