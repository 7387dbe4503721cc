/**
 * One turn of load on a Deno contender of the paired driver (bench/ab.ts) and
 * what it cost the server: CPU µs per request (main thread and the other
 * threads apart, from /proc/<pid>/task), and bytes allocated per request.
 *
 * Allocation is read from V8's own GC trace: every Deno contender runs with
 * `--v8-flags=--trace-gc-nvp`, stdout and stderr to a file (V8 prints the
 * trace on stdout, beside a gateway's access log), and each GC prints the bytes
 * allocated since the one before (`"allocated":N`) and its pause. Summed over
 * a turn and divided by its requests, that is allocation per request, read
 * from outside the process and without an endpoint of ours (the gateway has
 * none for heap figures, and `Deno.memoryUsage()` gives the heap's size, not
 * what flowed through it). A turn of thousands of requests sees hundreds of
 * scavenges, so the part allocated after its last GC is small against it.
 */
import { threadCpuSeconds } from "./_system.ts";
import { runWrk, type WrkRequest } from "./_wrk.ts";

/** The GC trace of a process, read a turn at a time. */
export class GcLog {
  #offset = 0;
  constructor(readonly path: string) {}

  /** Bytes allocated and ms paused in the GCs logged since the last call. */
  async next(): Promise<{ allocated: number; pauseMs: number; gcs: number }> {
    const f = await Deno.open(this.path, { read: true });
    try {
      await f.seek(this.#offset, Deno.SeekMode.Start);
      const text = new TextDecoder().decode(await new Response(f.readable).arrayBuffer());
      // Only whole lines: a GC line being written is read next time.
      const end = text.lastIndexOf("\n") + 1;
      this.#offset += new TextEncoder().encode(text.slice(0, end)).byteLength;
      let allocated = 0, pauseMs = 0, gcs = 0;
      for (const line of text.slice(0, end).split("\n")) {
        const a = /"?\ballocated"?[:=](\d+)/.exec(line);
        if (!a) continue;
        gcs++;
        // V8 prints a shrink since the GC before as a wrapped size_t: not an allocation.
        if (a[1]!.length < 19) allocated += Number(a[1]);
        pauseMs += Number(/"?\bpause"?[:=]([\d.]+)/.exec(line)?.[1] ?? 0);
      }
      return { allocated, pauseMs, gcs };
    } catch (e) {
      if (e instanceof Deno.errors.BadResource) return { allocated: 0, pauseMs: 0, gcs: 0 };
      throw e;
    }
  }
}

/** A Deno server under load: its process and its GC trace. */
export interface Served {
  readonly port: number;
  readonly pid: number;
  readonly gc: GcLog;
}

/** One turn's figures. */
export interface TurnSample {
  readonly requests: number;
  readonly rps: number;
  /** Server CPU µs per request, all threads. */
  readonly cpuUs: number;
  /** Of which threads other than the main (JS) thread: GC helpers, I/O pools. */
  readonly helperUs: number;
  /** Bytes V8 allocated per request (GC trace). */
  readonly allocBytes: number;
  /** GC pause on the main thread, µs per request. */
  readonly gcPauseUs: number;
  readonly errors: number;
}

/** Options of a turn. */
export interface TurnOptions {
  readonly seconds: number;
  readonly connections: number;
  /** wrk's Lua script path. */
  readonly script: string;
}

/** Drives `s` with `requests` (cycled) for one turn; its server's cost. */
export async function runTurn(
  s: Served,
  requests: readonly WrkRequest[],
  o: TurnOptions,
): Promise<TurnSample> {
  await s.gc.next();
  const before = await threadCpuSeconds(s.pid);
  const run = await runWrk({
    port: s.port,
    requests,
    connections: o.connections,
    seconds: o.seconds,
    scriptPath: o.script,
  });
  const after = await threadCpuSeconds(s.pid);
  const gc = await s.gc.next();
  const n = Math.max(run.requests, 1);
  const main = after.main - before.main, others = after.others - before.others;
  return {
    requests: run.requests,
    rps: run.rps,
    cpuUs: (main + others) / n * 1e6,
    helperUs: others / n * 1e6,
    allocBytes: gc.allocated / n,
    gcPauseUs: gc.pauseMs * 1000 / n,
    errors: run.errors,
  };
}

/** The q-quantile (0…1) of some numbers, interpolated (NaN for none). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

/** `median [q1…q3]` of some numbers, with `digits` decimals. */
export function medianIqr(xs: readonly number[], digits = 1): string {
  const f = (n: number) => n.toFixed(digits);
  return `${f(quantile(xs, 0.5))} [${f(quantile(xs, 0.25))}…${f(quantile(xs, 0.75))}]`;
}
