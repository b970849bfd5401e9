import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { recoverTypedDataAddress, hashTypedData as viemHashTypedData } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  createEthereumSigner,
  encodeType,
  ethereumAddress,
  hashDomain,
  hashStruct,
  hashTypedData,
  type TypedData,
  typeHash,
} from '../../../src/chains/ethereum/index.js';
import { LocalError } from '../../../src/errors.js';
import { hex, singleKeySigner, testKey } from '../support.js';

// The "Mail" example of EIP-712 (assets/eip-712/Example.js), with its published values.
const MAIL: TypedData = {
  types: {
    EIP712Domain: [
      { name: 'name', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' },
      { name: 'verifyingContract', type: 'address' },
    ],
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallet', type: 'address' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person' },
      { name: 'contents', type: 'string' },
    ],
  },
  primaryType: 'Mail',
  domain: {
    name: 'Ether Mail',
    version: '1',
    chainId: 1,
    verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
  },
  message: {
    from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
    to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    contents: 'Hello, Bob!',
  },
};

const h = (b: Uint8Array) => `0x${hex(b)}`;

describe('EIP-712', () => {
  it("reproduces every value of the EIP's Mail example", () => {
    expect(encodeType(MAIL.types, 'Mail')).toBe(
      'Mail(Person from,Person to,string contents)Person(string name,address wallet)',
    );
    expect(h(typeHash(MAIL.types, 'Mail'))).toBe(
      '0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2',
    );
    expect(h(hashStruct(MAIL.types, 'Mail', MAIL.message))).toBe(
      '0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e',
    );
    expect(h(hashDomain(MAIL))).toBe(
      '0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f',
    );
    expect(h(hashTypedData(MAIL))).toBe(
      '0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2',
    );
  });

  it('signs the Mail example exactly as the EIP does (key = keccak256("cow"))', async () => {
    const cow = keccak_256(new TextEncoder().encode('cow'));
    const publicKey = secp256k1.getPublicKey(cow);
    expect(ethereumAddress(publicKey)).toBe('0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826');
    const eth = createEthereumSigner({ publicKey, signer: singleKeySigner(cow) });
    const sig = await eth.signTypedData(MAIL);
    expect(sig.v).toBe(28n);
    expect(sig.r).toBe(0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9dn);
    expect(sig.s).toBe(0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562n);
    expect(
      await recoverTypedDataAddress({ ...(MAIL as object), signature: sig.serialized } as never),
    ).toBe(eth.address);
  });

  it('infers EIP712Domain from the domain fields when types omit it', () => {
    const { EIP712Domain: _, ...types } = MAIL.types;
    expect(hashTypedData({ ...MAIL, types })).toEqual(hashTypedData(MAIL));
    const noName = { ...MAIL, types, domain: { chainId: 137n, salt: `0x${'ab'.repeat(32)}` } };
    expect(h(hashTypedData(noName))).toBe(viemHashTypedData(noName as never));
  });

  const COMPLEX: TypedData = {
    types: {
      Order: [
        { name: 'maker', type: 'address' },
        { name: 'amounts', type: 'uint256[]' },
        { name: 'grid', type: 'uint8[2][]' },
        { name: 'delta', type: 'int64' },
        { name: 'small', type: 'int8' },
        { name: 'flag', type: 'bool' },
        { name: 'payload', type: 'bytes' },
        { name: 'id', type: 'bytes32' },
        { name: 'tag', type: 'bytes4' },
        { name: 'legs', type: 'Leg[]' },
        { name: 'root', type: 'Tree' },
      ],
      Leg: [
        { name: 'asset', type: 'address' },
        { name: 'qty', type: 'uint128' },
      ],
      Tree: [
        { name: 'label', type: 'string' },
        { name: 'children', type: 'Tree[]' },
      ],
    },
    primaryType: 'Order',
    domain: {
      name: 'Exchange',
      version: '2',
      chainId: 8453,
      verifyingContract: `0x${'11'.repeat(20)}`,
    },
    message: {
      maker: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826',
      amounts: [0n, 1n, 2n ** 256n - 1n],
      grid: [
        [1, 2],
        [3, 255],
      ],
      delta: -(2n ** 63n),
      small: -1,
      flag: true,
      payload: '0xdeadbeef00',
      id: `0x${'cd'.repeat(32)}`,
      tag: '0x01020304',
      legs: [
        { asset: `0x${'22'.repeat(20)}`, qty: 5n },
        { asset: `0x${'33'.repeat(20)}`, qty: 2n ** 128n - 1n },
      ],
      root: {
        label: 'root ✓',
        children: [
          { label: 'a', children: [] },
          { label: 'b', children: [{ label: 'c', children: [] }] },
        ],
      },
    },
  };

  it('matches viem on arrays, nested and recursive structs, signed ints, bytes', async () => {
    expect(h(hashTypedData(COMPLEX))).toBe(viemHashTypedData(COMPLEX as never));
    const key = testKey(5);
    const eth = createEthereumSigner({
      publicKey: key.publicKey,
      signer: singleKeySigner(key.secretKey),
    });
    const sig = await eth.signTypedData(COMPLEX);
    expect(
      await recoverTypedDataAddress({ ...(COMPLEX as object), signature: sig.serialized } as never),
    ).toBe(eth.address);
    // primaryType = EIP712Domain signs the domain alone
    const domainOnly = { ...MAIL, primaryType: 'EIP712Domain', message: {} };
    expect(h(hashTypedData(domainOnly))).toBe(viemHashTypedData(domainOnly as never));
  });

  it('rejects malformed data instead of hashing something else', () => {
    const m = COMPLEX.message;
    const bad: [string, Record<string, unknown>][] = [
      ['missing field', { ...m, flag: undefined }],
      ['uint overflow', { ...m, amounts: [2n ** 256n] }],
      ['negative uint', { ...m, amounts: [-1n] }],
      ['int8 underflow', { ...m, small: -129 }],
      ['unsafe number', { ...m, small: 2 ** 60 }],
      ['fixed array length', { ...m, grid: [[1, 2, 3]] }],
      ['bytes4 length', { ...m, tag: '0x0102' }],
      ['bytes not hex', { ...m, payload: 'hello' }],
      ['bool as number', { ...m, flag: 1 }],
      ['bad checksum', { ...m, maker: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827' }],
      ['struct not object', { ...m, root: 'tree' }],
      ['array not array', { ...m, legs: {} }],
    ];
    for (const [what, message] of bad) {
      expect(() => hashTypedData({ ...COMPLEX, message }), what).toThrow(LocalError);
    }
    expect(() =>
      hashTypedData({
        ...COMPLEX,
        types: { ...COMPLEX.types, Leg: [{ name: 'x', type: 'uint7' }] },
      }),
    ).toThrow(/invalid type/);
    expect(() => hashTypedData({ ...COMPLEX, primaryType: 'Nope' })).toThrow(/unknown type/);
    expect(() =>
      hashTypedData({
        ...COMPLEX,
        types: { ...COMPLEX.types, Leg: [{ name: 'x', type: 'Float' }] },
      }),
    ).toThrow(/invalid type "Float"/);
    expect(() => hashTypedData(null as never)).toThrow(LocalError);
    // a cyclic value cannot blow the stack
    const cyclic: Record<string, unknown> = { label: 'loop' };
    cyclic.children = [cyclic];
    expect(() => hashStruct(COMPLEX.types, 'Tree', cyclic)).toThrow(/nested deeper/);
  });
});
