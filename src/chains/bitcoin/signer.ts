/**
 * PSBT signing with a threshold key through bitcoinjs-lib.
 *
 * {@link createBitcoinSigner} returns an object with bitcoinjs-lib's `SignerAsync` shape:
 * bitcoinjs computes the sighash of each input (legacy or BIP143 segwit v0, any sighash type),
 * calls `sign(hash)`, and DER-encodes the 64-byte compact r ‖ s we return together with the
 * sighash byte. Our `sign` runs the {@link ThresholdSigner} and checks its result (low-s, verifies
 * against the key) before bitcoinjs sees it.
 *
 * The signer itself needs no bitcoinjs-lib: it is a plain object. Only {@link signPsbt} with a
 * serialized PSBT loads bitcoinjs-lib, lazily, and fails with `MISSING_DEPENDENCY` when absent.
 * Taproot is out of scope: threshold ECDSA cannot produce Schnorr signatures.
 * @module
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { isMpcError, LocalError } from '../../errors.js';
import {
  _checkDigest,
  _compact,
  _loadPeer,
  _publicKeyPoint,
  _signChecked,
  type PublicKeyInput,
  type RecoverableSignature,
  type SigningContext,
  type ThresholdSigner,
} from '../types.js';
import { type BitcoinNetwork, type BitcoinNetworkName, resolveBitcoinNetwork } from './networks.js';

/** Sighash types (the `SIGHASH_*` constants of bitcoinjs-lib's `Transaction`). */
export const SIGHASH = Object.freeze({
  ALL: 0x01,
  NONE: 0x02,
  SINGLE: 0x03,
  ANYONECANPAY: 0x80,
  ALL_ANYONECANPAY: 0x81,
  NONE_ANYONECANPAY: 0x82,
  SINGLE_ANYONECANPAY: 0x83,
} as const);

/** Options of {@link createBitcoinSigner}. */
export interface BitcoinSignerOptions {
  /** The threshold public key (or a derived child key) whose signatures `signer` produces. */
  publicKey: PublicKeyInput;
  /** Runs the threshold signing protocol over a digest. */
  signer: ThresholdSigner;
  /** Network, exposed as `signer.network` for bitcoinjs-lib; default `'mainnet'`. */
  network?: BitcoinNetworkName | BitcoinNetwork;
}

/** A bitcoinjs-lib `SignerAsync` backed by a {@link ThresholdSigner}. */
export interface BitcoinPsbtSigner {
  /** 33-byte compressed public key. */
  readonly publicKey: Uint8Array;
  /** Network parameters (bitcoinjs-lib `Network` shape). */
  readonly network: Readonly<BitcoinNetwork>;
  /**
   * Signs a 32-byte sighash and returns the 64-byte compact signature r ‖ s (low-s), which
   * bitcoinjs-lib DER-encodes. `lowR` is ignored: a threshold signature cannot grind its nonce.
   */
  sign(hash: Uint8Array, lowR?: boolean): Promise<Uint8Array>;
  /** The compressed public key. */
  getPublicKey(): Uint8Array;
}

interface _SignerState {
  sign(hash: Uint8Array, context: SigningContext): Promise<RecoverableSignature>;
}

const _states = new WeakMap<object, _SignerState>();

/**
 * Creates a bitcoinjs-lib `SignerAsync` whose signatures come from the threshold protocol.
 *
 * @example
 * ```ts
 * const signer = createBitcoinSigner({ publicKey: keyShare, signer: thresholdSign, network: 'testnet' });
 * await psbt.signInputAsync(0, signer); // or: await signPsbt(psbt, signer)
 * ```
 */
export function createBitcoinSigner(opts: BitcoinSignerOptions): BitcoinPsbtSigner {
  if (typeof opts !== 'object' || opts === null || typeof opts.signer !== 'function') {
    throw new LocalError('INVALID_ARGUMENT', '[bitcoin] "signer" expected a function');
  }
  const point = _publicKeyPoint(opts.publicKey, 'bitcoin');
  const network = resolveBitcoinNetwork(opts.network);
  const publicKey = point.toBytes(true);
  const thresholdSign = opts.signer;
  const state: _SignerState = {
    sign: (hash, context) => _signChecked(thresholdSign, hash, point, 'bitcoin', context),
  };
  const signer: BitcoinPsbtSigner = Object.freeze({
    get publicKey() {
      return publicKey.slice();
    },
    network,
    async sign(hash: Uint8Array, _lowR?: boolean): Promise<Uint8Array> {
      _checkDigest(hash, 'bitcoin', 'hash');
      return _compact(await state.sign(hash, { chain: 'bitcoin', kind: 'psbt-input' }));
    },
    getPublicKey(): Uint8Array {
      return publicKey.slice();
    },
  });
  _states.set(signer, state);
  return signer;
}

/**
 * Validator for bitcoinjs-lib's `validateSignaturesOfInput(s)`: checks a 64-byte compact
 * signature over a 32-byte sighash with @noble/curves. Strict: high-s signatures are rejected
 * (they are non-standard under BIP146 LOW_S). Never throws.
 *
 * @example
 * ```ts
 * psbt.validateSignaturesOfAllInputs(validateBitcoinSignature); // true
 * ```
 */
export function validateBitcoinSignature(
  publicKey: Uint8Array,
  msghash: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (msghash.length !== 32 || signature.length !== 64) return false;
    return secp256k1.verify(signature, msghash, publicKey, { prehash: false, lowS: true });
  } catch {
    return false;
  }
}

/**
 * The part of bitcoinjs-lib's `Psbt` that {@link signPsbt} uses. A real `Psbt` satisfies it.
 */
export interface PsbtLike {
  data: { inputs: readonly object[] };
  inputHasPubkey(inputIndex: number, pubkey: Uint8Array): boolean;
  signInputAsync(
    inputIndex: number,
    keyPair: {
      publicKey: Uint8Array;
      sign(hash: Uint8Array, lowR?: boolean): Promise<Uint8Array>;
    },
    sighashTypes?: number[],
  ): Promise<void>;
}

/** Options of {@link signPsbt}. */
export interface SignPsbtOptions {
  /**
   * Sighash types the caller accepts; an input whose `sighashType` is not listed is refused.
   * Default `[SIGHASH.ALL]` (bitcoinjs-lib's default).
   */
  sighashTypes?: number[];
  /**
   * Indexes of the inputs to sign. Each must be locked to the signer's key. By default every
   * input locked to the key is signed and the others are skipped.
   */
  inputs?: number[];
}

type _BitcoinJs = typeof import('bitcoinjs-lib');

/** Loads bitcoinjs-lib, or throws `MISSING_DEPENDENCY`. @internal */
export function _loadBitcoinJs(): Promise<_BitcoinJs> {
  return _loadPeer('bitcoin', 'bitcoinjs-lib', () => import('bitcoinjs-lib'));
}

function _isTaprootInput(input: object): boolean {
  const i = input as {
    tapInternalKey?: unknown;
    tapKeySig?: unknown;
    tapLeafScript?: unknown[];
    witnessUtxo?: { script?: Uint8Array };
  };
  if (i.tapInternalKey || i.tapKeySig || (i.tapLeafScript && i.tapLeafScript.length > 0)) {
    return true;
  }
  const script = i.witnessUtxo?.script;
  return !!script && script.length === 34 && script[0] === 0x51 && script[1] === 0x20;
}

function _errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Signs the inputs of a PSBT that are locked to the signer's key, one threshold signing session
 * at a time, and returns the PSBT.
 *
 * Unlike `psbt.signAllInputsAsync`, which turns every failure into "No inputs were signed", this
 * keeps the cause: errors thrown by the threshold signer (e.g. a `PeerError` naming a culprit)
 * propagate unchanged, and bitcoinjs-lib's refusals become `INVALID_ARGUMENT` with the input
 * index. Taproot inputs are refused with `UNSUPPORTED`.
 *
 * Given a base64 or hex PSBT string, it loads bitcoinjs-lib (`MISSING_DEPENDENCY` if absent)
 * and returns the signed PSBT in the same encoding.
 *
 * @example
 * ```ts
 * await signPsbt(psbt, signer);
 * psbt.finalizeAllInputs();
 * const tx = psbt.extractTransaction();
 * ```
 */
export async function signPsbt<P extends PsbtLike>(
  psbt: P,
  signer: BitcoinPsbtSigner,
  opts?: SignPsbtOptions,
): Promise<P>;
export async function signPsbt(
  psbt: string,
  signer: BitcoinPsbtSigner,
  opts?: SignPsbtOptions,
): Promise<string>;
export async function signPsbt(
  psbt: PsbtLike | string,
  signer: BitcoinPsbtSigner,
  opts: SignPsbtOptions = {},
): Promise<PsbtLike | string> {
  if (typeof psbt === 'string') {
    const isHex = /^[0-9a-fA-F]+$/.test(psbt);
    const { Psbt } = await _loadBitcoinJs();
    let parsed: InstanceType<_BitcoinJs['Psbt']>;
    try {
      parsed = isHex
        ? Psbt.fromHex(psbt, { network: signer.network })
        : Psbt.fromBase64(psbt, { network: signer.network });
    } catch (e) {
      throw new LocalError('INVALID_ARGUMENT', `[bitcoin] cannot parse PSBT: ${_errorText(e)}`, {
        cause: e,
      });
    }
    await signPsbt(parsed, signer, opts);
    return isHex ? parsed.toHex() : parsed.toBase64();
  }
  if (
    typeof psbt !== 'object' ||
    psbt === null ||
    typeof psbt.signInputAsync !== 'function' ||
    !Array.isArray(psbt.data?.inputs)
  ) {
    throw new LocalError('INVALID_ARGUMENT', '[bitcoin] "psbt" expected a bitcoinjs-lib Psbt');
  }
  const state = _states.get(signer);
  if (!state) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '[bitcoin] "signer" expected an object from createBitcoinSigner',
    );
  }
  const sighashTypes = opts.sighashTypes ?? [SIGHASH.ALL];
  const count = psbt.data.inputs.length;
  const explicit = opts.inputs !== undefined;
  const indexes = opts.inputs ?? Array.from({ length: count }, (_, i) => i);
  for (const i of indexes) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= count) {
      throw new LocalError('INVALID_ARGUMENT', `[bitcoin] input ${i} does not exist`);
    }
  }
  const publicKey = signer.publicKey;
  let signed = 0;
  for (const i of indexes) {
    const input = psbt.data.inputs[i]!;
    let mine: boolean;
    try {
      mine = !_isTaprootInput(input) && psbt.inputHasPubkey(i, publicKey);
    } catch (e) {
      if (!explicit) continue; // e.g. a foreign input without UTXO data
      throw new LocalError('INVALID_ARGUMENT', `[bitcoin] input ${i}: ${_errorText(e)}`, {
        cause: e,
      });
    }
    if (!mine) {
      if (!explicit) continue;
      if (_isTaprootInput(input)) {
        throw new LocalError(
          'UNSUPPORTED',
          `[bitcoin] input ${i} is a taproot input; threshold ECDSA cannot sign it`,
        );
      }
      throw new LocalError('INVALID_ARGUMENT', `[bitcoin] input ${i} is not locked to this key`);
    }
    const sighashType = (input as { sighashType?: number }).sighashType ?? SIGHASH.ALL;
    const context: SigningContext = {
      chain: 'bitcoin',
      kind: 'psbt-input',
      inputIndex: i,
      sighashType,
    };
    const perInput = {
      publicKey,
      sign: async (hash: Uint8Array) => {
        _checkDigest(hash, 'bitcoin', 'hash');
        return _compact(await state.sign(hash, context));
      },
    };
    try {
      await psbt.signInputAsync(i, perInput, sighashTypes);
    } catch (e) {
      if (isMpcError(e)) throw e;
      throw new LocalError('INVALID_ARGUMENT', `[bitcoin] input ${i}: ${_errorText(e)}`, {
        cause: e,
      });
    }
    signed++;
  }
  if (signed === 0) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '[bitcoin] no input of the PSBT is locked to this key',
    );
  }
  return psbt;
}
