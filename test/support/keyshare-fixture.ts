import type { KeyShare, KeyShareParty } from '../../src/keyshare.js';
import { bytesToHex, gcd, mod, modInv } from '../../src/math/bigint.js';
import { CURVE_ORDER, mulG, pointToBytes } from '../../src/math/curve.js';
import { modPowCrt } from '../../src/math/modexp.js';
import { randomBelow } from '../../src/math/random.js';
import { FIXTURE_PRIME_SETS } from './primes.js';

/** Options of {@link makeKeyShares}. */
export interface MakeKeySharesOptions {
  n: number;
  minSigners: number;
  /** Party ids (default P1..Pn). */
  ids?: string[];
  /** Shamir x-coordinates (default random in [1, q)). */
  indices?: bigint[];
  /** Chain code hex to put in every share. */
  chainCode?: string;
}

const hex = (p: ReturnType<typeof mulG>, compressed = true): string =>
  bytesToHex(pointToBytes(p, compressed));

/** n valid key shares of one random key (n ≤ number of prime sets, 10). */
export function makeKeyShares(opts: MakeKeySharesOptions): KeyShare[] {
  const { n, minSigners: m } = opts;
  if (n > FIXTURE_PRIME_SETS.length)
    throw new Error(`at most ${FIXTURE_PRIME_SETS.length} parties`);
  const q = CURVE_ORDER;
  const coeffs = Array.from({ length: m }, () => 1n + randomBelow(q - 1n));
  const f = (x: bigint): bigint => coeffs.reduceRight((acc, c) => mod(acc * x + c, q), 0n);
  const ids = opts.ids ?? Array.from({ length: n }, (_, j) => `P${j + 1}`);
  const indices = opts.indices ?? ids.map(() => 1n + randomBelow(q - 1n));
  const secrets = FIXTURE_PRIME_SETS.slice(0, n).map((s) => {
    const p = s.paillierP;
    const qq = s.paillierQ;
    const P = s.ntildeP;
    const Q = s.ntildeQ;
    const sp = (P - 1n) / 2n;
    const sq = (Q - 1n) / 2n;
    const nt = P * Q;
    const r = 2n + randomBelow(nt - 3n);
    const h1 = mod(r * r, nt);
    let alpha: bigint;
    do alpha = 1n + randomBelow(nt - 1n);
    while (gcd(alpha, sp * sq) !== 1n);
    const beta = modInv(alpha, sp * sq);
    const h2 = modPowCrt(h1, alpha, P, Q);
    return { p, q: qq, sp, sq, nt, h1, h2, alpha, beta };
  });
  const parties: KeyShareParty[] = ids.map((id, j) => ({
    id,
    index: indices[j]!,
    publicShare: hex(mulG(f(indices[j]!))),
    paillierN: secrets[j]!.p * secrets[j]!.q,
    ntilde: secrets[j]!.nt,
    h1: secrets[j]!.h1,
    h2: secrets[j]!.h2,
  }));
  const order = parties.map((_, j) => j).sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
  const sorted = order.map((j) => parties[j]!);
  const pub = mulG(coeffs[0]!);
  return ids.map((id, j) => {
    const s = secrets[j]!;
    return {
      version: 1,
      curve: 'secp256k1',
      minSigners: m,
      self: id,
      parties: sorted,
      publicKey: { compressed: hex(pub), uncompressed: hex(pub, false) },
      ...(opts.chainCode === undefined ? {} : { chainCode: opts.chainCode }),
      secret: {
        xi: f(indices[j]!),
        paillier: { p: s.p, q: s.q },
        ntilde: { sophieGermainP: s.sp, sophieGermainQ: s.sq, alpha: s.alpha, beta: s.beta },
      },
    } satisfies KeyShare;
  });
}
