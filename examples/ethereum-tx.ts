/**
 * Sign an EIP-1559 transfer, a personal_sign message and EIP-712 typed data with a threshold key.
 *
 *   npx tsx examples/ethereum-tx.ts
 *
 * The chain layer only needs a `ThresholdSigner`: a function that signs a 32-byte digest. Here it
 * is backed by a single private key so the example runs on its own; in production the 2-of-3
 * threshold signing session is the function passed as `signer`, and nothing else changes.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  createEthereumSigner,
  ETHEREUM_CHAINS,
  type ThresholdSigner,
} from '../src/chains/ethereum/index.js';

// --- The key. With mpc-tss this is `keyShare.publicKey`; the secret never exists in one place.
const secretKey = secp256k1.utils.randomSecretKey();
const publicKey = secp256k1.getPublicKey(secretKey, true);

// --- The signer callback. The threshold signer plugs in here.
const thresholdSign: ThresholdSigner = async (digest, context) => {
  console.log(`  signing a ${context?.kind ?? 'digest'}`);
  const sig = secp256k1.Signature.fromBytes(
    secp256k1.sign(digest, secretKey, { prehash: false, lowS: true, format: 'recovered' }),
    'recovered',
  );
  return { r: sig.r, s: sig.s, recoveryId: sig.recovery as 0 | 1 | 2 | 3 };
};

const eth = createEthereumSigner({ publicKey, signer: thresholdSign });
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
