/**
 * Non-hardened BIP32 derivation for threshold keys (tss-lib `crypto/ckd` and
 * `ecdsa/signing/key_derivation_util.go`).
 *
 * Public side: from the group public key y and a 32-byte chain code, each path step i computes
 * `I = HMAC-SHA512(chainCode, ser_P(y) ‖ ser_32(i))`, `IL` = first 32 bytes as an integer,
 * child key `y' = y + IL·G`, child chain code = last 32 bytes. The total tweak
 * `delta = Σ IL mod q` satisfies y_path = y + delta·G ({@link derivePublicKey}).
 *
 * Signing under a path: x = Σ λ_i·x_i over any signer set, so the child secret x + delta has
 * the Shamir shares x_i + delta (adding a constant to the polynomial shifts every share). Like
 * tss-lib, every signer adds delta to its own x_i **before** the Lagrange weighting, and every
 * public share becomes X_j + delta·G; then Σ w_i = Σ λ_i·(x_i + delta) = x + delta because the
 * λ_i sum to 1 ({@link deriveSigningShare}). Adding delta to one party's additive share instead
 * would give the same sum but needs the signers to agree who does it; scaling by λ_i keeps
 * every party symmetric and the W_j = λ_j·X'_j checks of MtAwc consistent.
 *
 * Hardened steps (index ≥ 2^31, or written `44'` / `44h`) need the parent *secret* key in the
 * HMAC, which no party has: they are refused with {@link LocalError} `UNSUPPORTED`. Derive
 * hardened levels at keygen time (a different key per account) instead.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { LocalError } from '../../errors.js';
import { bytesToBigint, hexToBytes } from '../../math/bigint.js';
import {
  CURVE_ORDER,
  CurvePoint,
  modQ,
  mulG,
  type Point,
  pointFromBytes,
} from '../../math/curve.js';

/** First hardened child index (2^31). */
export const HARDENED_OFFSET = 0x8000_0000;
/** BIP32 depth limit. */
export const MAX_DERIVATION_DEPTH = 255;

/** A derivation path: `"m/44/60/0/0/5"` (non-hardened only) or a list of indices. */
export type DerivationPath = string | readonly number[];

/** Result of {@link derivePublicKey}. */
export interface DerivedKey {
  /** The child public key y + delta·G. */
  readonly publicKey: Point;
  /** The child chain code (32 bytes). */
  readonly chainCode: Uint8Array;
  /** delta = Σ IL mod q over the path (0 for the empty path). Public. */
  readonly delta: bigint;
  /** The parsed path. */
  readonly path: readonly number[];
}

/**
 * Parses a path into child indices. Accepts `m`, `m/0/1`, `0/1` and index lists.
 * @throws {@link LocalError} `UNSUPPORTED` for a hardened step (`'`, `h`, `H` or ≥ 2^31),
 *   `INVALID_ARGUMENT` for anything malformed or deeper than 255 levels.
 */
export function parseDerivationPath(path: DerivationPath): number[] {
  let parts: (string | number)[];
  if (typeof path === 'string') {
    const segs = path.trim().split('/');
    if (segs[0] === 'm' || segs[0] === 'M') segs.shift();
    parts = segs.length === 1 && segs[0] === '' ? [] : segs;
  } else if (Array.isArray(path)) {
    parts = [...path];
  } else {
    throw new LocalError('INVALID_ARGUMENT', 'derivation path must be a string or an index list');
  }
  if (parts.length > MAX_DERIVATION_DEPTH) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `derivation path is deeper than ${MAX_DERIVATION_DEPTH}`,
    );
  }
  return parts.map((p, k) => {
    if (typeof p === 'string') {
      if (/^\d+['hH]$/.test(p)) {
        throw new LocalError(
          'UNSUPPORTED',
          `derivation step #${k} (${p}) is hardened: threshold keys support non-hardened derivation only`,
        );
      }
      if (!/^(0|[1-9]\d{0,9})$/.test(p)) {
        throw new LocalError('INVALID_ARGUMENT', `derivation step #${k} is not an index`);
      }
      p = Number(p);
    }
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0 || p > 0xffff_ffff) {
      throw new LocalError('INVALID_ARGUMENT', `derivation step #${k} must be in [0, 2^32)`);
    }
    if (p >= HARDENED_OFFSET) {
      throw new LocalError(
        'UNSUPPORTED',
        `derivation step #${k} is hardened (≥ 2^31): threshold keys support non-hardened derivation only`,
      );
    }
    return p;
  });
}

function toChainCode(chainCode: Uint8Array | string): Uint8Array {
  const cc = typeof chainCode === 'string' ? safeHex(chainCode) : chainCode;
  if (!(cc instanceof Uint8Array) || cc.length !== 32) {
    throw new LocalError('INVALID_ARGUMENT', '"chainCode" must be 32 bytes');
  }
  return cc;
}

function safeHex(h: string): Uint8Array {
  try {
    return hexToBytes(h);
  } catch (e) {
    throw new LocalError('INVALID_ARGUMENT', '"chainCode" must be hex', { cause: e });
  }
}

function toPoint(publicKey: Point | Uint8Array | string): Point {
  try {
    if (publicKey instanceof CurvePoint) {
      if (publicKey.is0()) throw new Error('identity');
      publicKey.assertValidity();
      return publicKey;
    }
    const b = typeof publicKey === 'string' ? hexToBytes(publicKey) : publicKey;
    return pointFromBytes(b as Uint8Array, 'publicKey');
  } catch (e) {
    throw new LocalError('INVALID_ARGUMENT', '"publicKey" must be a valid secp256k1 point', {
      cause: e,
    });
  }
}

/**
 * One public child step (BIP32 CKDpub), as tss-lib `ckd.DeriveChildKey`.
 * @throws {@link LocalError} `UNSUPPORTED` for a hardened index; `INVALID_ARGUMENT` in the
 *   ~2^-127 case where IL ≥ q or the child is the identity (BIP32: use the next index).
 */
export function deriveChild(
  publicKey: Point,
  chainCode: Uint8Array,
  index: number,
): { publicKey: Point; chainCode: Uint8Array; il: bigint } {
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new LocalError('INVALID_ARGUMENT', 'child index must be in [0, 2^32)');
  }
  if (index >= HARDENED_OFFSET) {
    throw new LocalError('UNSUPPORTED', 'hardened child keys cannot be derived from a public key');
  }
  const data = new Uint8Array(37);
  data.set(publicKey.toBytes(true), 0);
  new DataView(data.buffer).setUint32(33, index, false);
  const I = hmac(sha512, chainCode, data);
  const il = bytesToBigint(I.subarray(0, 32));
  if (il === 0n || il >= CURVE_ORDER) {
    throw new LocalError(
      'INVALID_ARGUMENT',
      `child ${index} is invalid (IL ≥ q); use the next index`,
    );
  }
  const child = publicKey.add(mulG(il));
  if (child.is0()) {
    throw new LocalError('INVALID_ARGUMENT', `child ${index} is the identity; use the next index`);
  }
  return { publicKey: child, chainCode: I.slice(32), il };
}

/**
 * Derives a non-hardened child public key along `path` (BIP32 public derivation), and the total
 * tweak delta with child = publicKey + delta·G (tss-lib `DeriveChildKeyFromHierarchy`).
 *
 * @param publicKey the parent (group) public key: a point, SEC1 bytes or hex
 * @param chainCode the parent chain code: 32 bytes or 64 hex characters
 * @throws {@link LocalError} `UNSUPPORTED` for hardened steps, `INVALID_ARGUMENT` for bad input.
 * @example
 * ```ts
 * const { publicKey, delta } = derivePublicKey(share.publicKey.compressed, share.chainCode!, 'm/44/60/0/0/5');
 * ```
 */
export function derivePublicKey(
  publicKey: Point | Uint8Array | string,
  chainCode: Uint8Array | string,
  path: DerivationPath,
): DerivedKey {
  const steps = parseDerivationPath(path);
  let pub = toPoint(publicKey);
  let cc: Uint8Array = Uint8Array.from(toChainCode(chainCode));
  let delta = 0n;
  for (const index of steps) {
    const next = deriveChild(pub, cc, index);
    pub = next.publicKey;
    cc = next.chainCode;
    delta = modQ(delta + next.il);
  }
  return { publicKey: pub, chainCode: cc, delta, path: steps };
}

/**
 * A signer's view of the key under a derivation tweak delta: x_i + delta and every public
 * share X_j + delta·G (see the module notes for why every share moves).
 * @internal
 */
export function deriveSigningShare(
  xi: bigint,
  publicShares: readonly Point[],
  delta: bigint,
): { xi: bigint; publicShares: Point[] } {
  if (delta === 0n) return { xi, publicShares: [...publicShares] };
  const dG = mulG(delta);
  return { xi: modQ(xi + delta), publicShares: publicShares.map((X) => X.add(dG)) };
}
