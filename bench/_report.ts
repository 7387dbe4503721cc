/**
 * The harness's output: one Markdown table (each contender's figure and
 * bucketgate's ratio to the direct origin and to nginx), issue #7's targets
 * checked against it, the microbenchmarks, and a dated section appended to
 * bench/results.md.
 */
import type { MicroResult } from "./_micro.ts";

/** Who answered: the origin itself, nginx in front of it, or bucketgate. */
/** `floor`: Deno's own figures with no gateway work (bench/_floor.ts), for the ratios' ceiling. */
export type ContenderKind = "direct" | "nginx" | "bucketgate" | "floor";

/** One measured figure. */
export interface Row {
  readonly workload: string;
  readonly contender: string;
  readonly kind: ContenderKind;
  /** How the row is labelled in the table. */
  readonly label: string;
  readonly figure: number;
  /** e.g. "req/s", "MB/s", "ms per listing". */
  readonly unit: string;
  /** False for times (ms per listing): the ratio is then a time ratio, lower is better. */
  readonly higherIsBetter: boolean;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** The load generator's CPU use, in cores. */
  readonly clientCores?: number;
  /** The serving process's CPU use (gateway, or the nginx being measured), in cores. */
  readonly serverCores?: number;
  /** bucketgate's peak resident memory during the run. */
  readonly peakRssBytes?: number;
  readonly note?: string;
  /** Why the figure is not valid (most answers were errors); the row is then reported, not rated. */
  readonly failed?: string;
}

const MiB = 1024 * 1024;

function num(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return "";
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function figureText(r: Row): string {
  if (r.failed) return `failed: ${r.failed}`;
  const digits = r.figure >= 100 ? 0 : r.figure >= 10 ? 1 : 2;
  return `${num(r.figure, digits)} ${r.unit}`;
}

/** bucketgate's figure over another row's (a time ratio for times). */
export function ratio(r: Row, base: Row | undefined): number | undefined {
  if (!base || r.failed || base.failed || !(base.figure > 0) || !(r.figure > 0)) return undefined;
  return r.figure / base.figure;
}

function baseOf(rows: readonly Row[], r: Row, kind: ContenderKind): Row | undefined {
  return rows.find((x) => x.workload === r.workload && x.kind === kind);
}

/** The results table in Markdown. */
export function table(rows: readonly Row[]): string {
  const head = [
    "| workload | contender | figure | p50 | p99 | × direct | × nginx | client CPU | server CPU | peak RSS (gateway, floor) |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const body = rows.map((r) => {
    const rated = r.kind === "bucketgate" || r.kind === "floor";
    const rd = rated ? ratio(r, baseOf(rows, r, "direct")) : undefined;
    const rn = rated ? ratio(r, baseOf(rows, r, "nginx")) : undefined;
    const ms = (v: number | undefined) => (v === undefined ? "" : `${num(v, v < 10 ? 2 : 1)} ms`);
    const cores = (v: number | undefined) => (v === undefined ? "" : `${num(v * 100)}%`);
    return `| ${r.workload} | ${r.label}${r.note ? ` (${r.note})` : ""} | ${figureText(r)} | ${
      ms(r.p50Ms)
    } | ${ms(r.p99Ms)} | ${rd === undefined ? "" : `${num(rd, 2)}×`} | ${
      rn === undefined ? "" : `${num(rn, 2)}×`
    } | ${cores(r.clientCores)} | ${cores(r.serverCores)} | ${
      r.peakRssBytes === undefined ? "" : `${num(r.peakRssBytes / MiB)} MiB`
    } |`;
  });
  return [...head, ...body].join("\n");
}

/** The microbenchmarks in Markdown. */
export function microTable(micro: readonly MicroResult[]): string {
  return [
    "| microbenchmark (`deno task bench:micro`) | avg | min | p99 |",
    "|---|--:|--:|--:|",
    ...micro.map((m) =>
      `| ${m.name} | ${num(m.avgNs)} ns | ${num(m.minNs)} ns | ${num(m.p99Ns)} ns |`
    ),
  ].join("\n");
}

const find = (rows: readonly Row[], workload: string, contender: string) =>
  rows.find((r) => r.workload === workload && r.contender === contender && !r.failed);
const failure = (rows: readonly Row[], workload: string, contender: string) =>
  rows.find((r) => r.workload === workload && r.contender === contender && r.failed)?.failed;

/** One target of issue #7: met, not met, or not measured in this run. */
export interface Verdict {
  readonly target: string;
  readonly met: boolean | undefined;
  readonly detail: string;
}

/** Issue #7's targets, each checked against this run's rows (ratios within the run). */
export function verdicts(rows: readonly Row[]): Verdict[] {
  const out: Verdict[] = [];
  const f = (n: number | undefined, d = 2) => num(n, d);

  const ngx = find(rows, "GET 1 KiB", "nginx");
  const dir = find(rows, "GET 1 KiB", "direct");
  const floors = ["floor-memory", "floor-fetch"].map((id) => find(rows, "GET 1 KiB", id));
  const ofNginx = (r: Row | undefined) => (r && ngx ? r.figure / ngx.figure : undefined);
  const [memory, relay] = floors;
  const why = memory && relay && ngx
    ? ` — Deno's floors in this run: Deno.serve alone ${f(memory.figure, 0)} req/s = ${
      f(ofNginx(memory))
    }×, Deno.serve + fetch relay ${f(relay.figure, 0)} req/s = ${f(ofNginx(relay))}×`
    : "";
  for (const [id, via] of [["bg-sigv4", "s3 backend"], ["bg-fs", "fs backend"]] as const) {
    const sig = find(rows, "GET 1 KiB", id);
    const sigFailed = failure(rows, "GET 1 KiB", id);
    const r = ofNginx(sig);
    out.push({
      target: `1 KiB GET with SigV4 auth (${via}) ≥ 0.6× nginx proxy_pass req/s`,
      met: r === undefined ? undefined : r >= 0.6,
      detail: r === undefined
        ? sigFailed ?? "not measured"
        : `${f(sig!.figure, 0)} vs ${f(ngx!.figure, 0)} req/s = ${f(r)}×${why}`,
    });
    const added = sig?.p99Ms !== undefined && dir?.p99Ms !== undefined
      ? sig.p99Ms - dir.p99Ms
      : undefined;
    out.push({
      target: `1 KiB GET with SigV4 auth (${via}): p99 added over direct < 2 ms at 64 connections`,
      met: added === undefined ? undefined : added < 2,
      detail: added === undefined
        ? "not measured"
        : `p99 ${f(sig!.p99Ms)} ms vs ${f(dir!.p99Ms)} ms direct: +${f(added)} ms`,
    });
  }
  for (const w of ["GET 1 GiB", "PUT 1 GiB"]) {
    const d = rows.find((r) => r.workload === w && r.kind === "direct");
    const floorsOf = rows.filter((r) => r.workload === w && r.kind === "floor" && !r.failed);
    const floorText = d && floorsOf.length > 0
      ? ` — Deno's floors in this run: ${
        floorsOf.map((r) =>
          `${r.contender} ${f(r.figure, 0)} MB/s = ${f(r.figure / d.figure)}×${
            r.peakRssBytes === undefined ? "" : ` (peak RSS ${f(r.peakRssBytes / MiB, 0)} MiB)`
          }`
        ).join(", ")
      }`
      : "";
    for (const c of ["bg-sigv4", "bg-sts", "bg-anon", "bg-fs"]) {
      const g = find(rows, w, c);
      const why = failure(rows, w, c);
      if (why) {
        out.push({
          target: `${w} (${c}) ≥ 0.8× direct throughput, gateway peak RSS < 150 MiB`,
          met: undefined,
          detail: `the transfer failed: ${why}`,
        });
      }
      if (!g || !d) continue;
      const r = g.figure / d.figure;
      const rss = g.peakRssBytes;
      out.push({
        target: `${w} (${c}) ≥ 0.8× direct throughput, gateway peak RSS < 150 MiB`,
        met: r >= 0.8 && rss !== undefined && rss < 150 * MiB,
        detail: `${f(g.figure, 0)} vs ${f(d.figure, 0)} MB/s = ${f(r)}×; peak RSS ${
          rss === undefined ? "?" : f(rss / MiB, 0)
        } MiB${floorText}`,
      });
    }
  }
  {
    const g = find(rows, "LIST 1,000 keys", "bg-fs");
    const b = find(rows, "LIST 1,000 keys", "direct");
    const r = g && b ? g.figure / b.figure : undefined;
    out.push({
      target: "ListObjectsV2 of 1,000 keys within 1.3× of the backend's own listing time",
      met: r === undefined ? undefined : r <= 1.3,
      detail: r === undefined
        ? "not measured"
        : `${f(g!.figure)} ms through the gateway vs ${
          f(b!.figure)
        } ms for the fs backend's list() = ${f(r)}×`,
    });
  }
  return out;
}

/** The verdicts in Markdown. */
export function verdictList(v: readonly Verdict[]): string {
  const mark = (
    m: boolean | undefined,
  ) => (m === undefined ? "NOT MEASURED" : m ? "MET" : "NOT MET");
  return v.map((x) => `- **${mark(x.met)}**: ${x.target}: ${x.detail}`).join("\n");
}

/** Appends `section` to the results file (creating it with a header when absent). */
export async function appendResults(path: string, section: string): Promise<void> {
  let old = "";
  try {
    old = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    old = "# Benchmark results\n";
  }
  await Deno.writeTextFile(path, `${old.trimEnd()}\n\n${section.trim()}\n`);
}
