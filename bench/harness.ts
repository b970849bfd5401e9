/**
 * Minimal benchmark harness: warm-up, N timed runs, median and min–max; optional bytes on the wire.
 */
export interface Scenario {
  /** Group shown as a table heading, e.g. "modexp". */
  group: string;
  /** Name within the group. */
  name: string;
  /** Timed runs (after warm-up). */
  runs?: number;
  /** Untimed warm-up runs. */
  warmup?: number;
  /** One-time setup; its result is passed to `run`. */
  setup?: () => unknown | Promise<unknown>;
  /** The measured work. May return `{ bytes, messages }` to report traffic. */
  run: (ctx: unknown) => unknown | Promise<unknown>;
  /** Optional target in ms (printed next to the median). */
  targetMs?: number;
}

export interface Result {
  group: string;
  name: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  targetMs?: number;
  bytes?: number;
  messages?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs one scenario. */
export async function runScenario(s: Scenario): Promise<Result> {
  const ctx = s.setup ? await s.setup() : undefined;
  for (let i = 0; i < (s.warmup ?? 1); i++) await s.run(ctx);
  const times: number[] = [];
  let traffic: { bytes?: number; messages?: number } = {};
  for (let i = 0; i < (s.runs ?? 5); i++) {
    const t = performance.now();
    const out = await s.run(ctx);
    times.push(performance.now() - t);
    if (out && typeof out === 'object' && 'bytes' in out) traffic = out as typeof traffic;
  }
  return {
    group: s.group,
    name: s.name,
    runs: times.length,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    ...(s.targetMs === undefined ? {} : { targetMs: s.targetMs }),
    ...traffic,
  };
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

/** Prints a result line. */
export function printResult(r: Result): void {
  const target =
    r.targetMs === undefined
      ? ''
      : `  target ≤ ${fmt(r.targetMs)} ${r.medianMs <= r.targetMs ? '✓' : '✗'}`;
  const traffic =
    r.bytes === undefined
      ? ''
      : `  wire ${r.bytes.toLocaleString('en-US')} B in ${r.messages ?? '?'} msgs`;
  console.log(
    `  ${r.name.padEnd(44)} median ${fmt(r.medianMs).padStart(10)}  (${fmt(r.minMs)} – ${fmt(r.maxMs)}, n=${r.runs})${target}${traffic}`,
  );
}
