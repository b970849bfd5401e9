import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { Psbt, Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { _hash160 } from '../../../src/chains/bitcoin/encoding.js';
import {
  BITCOIN_NETWORKS,
  bitcoinPayment,
  createBitcoinSigner,
  SIGHASH,
  signPsbt,
  validateBitcoinSignature,
} from '../../../src/chains/bitcoin/index.js';
import { LocalError, PeerError, VerifyError } from '../../../src/errors.js';
import { CURVE_N, singleKeySigner, tamper, testKey } from '../support.js';

const network = BITCOIN_NETWORKS.regtest;
const key = testKey(1);
const other = testKey(2);
const wpkh = bitcoinPayment(key.publicKey, 'p2wpkh', { network });
const pkh = bitcoinPayment(key.publicKey, 'p2pkh', { network });
const shwpkh = bitcoinPayment(key.publicKey, 'p2sh-p2wpkh', { network });
const dest = bitcoinPayment(other.publicKey, 'p2wpkh', { network });
const change = bitcoinPayment(other.publicKey, 'p2pkh', { network });

/** A previous transaction paying the threshold key's three addresses. */
function fundingTx(): Transaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(new Uint8Array(32).fill(0xab), 0);
  tx.addOutput(wpkh.output, 50_000n);
  tx.addOutput(pkh.output, 30_000n);
  tx.addOutput(shwpkh.output, 20_000n);
  return tx;
}

function buildPsbt(sighashTypes: [number?, number?, number?] = []): Psbt {
  const prev = fundingTx();
  const hash = prev.getId();
  const psbt = new Psbt({ network });
  const [s0, s1, s2] = sighashTypes;
  psbt.addInput({
    hash,
    index: 0,
    witnessUtxo: { script: wpkh.output, value: 50_000n },
    ...(s0 === undefined ? {} : { sighashType: s0 }),
  });
  psbt.addInput({
    hash,
    index: 1,
    nonWitnessUtxo: prev.toBuffer(),
    ...(s1 === undefined ? {} : { sighashType: s1 }),
  });
  psbt.addInput({
    hash,
    index: 2,
    witnessUtxo: { script: shwpkh.output, value: 20_000n },
    redeemScript: shwpkh.redeemScript!,
    ...(s2 === undefined ? {} : { sighashType: s2 }),
  });
  psbt.addOutput({ address: dest.address, value: 80_000n });
  psbt.addOutput({ address: change.address, value: 15_000n });
  return psbt;
}

const AMOUNTS = [50_000n, 30_000n, 20_000n];

/**
 * Checks every input of a raw transaction with @scure/btc-signer: it recomputes the sighash
 * (legacy or BIP143) and verifies the DER signature against the key in the input.
 */
function verifyWithScure(raw: Uint8Array): { hashTypes: number[]; id: string } {
  const tx = btc.Transaction.fromRaw(raw, { allowUnknownOutputs: true });
  expect(tx.inputsLength).toBe(3);
  const hashTypes: number[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    let sig: Uint8Array;
    let pub: Uint8Array;
    let preimage: Uint8Array;
    let otherPreimage: Uint8Array;
    const pkhScript = btc.OutScript.encode({ type: 'pkh', hash: _hash160(key.publicKey) });
    if (i === 1) {
      // P2PKH: scriptSig = <sig> <pubkey>
      const items = btc.Script.decode(input.finalScriptSig!);
      [sig, pub] = items as [Uint8Array, Uint8Array];
      expect(input.finalScriptWitness ?? []).toHaveLength(0);
      preimage = (
        tx as unknown as {
          preimageLegacy(i: number, s: Uint8Array, h: number): Uint8Array;
        }
      ).preimageLegacy(i, pkh.output, sig.at(-1)!);
      otherPreimage = (
        tx as unknown as {
          preimageLegacy(i: number, s: Uint8Array, h: number): Uint8Array;
        }
      ).preimageLegacy(i, pkh.output, sig.at(-1)! ^ 0x80);
    } else {
      // P2WPKH, P2SH-P2WPKH: witness = <sig> <pubkey>; the BIP143 scriptCode is the P2PKH script.
      [sig, pub] = input.finalScriptWitness as [Uint8Array, Uint8Array];
      if (i === 2) {
        const items = btc.Script.decode(input.finalScriptSig!);
        expect(items).toEqual([shwpkh.redeemScript]);
      } else {
        expect(input.finalScriptSig ?? new Uint8Array()).toHaveLength(0);
      }
      preimage = tx.preimageWitnessV0(i, pkhScript, sig.at(-1)!, AMOUNTS[i]!);
      // BIP143 commits to the amount: any other amount must not verify.
      otherPreimage = tx.preimageWitnessV0(i, pkhScript, sig.at(-1)!, AMOUNTS[i]! + 1n);
    }
    expect(pub).toEqual(key.publicKey);
    hashTypes.push(sig.at(-1)!);
    const der = sig.subarray(0, -1);
    expect(
      secp256k1.verify(der, preimage, pub, { prehash: false, format: 'der', lowS: true }),
    ).toBe(true);
    expect(secp256k1.verify(der, otherPreimage, pub, { prehash: false, format: 'der' })).toBe(
      false,
    );
  }
  return { hashTypes, id: tx.id };
}

describe('PSBT signing through the threshold signer', () => {
  const signer = createBitcoinSigner({
    publicKey: { publicKey: { compressed: Buffer.from(key.publicKey).toString('hex') } },
    signer: singleKeySigner(key.secretKey),
    network: 'regtest',
  });

  it('our output scripts match @scure/btc-signer', () => {
    const net = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
    const w = btc.p2wpkh(key.publicKey, net);
    expect(w.address).toBe(wpkh.address);
    expect(w.script).toEqual(wpkh.output);
    expect(btc.p2pkh(key.publicKey, net).script).toEqual(pkh.output);
    const sh = btc.p2sh(btc.p2wpkh(key.publicKey, net), net);
    expect(sh.address).toBe(shwpkh.address);
    expect(sh.script).toEqual(shwpkh.output);
  });

  it('signs P2WPKH, P2PKH and P2SH-P2WPKH inputs; bitcoinjs-lib and scure both accept them', async () => {
    const psbt = buildPsbt();
    const contexts: unknown[] = [];
    const inner = singleKeySigner(key.secretKey);
    const s = createBitcoinSigner({
      publicKey: key.publicKey,
      network,
      signer: async (digest, ctx) => {
        contexts.push(ctx);
        return inner(digest);
      },
    });
    await signPsbt(psbt, s);
    expect(contexts).toEqual(
      [0, 1, 2].map((i) => ({
        chain: 'bitcoin',
        kind: 'psbt-input',
        inputIndex: i,
        sighashType: SIGHASH.ALL,
      })),
    );
    expect(psbt.validateSignaturesOfAllInputs(validateBitcoinSignature)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const der = psbt.data.inputs[i]!.partialSig![0]!.signature;
      expect(der.at(-1)).toBe(SIGHASH.ALL);
      expect(der.length).toBeLessThanOrEqual(73);
    }
    psbt.finalizeAllInputs();
    const tx = psbt.extractTransaction();
    const raw = tx.toBuffer();
    const { hashTypes, id } = verifyWithScure(raw);
    expect(hashTypes).toEqual([SIGHASH.ALL, SIGHASH.ALL, SIGHASH.ALL]);
    expect(id).toBe(tx.getId());
  });

  it('signs with the other sighash types (NONE|ANYONECANPAY, SINGLE, ALL|ANYONECANPAY)', async () => {
    const types: [number, number, number] = [
      SIGHASH.NONE_ANYONECANPAY,
      SIGHASH.SINGLE,
      SIGHASH.ALL_ANYONECANPAY,
    ];
    const psbt = buildPsbt(types);
    await expect(signPsbt(psbt, signer)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await signPsbt(psbt, signer, { sighashTypes: types });
    expect(psbt.validateSignaturesOfAllInputs(validateBitcoinSignature)).toBe(true);
    psbt.finalizeAllInputs();
    const { hashTypes } = verifyWithScure(psbt.extractTransaction().toBuffer());
    expect(hashTypes).toEqual(types);
  });

  it('works with psbt.signInputAsync directly (SignerAsync shape)', async () => {
    const psbt = buildPsbt();
    await psbt.signInputAsync(0, signer);
    await psbt.signInputAsync(1, signer);
    await psbt.signInputAsync(2, signer);
    expect(psbt.validateSignaturesOfAllInputs(validateBitcoinSignature)).toBe(true);
    psbt.finalizeAllInputs();
    verifyWithScure(psbt.extractTransaction().toBuffer());
  });

  it('signs a serialized PSBT (base64 and hex) and returns the same encoding', async () => {
    const b64 = await signPsbt(buildPsbt().toBase64(), signer);
    const fromB64 = Psbt.fromBase64(b64, { network });
    expect(fromB64.validateSignaturesOfAllInputs(validateBitcoinSignature)).toBe(true);
    const hexOut = await signPsbt(buildPsbt().toHex(), signer, { inputs: [1] });
    const fromHex = Psbt.fromHex(hexOut, { network });
    expect(fromHex.data.inputs[1]!.partialSig).toHaveLength(1);
    expect(fromHex.data.inputs[0]!.partialSig).toBeUndefined();
    await expect(signPsbt('cHNidP8Bnot-a-psbt', signer)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('normalises a high-s signature without recovery id before bitcoinjs sees it', async () => {
    const s = createBitcoinSigner({
      publicKey: key.publicKey,
      network,
      signer: tamper(singleKeySigner(key.secretKey), (sig) => ({ r: sig.r, s: CURVE_N - sig.s })),
    });
    const psbt = buildPsbt();
    await signPsbt(psbt, s);
    expect(psbt.validateSignaturesOfAllInputs(validateBitcoinSignature)).toBe(true);
    psbt.finalizeAllInputs();
    verifyWithScure(psbt.extractTransaction().toBuffer());
  });

  it('sign(hash) returns 64-byte low-s compact signatures and checks the digest length', async () => {
    const hash = new Uint8Array(32).fill(3);
    const sig = await signer.sign(hash);
    expect(sig).toHaveLength(64);
    expect(validateBitcoinSignature(key.publicKey, hash, sig)).toBe(true);
    expect(signer.getPublicKey()).toEqual(key.publicKey);
    await expect(signer.sign(new Uint8Array(31))).rejects.toMatchObject({
      name: 'LocalError',
      code: 'INVALID_ARGUMENT',
    });
  });

  it('never lets a wrong signature through', async () => {
    const wrongKey = createBitcoinSigner({
      publicKey: key.publicKey,
      network,
      signer: singleKeySigner(other.secretKey),
    });
    const psbt = buildPsbt();
    const err = await signPsbt(psbt, wrongKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyError);
    expect(err).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(psbt.data.inputs[0]!.partialSig).toBeUndefined();
  });

  it('propagates errors of the threshold signer unchanged', async () => {
    const blame = new PeerError({ code: 'PROOF_INVALID', message: 'bad proof', culprits: ['p2'] });
    const s = createBitcoinSigner({
      publicKey: key.publicKey,
      signer: async () => {
        throw blame;
      },
    });
    await expect(signPsbt(buildPsbt(), s)).rejects.toBe(blame);
  });

  it('refuses inputs it cannot or must not sign', async () => {
    const psbt = buildPsbt();
    const foreign = createBitcoinSigner({
      publicKey: other.publicKey,
      signer: singleKeySigner(other.secretKey),
    });
    await expect(signPsbt(psbt, foreign)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no input'),
    });
    await expect(signPsbt(psbt, foreign, { inputs: [0] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('not locked to this key'),
    });
    await expect(signPsbt(psbt, signer, { inputs: [7] })).rejects.toBeInstanceOf(LocalError);
    const duck = { ...signer };
    await expect(signPsbt(psbt, duck)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    const taproot = new Psbt({ network });
    const trScript = Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(1));
    taproot.addInput({
      hash: new Uint8Array(32),
      index: 0,
      witnessUtxo: { script: trScript, value: 1000n },
    });
    await expect(signPsbt(taproot, signer, { inputs: [0] })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });
});
