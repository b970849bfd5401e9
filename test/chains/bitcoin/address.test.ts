import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { networks, payments } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BITCOIN_NETWORKS,
  type BitcoinNetworkName,
  bitcoinAddress,
  bitcoinAddresses,
  bitcoinPayment,
  resolveBitcoinNetwork,
} from '../../../src/chains/bitcoin/index.js';
import { LocalError } from '../../../src/errors.js';

// BIP173's example key: the generator G.
const G = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

describe('bitcoin addresses', () => {
  it('match the BIP173 and well-known vectors for G', () => {
    expect(bitcoinAddresses(G)).toEqual({
      p2pkh: '1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH',
      p2wpkh: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      p2shP2wpkh: '3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN',
    });
    expect(bitcoinAddress(G, 'p2wpkh', { network: 'testnet' })).toBe(
      'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx',
    );
    expect(bitcoinAddress(G, 'p2wpkh', { network: 'signet' })).toBe(
      'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx',
    );
    expect(bitcoinAddress(G, 'p2wpkh', { network: 'regtest' })).toMatch(/^bcrt1q/);
    expect(bitcoinAddress(G, 'p2pkh', { network: 'testnet' })).toBe(
      'mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r',
    );
  });

  it('accept every public key shape (bytes, hex, 0x hex, uncompressed, key share, child key)', () => {
    const point = secp256k1.Point.BASE.multiply(12345n);
    const compressed = point.toBytes(true);
    const expected = bitcoinAddress(compressed);
    const hexKey = Buffer.from(compressed).toString('hex');
    for (const k of [
      hexKey,
      `0x${hexKey}`,
      point.toBytes(false),
      Buffer.from(point.toBytes(false)).toString('hex'),
      { publicKey: compressed },
      { publicKey: { compressed: hexKey, uncompressed: '04…' } },
      { publicKey: { compressed } },
    ]) {
      expect(bitcoinAddress(k as Parameters<typeof bitcoinAddress>[0])).toBe(expected);
    }
  });

  it('agree with bitcoinjs-lib and @scure/btc-signer on all networks (property)', () => {
    const bjs: Record<BitcoinNetworkName, networks.Network> = {
      mainnet: networks.bitcoin,
      testnet: networks.testnet,
      signet: networks.testnet,
      regtest: networks.regtest,
    };
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: secp256k1.Point.Fn.ORDER - 1n }),
        fc.constantFrom<BitcoinNetworkName>('mainnet', 'testnet', 'signet', 'regtest'),
        (k, name) => {
          const pubkey = secp256k1.Point.BASE.multiply(k).toBytes(true);
          const network = bjs[name];
          const ours = bitcoinAddresses(pubkey, { network: name });
          expect(ours.p2pkh).toBe(payments.p2pkh({ pubkey, network }).address);
          expect(ours.p2wpkh).toBe(payments.p2wpkh({ pubkey, network }).address);
          expect(ours.p2shP2wpkh).toBe(
            payments.p2sh({ redeem: payments.p2wpkh({ pubkey, network }), network }).address,
          );
          const scureNet = { ...BITCOIN_NETWORKS[name] };
          expect(ours.p2wpkh).toBe(btc.p2wpkh(pubkey, scureNet).address);
          expect(ours.p2pkh).toBe(btc.p2pkh(pubkey, scureNet).address);
          const pay = bitcoinPayment(pubkey, 'p2sh-p2wpkh', { network: name });
          expect(pay.output).toEqual(btc.p2sh(btc.p2wpkh(pubkey, scureNet), scureNet).script);
          expect(pay.redeemScript).toEqual(btc.p2wpkh(pubkey, scureNet).script);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('use the network objects bitcoinjs-lib expects', () => {
    expect(BITCOIN_NETWORKS.mainnet).toEqual(networks.bitcoin);
    expect(BITCOIN_NETWORKS.testnet).toEqual(networks.testnet);
    expect(BITCOIN_NETWORKS.regtest).toEqual(networks.regtest);
    expect(BITCOIN_NETWORKS.signet).toEqual({ ...networks.testnet });
  });

  it('reject bad input with clear LocalErrors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(LocalError);
        return (e as LocalError).code;
      }
      return 'no error';
    };
    expect(code(() => bitcoinAddress(G, 'p2wpkh', { network: 'litecoin' as never }))).toBe(
      'UNSUPPORTED',
    );
    expect(code(() => resolveBitcoinNetwork({ bech32: 'BC' } as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => bitcoinAddress(G, 'p2tr' as never))).toBe('UNSUPPORTED');
    expect(code(() => bitcoinAddress(G.slice(0, 64)))).toBe('INVALID_ARGUMENT');
    expect(code(() => bitcoinAddress(`04${'00'.repeat(64)}`))).toBe('INVALID_ARGUMENT');
    expect(code(() => bitcoinAddress('zz'))).toBe('INVALID_ARGUMENT');
    expect(code(() => bitcoinAddress(42 as never))).toBe('INVALID_ARGUMENT');
    expect(code(() => bitcoinAddress({ publicKey: null } as never))).toBe('INVALID_ARGUMENT');
  });
});
