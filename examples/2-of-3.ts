/**
 * 2-of-3 threshold ECDSA in one process: pre-params, keygen, signing, and the key on Bitcoin and
 * Ethereum.
 *
 *   npm run example            # tsx examples/2-of-3.ts
 *
 * Three parties (alice, bob, carol) generate a secp256k1 key together; any two of them can sign,
 * and the private key never exists anywhere. Here all three live in this process: their
 * pre-params are generated concurrently, and their keygen and signing parties run on worker
 * threads (one per core) while `runLocal` carries the messages between them. In production each
 * party is its own node, drives its party over an authenticated transport and stores its key
 * share encrypted (docs/deployment.md); the protocol calls are the same.
 *
 * The example imports the sources (`../src/…`); an application imports `mpc-tss`,
 * `mpc-tss/bitcoin` and `mpc-tss/ethereum` instead.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bitcoinAddress } from '../src/chains/bitcoin/index.js';
import { createEthereumSigner, ethereumAddress } from '../src/chains/ethereum/index.js';
import {
  createWorkerPool,
  generatePreParams,
  isMpcError,
  type KeyShare,
  newSessionId,
  type PreParamsProgress,
  runLocal,
  type Signature,
  signatureToHex,
} from '../src/index.js';
import { createThresholdSigner, type SigningRun } from './support/threshold-signer.js';

const ids = ['alice', 'bob', 'carol'];
const minSigners = 2;
const signers = ['alice', 'carol']; // parties 1 and 3: any 2 of the 3 can sign
const message = 'Pay 0.001 BTC to Bob (mpc-tss 2-of-3 example)';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const since = (t0: number) => performance.now() - t0;

const pool = createWorkerPool(); // one worker thread per core
const timings: [phase: string, ms: number, wire?: { bytes: number; messages: number }][] = [];

try {
  const t0 = performance.now();
  console.log(`mpc-tss: ${minSigners}-of-${ids.length} threshold ECDSA with ${ids.join(', ')}\n`);
  const workersReady = pool.ready(); // start the workers while the primes are searched
  workersReady.catch(() => {}); // awaited below; no unhandled rejection if we fail before

  // --- 1. Pre-params: each party's Paillier key and ring-Pedersen parameters. Finding the safe
  // primes is the slow step (seconds, highly variable), so real deployments generate them ahead
  // of time, store them encrypted and use each set for one key.
  console.log('1. pre-params (2 Paillier primes + 2 safe primes per party, in parallel)');
  let t = performance.now();
  const progress = preParamsProgress(ids, t);
  const preParams = await Promise.all(
    ids.map((id) => generatePreParams({ onProgress: (p) => progress(id, p) })),
  );
  timings.push(['pre-params', since(t)]);
  console.log(`   done in ${seconds(since(t))}\n`);

  // --- 2. Keygen, each party on a worker thread. Every party gets a KeyShare: the same public
  // key, and its own secret share (store it encrypted; it never leaves its node).
  await workersReady;
  console.log(`2. keygen ${minSigners}-of-${ids.length} on ${pool.size} worker threads`);
  t = performance.now();
  const keygenSession = newSessionId(); // fresh and unguessable, the same for every party
  const keygenParties = await Promise.all(
    ids.map((self, i) =>
      pool.createPartyFrom<KeyShare>('createKeygenParty', {
        self,
        parties: ids,
        minSigners,
        sessionId: keygenSession,
        preParams: preParams[i]!,
      }),
    ),
  );
  const keygen = await runLocal(keygenParties);
  await Promise.all(keygenParties.map((p) => p.terminate()));
  if (keygen.outcome !== 'done') throw failure('keygen', keygen);
  const shares = ids.map((id) => keygen.outputs.get(id)!);
  timings.push(['keygen', since(t), keygen.wire]);
  const publicKey = shares[0]!.publicKey.compressed;
  if (shares.some((s) => s.publicKey.compressed !== publicKey)) {
    throw new Error('keygen: the parties disagree on the public key');
  }
  console.log(`   done in ${seconds(since(t))}, ${wire(keygen.wire)}`);
  console.log(`   public key          ${publicKey}`);
  console.log(
    `   BTC testnet P2WPKH  ${bitcoinAddress(shares[0]!, 'p2wpkh', { network: 'testnet' })}`,
  );
  console.log(`   ETH (EIP-55)        ${ethereumAddress(shares[0]!)}\n`);

  // --- 3. Sign SHA-256(message) with alice and carol; bob stays offline.
  console.log(`3. signing SHA-256("${message}") with ${signers.join(' and ')}`);
  t = performance.now();
  const messageHash = sha256(new TextEncoder().encode(message));
  const signSession = newSessionId(); // fresh for every signature
  const signParties = await Promise.all(
    signers.map((self) =>
      pool.createPartyFrom<Signature>('createSignParty', {
        self,
        signers,
        keyShare: shares[ids.indexOf(self)]!,
        messageHash,
        sessionId: signSession,
      }),
    ),
  );
  const sign = await runLocal(signParties);
  await Promise.all(signParties.map((p) => p.terminate()));
  if (sign.outcome !== 'done') throw failure('signing', sign);
  timings.push(['signing', since(t), sign.wire]);
  const signature = sign.outputs.get(signers[0]!)!;
  const sigHex = signatureToHex(signature);
  console.log(`   done in ${seconds(since(t))}, ${wire(sign.wire)}`);
  console.log(`   message hash  ${hex(messageHash)}`);
  console.log(`   r             ${sigHex.r}`);
  console.log(`   s             ${sigHex.s}`);
  console.log(`   recovery id   ${sigHex.recoveryId}`);
  console.log(`   DER           ${sigHex.der}`);

  // Check it independently of mpc-tss (which verified it already), with @noble/curves.
  const pub = Buffer.from(publicKey, 'hex');
  const valid =
    secp256k1.verify(signature.compact, messageHash, pub, { prehash: false, lowS: true }) &&
    secp256k1.verify(signature.der, messageHash, pub, { prehash: false, format: 'der' });
  const recovered = new secp256k1.Signature(signature.r, signature.s, signature.recoveryId)
    .recoverPublicKey(messageHash)
    .toHex(true);
  if (!valid || recovered !== publicKey) {
    throw new Error('the signature does not verify with @noble/curves');
  }
  console.log('   verified with @noble/curves (compact and DER, low-s, key recovered)\n');

  // --- 4. An EIP-1559 transaction. The Ethereum signer only needs a ThresholdSigner callback:
  // here each digest is signed by a GG18 session between alice and carol (support/threshold-signer.ts).
  console.log(`4. EIP-1559 transfer on Sepolia signed by ${signers.join(' and ')}`);
  t = performance.now();
  let txRun: SigningRun | undefined;
  const eth = createEthereumSigner({
    publicKey: shares[0]!,
    signer: createThresholdSigner({
      shares,
      signers,
      pool,
      onSigned: (run) => {
        txRun = run;
      },
    }),
  });
  const tx = await eth.signTransaction({
    type: 'eip1559',
    chain: 'sepolia',
    nonce: 0,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 10n ** 15n, // 0.001 ETH
    gasLimit: 21_000,
    maxFeePerGas: 30n * 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 9n,
  });
  if (tx.from !== eth.address) throw new Error('the transaction does not recover to our address');
  timings.push(['tx signing', since(t), txRun?.wire]);
  console.log(`   done in ${seconds(since(t))}${txRun ? `, ${wire(txRun.wire)}` : ''}`);
  console.log(`   from      ${tx.from}`);
  console.log(`   tx hash   ${tx.hash}`);
  console.log(`   raw tx    ${tx.serialized}\n`);

  // --- Summary.
  console.log('timings');
  for (const [phase, ms, w] of timings) {
    console.log(`   ${phase.padEnd(11)} ${seconds(ms).padStart(7)}${w ? `   ${wire(w)}` : ''}`);
  }
  console.log(`   ${'total'.padEnd(11)} ${seconds(since(t0)).padStart(7)}`);
} catch (err) {
  console.error(`\nexample failed: ${describe(err)}`);
  process.exitCode = 1;
} finally {
  await pool.close();
}

/** Prints the pre-params search: a bar per party on a terminal, one line per party otherwise. */
function preParamsProgress(parties: string[], start: number) {
  const found = new Map(parties.map((id) => [id, 0]));
  const done = new Set<string>();
  return (id: string, p: PreParamsProgress) => {
    found.set(id, p.found);
    if (p.stage === 'done') done.add(id);
    if (process.stdout.isTTY) {
      const bars = parties.map((x) => {
        const n = found.get(x)!;
        return `${x} ${'█'.repeat(n)}${'░'.repeat(p.total - n)}`;
      });
      process.stdout.write(`\r   ${bars.join('  ')}  ${seconds(since(start))}`);
      if (done.size === parties.length) process.stdout.write('\n');
    } else if (p.stage === 'done') {
      console.log(`   ${id}: ready after ${seconds(since(start))}`);
    }
  };
}

function wire(w: { bytes: number; messages: number }): string {
  return `${bytes(w.bytes)} in ${w.messages} messages on the wire`;
}

/** Why a run did not finish. A PeerError names the misbehaving party in `culprits`. */
function failure(phase: string, res: { outcome: string; errors: Map<string, Error> }): Error {
  const cause = [...res.errors.values()][0];
  return new Error(
    `${phase} ${res.outcome}${cause ? '' : ': not every party finished'}`,
    cause ? { cause } : undefined,
  );
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e !== undefined && parts.length < 5; e = (e as Error).cause) {
    parts.push(
      isMpcError(e) ? `${e.name} ${e.message}` : e instanceof Error ? e.message : String(e),
    );
    if (!(e instanceof Error)) break;
  }
  if (!isMpcError(err) && err instanceof Error && err.stack && process.env.DEBUG) {
    parts.push(err.stack);
  }
  return parts.join(': ');
}
