/**
 * `mpc-tss/bitcoin`: addresses and PSBT signing for a threshold secp256k1 key.
 *
 * - {@link bitcoinAddress} / {@link bitcoinPayment}: P2PKH, P2WPKH and P2SH-P2WPKH on mainnet,
 *   testnet, signet and regtest (no dependency beyond @noble).
 * - {@link createBitcoinSigner}: a bitcoinjs-lib `SignerAsync` whose `sign(hash)` runs a
 *   {@link ThresholdSigner}; {@link signPsbt} signs every input locked to the key.
 *
 * bitcoinjs-lib (v7) is an optional peer dependency, loaded only when needed.
 * @module
 */
export type {
  PublicKeyInput,
  RecoverableSignature,
  RecoveryId,
  SigningContext,
  ThresholdSigner,
} from '../types.js';
export type { BitcoinAddressOptions, BitcoinAddressType, BitcoinPayment } from './address.js';
export { bitcoinAddress, bitcoinAddresses, bitcoinPayment } from './address.js';
export type { BitcoinNetwork, BitcoinNetworkName } from './networks.js';
export { BITCOIN_NETWORKS, resolveBitcoinNetwork } from './networks.js';
export type {
  BitcoinPsbtSigner,
  BitcoinSignerOptions,
  PsbtLike,
  SignPsbtOptions,
} from './signer.js';
export {
  createBitcoinSigner,
  SIGHASH,
  signPsbt,
  validateBitcoinSignature,
} from './signer.js';
