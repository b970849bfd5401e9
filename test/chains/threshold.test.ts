/**
 * The chain layer with real threshold keys (issue 7): every signature below comes from a GG18
 * signing session between two of the three key holders, through the `ThresholdSigner` helper of
 * the examples (examples/support/threshold-signer.ts), never from a single private key.
 *
 * Keys: 2-of-3 shares of a random key built from the fixture primes (test/support
 * keyshare-fixture.ts, checked with `validateKeyShare`), and one key from a real keygen with
 * fixture pre-params. No safe prime is searched here.
 */
import { createBlock } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createAccount, createAddressFromString } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { Psbt, Transaction } from 'bitcoinjs-lib';
import { recoverMessageAddress, recoverTransactionAddress } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createThresholdSigner, type SigningRun } from '../../examples/support/threshold-signer.js';
import { _hash160 } from '../../src/chains/bitcoin/encoding.js';
import {
  BITCOIN_NETWORKS,
  type BitcoinPayment,
  bitcoinAddress,
  bitcoinPayment,
  createBitcoinSigner,
  SIGHASH,
  signPsbt,
  validateBitcoinSignature,
} from '../../src/chains/bitcoin/index.js';
import {
  createEthereumSigner,
  type EthereumSigner,
  ethereumAddress,
  toChecksumAddress,
} from '../../src/chains/ethereum/index.js';
import type { ThresholdSigner } from '../../src/chains/types.js';
import { VerifyError } from '../../src/errors.js';
import { type KeyShare, validateKeyShare } from '../../src/keyshare.js';
import { derivePublicKey } from '../../src/protocols/ecdsa/derive.js';
import { createKeygenParty, newSessionId } from '../../src/protocols/ecdsa/keygen/index.js';
import { runLocal } from '../../src/session/local.js';
import { createWorkerPool } from '../../src/session/worker.js';
import { fixturePreParams } from '../protocols/ecdsa/keygen/fixtures.js';
import { makeKeyShares } from '../support/keyshare-fixture.js';
import { hex } from './support.js';

const ids = ['alice', 'bob', 'carol'];
const chainCode = 'c0'.repeat(16) + '7e'.repeat(16);
const shares = makeKeyShares({ n: 3, minSigners: 2, ids, chainCode });
const publicKey = Buffer.from(shares[0]!.publicKey.compressed, 'hex');
const network = BITCOIN_NETWORKS.regtest;

/** A threshold signer among `signers` that records each session it runs. */
function recorded(
  signers: string[],
  opts: { shares?: readonly KeyShare[]; derivation?: { path: string } } = {},
) {
  const runs: SigningRun[] = [];
  const signer = createThresholdSigner({
    shares: opts.shares ?? shares,
    signers,
    ...(opts.derivation === undefined ? {} : { derivation: opts.derivation }),
    onSigned: (run) => runs.push(run),
  });
  return { signer, runs };
}

// --- Bitcoin ---------------------------------------------------------------------------------

/** A PSBT spending a P2WPKH and a P2PKH output of `key` (fabricated funding transaction). */
function spendPsbt(key: Uint8Array) {
  const wpkh = bitcoinPayment(key, 'p2wpkh', { network });
  const pkh = bitcoinPayment(key, 'p2pkh', { network });
  const prev = new Transaction();
  prev.version = 2;
  prev.addInput(new Uint8Array(32).fill(0x5a), 0);
  prev.addOutput(wpkh.output, 70_000n);
  prev.addOutput(pkh.output, 40_000n);
  const psbt = new Psbt({ network });
  psbt.addInput({
    hash: prev.getId(),
    index: 0,
    witnessUtxo: { script: wpkh.output, value: 70_000n },
  });
  psbt.addInput({ hash: prev.getId(), index: 1, nonWitnessUtxo: prev.toBuffer() });
  const dest = bitcoinPayment(secp256k1.getPublicKey(new Uint8Array(32).fill(9)), 'p2wpkh', {
    network,
  });
  psbt.addOutput({ address: dest.address, value: 100_000n });
  return { psbt, wpkh, pkh, amounts: [70_000n, 40_000n] };
}

/**
 * Re-checks the extracted transaction with @scure/btc-signer: input 0 (P2WPKH, BIP143 sighash
 * over the amount) and input 1 (P2PKH, legacy sighash), each DER signature against `key`.
 */
function verifyWithScure(raw: Uint8Array, key: Uint8Array, pkh: BitcoinPayment, amounts: bigint[]) {
  const tx = btc.Transaction.fromRaw(raw, { allowUnknownOutputs: true });
  expect(tx.inputsLength).toBe(2);
  const legacy = tx as unknown as {
    preimageLegacy(i: number, s: Uint8Array, h: number): Uint8Array;
  };
  const scriptCode = btc.OutScript.encode({ type: 'pkh', hash: _hash160(key) });
  const [wSig, wPub] = tx.getInput(0).finalScriptWitness as [Uint8Array, Uint8Array];
  const [lSig, lPub] = btc.Script.decode(tx.getInput(1).finalScriptSig!) as [
    Uint8Array,
    Uint8Array,
  ];
  expect(hex(wPub)).toBe(hex(key));
  expect(hex(lPub)).toBe(hex(key));
  const checks: [Uint8Array, Uint8Array][] = [
    [wSig, tx.preimageWitnessV0(0, scriptCode, wSig.at(-1)!, amounts[0]!)],
    [lSig, legacy.preimageLegacy(1, pkh.output, lSig.at(-1)!)],
  ];
  for (const [sig, preimage] of checks) {
    expect(sig.at(-1)).toBe(SIGHASH.ALL);
    const der = sig.subarray(0, -1);
    expect(
      secp256k1.verify(der, preimage, key, { prehash: false, format: 'der', lowS: true }),
    ).toBe(true);
  }
  return tx.id;
}

/** Signs `spendPsbt(key)` with `signer`, finalizes it and checks it with both libraries. */
async function signAndCheckPsbt(key: Uint8Array, signer: ThresholdSigner) {
  const { psbt, pkh, amounts } = spendPsbt(key);
  await signPsbt(psbt, createBitcoinSigner({ publicKey: key, signer, network: 'regtest' }));
  expect(psbt.validateSignaturesOfAllInputs(validateBitcoinSignature)).toBe(true);
  psbt.finalizeAllInputs();
  const tx = psbt.extractTransaction();
  expect(verifyWithScure(tx.toBuffer(), key, pkh, amounts)).toBe(tx.getId());
}

// --- Ethereum --------------------------------------------------------------------------------

const ONE_ETH = 10n ** 18n;
const BASE_FEE = 7n * 10n ** 9n;

/** A Prague mainnet VM where `from` holds 1 ETH, and a block to run transactions in. */
async function evm(from: string) {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const vm = await createVM({ common });
  await vm.stateManager.putAccount(
    createAddressFromString(from),
    createAccount({ balance: ONE_ETH, nonce: 0n }),
  );
  const block = createBlock(
    {
      header: {
        number: 1n,
        gasLimit: 30_000_000n,
        baseFeePerGas: BASE_FEE,
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

/** Signs an EIP-1559 transfer with `eth`, checks it with viem and runs it in the VM. */
async function transferAndCheck(eth: EthereumSigner, uncompressedKey: Uint8Array) {
  const to = toChecksumAddress(`0x${'be'.repeat(20)}`);
  const value = 25n * 10n ** 16n;
  const tip = 2n * 10n ** 9n;
  const { common, vm, block, balance } = await evm(eth.address);
  const signed = await eth.signTransaction({
    type: 'eip1559',
    chain: 'ethereum',
    common,
    nonce: 0,
    to,
    value,
    gasLimit: 21_000,
    maxFeePerGas: 20n * 10n ** 9n,
    maxPriorityFeePerGas: tip,
  });
  // viem recovers the threshold address from the raw transaction alone.
  const sender = await recoverTransactionAddress({
    serializedTransaction: signed.serialized as never,
  });
  expect(sender).toBe(eth.address);
  expect(sender).toBe(publicKeyToAddress(`0x${hex(uncompressedKey)}`));
  expect(signed.from).toBe(eth.address);

  const result = await runTx(vm, { tx: signed.tx as never, block });
  expect(result.execResult.exceptionError).toBeUndefined();
  const fee = 21_000n * (BASE_FEE + tip);
  expect(result.amountSpent).toBe(fee);
  expect(await balance(to)).toBe(value);
  expect(await balance(eth.address)).toBe(ONE_ETH - value - fee);
  expect((await vm.stateManager.getAccount(createAddressFromString(eth.address)))?.nonce).toBe(1n);
  return signed;
}

// ---------------------------------------------------------------------------------------------

describe('chains with a 2-of-3 threshold key (GG18 through the ThresholdSigner)', () => {
  it('the fixture shares are a valid 2-of-3 key', () => {
    for (const s of shares) validateKeyShare(s);
    expect(new Set(shares.map((s) => s.publicKey.compressed)).size).toBe(1);
    expect(shares.map((s) => s.self)).toEqual(ids);
  });

  it('Bitcoin: a PSBT spending P2WPKH and P2PKH outputs, signed by bob and carol', async () => {
    const net = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
    expect(bitcoinAddress(publicKey, 'p2wpkh', { network })).toBe(
      btc.p2wpkh(publicKey, net).address,
    );
    expect(bitcoinAddress(shares[0]!, 'p2pkh', { network })).toBe(
      btc.p2pkh(publicKey, net).address,
    );

    const { signer, runs } = recorded(['bob', 'carol']);
    await signAndCheckPsbt(publicKey, signer);
    // One GG18 session per input, told which input it signs.
    expect(runs.map((r) => r.context)).toEqual(
      [0, 1].map((inputIndex) => ({
        chain: 'bitcoin',
        kind: 'psbt-input',
        inputIndex,
        sighashType: SIGHASH.ALL,
      })),
    );
    expect(new Set(runs.map((r) => r.sessionId)).size).toBe(2);
    for (const run of runs) {
      expect(hex(run.signature.publicKey)).toBe(hex(publicKey));
      expect(run.wire.messages).toBeGreaterThan(0);
    }
  });

  it('Ethereum: an EIP-1559 transfer signed by alice and carol executes in @ethereumjs/vm', async () => {
    const { signer, runs } = recorded(['alice', 'carol']);
    const eth = createEthereumSigner({ publicKey: shares[0]!, signer });
    const uncompressed = Buffer.from(shares[0]!.publicKey.uncompressed, 'hex');
    expect(eth.address).toBe(ethereumAddress(uncompressed));
    const signed = await transferAndCheck(eth, uncompressed);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.context).toEqual({ chain: 'ethereum', kind: 'transaction', chainId: 1n });
    const tx = signed.tx as unknown as { getHashedMessageToSign(): Uint8Array };
    expect(hex(runs[0]!.digest)).toBe(hex(tx.getHashedMessageToSign()));
    expect(runs[0]!.signature.r).toBe(signed.signature.r);
    expect(runs[0]!.signature.s).toBe(signed.signature.s);
  });

  describe('a derived child key (non-hardened m/44/60/0/0/7)', () => {
    const path = 'm/44/60/0/0/7';
    const child = derivePublicKey(publicKey, chainCode, path);
    const childKey = child.publicKey.toBytes(true);
    const { signer, runs } = recorded(['alice', 'bob'], { derivation: { path } });

    it('has its own addresses', () => {
      expect(hex(childKey)).not.toBe(hex(publicKey));
      for (const type of ['p2wpkh', 'p2pkh', 'p2sh-p2wpkh'] as const) {
        expect(bitcoinAddress(childKey, type, { network })).not.toBe(
          bitcoinAddress(publicKey, type, { network }),
        );
      }
      expect(ethereumAddress(childKey)).not.toBe(ethereumAddress(publicKey));
      expect(ethereumAddress(childKey)).toBe(
        publicKeyToAddress(`0x${hex(child.publicKey.toBytes(false))}`),
      );
    });

    it('signs a PSBT spending its own outputs', async () => {
      runs.length = 0;
      await signAndCheckPsbt(childKey, signer);
      expect(runs).toHaveLength(2);
      for (const run of runs) expect(hex(run.signature.publicKey)).toBe(hex(childKey));
    });

    it('signs an EIP-1559 transfer and a personal_sign message from its own address', async () => {
      const eth = createEthereumSigner({ publicKey: childKey, signer });
      await transferAndCheck(eth, child.publicKey.toBytes(false));
      const msg = await eth.signMessage('signed by a derived threshold key');
      expect(
        await recoverMessageAddress({
          message: 'signed by a derived threshold key',
          signature: msg.serialized,
        }),
      ).toBe(ethereumAddress(childKey));
    });

    it('its signatures do not pass for the parent key', async () => {
      const eth = createEthereumSigner({ publicKey, signer });
      const err = await eth.signDigest(new Uint8Array(32).fill(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VerifyError);
      expect(err).toMatchObject({ code: 'SIGNATURE_INVALID' });
    });
  });
});

describe('a key from a real 2-of-3 keygen (fixture pre-params)', () => {
  let keygenShares: KeyShare[];
  beforeAll(async () => {
    const sessionId = newSessionId();
    const res = await runLocal(
      ids.map((self, i) =>
        createKeygenParty({
          self,
          parties: ids,
          minSigners: 2,
          sessionId,
          preParams: fixturePreParams(i),
        }),
      ),
    );
    expect(res.outcome).toBe('done');
    keygenShares = ids.map((id) => res.outputs.get(id)!);
  });

  it('signs a PSBT (alice and bob) and an EIP-1559 transfer (bob and carol)', async () => {
    const key = Buffer.from(keygenShares[0]!.publicKey.compressed, 'hex');
    await signAndCheckPsbt(key, recorded(['alice', 'bob'], { shares: keygenShares }).signer);
    const eth = createEthereumSigner({
      publicKey: keygenShares[1]!,
      signer: recorded(['bob', 'carol'], { shares: keygenShares }).signer,
    });
    await transferAndCheck(eth, Buffer.from(keygenShares[1]!.publicKey.uncompressed, 'hex'));
  });

  it('signs with the parties on worker threads, and frees them after each session', async () => {
    const pool = createWorkerPool(2);
    try {
      const runs: SigningRun[] = [];
      const signer = createThresholdSigner({
        shares: keygenShares,
        signers: ['carol', 'alice'],
        pool,
        onSigned: (run) => runs.push(run),
      });
      const eth = createEthereumSigner({ publicKey: keygenShares[2]!, signer });
      const msg = await eth.signMessage('from the workers');
      expect(
        await recoverMessageAddress({ message: 'from the workers', signature: msg.serialized }),
      ).toBe(eth.address);
      expect(runs).toHaveLength(1);
      expect(pool.load().reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
