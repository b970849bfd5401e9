/**
 * Ethereum signing with a threshold key: transactions through @ethereumjs/tx (legacy with
 * EIP-155, EIP-2930, EIP-1559), EIP-191 `personal_sign` and EIP-712 typed data.
 *
 * Every signature goes through the checks of the chain layer (low-s, verifies against the key,
 * recovery id recomputed when missing or wrong). A signed transaction is checked once more after
 * @ethereumjs/tx has assembled it: the sender it recovers must be the threshold key, and `v`
 * must be `35 + 2·chainId + yParity` (EIP-155), `27 + yParity` (pre-EIP-155) or `yParity`
 * (typed transactions).
 *
 * @ethereumjs/tx and @ethereumjs/common are optional peers, loaded only by
 * {@link createEthereumTransaction} (and `signTransaction` given a plain request).
 * @module
 */
import { isMpcError, LocalError, VerifyError } from '../../errors.js';
import { bytesEqual, hexToBytes } from '../../math/bigint.js';
import type { Point } from '../../math/curve.js';
import {
  _checkDigest,
  _compact,
  _loadPeer,
  _publicKeyPoint,
  _signChecked,
  _toHex,
  type PublicKeyInput,
  type RecoverableSignature,
  type SigningContext,
  type ThresholdSigner,
} from '../types.js';
import { ethereumAddress, type Hex, toChecksumAddress } from './address.js';
import { type EthereumChainInput, resolveEthereumChain } from './chains.js';
import { hashTypedData, type TypedData } from './eip712.js';
import { hashPersonalMessage } from './message.js';

/** An ECDSA signature in Ethereum's terms. */
export interface EthereumSignature {
  r: bigint;
  s: bigint;
  /** Parity of R.y (the recovery id; 2 and 3 cannot be encoded and are refused). */
  yParity: 0 | 1;
  /**
   * `v` as the payload encodes it: `27 + yParity` for messages and pre-EIP-155 transactions,
   * `35 + 2·chainId + yParity` for EIP-155 legacy transactions, `yParity` for typed transactions.
   */
  v: bigint;
}

/** A message signature with its 65-byte `r ‖ s ‖ v` serialization (v = 27 or 28). */
export interface EthereumMessageSignature extends EthereumSignature {
  /** 0x-prefixed r ‖ s ‖ v, as returned by `personal_sign` and `eth_signTypedData_v4`. */
  serialized: Hex;
}

/**
 * The part of an @ethereumjs/tx transaction (v10) the signer uses. `LegacyTx`,
 * `AccessList2930Tx` and `FeeMarket1559Tx` satisfy it.
 */
export interface EthereumjsTransaction {
  /** EIP-2718 type: 0 legacy, 1 EIP-2930, 2 EIP-1559 (3 and 4 are signed the same way). */
  readonly type: number;
  readonly v?: bigint | undefined;
  readonly common: { chainId(): bigint };
  getHashedMessageToSign(): Uint8Array;
  addSignature(
    v: bigint,
    r: Uint8Array | bigint,
    s: Uint8Array | bigint,
    convertV?: boolean,
  ): EthereumjsTransaction;
  supports(capability: number): boolean;
  getSenderPublicKey(): Uint8Array;
  serialize(): Uint8Array;
  hash(): Uint8Array;
}

/** A signed transaction, ready for `eth_sendRawTransaction`. */
export interface SignedEthereumTransaction<T extends EthereumjsTransaction> {
  /** The signed @ethereumjs/tx transaction. */
  tx: T;
  /** Raw signed transaction (0x hex). */
  serialized: Hex;
  /** Transaction hash. */
  hash: Hex;
  /** Sender: the threshold address. */
  from: Hex;
  /** Signature, with `v` as encoded in the transaction. */
  signature: EthereumSignature;
}

/** EIP-2930 access list entry. */
export interface AccessListItem {
  address: string;
  storageKeys: string[];
}

/** A plain transaction, built into an @ethereumjs/tx transaction by {@link createEthereumTransaction}. */
export interface EthereumTransactionRequest {
  /** Default `'eip1559'`. */
  type?: 'legacy' | 'eip2930' | 'eip1559';
  /** Preset name (`'ethereum'`, `'base'`, …) or numeric chain id. */
  chain: EthereumChainInput;
  nonce: bigint | number;
  /** Recipient; omit to create a contract. */
  to?: string;
  /** Wei. Default 0. */
  value?: bigint | number;
  /** Call data (0x hex or bytes). */
  data?: string | Uint8Array;
  gasLimit: bigint | number;
  /** Legacy and EIP-2930 only. */
  gasPrice?: bigint | number;
  /** EIP-1559 only. */
  maxFeePerGas?: bigint | number;
  /** EIP-1559 only. */
  maxPriorityFeePerGas?: bigint | number;
  /** EIP-2930 and EIP-1559 only. */
  accessList?: AccessListItem[];
  /**
   * An @ethereumjs/common `Common` to build with (hardfork, custom params). Its chain id must
   * match `chain`. By default a `Common` for the chain id on the latest hardfork is used.
   */
  common?: unknown;
}

/** Options of {@link createEthereumSigner}. */
export interface EthereumSignerOptions {
  /** The threshold public key (or a derived child key) whose signatures `signer` produces. */
  publicKey: PublicKeyInput;
  /** Runs the threshold signing protocol over a digest. */
  signer: ThresholdSigner;
}

/** Signs Ethereum payloads with a threshold key. */
export interface EthereumSigner {
  /** EIP-55 address of the key. */
  readonly address: Hex;
  /** 33-byte compressed public key. */
  readonly publicKey: Uint8Array;
  /** Signs a 32-byte digest as is (no prefix); `v` is 27 + yParity. */
  signDigest(digest: Uint8Array): Promise<EthereumMessageSignature>;
  /** EIP-191 `personal_sign` (strings are UTF-8; pass bytes for raw data). */
  signMessage(message: string | Uint8Array): Promise<EthereumMessageSignature>;
  /** EIP-712 `eth_signTypedData_v4`. */
  signTypedData(typedData: TypedData): Promise<EthereumMessageSignature>;
  /** Signs an unsigned @ethereumjs/tx transaction. */
  signTransaction<T extends EthereumjsTransaction>(tx: T): Promise<SignedEthereumTransaction<T>>;
  /** Builds the transaction with {@link createEthereumTransaction}, then signs it. */
  signTransaction(
    request: EthereumTransactionRequest,
  ): Promise<SignedEthereumTransaction<EthereumjsTransaction>>;
}

type _Tx = typeof import('@ethereumjs/tx');
type _Common = typeof import('@ethereumjs/common');

async function _loadEthereumJs(): Promise<{ tx: _Tx; common: _Common }> {
  const [tx, common] = await Promise.all([
    _loadPeer('ethereum', '@ethereumjs/tx', () => import('@ethereumjs/tx')),
    _loadPeer('ethereum', '@ethereumjs/common', () => import('@ethereumjs/common')),
  ]);
  return { tx, common };
}

function _quantity(value: unknown, title: string): bigint {
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new LocalError(
    'INVALID_ARGUMENT',
    `[ethereum] "${title}" expected a non-negative integer (bigint or safe number)`,
  );
}

function _accessList(list: AccessListItem[]): { address: Hex; storageKeys: Hex[] }[] {
  if (!Array.isArray(list)) {
    throw new LocalError('INVALID_ARGUMENT', '[ethereum] "accessList" expected an array');
  }
  return list.map((item, i) => ({
    address: toChecksumAddress(item?.address, `accessList[${i}].address`),
    storageKeys: (Array.isArray(item?.storageKeys) ? item.storageKeys : [null]).map((k) => {
      if (typeof k !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(k)) {
        throw new LocalError(
          'INVALID_ARGUMENT',
          `[ethereum] "accessList[${i}].storageKeys" expected 32-byte hex keys`,
        );
      }
      return k as Hex;
    }),
  }));
}

function _errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Builds an unsigned @ethereumjs/tx transaction from a plain request, for a preset chain or
 * any chain id. Loads @ethereumjs/tx and @ethereumjs/common (`MISSING_DEPENDENCY` if absent).
 *
 * @example
 * ```ts
 * const tx = await createEthereumTransaction({
 *   chain: 'base', nonce: 0, to, value: 10n ** 15n, gasLimit: 21_000,
 *   maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n,
 * });
 * ```
 */
export async function createEthereumTransaction(
  request: EthereumTransactionRequest,
): Promise<EthereumjsTransaction> {
  if (typeof request !== 'object' || request === null) {
    throw new LocalError('INVALID_ARGUMENT', '[ethereum] "request" expected an object');
  }
  const type = request.type ?? 'eip1559';
  if (type !== 'legacy' && type !== 'eip2930' && type !== 'eip1559') {
    throw new LocalError('UNSUPPORTED', `[ethereum] transaction type "${String(type)}"`);
  }
  const chain = resolveEthereumChain(request.chain);
  if (type === 'eip1559' && request.gasPrice !== undefined) {
    throw new LocalError('INVALID_ARGUMENT', '[ethereum] "gasPrice" is not used by EIP-1559');
  }
  if (
    type !== 'eip1559' &&
    (request.maxFeePerGas !== undefined || request.maxPriorityFeePerGas !== undefined)
  ) {
    throw new LocalError('INVALID_ARGUMENT', `[ethereum] EIP-1559 fee fields on a ${type} tx`);
  }
  if (type === 'legacy' && request.accessList !== undefined) {
    throw new LocalError('INVALID_ARGUMENT', '[ethereum] a legacy tx has no access list');
  }
  let data: Uint8Array = new Uint8Array(0);
  if (request.data instanceof Uint8Array) data = request.data;
  else if (typeof request.data === 'string') {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(request.data)) {
      throw new LocalError('INVALID_ARGUMENT', '[ethereum] "data" expected 0x-prefixed hex bytes');
    }
    data = hexToBytes(request.data);
  } else if (request.data !== undefined) {
    throw new LocalError('INVALID_ARGUMENT', '[ethereum] "data" expected hex or bytes');
  }
  const base = {
    nonce: _quantity(request.nonce, 'nonce'),
    gasLimit: _quantity(request.gasLimit, 'gasLimit'),
    value: _quantity(request.value ?? 0n, 'value'),
    data,
    ...(request.to === undefined ? {} : { to: toChecksumAddress(request.to, 'to') }),
  };
  const accessList = _accessList(request.accessList ?? []);
  const lib = await _loadEthereumJs();
  let common = request.common as InstanceType<_Common['Common']> | undefined;
  if (common === undefined) {
    common =
      chain.chainId === 1n
        ? new lib.common.Common({ chain: lib.common.Mainnet })
        : lib.common.createCustomCommon(
            { chainId: chain.chainId.toString(), name: chain.name },
            lib.common.Mainnet,
          );
  } else if (
    typeof (common as { chainId?: unknown }).chainId !== 'function' ||
    common.chainId() !== chain.chainId
  ) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `[ethereum] "common" does not belong to chain id ${chain.chainId}`,
    );
  }
  try {
    const opts = { common };
    if (type === 'legacy') {
      return lib.tx.createLegacyTx(
        { ...base, gasPrice: _quantity(request.gasPrice, 'gasPrice') },
        opts,
      );
    }
    if (type === 'eip2930') {
      return lib.tx.createAccessList2930Tx(
        {
          ...base,
          chainId: chain.chainId,
          accessList,
          gasPrice: _quantity(request.gasPrice, 'gasPrice'),
        },
        opts,
      );
    }
    return lib.tx.createFeeMarket1559Tx(
      {
        ...base,
        chainId: chain.chainId,
        accessList,
        maxFeePerGas: _quantity(request.maxFeePerGas, 'maxFeePerGas'),
        maxPriorityFeePerGas: _quantity(request.maxPriorityFeePerGas, 'maxPriorityFeePerGas'),
      },
      opts,
    );
  } catch (e) {
    if (isMpcError(e)) throw e;
    throw new LocalError('INVALID_ARGUMENT', `[ethereum] invalid transaction: ${_errorText(e)}`, {
      cause: e,
    });
  }
}

function _yParity(sig: RecoverableSignature): 0 | 1 {
  if (sig.recoveryId > 1) {
    // r ≥ n happens with probability ~2⁻¹²⁸; Ethereum has no encoding for it.
    throw new LocalError(
      'UNSUPPORTED',
      '[ethereum] signature has recovery id ≥ 2 (r overflowed n), which Ethereum cannot encode; sign again',
    );
  }
  return sig.recoveryId as 0 | 1;
}

function _messageSignature(sig: RecoverableSignature): EthereumMessageSignature {
  const yParity = _yParity(sig);
  const out = new Uint8Array(65);
  out.set(_compact(sig));
  out[64] = 27 + yParity;
  return { r: sig.r, s: sig.s, yParity, v: BigInt(27 + yParity), serialized: _toHex(out) };
}

function _isEthereumjsTx(x: unknown): x is EthereumjsTransaction {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as EthereumjsTransaction).getHashedMessageToSign === 'function' &&
    typeof (x as EthereumjsTransaction).addSignature === 'function'
  );
}

async function _signTx<T extends EthereumjsTransaction>(
  tx: T,
  point: Point,
  address: Hex,
  sign: (d: Uint8Array, c: SigningContext) => Promise<RecoverableSignature>,
): Promise<SignedEthereumTransaction<T>> {
  const type = tx.type;
  if (![0, 1, 2, 3, 4].includes(type)) {
    throw new LocalError('UNSUPPORTED', `[ethereum] transaction type ${type}`);
  }
  // EIP-155 replay protection applies to legacy txs from Spurious Dragon on; typed txs always
  // carry their chain id. (155 is @ethereumjs/tx's Capability.EIP155ReplayProtection.)
  const eip155 = type !== 0 || tx.supports(155);
  const chainId = tx.common.chainId();
  let digest: Uint8Array;
  try {
    digest = tx.getHashedMessageToSign();
  } catch (e) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `[ethereum] cannot hash transaction: ${_errorText(e)}`,
      {
        cause: e,
      },
    );
  }
  const sig = await sign(digest, {
    chain: 'ethereum',
    kind: 'transaction',
    ...(eip155 ? { chainId } : {}),
  });
  const yParity = _yParity(sig);
  const v =
    type !== 0
      ? BigInt(yParity)
      : eip155
        ? 35n + 2n * chainId + BigInt(yParity)
        : 27n + BigInt(yParity);
  const signed = (
    type === 0
      ? tx.addSignature(BigInt(yParity), sig.r, sig.s, true)
      : tx.addSignature(v, sig.r, sig.s)
  ) as T;
  // Check what @ethereumjs/tx assembled: same payload, expected v, sender = threshold key.
  let sender: Uint8Array;
  try {
    sender = signed.getSenderPublicKey();
  } catch (e) {
    throw new VerifyError(
      'SIGNATURE_INVALID',
      '[ethereum] signed transaction has no valid sender',
      {
        cause: e,
      },
    );
  }
  if (
    signed.v !== v ||
    !bytesEqual(signed.getHashedMessageToSign(), digest) ||
    !bytesEqual(sender, point.toBytes(false).subarray(1))
  ) {
    throw new VerifyError(
      'SIGNATURE_INVALID',
      '[ethereum] signed transaction does not recover to the threshold key',
    );
  }
  return {
    tx: signed,
    serialized: _toHex(signed.serialize()),
    hash: _toHex(signed.hash()),
    from: address,
    signature: { r: sig.r, s: sig.s, yParity, v },
  };
}

function _typedDataChainId(typedData: TypedData): bigint | undefined {
  try {
    const raw = typedData.domain?.chainId;
    return raw === undefined ? undefined : BigInt(raw);
  } catch {
    return undefined;
  }
}

/**
 * Creates an Ethereum signer over a {@link ThresholdSigner}.
 *
 * @example
 * ```ts
 * const eth = createEthereumSigner({ publicKey: keyShare, signer: thresholdSign });
 * const { serialized } = await eth.signTransaction({
 *   type: 'eip1559', chain: 'ethereum', nonce: 0, to, value: 1n, gasLimit: 21_000,
 *   maxFeePerGas: 30_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n,
 * });
 * const sig = await eth.signMessage('hello'); // sig.serialized: 0x…(65 bytes)
 * ```
 */
export function createEthereumSigner(opts: EthereumSignerOptions): EthereumSigner {
  if (typeof opts !== 'object' || opts === null || typeof opts.signer !== 'function') {
    throw new LocalError('INVALID_ARGUMENT', '[ethereum] "signer" expected a function');
  }
  const point = _publicKeyPoint(opts.publicKey, 'ethereum');
  const publicKey = point.toBytes(true);
  const address = ethereumAddress(publicKey);
  const thresholdSign = opts.signer;
  const sign = (digest: Uint8Array, context: SigningContext) =>
    _signChecked(thresholdSign, digest, point, 'ethereum', context);

  async function signTransaction(
    tx: EthereumjsTransaction | EthereumTransactionRequest,
  ): Promise<SignedEthereumTransaction<EthereumjsTransaction>> {
    const unsigned = _isEthereumjsTx(tx) ? tx : await createEthereumTransaction(tx);
    return _signTx(unsigned, point, address, sign);
  }

  return Object.freeze({
    address,
    get publicKey() {
      return publicKey.slice();
    },
    async signDigest(digest: Uint8Array) {
      _checkDigest(digest, 'ethereum');
      return _messageSignature(await sign(digest, { chain: 'ethereum', kind: 'digest' }));
    },
    async signMessage(message: string | Uint8Array) {
      const digest = hashPersonalMessage(message);
      return _messageSignature(await sign(digest, { chain: 'ethereum', kind: 'personal_sign' }));
    },
    async signTypedData(typedData: TypedData) {
      const digest = hashTypedData(typedData);
      const chainId = _typedDataChainId(typedData);
      return _messageSignature(
        await sign(digest, {
          chain: 'ethereum',
          kind: 'typed_data',
          ...(chainId === undefined ? {} : { chainId }),
        }),
      );
    },
    signTransaction: signTransaction as EthereumSigner['signTransaction'],
  });
}
