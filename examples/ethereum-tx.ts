/**
 * Sign an EIP-1559 transfer, a personal_sign message and EIP-712 typed data with a 2-of-3
 * threshold key.
 *
 *   npm run example:ethereum   # tsx examples/ethereum-tx.ts
 *
 * The chain layer only needs a `ThresholdSigner`: a function that signs a 32-byte digest. Here it
 * runs a GG18 signing session between two of the three key holders for every digest
 * (support/threshold-signer.ts); the key comes from a fresh keygen (support/threshold-key.ts,
 * which also generates the pre-params: real deployments generate those ahead of time).
 */
import { createEthereumSigner, ETHEREUM_CHAINS } from '../src/chains/ethereum/index.js';
import { createWorkerPool } from '../src/index.js';
import { generateThresholdKey } from './support/threshold-key.js';
import { createThresholdSigner } from './support/threshold-signer.js';

const pool = createWorkerPool();

try {
  // --- The key: three shares, any two sign. `shares[i].publicKey` is the key; its secret never
  // exists in one place.
  const shares = await generateThresholdKey({
    ids: ['alice', 'bob', 'carol'],
    minSigners: 2,
    pool,
  });

  // --- The signer callback: a GG18 session between bob and carol per digest.
  const thresholdSign = createThresholdSigner({
    shares,
    signers: ['bob', 'carol'],
    pool,
    onSigned: ({ context, elapsedMs, wire }) => {
      console.log(
        `  ${context?.kind ?? 'digest'} signed by bob and carol in ${elapsedMs.toFixed(0)} ms (${wire.bytes.toLocaleString('en-US')} B)`,
      );
    },
  });

  const eth = createEthereumSigner({ publicKey: shares[0]!, signer: thresholdSign });
  console.log('threshold address:', eth.address);

  // --- An EIP-1559 transfer on Base Sepolia (any preset or numeric chain id works).
  const tx = await eth.signTransaction({
    type: 'eip1559',
    chain: 'baseSepolia',
    nonce: 0,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 10n ** 15n, // 0.001 ETH
    gasLimit: 21_000,
    maxFeePerGas: 2n * 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 6n,
  });
  console.log(`chain id ${ETHEREUM_CHAINS.baseSepolia.chainId}, yParity ${tx.signature.yParity}`);
  console.log('raw tx (eth_sendRawTransaction):', tx.serialized);
  console.log('tx hash:', tx.hash);

  // --- EIP-191 personal_sign.
  const msg = await eth.signMessage('I control this threshold address');
  console.log('personal_sign:', msg.serialized);

  // --- EIP-712 typed data.
  const typed = await eth.signTypedData({
    types: {
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
      verifyingContract: `0x${'cc'.repeat(20)}`,
    },
    message: {
      from: { name: 'Threshold', wallet: eth.address },
      to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
      contents: 'Hello, Bob!',
    },
  });
  console.log('eth_signTypedData_v4:', typed.serialized);
} catch (err) {
  console.error('example failed:', err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await pool.close();
}
