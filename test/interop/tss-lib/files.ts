/** The tss-lib key files under ../shared/interop (read through test/support/interop.ts). */

/** tss-lib's own fixtures: 5 parties, threshold 2 (3 signers), written with MarshalIndent. */
export const FIXTURE_FILES = [0, 1, 2, 3, 4].map(
  (i) => `tss-lib-fixtures/ecdsa/keygen_data_${i}.json`,
);
/** The golden 2-of-3 key (threshold 1), written with json.Marshal. */
export const GOLDEN_FILES = [0, 1, 2].map((i) => `golden/keygen-2of3-party${i}.json`);
/** Public key of the fixtures' key. */
export const FIXTURE_PUBKEY = '02a89d4d9bf1e8c8689ff79e3aaa35375c5686829238b31cc605bd2b903a4bae85';

/** Removes `"Curve"` from every point, which makes a tss-lib v1 file. */
export function toV1(text: string): string {
  return text.replace(/"Curve":\s*"secp256k1",\s*/g, '');
}
