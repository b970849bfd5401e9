/**
 * A toy 3-round commit–reveal sum protocol for engine tests.
 *
 * - start: draw x (32 bytes) and r (32 bytes); broadcast `commit` = SHA-256(x ‖ r).
 * - round 1 (commits): draw a random `share` per peer (randomness in finalize); broadcast
 *   `reveal` = x ‖ r and send each peer its share point-to-point.
 * - round 2 (reveals + shares): check each reveal against its commit (verify); broadcast `total`
 *   = Σ x mod 2^256 and the sum of shares received.
 * - round 3 (totals): every total must equal ours, else PeerError naming the sender.
 */

import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { PeerError, VerifyError, verifyThat } from '../../src/errors.js';
import { bigintToBytes, bytesToBigint } from '../../src/math/bigint.js';
import type { ProtocolDef, RoundDef } from '../../src/party/index.js';

export interface ToyState {
  x: Uint8Array;
  r: Uint8Array;
  commits: Map<string, Uint8Array>;
  sharesOut: Map<string, bigint>;
  total?: bigint;
  sharesIn?: bigint;
}

export interface ToyOutput {
  total: bigint;
  sharesIn: bigint;
  parties: string[];
}

const MOD = 1n << 256n;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function be32(x: bigint): Uint8Array {
  const b = bigintToBytes(x);
  const out = new Uint8Array(32);
  out.set(b, 32 - b.length);
  return out;
}

function exact(payload: Uint8Array, n: number, what: string): Uint8Array {
  verifyThat(payload.length === n, 'MALFORMED', `${what} must be ${n} bytes`);
  return payload;
}

const round1: RoundDef<ToyState, ToyOutput> = {
  messages: [{ type: 'commit', broadcast: true }],
  decode: (_type, payload) => exact(payload, 32, 'commit'),
  finalize: (state, inbox, ctx) => {
    const commits = new Map(inbox.all<Uint8Array>('commit'));
    const sharesOut = new Map<string, bigint>();
    const outgoing: { type: string; payload: Uint8Array; to?: string }[] = [
      { type: 'reveal', payload: concat(state.x, state.r) },
    ];
    for (const p of ctx.others) {
      const s = bytesToBigint(new Uint8Array(randomBytes(8)));
      sharesOut.set(p, s);
      outgoing.push({ type: 'share', payload: bigintToBytes(s), to: p });
    }
    return { state: { ...state, commits, sharesOut }, outgoing };
  },
};

const round2: RoundDef<ToyState, ToyOutput> = {
  messages: [
    { type: 'reveal', broadcast: true },
    { type: 'share', broadcast: false },
  ],
  decode: (type, payload) => {
    if (type === 'reveal') return exact(payload, 64, 'reveal');
    verifyThat(payload.length <= 8, 'OVERSIZED', 'share must be at most 8 bytes');
    return bytesToBigint(payload);
  },
  verify: (type, msg, from, state) => {
    if (type !== 'reveal') return;
    const c = state.commits.get(from);
    verifyThat(c !== undefined, 'MALFORMED', 'no commitment');
    const h = sha256(msg as Uint8Array);
    if (!h.every((b, i) => b === c[i])) {
      throw new VerifyError('COMMITMENT_INVALID', 'reveal does not open the commitment');
    }
  },
  finalize: (state, inbox, ctx) => {
    let total = bytesToBigint(state.x);
    let sharesIn = 0n;
    for (const from of ctx.others) {
      total += bytesToBigint(inbox.get<Uint8Array>('reveal', from).subarray(0, 32));
      sharesIn += inbox.get<bigint>('share', from);
    }
    total %= MOD;
    return {
      state: { ...state, total, sharesIn },
      outgoing: [{ type: 'total', payload: be32(total) }],
    };
  },
};

const round3: RoundDef<ToyState, ToyOutput> = {
  messages: [{ type: 'total', broadcast: true }],
  decode: (_t, payload) => bytesToBigint(exact(payload, 32, 'total')),
  finalize: (state, inbox, ctx) => {
    const bad = [...inbox.all<bigint>('total')].filter(([, t]) => t !== state.total);
    if (bad.length > 0) {
      throw new PeerError({
        code: 'CONSISTENCY_CHECK_FAILED',
        message: 'totals differ',
        culprits: bad.map(([p]) => p),
        round: ctx.round,
        sessionId: ctx.sessionId,
      });
    }
    return {
      state,
      output: {
        total: state.total as bigint,
        sharesIn: state.sharesIn as bigint,
        parties: [...ctx.parties],
      },
    };
  },
};

/** Builds the toy protocol; `overrides` lets tests swap rounds or set flags. */
export function toyDef(
  overrides: Partial<ProtocolDef<ToyState, ToyOutput, void>> = {},
): ProtocolDef<ToyState, ToyOutput, void> {
  return {
    protocol: 'toy-sum',
    rounds: [round1, round2, round3],
    start: () => {
      const x = new Uint8Array(randomBytes(32));
      const r = new Uint8Array(randomBytes(32));
      return {
        state: { x, r, commits: new Map(), sharesOut: new Map() },
        outgoing: [{ type: 'commit', payload: sha256(concat(x, r)) }],
      };
    },
    ...overrides,
  };
}

export const toyRounds = { round1, round2, round3 };
