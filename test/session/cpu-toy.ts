/**
 * A deterministic 3-round toy protocol that does real CPU work (2048-bit modexps), for the
 * worker and runner tests. Workers import this module by URL: it exports its ProtocolDefs and
 * factories, and nothing in it may touch vitest.
 *
 * - start: burn; broadcast `commit` = SHA-256(x ‖ r) with r = SHA-256(self ‖ x).
 * - round 1 (commits): burn; broadcast `reveal` = x ‖ r; send each peer `share` =
 *   G^(x + i) mod N (256 bytes, point-to-point).
 * - round 2 (reveals, shares): verify reveals; burn; broadcast `total` = Σ x mod 2^256.
 * - round 3 (totals): all equal, else PeerError naming the odd ones; output.
 *
 * The output only depends on the inputs, so runs in-process and on workers can be compared.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { LocalError, PeerError, VerifyError, verifyThat } from '../../src/errors.js';
import { bigintToBytes, bytesToBigint } from '../../src/math/bigint.js';
import { modPow } from '../../src/math/modexp.js';
import {
  createParty,
  type Party,
  type PartyOptions,
  type ProtocolDef,
  type RoundDef,
} from '../../src/party/index.js';

export interface CpuToyInput {
  /** The party's secret, < 2^256. */
  secret: bigint;
  /** 2048-bit modexps per step (start and each finalize). */
  work: number;
  /** Throw a TypeError in round 2's finalize (a protocol bug). */
  crash?: boolean;
  /** Exit the thread in start (a fatal crash of the worker). */
  exit?: boolean;
}

export interface CpuToyState {
  x: bigint;
  r: Uint8Array;
  work: number;
  crash: boolean;
  commits?: Map<string, Uint8Array>;
  total?: bigint;
  acc?: bigint;
}

export interface CpuToyOutput {
  total: bigint;
  /** Product of the shares received, mod N. */
  acc: bigint;
  parties: string[];
}

const MOD = 1n << 256n;

/** A fixed odd 2048-bit modulus. */
export const N = (() => {
  let n = 0n;
  for (let i = 0; i < 8; i++) {
    n = (n << 256n) | bytesToBigint(sha256(new TextEncoder().encode(`cpu-toy-${i}`)));
  }
  return n | 1n | (1n << 2047n);
})();

const G = 3n;

/** `work` modexps of 2048-bit numbers; returns something so the work is not optimized out. */
export function burn(work: number, seed: bigint): bigint {
  let acc = seed % N;
  for (let i = 0; i < work; i++) acc = modPow(G + acc, N - 1n - BigInt(i), N);
  return acc;
}

function be(x: bigint, len: number): Uint8Array {
  return bigintToBytes(x, len);
}

function commitOf(x: bigint, r: Uint8Array): Uint8Array {
  const b = new Uint8Array(64);
  b.set(be(x, 32));
  b.set(r, 32);
  return sha256(b);
}

function exact(p: Uint8Array, n: number, what: string): Uint8Array {
  verifyThat(p.length === n, 'MALFORMED', `${what} must be ${n} bytes`);
  return p;
}

const round1: RoundDef<CpuToyState, CpuToyOutput> = {
  messages: [{ type: 'commit', broadcast: true }],
  decode: (_t, p) => exact(p, 32, 'commit'),
  finalize: (state, inbox, ctx) => {
    burn(state.work, state.x);
    const out: { type: string; payload: Uint8Array; to?: string }[] = [
      { type: 'reveal', payload: new Uint8Array([...be(state.x, 32), ...state.r]) },
    ];
    ctx.others.forEach((p) => {
      const i = BigInt(ctx.parties.indexOf(p) + 1);
      out.push({ type: 'share', payload: be(modPow(G, state.x + i, N), 256), to: p });
    });
    return {
      state: { ...state, commits: new Map(inbox.all<Uint8Array>('commit')) },
      outgoing: out,
    };
  },
};

const round2: RoundDef<CpuToyState, CpuToyOutput> = {
  messages: [
    { type: 'reveal', broadcast: true },
    { type: 'share', broadcast: false },
  ],
  decode: (type, p) =>
    type === 'reveal' ? exact(p, 64, 'reveal') : bytesToBigint(exact(p, 256, 'share')),
  verify: (type, msg, from, state) => {
    if (type !== 'reveal') return;
    const m = msg as Uint8Array;
    const c = state.commits?.get(from);
    verifyThat(c !== undefined, 'MALFORMED', 'no commitment');
    const got = commitOf(bytesToBigint(m.subarray(0, 32)), m.subarray(32));
    if (!got.every((b, i) => b === c[i])) {
      throw new VerifyError('COMMITMENT_INVALID', 'reveal does not open the commitment');
    }
  },
  finalize: (state, inbox, ctx) => {
    if (state.crash) (undefined as unknown as { boom(): void }).boom();
    burn(state.work, state.x + 1n);
    let total = state.x;
    let acc = 1n;
    for (const p of ctx.others) {
      total += bytesToBigint(inbox.get<Uint8Array>('reveal', p).subarray(0, 32));
      acc = (acc * inbox.get<bigint>('share', p)) % N;
    }
    total %= MOD;
    return {
      state: { ...state, total, acc },
      outgoing: [{ type: 'total', payload: be(total, 32) }],
    };
  },
};

const round3: RoundDef<CpuToyState, CpuToyOutput> = {
  messages: [{ type: 'total', broadcast: true }],
  decode: (_t, p) => bytesToBigint(exact(p, 32, 'total')),
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
    burn(state.work, state.x + 2n);
    return {
      state,
      output: { total: state.total!, acc: state.acc!, parties: [...ctx.parties] },
    };
  },
};

function start(input: CpuToyInput, ctx: { self: string }) {
  if (typeof input?.secret !== 'bigint' || input.secret < 0n || input.secret >= MOD) {
    throw new LocalError('INVALID_ARGUMENT', '"secret" must be a bigint in [0, 2^256)');
  }
  if (input.exit) process.exit(3);
  const work = input.work ?? 0;
  burn(work, input.secret);
  const x = input.secret;
  const r = sha256(new Uint8Array([...new TextEncoder().encode(ctx.self), ...be(x, 32)]));
  return {
    state: { x, r, work, crash: input.crash === true },
    outgoing: [{ type: 'commit', payload: commitOf(x, r) }],
  };
}

/** The toy protocol, plain output. */
export const cpuToyDef: ProtocolDef<CpuToyState, CpuToyOutput, CpuToyInput> = {
  protocol: 'cpu-toy',
  rounds: [round1, round2, round3],
  start,
};

/** An output class: structured clone would strip its prototype, so the protocol has a codec. */
export class ToyResult {
  constructor(
    readonly total: bigint,
    readonly acc: bigint,
  ) {}
  sum(): bigint {
    return this.total + this.acc;
  }
}

const classRound3: RoundDef<CpuToyState, ToyResult> = {
  ...(round3 as unknown as RoundDef<CpuToyState, ToyResult>),
  finalize: (s, inbox, ctx) => {
    const r = round3.finalize(s, inbox, ctx);
    return { state: r.state, output: new ToyResult(r.output!.total, r.output!.acc) };
  },
};

/** The same protocol with a class-instance output and an `outputCodec`. */
export const cpuToyClassDefs: ProtocolDef<CpuToyState, ToyResult, CpuToyInput>[] = [
  {
    protocol: 'cpu-toy-class',
    rounds: [round1, round2, classRound3] as unknown as RoundDef<CpuToyState, ToyResult>[],
    start,
    outputCodec: {
      encode: (r) => ({ total: r.total, acc: r.acc }),
      decode: (d) => {
        const o = d as { total: bigint; acc: bigint };
        return new ToyResult(o.total, o.acc);
      },
    },
  },
];

/** Same protocol, but its output is a class instance and it has no codec (a protocol bug). */
export const cpuToyNoCodecDef: ProtocolDef<CpuToyState, ToyResult, CpuToyInput> = {
  ...(cpuToyClassDefs[0] as ProtocolDef<CpuToyState, ToyResult, CpuToyInput>),
  protocol: 'cpu-toy-nocodec',
  outputCodec: undefined,
};

/** A factory in the style of `createKeygenParty`: options in, party out. */
export function createCpuToyParty(
  opts: PartyOptions & { secret: bigint; work?: number },
): Party<CpuToyOutput> {
  const { secret, work, ...partyOpts } = opts;
  return createParty(cpuToyDef, partyOpts, { secret, work: work ?? 0 });
}

/** This module's URL, for `modules`. */
export const CPU_TOY_MODULE = new URL('./cpu-toy.ts', import.meta.url);
