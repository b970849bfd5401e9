/**
 * Replays a recorded tss-lib v2 keygen transcript through the same parsers and validators the
 * live rounds use (`messages.ts`), as a third party holding no secret.
 *
 * Everything a keygen message carries is publicly verifiable: DLN proofs, Π^mod, Π^fac (under the
 * recipient's public Ñ, h1, h2), the decommitments, the Feldman check of every share (tss-lib
 * sends shares point-to-point in the clear; the transport encrypts them) and the Paillier-key
 * proofs. The replay derives the public key and every X_j; a key file's x_i can then be matched
 * against the shares sent to party i.
 *
 * Any failure throws a {@link PeerError} naming the sender of the offending message (for a
 * message whose defect is only visible later, e.g. a flipped round-1 N caught by that sender's
 * Π^mod, the culprit is still that sender).
 * @module
 */
import { PeerError, VerifyError } from '../../../errors.js';
import { decodeTssLibWire } from '../../../interop/tss-lib/codec.js';
import { IDENTITY, modQ, type Point } from '../../../math/curve.js';
import type { Profile } from '../../../profile.js';
import { evaluateCommitments, verifyShare } from '../../../vss/feldman.js';
import { normalizeIndices } from '../../../vss/lagrange.js';
import { tssLibKeygenSsid } from '../ssid.js';
import {
  decodeRound1,
  decodeRound2Decommit,
  decodeRound2Share,
  decodeRound3,
  openRound2Decommit,
  type Round1Message,
  type Round2DecommitMessage,
  type Round2ShareMessage,
  type Round3Message,
  verifyRound1,
  verifyRound2Decommit,
  verifyRound2Share,
  verifyRound3,
} from './messages.js';
import { commitCtx, paillierCtx, proofCtx } from './types.js';

/** One recorded message: sender id, recipient ids (absent or empty for a broadcast), wire bytes. */
export interface TssLibKeygenRecord {
  /** Sender party id. */
  readonly from: string;
  /** Recipient ids of a point-to-point message; absent, `null` or empty for a broadcast. */
  readonly to?: readonly string[] | null;
  /** tss-lib `WireBytes()`: a protobuf `Any`. */
  readonly wireBytes: Uint8Array;
}

/** Input of {@link verifyTssLibKeygenTranscript}. */
export interface TssLibKeygenTranscript {
  /** Every party: id and tss-lib party key (= Shamir index), any order. */
  readonly parties: readonly { readonly id: string; readonly key: bigint }[];
  /** Parties needed to sign (tss-lib threshold + 1). */
  readonly minSigners: number;
  /** The recorded messages, in any order. */
  readonly messages: readonly TssLibKeygenRecord[];
}

/** What the replay establishes. Positions follow tss-lib's sorted party order (by key). */
export interface TssLibKeygenReplay {
  /** Party ids by position. */
  readonly ids: readonly string[];
  /** Party keys by position. */
  readonly keys: readonly bigint[];
  /** The keygen ssid (tss-lib `getSSID`). */
  readonly ssid: Uint8Array;
  /** The group public key y. */
  readonly publicKey: Point;
  /** X_j = x_j·G by position. */
  readonly publicShares: readonly Point[];
  /** Each party's Feldman commitments V_j,0..V_j,t by position. */
  readonly commitments: readonly (readonly Point[])[];
  /**
   * `received[i][j]` = the share party j sent to party i (undefined for j = i: a party's share
   * of its own polynomial is never sent).
   */
  readonly received: readonly (readonly (bigint | undefined)[])[];
  /** Each party's Paillier modulus by position. */
  readonly paillierN: readonly bigint[];
}

const TYPES = {
  r1: 'binance.tsslib.ecdsa.keygen.KGRound1Message',
  r2Share: 'binance.tsslib.ecdsa.keygen.KGRound2Message1',
  r2Decommit: 'binance.tsslib.ecdsa.keygen.KGRound2Message2',
  r3: 'binance.tsslib.ecdsa.keygen.KGRound3Message',
} as const;

/**
 * Verifies a recorded tss-lib keygen (profile `tss-lib`) and derives its public results.
 *
 * @throws {@link PeerError} naming the sender of the first message that fails a check (codes as
 *   in the live protocol: `MALFORMED`, `OVERSIZED`, `OUT_OF_RANGE`, `PROOF_INVALID`,
 *   `COMMITMENT_INVALID`, `SHARE_INVALID`, `DUPLICATE_PARAMETER`, `EQUIVOCATION` for two different
 *   messages in one slot), or naming the parties whose messages are missing (`MALFORMED`).
 * @throws {@link LocalError} `INVALID_ARGUMENT` for a bad party list or minSigners.
 */
export function verifyTssLibKeygenTranscript(tr: TssLibKeygenTranscript): TssLibKeygenReplay {
  const profile: Profile = 'tss-lib';
  const sorted = [...tr.parties].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const ids = sorted.map((p) => p.id);
  const keys = normalizeIndices(sorted.map((p) => p.key));
  const n = ids.length;
  const t = tr.minSigners - 1;
  if (!Number.isSafeInteger(t) || t < 1 || t >= n) {
    throw new VerifyError('MALFORMED', 'minSigners must be in [2, n]');
  }
  const ssid = tssLibKeygenSsid(keys);
  const base = { profile, ssid, keys };
  const pos = new Map(ids.map((id, j) => [id, j]));
  const blame = (e: unknown, who: string | readonly string[]): never => {
    throw PeerError.from(e, who);
  };

  // Sort the records into slots; the same slot twice with different bytes is equivocation.
  const r1: (Round1Message | undefined)[] = Array(n);
  const r2d: (Round2DecommitMessage | undefined)[] = Array(n);
  const r3: (Round3Message | undefined)[] = Array(n);
  const r2s: (Round2ShareMessage | undefined)[][] = ids.map(() => Array(n));
  const raw = new Map<string, Uint8Array>();
  for (const rec of tr.messages) {
    const j = pos.get(rec.from);
    if (j === undefined) throw new VerifyError('MALFORMED', 'message from an unknown party');
    let typeName: string;
    try {
      typeName = decodeTssLibWire(rec.wireBytes).$typeName;
    } catch (e) {
      return blame(e, rec.from);
    }
    const to = rec.to ?? [];
    const broadcast = typeName !== TYPES.r2Share;
    if (broadcast !== (to.length === 0)) {
      blame(new VerifyError('UNEXPECTED_MESSAGE', 'wrong broadcast flag'), rec.from);
    }
    const recipients = broadcast ? [''] : to;
    for (const r of recipients) {
      const slot = `${typeName}/${rec.from}/${r}`;
      const prev = raw.get(slot);
      if (prev && Buffer.compare(prev, rec.wireBytes) !== 0) {
        blame(new VerifyError('EQUIVOCATION', 'two different messages in one slot'), rec.from);
      }
      raw.set(slot, rec.wireBytes);
      try {
        if (typeName === TYPES.r1) r1[j] = decodeRound1(rec.wireBytes);
        else if (typeName === TYPES.r2Decommit) r2d[j] = decodeRound2Decommit(rec.wireBytes, t);
        else if (typeName === TYPES.r3) r3[j] = decodeRound3(rec.wireBytes);
        else if (typeName === TYPES.r2Share) {
          const i = pos.get(r);
          if (i === undefined || i === j) {
            throw new VerifyError('UNEXPECTED_MESSAGE', 'share sent to an invalid recipient');
          }
          r2s[i]![j] = decodeRound2Share(rec.wireBytes);
        } else throw new VerifyError('UNEXPECTED_MESSAGE', 'not a keygen message');
      } catch (e) {
        blame(e, rec.from);
      }
    }
  }
  const missing = (list: readonly unknown[]) => ids.filter((_, j) => list[j] === undefined);
  const need = (list: readonly unknown[], what: string) => {
    const m = missing(list);
    if (m.length > 0) blame(new VerifyError('MALFORMED', `missing ${what}`), m);
  };

  // Round 1: each message on its own, then uniqueness of N, Ñ, h1, h2.
  need(r1, 'round-1 messages');
  ids.forEach((id, j) => {
    try {
      verifyRound1(proofCtx(base, j), r1[j]!);
    } catch (e) {
      blame(e, id);
    }
  });
  const firstOwner = new Map<bigint, number>();
  ids.forEach((id, j) => {
    const m = r1[j]!;
    for (const v of [m.paillierN, m.ntilde, m.h1, m.h2]) {
      const prev = firstOwner.get(v);
      if (prev !== undefined && prev !== j) {
        blame(new VerifyError('DUPLICATE_PARAMETER', 'a parameter is reused'), [ids[prev]!, id]);
      }
      firstOwner.set(v, j);
    }
  });

  // Round 2: decommitments and Π^mod; Π^fac under each recipient's public Ñ; Feldman.
  need(r2d, 'round-2 broadcasts');
  const commitments: Point[][] = ids.map((id, j) => {
    const m = r2d[j]!;
    try {
      const c = commitCtx(base, j);
      verifyRound2Decommit(proofCtx(base, j), c, r1[j]!.commitment, r1[j]!.paillierN, t, m);
      return openRound2Decommit(c, r1[j]!.commitment, t, m);
    } catch (e) {
      return blame(e, id);
    }
  });
  const received: (bigint | undefined)[][] = ids.map(() => Array(n).fill(undefined));
  for (let i = 0; i < n; i++) {
    const r = r1[i]!;
    const own = { ntilde: r.ntilde, h1: r.h1, h2: r.h2 };
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const sender = ids[j]!;
      const m = r2s[i]![j];
      if (m === undefined) {
        blame(new VerifyError('MALFORMED', `missing share for ${ids[i]!}`), sender);
        continue;
      }
      try {
        verifyRound2Share(proofCtx(base, j), r1[j]!.paillierN, own, m);
        verifyShare(m.share, keys[i]!, commitments[j]!, t);
      } catch (e) {
        blame(e, sender);
      }
      received[i]![j] = m.share;
    }
  }

  // Public results.
  const vc: Point[] = [];
  for (let k = 0; k <= t; k++) {
    let acc = IDENTITY;
    for (const vs of commitments) acc = acc.add(vs[k]!);
    vc.push(acc);
  }
  const publicKey = vc[0]!;
  if (publicKey.is0() || vc.some((p) => p.is0())) {
    blame(new VerifyError('CONSISTENCY_CHECK_FAILED', 'degenerate public key'), ids);
  }
  const publicShares = keys.map((k) => evaluateCommitments(vc, k));

  // Round 3: Paillier-key proofs.
  need(r3, 'round-3 messages');
  ids.forEach((id, j) => {
    try {
      verifyRound3(paillierCtx(base, j), r1[j]!.paillierN, publicKey, r3[j]!);
    } catch (e) {
      blame(e, id);
    }
  });
  return {
    ids,
    keys,
    ssid,
    publicKey,
    publicShares,
    commitments,
    received,
    paillierN: r1.map((m) => m!.paillierN),
  };
}

/**
 * x_i minus the shares party i received: party i's share of its own polynomial. A key file's
 * x_i is consistent with the transcript when this value passes the Feldman check against party
 * i's own commitments (see the tests).
 */
export function ownShareFromTranscript(replay: TssLibKeygenReplay, i: number, xi: bigint): bigint {
  let s = xi;
  for (const v of replay.received[i] ?? []) if (v !== undefined) s -= v;
  return modQ(s);
}
