/**
 * Spend a P2WPKH output of a threshold key with a PSBT (regtest).
 *
 *   npx tsx examples/bitcoin-psbt.ts
 *
 * The chain layer only needs a `ThresholdSigner`: a function that signs a 32-byte digest. Here it
 * is backed by a single private key so the example runs on its own; in production the 2-of-3
 * threshold signing session is the function passed as `signer`, and nothing else changes.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Psbt, Transaction } from 'bitcoinjs-lib';
import {
  bitcoinAddresses,
  bitcoinPayment,
  createBitcoinSigner,
  signPsbt,
  type ThresholdSigner,
  validateBitcoinSignature,
} from '../src/chains/bitcoin/index.js';

// --- The key. With mpc-tss this is `keyShare.publicKey`; the secret never exists in one place.
const secretKey = secp256k1.utils.randomSecretKey();
const publicKey = secp256k1.getPublicKey(secretKey, true);

// --- The signer callback. The threshold signer plugs in here.
const thresholdSign: ThresholdSigner = async (digest, context) => {
  console.log(`  signing input ${context?.chain === 'bitcoin' ? context.inputIndex : '?'}`);
  const sig = secp256k1.Signature.fromBytes(
    secp256k1.sign(digest, secretKey, { prehash: false, lowS: true, format: 'recovered' }),
    'recovered',
  );
  return { r: sig.r, s: sig.s, recoveryId: sig.recovery as 0 | 1 | 2 | 3 };
};

const network = 'regtest';
console.log('threshold addresses (regtest):', bitcoinAddresses(publicKey, { network }));

// --- A previous transaction that paid 0.001 BTC to our P2WPKH address (fabricated here; on a
// real network it comes from your wallet backend).
const ours = bitcoinPayment(publicKey, 'p2wpkh', { network });
const prev = new Transaction();
prev.addInput(new Uint8Array(32).fill(1), 0);
prev.addOutput(ours.output, 100_000n);

// --- Build, sign, finalize, extract.
const signer = createBitcoinSigner({ publicKey, signer: thresholdSign, network });
const psbt = new Psbt({ network: signer.network });
psbt.addInput({
  hash: prev.getId(),
  index: 0,
  witnessUtxo: { script: ours.output, value: 100_000n },
});
const recipient = bitcoinPayment(
  secp256k1.getPublicKey(secp256k1.utils.randomSecretKey()),
  'p2wpkh',
  {
    network,
  },
);
psbt.addOutput({ address: recipient.address, value: 99_000n });

console.log('signing the PSBT through the threshold signer:');
await signPsbt(psbt, signer);
console.log('signatures valid:', psbt.validateSignaturesOfAllInputs(validateBitcoinSignature));
psbt.finalizeAllInputs();
const tx = psbt.extractTransaction();
console.log('txid:', tx.getId());
console.log('raw :', tx.toHex());
