/**
 * Paillier encryption (g = N + 1) for the MtA protocols: keys from chosen primes or tss-lib key
 * files, CRT decryption, homomorphic operations, and validation of untrusted ciphertexts.
 * @module
 */
export type {
  PaillierCiphertext,
  PaillierPrivateKey,
  PaillierPublicKey,
  TssLibPaillierPrivateKey,
} from './paillier.js';
export {
  add,
  decrypt,
  encrypt,
  encryptWithNonce,
  generatorPow,
  mulScalar,
  nSquare,
  PAILLIER_CIPHERTEXT_BYTES,
  PAILLIER_MODULUS_BITS,
  PAILLIER_MODULUS_BYTES,
  paillierGenerator,
  paillierKeyFromPrimes,
  paillierKeyFromTssLib,
  paillierKeyToTssLib,
  paillierPublicKey,
  powModN2,
  validateCiphertext,
  validatePaillierPublicKey,
} from './paillier.js';
