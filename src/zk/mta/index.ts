/**
 * MtA / MtAwc (GG18) with Alice's range proof and Bob's proofs, in the `native` and `tss-lib`
 * profiles. There is no variant without proofs (SECURITY.md item 7).
 * @module
 */
export type { ProofBob, ProofBobWC } from './bob.js';
export {
  BOB_TAG,
  BOB_WC_TAG,
  proofBobFromBytes,
  proofBobToBytes,
  proofBobWCFromBytes,
  proofBobWCToBytes,
  proveBob,
  proveBobWC,
  verifyBob,
  verifyBobWC,
} from './bob.js';
export type { MtaProofContext, RingPedersenParams } from './common.js';
export { NTILDE_BITS, Q3, Q5, Q7, tssLibSession } from './common.js';
export type { RangeProofAlice } from './range-alice.js';
export {
  proveRangeAlice,
  RANGE_ALICE_TAG,
  rangeProofAliceFromBytes,
  rangeProofAliceToBytes,
  verifyRangeAlice,
} from './range-alice.js';
export type {
  MtaAliceEndArgs,
  MtaAliceMessage,
  MtaBobArgs,
  MtaBobResult,
  MtaBobWCResult,
  MtaContext,
} from './share.js';
export {
  mtaAliceEnd,
  mtaAliceEndWC,
  mtaAliceInit,
  mtaBobMid,
  mtaBobMidPair,
  mtaBobMidWC,
} from './share.js';
