/**
 * Bitcoin network parameters. The objects have the shape of bitcoinjs-lib's `Network`, so they
 * can be passed straight to `new Psbt({ network })` and `payments.*({ network })`.
 * @module
 */
import { LocalError } from '../../errors.js';

/** Network parameters, shaped like bitcoinjs-lib's `Network`. */
export interface BitcoinNetwork {
  /** Prefix for signed messages. */
  messagePrefix: string;
  /** Human-readable part of bech32 addresses. */
  bech32: string;
  /** BIP32 extended key version bytes. */
  bip32: { public: number; private: number };
  /** Version byte of P2PKH addresses. */
  pubKeyHash: number;
  /** Version byte of P2SH addresses. */
  scriptHash: number;
  /** Version byte of WIF private keys. */
  wif: number;
}

/** Names of the built-in networks. */
export type BitcoinNetworkName = 'mainnet' | 'testnet' | 'signet' | 'regtest';

const MESSAGE_PREFIX = '\x18Bitcoin Signed Message:\n';
const TEST_BIP32 = Object.freeze({ public: 0x043587cf, private: 0x04358394 });

/**
 * The built-in networks. Signet shares testnet's version bytes and `tb` bech32 prefix;
 * regtest uses the testnet version bytes with `bcrt`.
 */
export const BITCOIN_NETWORKS: Readonly<Record<BitcoinNetworkName, Readonly<BitcoinNetwork>>> =
  Object.freeze({
    mainnet: Object.freeze({
      messagePrefix: MESSAGE_PREFIX,
      bech32: 'bc',
      bip32: Object.freeze({ public: 0x0488b21e, private: 0x0488ade4 }),
      pubKeyHash: 0x00,
      scriptHash: 0x05,
      wif: 0x80,
    }),
    testnet: Object.freeze({
      messagePrefix: MESSAGE_PREFIX,
      bech32: 'tb',
      bip32: TEST_BIP32,
      pubKeyHash: 0x6f,
      scriptHash: 0xc4,
      wif: 0xef,
    }),
    signet: Object.freeze({
      messagePrefix: MESSAGE_PREFIX,
      bech32: 'tb',
      bip32: TEST_BIP32,
      pubKeyHash: 0x6f,
      scriptHash: 0xc4,
      wif: 0xef,
    }),
    regtest: Object.freeze({
      messagePrefix: MESSAGE_PREFIX,
      bech32: 'bcrt',
      bip32: TEST_BIP32,
      pubKeyHash: 0x6f,
      scriptHash: 0xc4,
      wif: 0xef,
    }),
  });

function _isByte(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xff;
}

/**
 * Resolves a network name or a custom {@link BitcoinNetwork} object.
 * Unknown names throw `UNSUPPORTED`; a malformed object throws `INVALID_ARGUMENT`.
 */
export function resolveBitcoinNetwork(
  network: BitcoinNetworkName | BitcoinNetwork = 'mainnet',
): Readonly<BitcoinNetwork> {
  if (typeof network === 'string') {
    const n = Object.hasOwn(BITCOIN_NETWORKS, network)
      ? BITCOIN_NETWORKS[network as BitcoinNetworkName]
      : undefined;
    if (!n) {
      throw new LocalError(
        'UNSUPPORTED',
        `[bitcoin] unknown network "${network}" (expected ${Object.keys(BITCOIN_NETWORKS).join(', ')}, or a network object)`,
      );
    }
    return n;
  }
  if (
    typeof network !== 'object' ||
    network === null ||
    typeof network.bech32 !== 'string' ||
    !/^[\x21-\x7e]{1,83}$/.test(network.bech32) ||
    network.bech32 !== network.bech32.toLowerCase() ||
    !_isByte(network.pubKeyHash) ||
    !_isByte(network.scriptHash)
  ) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '[bitcoin] "network" expected a network name or { bech32, pubKeyHash, scriptHash, ... }',
    );
  }
  return network;
}
