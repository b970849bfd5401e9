import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../../src/errors.js';
import type { KeyShare } from '../../../../src/keyshare.js';
import { bigintToBytes, bytesToHex, concatBytes, hexToBytes } from '../../../../src/math/bigint.js';
import { CURVE_ORDER } from '../../../../src/math/curve.js';
import { restoreParty } from '../../../../src/party/engine.js';
import type { Profile } from '../../../../src/profile.js';
import {
  createSignParty,
  restoreSignParty,
  SIGN_GG18_PROTOCOL,
  SIGN_GG18_TSS_LIB_PROTOCOL,
} from '../../../../src/protocols/ecdsa/sign-gg18/index.js';
import { verifySignTranscript } from '../../../../src/protocols/ecdsa/sign-gg18/transcript.js';
import {
  decodeDerSignature,
  recoverPublicKey,
  type Signature,
  signatureToHex,
} from '../../../../src/protocols/ecdsa/signature.js';
import { encodeEnvelope } from '../../../../src/wire/envelope.js';
import { makeKeyShares } from '../../../support/keyshare-fixture.js';
import {
  MESSAGE_HASH,
  makeParties,
  type NetResult,
  newSessionId,
  randomSubset,
  runParties,
  runSign,
} from './helpers.js';

const HALF_Q = CURVE_ORDER >> 1n;

/** Every party done with the same signature; checks it thoroughly. Returns it. */
function expectSignature(
  res: NetResult,
  shares: KeyShare[],
  messageHash = MESSAGE_HASH,
): Signature {
  const outs = [...res.steps.values()].map((s) => {
    expect(s.error, s.error?.message).toBeUndefined();
    expect(s.status).toBe('done');
    return s.output!;
  });
  const sig = outs[0]!;
  for (const o of outs) expect(signatureToHex(o)).toEqual(signatureToHex(sig));
  const pub = hexToBytes(shares[0]!.publicKey.compressed);
  expect(bytesToHex(sig.publicKey)).toBe(shares[0]!.publicKey.compressed);
  expect(sig.s <= HALF_Q).toBe(true);
  expect(secp256k1.verify(sig.compact, messageHash, pub, { prehash: false, lowS: true })).toBe(
    true,
  );
  expect(bytesToHex(recoverPublicKey(sig, messageHash).toBytes(true))).toBe(bytesToHex(pub));
  expect(decodeDerSignature(sig.der)).toEqual({ r: sig.r, s: sig.s });
  expect(bytesToHex(sig.compact)).toBe(
    bytesToHex(concatBytes(bigintToBytes(sig.r, 32), bigintToBytes(sig.s, 32))),
  );
  return sig;
}

const PROFILES: Profile[] = ['native', 'tss-lib'];

describe('GG18 signing end to end', () => {
  const key23 = makeKeyShares({ n: 3, minSigners: 2 });
  const key35 = makeKeyShares({ n: 5, minSigners: 3 });
  const key57 = makeKeyShares({ n: 7, minSigners: 5 });
  const ids = (ks: KeyShare[]) => ks.map((s) => s.self);

  for (const profile of PROFILES) {
    it(`2-of-3, ${profile}, random subsets`, () => {
      for (let i = 0; i < 2; i++) {
        const signers = randomSubset(ids(key23), 2);
        expectSignature(runSign({ shares: key23, signers, profile }), key23);
      }
    });

    it(`3-of-5, ${profile}, random subsets and delivery orders`, () => {
      for (let i = 0; i < 2; i++) {
        const signers = randomSubset(ids(key35), 3);
        expectSignature(runSign({ shares: key35, signers, profile }), key35);
      }
    });

    it(`5-of-7, ${profile}, a random subset`, () => {
      const signers = randomSubset(ids(key57), 5);
      expectSignature(runSign({ shares: key57, signers, profile }), key57);
    });
  }

  it('more signers than needed (4 of a 3-of-5 key), each with its own message hash', () => {
    const signers = randomSubset(ids(key35), 4);
    const mh = secp256k1.utils.randomSecretKey();
    expectSignature(runSign({ shares: key35, signers, messageHash: mh }), key35, mh);
  });

  it('messages carry the profile protocol name and the session id', () => {
    const res = runSign({ shares: key23, signers: ['P1', 'P2'], profile: 'tss-lib' });
    expect(new Set(res.sent.map((e) => e.protocol))).toEqual(new Set([SIGN_GG18_TSS_LIB_PROTOCOL]));
    const nat = runSign({ shares: key23, signers: ['P1', 'P2'] });
    expect(new Set(nat.sent.map((e) => e.protocol))).toEqual(new Set([SIGN_GG18_PROTOCOL]));
    // 20 tss-lib messages for two signers (as tss-lib), plus the two native l_i reveals.
    expect(res.messages).toBe(20);
    expect(nat.messages).toBe(22);
  });

  it('its own transcripts pass the offline verifier (both profiles)', () => {
    for (const profile of PROFILES) {
      const sessionId = newSessionId();
      const signers = ['P1', 'P3'];
      const res = runSign({ shares: key23, signers, profile, sessionId });
      const sig = expectSignature(res, key23);
      const out = verifySignTranscript({
        profile,
        parties: key23[0]!.parties,
        signers,
        minSigners: 2,
        publicKey: key23[0]!.publicKey.compressed,
        messageHash: MESSAGE_HASH,
        sessionId,
        messages: res.sent.map((e) => ({
          from: e.from,
          ...(e.to.length ? { to: e.to[0]! } : {}),
          type: e.type,
          payload: e.payload,
        })),
      });
      expect(signatureToHex(out.signature)).toEqual(signatureToHex(sig));
    }
  });
});

describe('GG18 signing: snapshots', () => {
  const shares = makeKeyShares({ n: 3, minSigners: 2 });

  it('restoring every party after every step changes nothing (native)', () => {
    const res = runSign({ shares, signers: ['P2', 'P3'] }, { restoreEach: true });
    expectSignature(res, shares);
  });

  it('a party snapshotted mid-protocol resumes exactly (tss-lib), also via restoreParty', () => {
    const parties = makeParties({ shares, signers: ['P1', 'P3'], profile: 'tss-lib' });
    let swapped = 0;
    const res = runParties(parties, {
      afterStep: (p) => {
        if (p.self !== 'P1' || p.round < 5 || p.status !== 'waiting' || swapped > 0)
          return undefined;
        swapped++;
        const snap = p.snapshot();
        expect(JSON.parse(snap).format).toBe('mpc-tss/party');
        const viaEngine = restoreParty<Signature>(snap); // registered by createSignParty
        const q = restoreSignParty(snap);
        for (const r of [q, viaEngine]) {
          expect(r.round).toBe(p.round);
          expect(r.status).toBe('waiting');
          expect(r.sent().map((e) => bytesToHex(encodeEnvelope(e)))).toEqual(
            p.sent().map((e) => bytesToHex(encodeEnvelope(e))),
          );
        }
        return q;
      },
    });
    expect(swapped).toBe(1);
    expectSignature(res, shares);
  });
});

describe('GG18 signing: input validation', () => {
  const shares = makeKeyShares({ n: 3, minSigners: 2 });
  const base = {
    self: 'P1',
    signers: ['P1', 'P2'],
    keyShare: shares[0]!,
    messageHash: MESSAGE_HASH,
    sessionId: 'sess-1',
  };
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(LocalError);
      return (e as LocalError).code;
    }
    return undefined;
  };

  it('rejects a message hash that is not 32 bytes or not < q', () => {
    expect(code(() => createSignParty({ ...base, messageHash: new Uint8Array(31) }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      code(() => createSignParty({ ...base, messageHash: bigintToBytes(CURVE_ORDER, 32) })),
    ).toBe('INVALID_ARGUMENT');
    expect(
      code(() => createSignParty({ ...base, messageHash: new Uint8Array(32).fill(0xff) })),
    ).toBe('INVALID_ARGUMENT');
    expect(
      code(() => createSignParty({ ...base, messageHash: bigintToBytes(CURVE_ORDER - 1n, 32) })),
    ).toBeUndefined();
  });

  it('rejects bad signer sets', () => {
    expect(code(() => createSignParty({ ...base, signers: ['P1'] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createSignParty({ ...base, signers: ['P2', 'P3'] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => createSignParty({ ...base, signers: ['P1', 'P1'] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => createSignParty({ ...base, signers: ['P1', 'X'] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createSignParty({ ...base, self: 'P2' }))).toBe('INVALID_ARGUMENT');
  });

  it('rejects a bad profile, a bad session id and a hardened derivation path', () => {
    expect(code(() => createSignParty({ ...base, profile: 'gg20' as Profile }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(code(() => createSignParty({ ...base, sessionId: '' }))).toBe('INVALID_ARGUMENT');
    const withCc = { ...base, keyShare: { ...shares[0]!, chainCode: '11'.repeat(32) } };
    expect(
      code(() => createSignParty({ ...withCc, derivation: { path: "m/44'/60'/0'/0/5" } })),
    ).toBe('UNSUPPORTED');
    expect(code(() => createSignParty({ ...base, derivation: { path: 'm/0' } }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('rejects a key share whose secret does not match', () => {
    const wrong = {
      ...shares[0]!,
      secret: { ...shares[0]!.secret, xi: shares[0]!.secret.xi + 1n },
    };
    expect(code(() => createSignParty({ ...base, keyShare: wrong }))).toBe('INVALID_KEY_SHARE');
    const swapped = { ...shares[0]!, parties: shares[0]!.parties.map((p) => ({ ...p })) };
    swapped.parties[1] = { ...swapped.parties[1]!, publicShare: swapped.parties[2]!.publicShare };
    expect(code(() => createSignParty({ ...base, keyShare: swapped }))).toBe('INVALID_KEY_SHARE');
  });
});
