/**
 * Feldman verifiable secret sharing and Lagrange interpolation over secp256k1.
 * @module
 */
export type { VssDealing, VssShare } from './feldman.js';
export { evaluateCommitments, reconstructSecret, splitSecret, verifyShare } from './feldman.js';
export {
  lagrangeCoefficient,
  lagrangeCoefficients,
  normalizeIndices,
  verifyIndices,
} from './lagrange.js';
