/**
 * `mpc-tss/tss-lib`: interoperability with bnb-chain/tss-lib v2 (hashing, wire codec, key files).
 * @module
 */
export {
  tssRejectionSample,
  tssSha512_256,
  tssSha512_256i,
  tssSha512_256iOne,
  tssSha512_256iTagged,
} from '../../hash/tss-lib.js';
