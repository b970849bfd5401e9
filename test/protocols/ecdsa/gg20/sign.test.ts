/**
 * GG20 presigning followed by one-round online signing: 2-of-3 and 3-of-5 keys over several
 * signer subsets, random delivery orders, snapshots, HD derivation, and the presignature codec.
 */
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../../src/errors.js';
import { bytesToBigint } from '../../../../src/math/bigint.js';
import { CURVE_ORDER, mulG, pointFromBytes } from '../../../../src/math/curve.js';
import { decodeValue } from '../../../../src/party/codec.js';
import type { Party } from '../../../../src/party/types.js';
import { derivePublicKey } from '../../../../src/protocols/ecdsa/derive.js';
import {
  createOnlineSignParty,
  restoreOnlineSignParty,
  takePresignature,
} from '../../../../src/protocols/ecdsa/online-gg20/index.js';
import {
  createPresignParty,
  type Presignature,
  parsePresignature,
  restorePresignParty,
  serializePresignature,
} from '../../../../src/protocols/ecdsa/presign-gg20/index.js';
import {
  recoverPublicKey,
  type Signature,
  verifySignature,
} from '../../../../src/protocols/ecdsa/signature.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import { simulate } from '../../../support/simulate.js';
import {
  addToPools,
  MESSAGE_HASH,
  memoryStores,
  onlineParties,
  presign,
  presignAndSign,
  presignParties,
} from './helpers.js';

const HALF_Q = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

function expectOneSignature(
  outputs: Map<string, Signature>,
  signers: readonly string[],
  pub: string,
) {
  expect([...outputs.keys()].sort()).toEqual([...signers].sort());
  const sigs = [...outputs.values()];
  const first = sigs[0]!;
  for (const s of sigs) expect(s.compact).toEqual(first.compact);
  expect(first.s <= HALF_Q).toBe(true);
  expect(verifySignature(first.r, first.s, MESSAGE_HASH, Buffer.from(pub, 'hex'))).toBe(true);
  expect(Buffer.from(recoverPublicKey(first, MESSAGE_HASH).toBytes(true)).toString('hex')).toBe(
    pub,
  );
  return first;
}

describe('GG20 2-of-3', () => {
  const shares = makeKeyShares({ n: 3, minSigners: 2, chainCode: '11'.repeat(32) });
  const pub = shares[0]!.publicKey.compressed;

  for (const signers of [
    ['P1', 'P2'],
    ['P1', 'P3'],
    ['P3', 'P2'],
  ]) {
    it(`presign + online with ${signers.join(',')}`, async () => {
      const { presigs, online } = await presignAndSign(shares, signers, { online: { seed: 5 } });
      expect(online.errors.size).toBe(0);
      expectOneSignature(online.outputs, signers, pub);
      // Every signer holds the same public part; the secret parts differ.
      const [a, b] = signers.map((id) => presigs.get(id)!);
      expect(a!.id).toBe(b!.id);
      expect(a!.R).toEqual(b!.R);
      expect(a!.signers).toEqual(b!.signers);
      expect(a!.secret.k).not.toBe(b!.secret.k);
      // Two messages of one round: the share broadcast by each signer, 64-byte payloads.
      expect(online.wire.messages).toBe(2);
    });
  }

  it('presigning completes under a random delivery order and a snapshot after every step', async () => {
    const signers = ['P2', 'P3'];
    const res = simulate(presignParties(shares, signers), {
      seed: 77,
      restore: (p) => restorePresignParty(p.snapshot()) as Party<Presignature>,
    });
    expect(res.errors.size).toBe(0);
    expect(res.outputs.size).toBe(2);
    const stores = memoryStores(signers);
    await addToPools(stores, [res.outputs]);
    const online = simulate(await onlineParties(stores, res.outputs.get('P2')!.keyId, signers), {
      seed: 3,
      restore: (p) => restoreOnlineSignParty(p.snapshot()),
    });
    expectOneSignature(online.outputs, signers, pub);
  });

  it('presignature codec round-trips and refuses tampering (STORE_CORRUPT)', () => {
    const p = presign(shares, ['P1', 'P2']).get('P1')!;
    const text = serializePresignature(p);
    expect(parsePresignature(text)).toEqual(p);
    expect(parsePresignature(new TextEncoder().encode(text))).toEqual(p);
    const j = JSON.parse(text);
    const edits: ((x: typeof j) => void)[] = [
      (x) => {
        x.secret.k = (BigInt(`0x${x.secret.k}`) + 1n).toString(16).padStart(64, '0');
      },
      (x) => {
        x.signers[1].S = x.signers[0].S;
      },
      (x) => {
        x.R = Buffer.from(mulG(5n).toBytes(true)).toString('hex');
      },
      (x) => {
        x.self = 'P9';
      },
      (x) => {
        x.signers.reverse();
      },
      (x) => {
        delete x.secret;
      },
    ];
    for (const edit of edits) {
      const y = structuredClone(j);
      edit(y);
      expect(() => parsePresignature(JSON.stringify(y))).toThrow(LocalError);
      try {
        parsePresignature(JSON.stringify(y));
      } catch (e) {
        expect((e as LocalError).code).toBe('STORE_CORRUPT');
        expect((e as LocalError).message).not.toContain(j.secret.k);
      }
    }
    expect(() => parsePresignature('{"format":"mpc-tss/ecdsa-gg20-presignature","v":2}')).toThrow(
      /version/,
    );
  });

  it('each share satisfies s_j·R = m·R̄_j + r·S_j (GG20 phase 7)', async () => {
    const signers = ['P2', 'P3'];
    const { presigs, online } = await presignAndSign(shares, signers);
    const p = presigs.get('P2')!;
    const R = pointFromBytes(p.R);
    const r = R.toAffine().x % CURVE_ORDER;
    const m = bytesToBigint(MESSAGE_HASH);
    p.signers.forEach((sj) => {
      const [env] = online.parties.get(sj.id)!.sent();
      const s = bytesToBigint(env!.payload.subarray(32));
      const rhs = pointFromBytes(sj.Rbar).multiply(m).add(pointFromBytes(sj.S).multiply(r));
      expect(R.multiply(s).equals(rhs)).toBe(true);
    });
    expect(online.outputs.get('P2')!.r).toBe(r); // no re-randomization without derivation
  });

  it('HD derivation: a root presignature signs under a non-hardened child (re-randomized)', async () => {
    const signers = ['P1', 'P3'];
    const path = 'm/44/60/0/0/7';
    const { publicKey: child, delta } = derivePublicKey(pub, shares[0]!.chainCode!, path);
    const presigs = presign(shares, signers);
    const stores = memoryStores(signers);
    await addToPools(stores, [presigs]);
    const parties = await onlineParties(stores, presigs.get('P1')!.keyId, signers, {
      derivation: { path },
    });
    const Rp = parties.map((party) => {
      party.start();
      const st = decodeValue(JSON.parse(party.snapshot()).state) as { R: Uint8Array };
      return pointFromBytes(st.R);
    });
    const online = simulate(parties);
    expect(online.errors.size).toBe(0);
    const sig = expectOneSignature(
      online.outputs,
      signers,
      Buffer.from(child.toBytes(true)).toString('hex'),
    );
    expect(verifySignature(sig.r, sig.s, MESSAGE_HASH, Buffer.from(pub, 'hex'))).toBe(false);
    // R′ = ρ·R ≠ R, agreed by both; each share checks against m′ = m + r′·Δ.
    const p = presigs.get('P1')!;
    expect(Rp[0]!.equals(Rp[1]!)).toBe(true);
    expect(Rp[0]!.equals(pointFromBytes(p.R))).toBe(false);
    const r = Rp[0]!.toAffine().x % CURVE_ORDER;
    expect(sig.r).toBe(r);
    const m = (bytesToBigint(MESSAGE_HASH) + r * delta) % CURVE_ORDER;
    p.signers.forEach((sj) => {
      const s = bytesToBigint(online.parties.get(sj.id)!.sent()[0]!.payload.subarray(32));
      const rhs = pointFromBytes(sj.Rbar).multiply(m).add(pointFromBytes(sj.S).multiply(r));
      expect(Rp[0]!.multiply(s).equals(rhs)).toBe(true);
    });
  });

  it('HD derivation: a hardened path is refused without spending the presignature', async () => {
    const signers = ['P1', 'P2'];
    const presigs = presign(shares, signers);
    const stores = memoryStores(signers);
    await addToPools(stores, [presigs]);
    const keyId = presigs.get('P1')!.keyId;
    const tokens = await Promise.all(
      signers.map((self) =>
        takePresignature(stores.get(self)!.presignatures, { keyId, signers, self }),
      ),
    );
    expect(() =>
      createOnlineSignParty({
        self: 'P1',
        presignature: tokens[0]!,
        messageHash: MESSAGE_HASH,
        derivation: { path: "m/44'/0" },
      }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    // The token is still good.
    const parties = tokens.map((presignature, i) =>
      createOnlineSignParty({ self: signers[i]!, presignature, messageHash: MESSAGE_HASH }),
    );
    expectOneSignature(simulate(parties).outputs, signers, pub);
  });
});

describe('GG20 3-of-5', () => {
  const shares = makeKeyShares({ n: 5, minSigners: 3 });
  const pub = shares[0]!.publicKey.compressed;

  for (const signers of [
    ['P1', 'P2', 'P3'],
    ['P5', 'P2', 'P4'],
    ['P1', 'P3', 'P4', 'P5'],
  ]) {
    it(`presign + online with ${signers.join(',')}`, async () => {
      const { online } = await presignAndSign(shares, signers, { online: { seed: 9 } });
      expect(online.errors.size).toBe(0);
      expectOneSignature(online.outputs, signers, pub);
    });
  }

  it('refuses fewer than minSigners and the tss-lib profile', () => {
    expect(() => presignParties(shares, ['P1', 'P2'])).toThrow(LocalError);
    const opts = { self: 'P1', signers: ['P1', 'P2', 'P3'], keyShare: shares[0]!, sessionId: 's1' };
    expect(() => createPresignParty({ ...opts, profile: 'tss-lib' } as typeof opts)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });
});
