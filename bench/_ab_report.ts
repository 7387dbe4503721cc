/**
 * The report of the paired driver (bench/ab.ts): per-round figures of a
 * revision (the mean of its processes' turns), the table of contenders and
 * the paired table with its verdict against the A/A control.
 *
 * A change is called only when the median of its per-round differences lies
 * outside the A/A control's spread in the same run: the farthest from zero of
 * the A/A differences' quartiles. Two processes of the same code differ by an
 * offset of their own for their whole life (JIT, heap layout, core), which
 * rotating turns do not cancel; the A/A pair shows how large it is today.
 */
import { medianIqr, quantile, type TurnSample } from "./_turn.ts";

/** Per-round samples, by name. */
export type Samples = Map<string, TurnSample[]>;

/** A contender of the report: `group` is what is compared (a revision's target or a floor). */
export interface Member {
  readonly name: string;
  readonly group: string;
}

/** A pair of groups compared round by round; `control` marks the A/A pair. */
export interface Pair {
  readonly target: string;
  readonly a: string;
  readonly b: string;
  readonly kind: "floor" | "change" | "control";
}

const FIELDS = [
  "requests",
  "rps",
  "cpuUs",
  "helperUs",
  "allocBytes",
  "gcPauseUs",
  "errors",
] as const;

/** Each group's figures per round: the mean of its members' turns in that round. */
export function groupRounds(members: readonly Member[], s: Samples): Samples {
  const out: Samples = new Map();
  const groups = Map.groupBy(members, (m) => m.group);
  for (const [g, ms] of groups) {
    const series = ms.map((m) => s.get(m.name) ?? []);
    const n = Math.min(...series.map((x) => x.length));
    out.set(
      g,
      [...Array(n).keys()].map((r) => {
        const row = Object.fromEntries(FIELDS.map((k) => [k, 0])) as Record<string, number>;
        for (const x of series) for (const k of FIELDS) row[k]! += x[r]![k] / series.length;
        return row as unknown as TurnSample;
      }),
    );
  }
  return out;
}

/** The contender table: per group, medians over rounds, and each process's own median CPU. */
export function contenderTable(members: readonly Member[], s: Samples, g: Samples): string {
  const lines = [
    "| contender | req/s | server CPU µs/req, median [IQR] | per process | of which other threads | alloc KB/req | GC pause µs/req | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [group, ms] of Map.groupBy(members, (m) => m.group)) {
    const ss = g.get(group) ?? [];
    const m = (f: (x: TurnSample) => number, d = 1) => medianIqr(ss.map(f), d).split(" [")[0];
    const each = ms.map((x) => quantile((s.get(x.name) ?? []).map((y) => y.cpuUs), 0.5).toFixed(1));
    const errors = ms.flatMap((x) => s.get(x.name) ?? []).reduce((n, x) => n + x.errors, 0);
    lines.push(
      `| ${group} | ${m((x) => x.rps, 0)} | ${medianIqr(ss.map((x) => x.cpuUs))} | ` +
        `${each.join(" / ")} | ${m((x) => x.helperUs)} | ${m((x) => x.allocBytes / 1000)} | ` +
        `${m((x) => x.gcPauseUs)} | ${errors} |`,
    );
  }
  return lines.join("\n");
}

/** B − A per round, in µs of CPU per request. */
function differences(g: Samples, p: Pair): { d: number[]; r: number[] } | undefined {
  const sa = g.get(p.a), sb = g.get(p.b);
  if (!sa || !sb) return undefined;
  const n = Math.min(sa.length, sb.length);
  const d = [...Array(n).keys()].map((i) => sb[i]!.cpuUs - sa[i]!.cpuUs);
  const r = [...Array(n).keys()].map((i) => sb[i]!.cpuUs / sa[i]!.cpuUs);
  return { d, r };
}

/** The A/A spread of a target: the farthest from zero of its differences' quartiles. */
export function aaSpread(d: readonly number[]): number {
  return Math.max(Math.abs(quantile(d, 0.25)), Math.abs(quantile(d, 0.75)));
}

/** A change's verdict against the A/A spread (undefined: no control in the run). */
export function verdict(d: readonly number[], spread: number | undefined): string {
  if (spread === undefined) return "no A/A control (--aa)";
  const m = quantile(d, 0.5);
  if (Math.abs(m) <= spread) return `not resolved (A/A ±${spread.toFixed(1)})`;
  return `${m < 0 ? "cheaper" : "dearer"} (outside A/A ±${spread.toFixed(1)})`;
}

/** The paired table: per pair, the median and IQR of the per-round differences and ratios. */
export function pairedTable(pairs: readonly Pair[], g: Samples): string {
  const lines = [
    "| target | A | B | B − A CPU µs/req, median [IQR] | B / A, median [IQR] | rounds B cheaper | alloc KB/req A → B | verdict |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  const spreads = new Map<string, number>();
  for (const p of pairs) {
    const x = p.kind === "control" ? differences(g, p) : undefined;
    if (x) spreads.set(p.target, aaSpread(x.d));
  }
  const kb = (k: string) =>
    quantile((g.get(k) ?? []).map((x) => x.allocBytes / 1000), 0.5).toFixed(1);
  for (const p of pairs) {
    const x = differences(g, p);
    if (!x) continue;
    const v = p.kind === "floor"
      ? "(floor)"
      : p.kind === "control"
      ? `A/A control: ±${spreads.get(p.target)!.toFixed(1)}`
      : verdict(x.d, spreads.get(p.target));
    lines.push(
      `| ${p.target} | ${p.a} | ${p.b} | ${medianIqr(x.d)} | ${medianIqr(x.r, 2)} | ` +
        `${x.d.filter((y) => y < 0).length} of ${x.d.length} | ${kb(p.a)} → ${kb(p.b)} | ${v} |`,
    );
  }
  return lines.length > 2 ? lines.join("\n") : "(no pairs: one revision and no floors)";
}
