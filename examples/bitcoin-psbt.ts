/**
 * Spend P2WPKH and P2PKH outputs of a 2-of-3 threshold key with a PSBT (regtest).
 *
 *   npm run example:bitcoin    # tsx examples/bitcoin-psbt.ts
 *
 * The chain layer only needs a `ThresholdSigner`: a function that signs a 32-byte digest. Here it
 * runs a GG18 signing session between two of the three key holders for every input
 * (support/threshold-signer.ts); the key comes from a fresh keygen (support/threshold-key.ts,
 * which also generates the pre-params: real deployments generate those ahead of time).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Psbt, Transaction } from 'bitcoinjs-lib';
import {
  bitcoinAddresses,
  bitcoinPayment,
  createBitcoinSigner,
  signPsbt,
  validateBitcoinSignature,
} from '../src/chains/bitcoin/index.js';
import { createWorkerPool } from '../src/index.js';
import { generateThresholdKey } from './support/threshold-key.js';
import { createThresholdSigner } from './support/threshold-signer.js';

const network = 'regtest';
const pool = createWorkerPool();

try {
  // --- The key: three shares, any two sign. `shares[i].publicKey` is the key; its secret never
  // exists in one place.
  const shares = await generateThresholdKey({
    ids: ['alice', 'bob', 'carol'],
    minSigners: 2,
    pool,
  });
  const publicKey = shares[0]!;
  console.log('threshold addresses (regtest):', bitcoinAddresses(publicKey, { network }));

  // --- The signer callback: a GG18 session between alice and carol per digest.
  const thresholdSign = createThresholdSigner({
    shares,
    signers: ['alice', 'carol'],
    pool,
    onSigned: ({ context, elapsedMs, wire }) => {
      const input = context?.chain === 'bitcoin' ? context.inputIndex : '?';
      console.log(
        `  input ${input}: signed by alice and carol in ${elapsedMs.toFixed(0)} ms (${wire.bytes.toLocaleString('en-US')} B)`,
      );
    },
  });

  // --- A previous transaction that paid our P2WPKH and P2PKH addresses (fabricated here; on a
  // real network it comes from your wallet backend).
  const wpkh = bitcoinPayment(publicKey, 'p2wpkh', { network });
  const pkh = bitcoinPayment(publicKey, 'p2pkh', { network });
  const prev = new Transaction();
  prev.addInput(new Uint8Array(32).fill(1), 0);
  prev.addOutput(wpkh.output, 100_000n);
  prev.addOutput(pkh.output, 50_000n);

  // --- Build, sign, finalize, extract.
  const signer = createBitcoinSigner({ publicKey, signer: thresholdSign, network });
  const psbt = new Psbt({ network: signer.network });
  psbt.addInput({
    hash: prev.getId(),
    index: 0,
    witnessUtxo: { script: wpkh.output, value: 100_000n }, // segwit: the amount is signed
  });
  psbt.addInput({ hash: prev.getId(), index: 1, nonWitnessUtxo: prev.toBuffer() }); // legacy
  const recipient = bitcoinPayment(
    secp256k1.getPublicKey(secp256k1.utils.randomSecretKey()),
    'p2wpkh',
    { network },
  );
  psbt.addOutput({ address: recipient.address, value: 148_000n });

  console.log('signing the PSBT through the threshold signer:');
  await signPsbt(psbt, signer);
  console.log('signatures valid:', psbt.validateSignaturesOfAllInputs(validateBitcoinSignature));
  psbt.finalizeAllInputs();
  const tx = psbt.extractTransaction();
  console.log('txid:', tx.getId());
  console.log('raw :', tx.toHex());
} catch (err) {
  console.error('example failed:', err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await pool.close();
}
