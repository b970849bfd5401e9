/**
 * Named EVM chain presets. Only the chain id matters for signing (EIP-155 replay protection,
 * EIP-2930/1559 `chainId` field, EIP-712 domains); any other numeric chain id works too.
 * @module
 */
import { LocalError } from '../../errors.js';

/** An EVM chain: its EIP-155 id and a display name. */
export interface EthereumChain {
  /** Key in {@link ETHEREUM_CHAINS}, or `chain-<id>` for a numeric id. */
  name: string;
  /** EIP-155 chain id. */
  chainId: bigint;
  /** Whether this is a test network. */
  testnet: boolean;
}

function _chain(name: string, chainId: bigint, testnet: boolean): Readonly<EthereumChain> {
  return Object.freeze({ name, chainId, testnet });
}

/** Built-in presets: mainnets and their common testnets. */
export const ETHEREUM_CHAINS = Object.freeze({
  ethereum: _chain('ethereum', 1n, false),
  sepolia: _chain('sepolia', 11155111n, true),
  holesky: _chain('holesky', 17000n, true),
  hoodi: _chain('hoodi', 560048n, true),
  bsc: _chain('bsc', 56n, false),
  bscTestnet: _chain('bscTestnet', 97n, true),
  avalanche: _chain('avalanche', 43114n, false),
  avalancheFuji: _chain('avalancheFuji', 43113n, true),
  polygon: _chain('polygon', 137n, false),
  polygonAmoy: _chain('polygonAmoy', 80002n, true),
  arbitrum: _chain('arbitrum', 42161n, false),
  arbitrumSepolia: _chain('arbitrumSepolia', 421614n, true),
  base: _chain('base', 8453n, false),
  baseSepolia: _chain('baseSepolia', 84532n, true),
});

/** Names of the built-in presets. */
export type EthereumChainName = keyof typeof ETHEREUM_CHAINS;

/** A preset name, a numeric chain id, or a chain object. */
export type EthereumChainInput = EthereumChainName | number | bigint | EthereumChain;

/**
 * Largest chain id accepted: the EIP-155 `v = 35 + 2·chainId + 1` of a legacy transaction must
 * stay a safe JS integer, because @ethereumjs/tx (and viem) handle `v` and chain ids as numbers.
 * This is below EIP-2294's bound and far above any chain id in use.
 */
export const MAX_CHAIN_ID: bigint = (BigInt(Number.MAX_SAFE_INTEGER) - 36n) / 2n;

/**
 * Resolves a preset name or numeric chain id. An unknown name throws `UNSUPPORTED`; a chain id
 * that is not an integer in [1, {@link MAX_CHAIN_ID}] throws `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * resolveEthereumChain('base').chainId; // 8453n
 * resolveEthereumChain(10).name;        // 'chain-10'
 * ```
 */
export function resolveEthereumChain(chain: EthereumChainInput): Readonly<EthereumChain> {
  if (typeof chain === 'string') {
    if (!Object.hasOwn(ETHEREUM_CHAINS, chain)) {
      throw new LocalError(
        'UNSUPPORTED',
        `[ethereum] unknown chain "${chain}" (expected one of ${Object.keys(ETHEREUM_CHAINS).join(', ')}, or a numeric chain id)`,
      );
    }
    return ETHEREUM_CHAINS[chain];
  }
  let id: bigint;
  if (typeof chain === 'number') {
    if (!Number.isSafeInteger(chain)) {
      throw new LocalError('INVALID_ARGUMENT', `[ethereum] chain id ${chain} is not an integer`);
    }
    id = BigInt(chain);
  } else if (typeof chain === 'bigint') {
    id = chain;
  } else if (typeof chain === 'object' && chain !== null && typeof chain.chainId === 'bigint') {
    id = chain.chainId;
  } else {
    throw new LocalError(
      'INVALID_ARGUMENT',
      '[ethereum] "chain" expected a preset name, a chain id, or { chainId }',
    );
  }
  if (id < 1n || id > MAX_CHAIN_ID) {
    throw new LocalError('INVALID_ARGUMENT', `[ethereum] chain id ${id} is out of range`);
  }
  if (typeof chain === 'object') return chain;
  for (const preset of Object.values(ETHEREUM_CHAINS)) {
    if (preset.chainId === id) return preset;
  }
  return _chain(`chain-${id}`, id, false);
}
