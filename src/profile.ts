/**
 * Protocol profiles. Both share all the math; only hashing, ssid and framing differ.
 * - `native` (default): hardened per SECURITY.md (tagged transcripts, full ssid binding,
 *   Schnorr proof of knowledge in keygen, XOF-expanded Π^mod challenges).
 * - `tss-lib`: byte-compatible with bnb-chain/tss-lib v2, so a party can sit in a session
 *   with Go tss-lib parties. Verifiers still run every check of SECURITY.md.
 * @module
 */

/** Protocol profile: `'native'` (default, hardened) or `'tss-lib'` (Go tss-lib v2 compatible). */
export type Profile = 'native' | 'tss-lib';

/** All profiles, for validation and iteration in tests. */
export const PROFILES: readonly Profile[] = ['native', 'tss-lib'];
