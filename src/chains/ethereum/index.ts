/**
 * `mpc-tss/ethereum`: addresses and signing for a threshold secp256k1 key on EVM chains.
 *
 * - {@link ethereumAddress}: EIP-55 address of the key.
 * - {@link createEthereumSigner}: transactions through @ethereumjs/tx (legacy with EIP-155,
 *   EIP-2930, EIP-1559), EIP-191 `personal_sign` and EIP-712 typed data, each signature produced
 *   by a {@link ThresholdSigner} and checked before use.
 * - {@link ETHEREUM_CHAINS}: presets for Ethereum, BSC, Avalanche C-Chain, Polygon, Arbitrum and
 *   Base (mainnets and common testnets); any numeric chain id works too.
 *
 * @ethereumjs/tx and @ethereumjs/common (v10) are optional peer dependencies, loaded only to
 * build transactions from plain requests.
 * @module
 */
export type {
  PublicKeyInput,
  RecoverableSignature,
  RecoveryId,
  SigningContext,
  ThresholdSigner,
} from '../types.js';
export type { Hex } from './address.js';
export { ethereumAddress, toChecksumAddress } from './address.js';
export type { EthereumChain, EthereumChainInput, EthereumChainName } from './chains.js';
export { ETHEREUM_CHAINS, MAX_CHAIN_ID, resolveEthereumChain } from './chains.js';
export type { TypedData, TypedDataDomain, TypedDataField } from './eip712.js';
export { encodeType, hashDomain, hashStruct, hashTypedData, typeHash } from './eip712.js';
export { hashPersonalMessage } from './message.js';
export type {
  AccessListItem,
  EthereumjsTransaction,
  EthereumMessageSignature,
  EthereumSignature,
  EthereumSigner,
  EthereumSignerOptions,
  EthereumTransactionRequest,
  SignedEthereumTransaction,
} from './signer.js';
export { createEthereumSigner, createEthereumTransaction } from './signer.js';
