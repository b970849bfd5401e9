/**
 * The README's quick start, verbatim, so that it is type-checked and can be run:
 * `npx tsx examples/quick-start.ts`.
 */
import {
  createKeygenParty,
  createSignParty,
  generatePreParams,
  newSessionId,
  runLocal,
} from '../src/index.js';

const ids = ['alice', 'bob', 'carol'];

// 1. Pre-params (Paillier key + ring-Pedersen parameters): slow, generate ahead of time.
const preParams = await Promise.all(ids.map(() => generatePreParams()));

// 2. Keygen: 2-of-3. Each party normally runs on its own node; runLocal wires them in-process.
const keygenSession = newSessionId();
const keygen = await runLocal(
  ids.map((self, i) =>
    createKeygenParty({
      self,
      parties: ids,
      minSigners: 2,
      sessionId: keygenSession,
      preParams: preParams[i]!,
    }),
  ),
);
const shares = keygen.outputs; // Map: party id → KeyShare. Store each one encrypted.

// 3. Sign a 32-byte hash with any 2 of the 3.
const messageHash = new Uint8Array(32).fill(7);
const signSession = newSessionId();
const signers = ['alice', 'carol'];
const sign = await runLocal(
  signers.map((self) =>
    createSignParty({
      self,
      signers,
      keyShare: shares.get(self)!,
      messageHash,
      sessionId: signSession,
    }),
  ),
);
console.log(sign.outputs.get('alice')); // { r, s, recoveryId, der, compact, ... }: low-s, verified
