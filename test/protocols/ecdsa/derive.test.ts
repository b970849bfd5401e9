import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { LocalError } from '../../../src/errors.js';
import { bytesToHex, hexToBytes } from '../../../src/math/bigint.js';
import { CURVE_ORDER, G, mulG, pointFromBytes } from '../../../src/math/curve.js';
import {
  deriveChild,
  derivePublicKey,
  deriveSigningShare,
  HARDENED_OFFSET,
  parseDerivationPath,
} from '../../../src/protocols/ecdsa/derive.js';
import { lagrangeCoefficients } from '../../../src/vss/lagrange.js';
import { makeKeyShares } from '../../support/keyshare-fixture.js';
import { interpolateAtZero } from '../../support/lagrange.js';
import { MESSAGE_HASH, runSign } from './sign-gg18/helpers.js';

// --- a minimal base58check decoder for the BIP32 xpub test vectors ---------------------------
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58check(s: string): Uint8Array {
  let n = 0n;
  for (const c of s) {
    const d = ALPHABET.indexOf(c);
    if (d < 0) throw new Error('bad base58');
    n = n * 58n + BigInt(d);
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const zeros = s.match(/^1*/)![0].length;
  const raw = new Uint8Array([...new Uint8Array(zeros), ...hexToBytes(hex)]);
  const body = raw.subarray(0, raw.length - 4);
  const check = sha256(sha256(body)).subarray(0, 4);
  expect(bytesToHex(raw.subarray(raw.length - 4))).toBe(bytesToHex(check));
  return body;
}
/** version(4) depth(1) fingerprint(4) child(4) chainCode(32) key(33). */
function xpub(s: string) {
  const b = base58check(s);
  expect(b.length).toBe(78);
  return {
    depth: b[4]!,
    child: new DataView(b.buffer, b.byteOffset).getUint32(9, false),
    chainCode: b.slice(13, 45),
    key: b.slice(45, 78),
  };
}

// BIP32 test vectors: every non-hardened public-child step (parent xpub → child xpub).
const STEPS: [string, number, string, string][] = [
  [
    'vector 1: m/0H → m/0H/1',
    1,
    'xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw',
    'xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ',
  ],
  [
    'vector 1: m/0H/1/2H → m/0H/1/2H/2',
    2,
    'xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5',
    'xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV',
  ],
  [
    'vector 1: m/0H/1/2H/2 → m/0H/1/2H/2/1000000000',
    1000000000,
    'xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV',
    'xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy',
  ],
  [
    'vector 2: m → m/0',
    0,
    'xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB',
    'xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH',
  ],
  [
    'vector 2: m/0/2147483647H → m/0/2147483647H/1',
    1,
    'xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaDMBU4Zn9h8LZNnBC5y4a',
    'xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537wTfunKau47EL2dhHKon',
  ],
  [
    'vector 2: m/0/2147483647H/1/2147483646H → …/2',
    2,
    'xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL',
    'xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9rXpVGyy3bdW6EEgAtqt',
  ],
];

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LocalError);
    return (e as LocalError).code;
  }
  return undefined;
};

describe('BIP32 public derivation', () => {
  for (const [name, index, parentX, childX] of STEPS) {
    it(name, () => {
      const parent = xpub(parentX);
      const child = xpub(childX);
      expect(child.child).toBe(index);
      expect(child.depth).toBe(parent.depth + 1);
      const d = derivePublicKey(parent.key, parent.chainCode, [index]);
      expect(bytesToHex(d.publicKey.toBytes(true))).toBe(bytesToHex(child.key));
      expect(bytesToHex(d.chainCode)).toBe(bytesToHex(child.chainCode));
      // child = parent + delta·G
      expect(pointFromBytes(parent.key).add(mulG(d.delta)).equals(d.publicKey)).toBe(true);
    });
  }

  it('multi-step paths compose (vector 1: m/0H/1/2H → …/2/1000000000) and delta sums', () => {
    const parent = xpub(STEPS[1]![2]);
    const end = xpub(STEPS[2]![3]);
    const d = derivePublicKey(
      bytesToHex(parent.key),
      bytesToHex(parent.chainCode),
      'm/2/1000000000',
    );
    expect(bytesToHex(d.publicKey.toBytes(true))).toBe(bytesToHex(end.key));
    expect(bytesToHex(d.chainCode)).toBe(bytesToHex(end.chainCode));
    const one = deriveChild(pointFromBytes(parent.key), parent.chainCode, 2);
    const two = deriveChild(one.publicKey, one.chainCode, 1000000000);
    expect(d.delta).toBe((one.il + two.il) % CURVE_ORDER);
    expect(d.path).toEqual([2, 1000000000]);
  });

  it('the empty path is the identity tweak', () => {
    const { key, chainCode } = xpub(STEPS[0]![2]);
    for (const p of ['m', '', []]) {
      const d = derivePublicKey(key, chainCode, p);
      expect(d.delta).toBe(0n);
      expect(bytesToHex(d.publicKey.toBytes(true))).toBe(bytesToHex(key));
    }
  });

  it('refuses hardened steps with UNSUPPORTED and malformed paths with INVALID_ARGUMENT', () => {
    const { key, chainCode } = xpub(STEPS[0]![2]);
    for (const p of ["m/44'/60", 'm/0h', 'm/1H', [HARDENED_OFFSET], [0, 2 ** 31 + 5]]) {
      expect(code(() => derivePublicKey(key, chainCode, p))).toBe('UNSUPPORTED');
    }
    expect(code(() => deriveChild(pointFromBytes(key), chainCode, HARDENED_OFFSET))).toBe(
      'UNSUPPORTED',
    );
    for (const p of ['m/abc', 'm/-1', 'm//1', 'm/01', 'm/4294967296', [-1], [1.5], [2 ** 32]]) {
      expect(code(() => parseDerivationPath(p as string))).toBe('INVALID_ARGUMENT');
    }
    expect(code(() => derivePublicKey(key, chainCode.subarray(1), 'm/1'))).toBe('INVALID_ARGUMENT');
    expect(code(() => derivePublicKey(new Uint8Array(33), chainCode, 'm/1'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(parseDerivationPath('m/44/60/0/0/5')).toEqual([44, 60, 0, 0, 5]);
  });

  it('adding delta to every share and every public share shifts the key by delta (tss-lib ckd)', () => {
    const shares = makeKeyShares({ n: 3, minSigners: 2 });
    const delta = derivePublicKey(shares[0]!.publicKey.compressed, '42'.repeat(32), 'm/7/8').delta;
    const signers = shares.slice(0, 2);
    const x = interpolateAtZero(
      signers.map((s) => ({
        index: s.parties.find((p) => p.id === s.self)!.index,
        value: s.secret.xi,
      })),
    );
    const lambdas = lagrangeCoefficients(
      signers.map((s) => s.parties.find((p) => p.id === s.self)!.index),
    );
    let sum = 0n;
    signers.forEach((s, j) => {
      const X = pointFromBytes(hexToBytes(s.parties.find((p) => p.id === s.self)!.publicShare));
      const d = deriveSigningShare(s.secret.xi, [X], delta);
      expect(d.publicShares[0]!.equals(X.add(G.multiply(delta)))).toBe(true);
      sum += lambdas[j]! * d.xi;
    });
    expect(sum % CURVE_ORDER).toBe((x + delta) % CURVE_ORDER);
  });
});

describe('signing under a derivation path', () => {
  const chainCode = 'c0ffee'.padEnd(64, '5a');
  const shares = makeKeyShares({ n: 3, minSigners: 2, chainCode });
  const path = 'm/44/60/0/0/5'; // non-hardened indices 44, 60, 0, 0, 5

  for (const profile of ['native', 'tss-lib'] as const) {
    it(`m/44/60/0/0/5 (${profile}): the signature verifies under the derived key`, () => {
      const derived = derivePublicKey(shares[0]!.publicKey.compressed, chainCode, path);
      const res = runSign({ shares, signers: ['P1', 'P3'], profile, derivation: { path } });
      for (const step of res.steps.values()) {
        expect(step.error?.message).toBeUndefined();
        const sig = step.output!;
        expect(bytesToHex(sig.publicKey)).toBe(bytesToHex(derived.publicKey.toBytes(true)));
        expect(
          secp256k1.verify(sig.compact, MESSAGE_HASH, derived.publicKey.toBytes(true), {
            prehash: false,
          }),
        ).toBe(true);
        // …and not under the parent key.
        expect(
          secp256k1.verify(sig.compact, MESSAGE_HASH, hexToBytes(shares[0]!.publicKey.compressed), {
            prehash: false,
          }),
        ).toBe(false);
      }
    });
  }

  it('an explicit chain code overrides the key share', () => {
    const other = '77'.repeat(32);
    const derived = derivePublicKey(shares[0]!.publicKey.compressed, other, [1, 2]);
    const res = runSign({
      shares,
      signers: ['P2', 'P3'],
      derivation: { path: [1, 2], chainCode: other },
    });
    for (const step of res.steps.values()) {
      expect(bytesToHex(step.output!.publicKey)).toBe(bytesToHex(derived.publicKey.toBytes(true)));
    }
  });
});
