/**
 * One round of load on a contender and what it cost: req/s from wrk and the
 * serving processes' CPU µs per request (from /proc), which stays steady on a
 * busy machine where req/s does not. Shared by the side-by-side benches.
 */
import { cpuSeconds, loadAverage } from "../_system.ts";
import { runWrk } from "../_wrk.ts";

/** One round's figures. */
export interface Sample {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  readonly errors: number;
  /** The load generator's CPU over the round, in cores (wrk's own /proc times). */
  readonly clientCores: number;
}

/** What a round loads: a port and path, served by these processes. */
export interface Loaded {
  readonly port: number;
  readonly path: string;
  pids(): Promise<number[]>;
}

/** Options of a round. */
export interface RoundOptions {
  readonly seconds: number;
  readonly connections: number;
  /** wrk's Lua script (bench/_wrk.ts writes it). */
  readonly script: string;
}

/** Runs wrk on `c` for one round and measures its processes' CPU over it. */
export async function measureRound(c: Loaded, o: RoundOptions): Promise<Sample> {
  const pids = await c.pids();
  const before = await Promise.all(pids.map(cpuSeconds));
  const run = await runWrk({
    port: c.port,
    requests: [{ method: "GET", path: c.path }],
    connections: o.connections,
    seconds: o.seconds,
    scriptPath: o.script,
  });
  const after = await Promise.all(pids.map(cpuSeconds));
  const cpu = after.reduce((s, x, i) => s + x - before[i]!, 0);
  return {
    rps: run.rps,
    cpuUsPerRequest: cpu / run.requests * 1e6,
    errors: run.errors,
    clientCores: run.clientCores,
  };
}

/** The median of some numbers (NaN for none). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A number as the tables print it: thousands separated, `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** What `runRounds` measures: contenders, each under a key. */
export interface Rounds<K, C extends Loaded> {
  readonly contenders: readonly C[];
  readonly keyOf: (c: C) => K;
  readonly rounds: number;
  readonly round: RoundOptions;
  /** Told each round's figures as they come. */
  readonly onSample?: (round: number, key: K, s: Sample) => void;
}

/**
 * Every contender once a round, in turns, `rounds` times (so the machine's
 * drift falls on all alike): the samples by key, and the load average after
 * each round.
 */
export async function runRounds<K, C extends Loaded>(
  o: Rounds<K, C>,
): Promise<{ samples: Map<K, Sample[]>; loads: number[] }> {
  const samples = new Map<K, Sample[]>();
  const loads: number[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (const c of o.contenders) {
      const s = await measureRound(c, o.round);
      const key = o.keyOf(c);
      samples.set(key, [...samples.get(key) ?? [], s]);
      o.onSample?.(round, key, s);
    }
    loads.push(await loadAverage());
  }
  return { samples, loads };
}
