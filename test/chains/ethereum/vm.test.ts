/**
 * End to end on a local EVM: a transfer signed through the chain layer executes in
 * @ethereumjs/vm and moves the balances it should.
 */
import { createBlock } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { createAccount, createAddressFromString } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import { describe, expect, it } from 'vitest';
import { createEthereumSigner, toChecksumAddress } from '../../../src/chains/ethereum/index.js';
import { singleKeySigner, testKey } from '../support.js';

const key = testKey(9);
const eth = createEthereumSigner({
  publicKey: key.publicKey,
  signer: singleKeySigner(key.secretKey),
});
const to = toChecksumAddress(`0x${'be'.repeat(20)}`);
const ONE_ETH = 10n ** 18n;

async function setup() {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const vm = await createVM({ common });
  const from = createAddressFromString(eth.address);
  await vm.stateManager.putAccount(from, createAccount({ balance: ONE_ETH, nonce: 0n }));
  const block = createBlock(
    {
      header: {
        number: 1n,
        gasLimit: 30_000_000n,
        baseFeePerGas: 7n * 10n ** 9n,
        timestamp: 1_800_000_000n,
        coinbase: `0x${'c0'.repeat(20)}`,
      },
    },
    { common, setHardfork: false },
  );
  const balance = async (a: string) =>
    (await vm.stateManager.getAccount(createAddressFromString(a)))?.balance ?? 0n;
  return { common, vm, block, balance };
}

describe('signed transactions execute in @ethereumjs/vm', () => {
  it('an EIP-1559 transfer from the threshold address moves the balances', async () => {
    const { common, vm, block, balance } = await setup();
    const value = 123_456_789n * 10n ** 6n;
    const maxFeePerGas = 20n * 10n ** 9n;
    const maxPriorityFeePerGas = 2n * 10n ** 9n;
    const signed = await eth.signTransaction({
      type: 'eip1559',
      chain: 'ethereum',
      common,
      nonce: 0,
      to,
      value,
      gasLimit: 21_000,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    const result = await runTx(vm, { tx: signed.tx as never, block });
    expect(result.execResult.exceptionError).toBeUndefined();
    expect(result.totalGasSpent).toBe(21_000n);
    const effectivePrice = 7n * 10n ** 9n + maxPriorityFeePerGas; // base fee + tip (< max fee)
    expect(result.amountSpent).toBe(21_000n * effectivePrice);
    expect(await balance(to)).toBe(value);
    expect(await balance(eth.address)).toBe(ONE_ETH - value - 21_000n * effectivePrice);
    const sender = await vm.stateManager.getAccount(createAddressFromString(eth.address));
    expect(sender?.nonce).toBe(1n);
  });

  it('a legacy EIP-155 transfer executes too; a BSC signature does not replay on mainnet', async () => {
    const { common, vm, block, balance } = await setup();
    const signed = await eth.signTransaction({
      type: 'legacy',
      chain: 'ethereum',
      common,
      nonce: 0,
      to,
      value: 1000n,
      gasLimit: 21_000,
      gasPrice: 10n ** 10n,
    });
    await runTx(vm, { tx: signed.tx as never, block });
    expect(await balance(to)).toBe(1000n);

    const other = await eth.signTransaction({
      type: 'legacy',
      chain: 'bsc',
      nonce: 1,
      to,
      value: 1000n,
      gasLimit: 21_000,
      gasPrice: 10n ** 10n,
    });
    // EIP-155: the BSC signature commits to chain id 56, so mainnet refuses to decode it.
    const raw = Buffer.from(other.serialized.slice(2), 'hex');
    expect(() => createTxFromRLP(raw, { common })).toThrow(/chain ?id/i);
    expect(createTxFromRLP(Buffer.from(signed.serialized.slice(2), 'hex'), { common }).v).toBe(
      signed.tx.v,
    );
  });
});
