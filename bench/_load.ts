/**
 * Load the harness makes itself where wrk does not fit: one large transfer
 * with curl (GET or PUT, MB/s), many slow downloads held open at once, and a
 * closed-loop Deno load generator (STS mints).
 */
import { cpuSeconds, runMeasured, sleep } from "./_system.ts";

/** One curl transfer. */
export interface CurlResult {
  readonly status: number;
  /** Body bytes per second. */
  readonly bytesPerSecond: number;
  readonly bytes: number;
  readonly seconds: number;
  /** curl's CPU use, in cores. */
  readonly clientCores: number;
}

/** GETs `url` to /dev/null, or PUTs the file `upload` to it. */
export async function curlTransfer(url: string, upload?: string): Promise<CurlResult> {
  const args = [
    "-sS",
    "-o",
    "/dev/null",
    "-w",
    upload
      ? "CURL %{http_code} %{speed_upload} %{size_upload} %{time_total}"
      : "CURL %{http_code} %{speed_download} %{size_download} %{time_total}",
    ...(upload ? ["-T", upload] : []),
    url,
  ];
  const run = await runMeasured("curl", args);
  const m = /CURL (\d+) ([\d.]+) (\d+) ([\d.]+)/.exec(run.stdout);
  if (!m) throw new Error(`Cannot run curl ${url}: ${run.stdout}${run.stderr}`);
  const seconds = Number(m[4]);
  return {
    status: Number(m[1]),
    bytesPerSecond: Number(m[2]),
    bytes: Number(m[3]),
    seconds,
    clientCores: run.cpuSeconds / seconds,
  };
}

/** What a slow-download phase saw. */
export interface SlowResult {
  /** Clients that got a 200 and held their download open. */
  readonly opened: number;
  readonly failed: number;
  /** Body bytes all clients read. */
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * Opens `clients` GETs of `url` at once, each reading one chunk every
 * `tickMs` for `seconds`, then cancels them all.
 */
export async function slowDownloads(
  url: string,
  o: { readonly clients: number; readonly seconds: number; readonly tickMs: number },
): Promise<SlowResult> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const start = Date.now();
  const holdUntil = start + o.seconds * 1000;
  let bytes = 0, opened = 0, failed = 0;
  try {
    await Promise.all(Array.from({ length: o.clients }, async () => {
      let res: Response;
      try {
        res = await fetch(url, { client });
      } catch {
        failed++;
        return;
      }
      if (res.status !== 200 || !res.body) {
        failed++;
        await res.body?.cancel();
        return;
      }
      opened++;
      const reader = res.body.getReader();
      try {
        while (Date.now() < holdUntil) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          await sleep(o.tickMs);
        }
      } catch {
        failed++;
      } finally {
        await reader.cancel().catch(() => {});
      }
    }));
  } finally {
    client.close();
  }
  return { opened, failed, bytes, seconds: (Date.now() - start) / 1000 };
}

/** What a closed-loop run measured. */
export interface LoopResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** This process's CPU use over the run, in cores. */
  readonly clientCores: number;
}

/** Runs `call` from `concurrency` loops for `seconds`; `call` resolves true on success. */
export async function closedLoop(
  call: () => Promise<boolean>,
  o: { readonly concurrency: number; readonly seconds: number },
): Promise<LoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpu0 = await cpuSeconds(Deno.pid);
  const start = performance.now();
  const end = start + o.seconds * 1000;
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const good = await call().catch(() => false);
      if (good) latencies.push(performance.now() - t);
      else errors++;
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const cpu = await cpuSeconds(Deno.pid) - cpu0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    clientCores: cpu / seconds,
  };
}
