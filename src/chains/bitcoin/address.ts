/**
 * Addresses and output scripts for a threshold key: P2PKH, P2WPKH and P2SH-P2WPKH.
 *
 * Computed here with @noble/hashes, without bitcoinjs-lib, so deriving an address needs no
 * optional dependency. Keys are always used compressed (segwit requires it, and a threshold key
 * has no reason to be spent uncompressed).
 * @module
 */
import { LocalError } from '../../errors.js';
import { _publicKeyPoint, type PublicKeyInput } from '../types.js';
import { _base58check, _hash160, _segwitV0Address } from './encoding.js';
import { type BitcoinNetwork, type BitcoinNetworkName, resolveBitcoinNetwork } from './networks.js';

/** Supported address (output) types. */
export type BitcoinAddressType = 'p2pkh' | 'p2wpkh' | 'p2sh-p2wpkh';

/** An address with the scripts a PSBT input spending it needs. */
export interface BitcoinPayment {
  /** Output type. */
  type: BitcoinAddressType;
  /** Address string for the network. */
  address: string;
  /** scriptPubKey of the output (`witnessUtxo.script` for segwit inputs). */
  output: Uint8Array;
  /** For `p2sh-p2wpkh`, the P2WPKH program that the P2SH commits to (`redeemScript`). */
  redeemScript?: Uint8Array;
  /** 33-byte compressed public key. */
  publicKey: Uint8Array;
}

/** Options shared by the address functions. */
export interface BitcoinAddressOptions {
  /** Network name or parameters; default `'mainnet'`. */
  network?: BitcoinNetworkName | BitcoinNetwork;
}

const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;
const OP_EQUAL = 0x87;
const OP_0 = 0x00;
const PUSH_20 = 0x14;

function _p2pkhScript(h: Uint8Array): Uint8Array {
  return Uint8Array.of(OP_DUP, OP_HASH160, PUSH_20, ...h, OP_EQUALVERIFY, OP_CHECKSIG);
}

function _p2wpkhScript(h: Uint8Array): Uint8Array {
  return Uint8Array.of(OP_0, PUSH_20, ...h);
}

function _p2shScript(h: Uint8Array): Uint8Array {
  return Uint8Array.of(OP_HASH160, PUSH_20, ...h, OP_EQUAL);
}

/**
 * Address, output script and (for P2SH-P2WPKH) redeem script of a key.
 *
 * @example
 * ```ts
 * const pay = bitcoinPayment(keyShare, 'p2wpkh', { network: 'testnet' });
 * psbt.addInput({ hash, index, witnessUtxo: { script: pay.output, value: 10_000n } });
 * ```
 */
export function bitcoinPayment(
  key: PublicKeyInput,
  type: BitcoinAddressType,
  opts: BitcoinAddressOptions = {},
): BitcoinPayment {
  const net = resolveBitcoinNetwork(opts.network);
  const publicKey = _publicKeyPoint(key, 'bitcoin').toBytes(true);
  const h = _hash160(publicKey);
  switch (type) {
    case 'p2pkh':
      return {
        type,
        address: _base58check(Uint8Array.of(net.pubKeyHash, ...h)),
        output: _p2pkhScript(h),
        publicKey,
      };
    case 'p2wpkh':
      return {
        type,
        address: _segwitV0Address(net.bech32, h),
        output: _p2wpkhScript(h),
        publicKey,
      };
    case 'p2sh-p2wpkh': {
      const redeemScript = _p2wpkhScript(h);
      const sh = _hash160(redeemScript);
      return {
        type,
        address: _base58check(Uint8Array.of(net.scriptHash, ...sh)),
        output: _p2shScript(sh),
        redeemScript,
        publicKey,
      };
    }
    default:
      throw new LocalError(
        'UNSUPPORTED',
        `[bitcoin] address type "${String(type)}" is not supported (expected p2pkh, p2wpkh or p2sh-p2wpkh)`,
      );
  }
}

/**
 * The address of a key for one output type.
 *
 * @example
 * ```ts
 * bitcoinAddress('0279be66…', 'p2wpkh'); // 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'
 * ```
 */
export function bitcoinAddress(
  key: PublicKeyInput,
  type: BitcoinAddressType = 'p2wpkh',
  opts: BitcoinAddressOptions = {},
): string {
  return bitcoinPayment(key, type, opts).address;
}

/** All three addresses of a key on one network. */
export function bitcoinAddresses(
  key: PublicKeyInput,
  opts: BitcoinAddressOptions = {},
): { p2pkh: string; p2wpkh: string; p2shP2wpkh: string } {
  return {
    p2pkh: bitcoinAddress(key, 'p2pkh', opts),
    p2wpkh: bitcoinAddress(key, 'p2wpkh', opts),
    p2shP2wpkh: bitcoinAddress(key, 'p2sh-p2wpkh', opts),
  };
}
