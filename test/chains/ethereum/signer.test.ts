import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createLegacyTx } from '@ethereumjs/tx';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import fc from 'fast-check';
import {
  hashMessage,
  parseTransaction,
  recoverAddress,
  recoverMessageAddress,
  recoverTransactionAddress,
} from 'viem';
import { privateKeyToAddress, publicKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  createEthereumSigner,
  createEthereumTransaction,
  ETHEREUM_CHAINS,
  type EthereumChainInput,
  type EthereumTransactionRequest,
  ethereumAddress,
  hashPersonalMessage,
  MAX_CHAIN_ID,
  resolveEthereumChain,
  toChecksumAddress,
} from '../../../src/chains/ethereum/index.js';
import { LocalError, PeerError, VerifyError } from '../../../src/errors.js';
import { CURVE_N, hex, singleKeySigner, tamper, testKey } from '../support.js';

const key = testKey(3);
const recipient = toChecksumAddress(`0x${'42'.repeat(20)}`);
const eth = createEthereumSigner({
  publicKey: key.publicKey,
  signer: singleKeySigner(key.secretKey),
});

describe('ethereum addresses', () => {
  it('EIP-55 vectors and the address of the key 1', () => {
    const one = new Uint8Array(32);
    one[31] = 1;
    expect(ethereumAddress(secp256k1.getPublicKey(one))).toBe(
      '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf',
    );
    for (const a of [
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
      '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
      '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
    ]) {
      expect(toChecksumAddress(a.toLowerCase())).toBe(a);
      expect(toChecksumAddress(a.toUpperCase().replace('0X', '0x'))).toBe(a);
      expect(toChecksumAddress(a)).toBe(a);
    }
    expect(() => toChecksumAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toThrow(
      /checksum/,
    );
    expect(() => toChecksumAddress('0x1234')).toThrow(LocalError);
  });

  it('match viem for random keys, compressed and uncompressed, any input shape', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: CURVE_N - 1n }), (k) => {
        const sk = secp256k1.Point.Fn.toBytes(k);
        const pub = secp256k1.getPublicKey(sk, false);
        const expected = privateKeyToAddress(`0x${hex(sk)}`);
        expect(ethereumAddress(pub)).toBe(expected);
        expect(
          ethereumAddress({ publicKey: { compressed: hex(secp256k1.getPublicKey(sk)) } }),
        ).toBe(expected);
        expect(publicKeyToAddress(`0x${hex(pub)}`)).toBe(expected);
      }),
      { numRuns: 30 },
    );
    expect(eth.address).toBe(privateKeyToAddress(`0x${hex(key.secretKey)}`));
  });
});

describe('chain presets', () => {
  it('know the mainnets and testnets, and any numeric chain id', () => {
    expect(resolveEthereumChain('ethereum').chainId).toBe(1n);
    expect(resolveEthereumChain('bsc').chainId).toBe(56n);
    expect(resolveEthereumChain('avalanche').chainId).toBe(43114n);
    expect(resolveEthereumChain('polygon').chainId).toBe(137n);
    expect(resolveEthereumChain('arbitrum').chainId).toBe(42161n);
    expect(resolveEthereumChain('base').chainId).toBe(8453n);
    expect(resolveEthereumChain('sepolia').chainId).toBe(11155111n);
    expect(resolveEthereumChain(8453).name).toBe('base');
    expect(resolveEthereumChain(10n)).toEqual({ name: 'chain-10', chainId: 10n, testnet: false });
    expect(Object.keys(ETHEREUM_CHAINS)).toHaveLength(14);
  });

  it('reject unknown names and bad ids', () => {
    for (const name of ['mainnet', '1', 'toString', '__proto__']) {
      expect(() => resolveEthereumChain(name as never)).toThrow(
        expect.objectContaining({ code: 'UNSUPPORTED' }),
      );
    }
    for (const bad of [0, -1, 1.5, 2n ** 53n, null as never, {} as never]) {
      expect(() => resolveEthereumChain(bad as EthereumChainInput)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});

describe('messages (EIP-191 personal_sign)', () => {
  it('viem recovers the threshold address, for text and raw bytes, both parities', async () => {
    const parities = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const message = `hello mpc-tss #${i} ✓`;
      expect(`0x${hex(hashPersonalMessage(message))}`).toBe(hashMessage(message));
      const sig = await eth.signMessage(message);
      parities.add(sig.yParity);
      expect(sig.v).toBe(27n + BigInt(sig.yParity));
      expect(sig.serialized).toMatch(/^0x[0-9a-f]{130}$/);
      expect(sig.s <= CURVE_N / 2n).toBe(true);
      expect(await recoverMessageAddress({ message, signature: sig.serialized })).toBe(eth.address);
    }
    expect(parities).toEqual(new Set([0, 1]));
    const raw = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
    const sig = await eth.signMessage(raw);
    expect(await recoverMessageAddress({ message: { raw }, signature: sig.serialized })).toBe(
      eth.address,
    );
  });

  it('signDigest signs the digest as is', async () => {
    const digest = keccak_256(new TextEncoder().encode('raw digest'));
    const sig = await eth.signDigest(digest);
    expect(await recoverAddress({ hash: digest, signature: sig.serialized })).toBe(eth.address);
    await expect(eth.signDigest(new Uint8Array(20))).rejects.toMatchObject({
      name: 'LocalError',
      code: 'INVALID_ARGUMENT',
    });
  });
});

const BASE_FIELDS = { nonce: 7, to: recipient, value: 10n ** 15n, gasLimit: 21_000 };

const TX_CASES: [string, EthereumTransactionRequest][] = [
  [
    'legacy / ethereum',
    { ...BASE_FIELDS, type: 'legacy', chain: 'ethereum', gasPrice: 2n * 10n ** 10n },
  ],
  ['legacy / bsc', { ...BASE_FIELDS, type: 'legacy', chain: 'bsc', gasPrice: 3n * 10n ** 9n }],
  ['legacy / chain 10', { ...BASE_FIELDS, type: 'legacy', chain: 10, gasPrice: 10n ** 6n }],
  [
    'eip2930 / polygon',
    {
      ...BASE_FIELDS,
      type: 'eip2930',
      chain: 'polygon',
      gasLimit: 30_000,
      gasPrice: 3n * 10n ** 10n,
      accessList: [{ address: recipient, storageKeys: [`0x${'00'.repeat(31)}01`] }],
    },
  ],
  [
    'eip1559 / base',
    {
      ...BASE_FIELDS,
      chain: 'base',
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 6n,
      data: '0xabcdef',
      gasLimit: 50_000,
    },
  ],
  [
    'eip1559 / avalanche, contract creation',
    {
      nonce: 0,
      chain: 'avalanche',
      gasLimit: 100_000,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 1n,
      data: '0x6000',
    },
  ],
  [
    'eip1559 / arbitrumSepolia',
    { ...BASE_FIELDS, chain: 'arbitrumSepolia', maxFeePerGas: 10n ** 8n, maxPriorityFeePerGas: 0n },
  ],
];

describe('transactions', () => {
  it.each(TX_CASES)(
    '%s: viem recovers the threshold address; v/yParity are right',
    async (_, req) => {
      const contexts: unknown[] = [];
      const inner = singleKeySigner(key.secretKey);
      const signer = createEthereumSigner({
        publicKey: key.publicKey,
        signer: async (d, ctx) => {
          contexts.push(ctx);
          return inner(d);
        },
      });
      const chainId = resolveEthereumChain(req.chain).chainId;
      const signed = await signer.signTransaction(req);
      expect(signed.from).toBe(eth.address);
      expect(contexts).toEqual([{ chain: 'ethereum', kind: 'transaction', chainId }]);
      expect(
        await recoverTransactionAddress({ serializedTransaction: signed.serialized as never }),
      ).toBe(eth.address);
      const parsed = parseTransaction(signed.serialized as never);
      expect(BigInt(parsed.chainId!)).toBe(chainId);
      expect(parsed.nonce).toBe(Number(req.nonce));
      const { yParity, v } = signed.signature;
      if (req.type === 'legacy') {
        expect(parsed.type).toBe('legacy');
        expect(parsed.v).toBe(35n + 2n * chainId + BigInt(yParity));
        expect(v).toBe(parsed.v);
      } else {
        expect(parsed.type).toBe(req.type ?? 'eip1559');
        expect(parsed.yParity).toBe(yParity);
        expect(v).toBe(BigInt(yParity));
      }
      expect(parsed.r).toBe(`0x${signed.signature.r.toString(16).padStart(64, '0')}`);
      expect(signed.signature.s <= CURVE_N / 2n).toBe(true);
      expect(signed.hash).toBe(
        `0x${hex(keccak_256(Buffer.from(signed.serialized.slice(2), 'hex')))}`,
      );
    },
  );

  it('signs a pre-EIP-155 legacy transaction with v = 27/28', async () => {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Homestead });
    const tx = createLegacyTx({ ...BASE_FIELDS, gasPrice: 10n ** 9n }, { common });
    const signed = await eth.signTransaction(tx);
    expect(signed.tx.v).toBe(27n + BigInt(signed.signature.yParity));
    expect(
      await recoverTransactionAddress({ serializedTransaction: signed.serialized as never }),
    ).toBe(eth.address);
  });

  it('yParity comes out right even when the signer omits the recovery id or returns high s', async () => {
    const sloppy = createEthereumSigner({
      publicKey: key.publicKey,
      signer: tamper(singleKeySigner(key.secretKey), (sig) => ({ r: sig.r, s: CURVE_N - sig.s })),
    });
    const parities = new Set<number>();
    for (let nonce = 0; nonce < 10; nonce++) {
      const signed = await sloppy.signTransaction({
        ...BASE_FIELDS,
        nonce,
        chain: 'ethereum',
        maxFeePerGas: 10n ** 9n,
        maxPriorityFeePerGas: 1n,
      });
      parities.add(signed.signature.yParity);
      expect(
        await recoverTransactionAddress({ serializedTransaction: signed.serialized as never }),
      ).toBe(eth.address);
    }
    expect(parities).toEqual(new Set([0, 1]));
  });

  it('handles chain ids up to MAX_CHAIN_ID exactly', async () => {
    for (const chain of [MAX_CHAIN_ID, 2n ** 40n + 1n]) {
      const legacy = await eth.signTransaction({
        ...BASE_FIELDS,
        type: 'legacy',
        chain,
        gasPrice: 1n,
      });
      expect(legacy.tx.common.chainId()).toBe(chain);
      expect(legacy.signature.v).toBe(35n + 2n * chain + BigInt(legacy.signature.yParity));
      const typed = await eth.signTransaction({
        ...BASE_FIELDS,
        chain,
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 1n,
      });
      expect(BigInt(parseTransaction(typed.serialized as never).chainId!)).toBe(chain);
      expect(
        await recoverTransactionAddress({ serializedTransaction: typed.serialized as never }),
      ).toBe(eth.address);
    }
  });

  it('accepts an unsigned @ethereumjs/tx transaction built by the caller', async () => {
    const tx = await createEthereumTransaction({
      ...BASE_FIELDS,
      type: 'legacy',
      chain: 'bscTestnet',
      gasPrice: 10n ** 10n,
    });
    expect(tx.common.chainId()).toBe(97n);
    const signed = await eth.signTransaction(tx);
    expect(signed.tx.v).toBe(35n + 2n * 97n + BigInt(signed.signature.yParity));
  });
});

describe('bad input never yields a silently wrong signature', () => {
  const request: EthereumTransactionRequest = {
    ...BASE_FIELDS,
    chain: 'ethereum',
    maxFeePerGas: 10n ** 9n,
    maxPriorityFeePerGas: 1n,
  };

  it('a signature by another key is refused (messages and transactions)', async () => {
    const impostor = createEthereumSigner({
      publicKey: key.publicKey,
      signer: singleKeySigner(testKey(4).secretKey),
    });
    for (const p of [
      impostor.signMessage('x'),
      impostor.signTransaction(request),
      impostor.signDigest(new Uint8Array(32)),
    ]) {
      const e = await p.catch((err: unknown) => err);
      expect(e).toBeInstanceOf(VerifyError);
      expect(e).toMatchObject({ code: 'SIGNATURE_INVALID' });
    }
  });

  it('a corrupted signature without recovery id is refused', async () => {
    const broken = createEthereumSigner({
      publicKey: key.publicKey,
      signer: tamper(singleKeySigner(key.secretKey), (sig) => ({ r: sig.r, s: sig.s ^ 4n })),
    });
    await expect(broken.signMessage('x')).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('errors of the threshold signer propagate unchanged', async () => {
    const blame = new PeerError({ code: 'TIMEOUT', message: 'no answer', culprits: ['p3'] });
    const s = createEthereumSigner({
      publicKey: key.publicKey,
      signer: () => Promise.reject(blame),
    });
    await expect(s.signTransaction(request)).rejects.toBe(blame);
  });

  it('malformed requests and options are LocalErrors with clear codes', async () => {
    const cases: [Partial<EthereumTransactionRequest> | unknown, string][] = [
      [{ ...request, chain: 'ropsten' }, 'UNSUPPORTED'],
      [{ ...request, chain: 0 }, 'INVALID_ARGUMENT'],
      [{ ...request, type: 'eip4844' }, 'UNSUPPORTED'],
      [{ ...request, gasPrice: 1n }, 'INVALID_ARGUMENT'],
      [{ ...request, type: 'legacy' }, 'INVALID_ARGUMENT'],
      [{ ...request, to: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD' }, 'INVALID_ARGUMENT'],
      [{ ...request, nonce: -1 }, 'INVALID_ARGUMENT'],
      [{ ...request, data: '0xabc' }, 'INVALID_ARGUMENT'],
      [
        { ...request, accessList: [{ address: recipient, storageKeys: ['0x01'] }] },
        'INVALID_ARGUMENT',
      ],
      [{ ...request, common: new Common({ chain: Mainnet }), chain: 'bsc' }, 'INVALID_ARGUMENT'],
      [{ ...request, gasLimit: 2n ** 64n }, 'INVALID_ARGUMENT'],
    ];
    for (const [req, code] of cases) {
      const e = await eth.signTransaction(req as EthereumTransactionRequest).catch((x) => x);
      expect(
        e,
        JSON.stringify(req, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
      ).toBeInstanceOf(LocalError);
      expect(e.code).toBe(code);
    }
    expect(() => createEthereumSigner({ publicKey: key.publicKey } as never)).toThrow(LocalError);
    expect(() =>
      createEthereumSigner({
        publicKey: new Uint8Array(33),
        signer: async () => ({ r: 1n, s: 1n }),
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
