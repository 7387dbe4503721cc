// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * Where a gateway's main-thread time goes, in issue 30's parts: a V8
 * `.cpuprofile` (`deno run --cpu-prof`, e.g. from `bench/ab.ts --cpu-prof DIR`)
 * with each sample put in one group. A sample's group is decided by the
 * innermost frame of its stack that a group claims (by function name or
 * source path), so SHA-256 called by the SigV4 check counts as SigV4, a
 * `Headers` call made by the response builder as response building, and
 * Deno.serve's own frames under no frame of ours as the serve floor.
 *
 *   deno run -A bench/cpuprof_groups.ts <file.cpuprofile> [--requests N] [--top 5]
 *
 * With `--requests N` (the requests the process served while profiled; ab.ts
 * prints it) each group is also given in µs per request. V8's helper threads
 * (concurrent GC, compilers) are not in a `.cpuprofile`, which samples the
 * main thread only: bench/ab.ts reports them as "other threads". `--top`
 * lists each group's heaviest self-time functions, to check the patterns
 * still fit the code.
 */
import { parseArgs } from "node:util";

/** A frame of a `.cpuprofile` node. */
export interface Frame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

/** A node of a `.cpuprofile`'s call tree. */
export interface ProfileNode {
  readonly id: number;
  readonly callFrame: Frame;
  readonly children?: readonly number[];
}

/** What `deno run --cpu-prof` writes (the parts read here). */
export interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** µs from each sample to the one before (the first: from startTime). */
  readonly timeDeltas?: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** A group and the frames it claims. */
interface Group {
  readonly name: string;
  readonly claims: (f: Frame) => boolean;
}

const fn = (re: RegExp) => (f: Frame) => re.test(f.functionName);
const src = (re: RegExp) => (f: Frame) => re.test(f.url.replace(/^.*\/src\//, "src/"));
const any = (...ps: ((f: Frame) => boolean)[]) => (f: Frame) => ps.some((p) => p(f));

/**
 * The groups, in order of precedence for one frame. Paths are src/'s today
 * (2026-12): when a module moves, fix its pattern here (`--top` shows what
 * each group caught).
 */
export const GROUPS: readonly Group[] = [
  { name: "GC on the main thread", claims: fn(/^\(garbage collector\)$/) },
  { name: "idle", claims: fn(/^\(idle\)$/) },
  { name: "native, unattributed (program)", claims: fn(/^\(program\)$/) },
  { name: "metaFrom", claims: fn(/^metaFrom/) },
  {
    name: "fetch()'s synchronous part",
    claims: (f) => /ext:(deno_)?fetch|ext:deno_fetch/.test(f.url) && f.functionName === "fetch",
  },
  {
    name: "SigV4 verification",
    claims: any(src(/^src\/(sigv4|auth)\//), fn(/sigv4|presign|canonical|hmac|sha256/i)),
  },
  { name: "access log", claims: src(/^src\/log\//) },
  { name: "policies and limits", claims: src(/^src\/(authz|iam|limits)\//) },
  {
    name: "response building",
    claims: any(
      src(/^src\/s3\/(response|headers|ops\/get_object)\.ts/),
      src(/^src\/http\/finish_response/),
    ),
  },
  { name: "backend (s3: request build; fs: its read)", claims: src(/^src\/backends\//) },
  {
    name: "route and target parsing",
    claims: src(
      /^src\/(http\/(target|forwarded|request_id)|s3\/(request|params|namespace|mapped))\.ts/,
    ),
  },
  { name: "glue (other src/)", claims: src(/^src\//) },
];

/** A sample no group claims, under a frame of Deno's own JS (Deno.serve's, mostly). */
const RUNTIME = "Deno.serve and runtime (ext:), under no frame of ours";
const OTHER = "other (node:, npm, native)";

function label(f: Frame): string {
  const url = f.url.replace(/^.*\/(src|bench)\//, "$1/");
  return `${f.functionName || "(anonymous)"} ${url}:${f.lineNumber + 1}`;
}

/** Memoised per node: a value of the node, else its parent's. */
function inherited<T>(
  parent: ReadonlyMap<number, number>,
  own: (id: number) => T | undefined,
): (id: number) => T | undefined {
  const memo = new Map<number, T | undefined>();
  const get = (id: number): T | undefined => {
    if (memo.has(id)) return memo.get(id);
    const p = parent.get(id);
    const v = own(id) ?? (p === undefined ? undefined : get(p));
    memo.set(id, v);
    return v;
  };
  return get;
}

/** µs per group, and per group µs per self-time function. */
export function groupSamples(profile: Profile): Map<string, Map<string, number>> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (id: number) => byId.get(id)!.callFrame;
  const claimed = inherited(parent, (id) => GROUPS.find((g) => g.claims(frame(id)))?.name);
  const inExt = inherited(parent, (id) => frame(id).url.startsWith("ext:") || undefined);
  const n = profile.samples.length;
  const mean = (profile.endTime - profile.startTime) / Math.max(n, 1);
  const out = new Map<string, Map<string, number>>();
  profile.samples.forEach((id, i) => {
    if (!byId.has(id)) return;
    const g = claimed(id) ?? (inExt(id) ? RUNTIME : OTHER);
    const fns = out.get(g) ?? new Map<string, number>();
    const k = label(frame(id));
    fns.set(k, (fns.get(k) ?? 0) + (profile.timeDeltas?.[i + 1] ?? mean));
    out.set(g, fns);
  });
  return out;
}

function main(): void {
  const flags = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { requests: { type: "string" }, top: { type: "string", default: "0" } },
  });
  const file = flags.positionals[0];
  if (!file) throw new Error("usage: cpuprof_groups.ts <file.cpuprofile> [--requests N] [--top N]");
  const profile = JSON.parse(Deno.readTextFileSync(file)) as Profile;
  const groups = groupSamples(profile);
  const requests = Number(flags.values.requests ?? NaN);
  const top = Number(flags.values.top);
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const sorted = [...groups].sort((a, b) => total(b[1]) - total(a[1]));
  const all = sorted.reduce((a, [, m]) => a + total(m), 0);
  console.log(`${profile.samples.length} samples over ${(all / 1e6).toFixed(1)} s\n`);
  console.log("| part | share | µs per request |\n| --- | ---: | ---: |");
  for (const [g, fns] of sorted) {
    const us = requests > 0 ? (total(fns) / requests).toFixed(1) : "";
    console.log(`| ${g} | ${(total(fns) / all * 100).toFixed(1)}% | ${us} |`);
  }
  if (top <= 0) return;
  for (const [g, fns] of sorted) {
    console.log(`\n${g}:`);
    for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${(v / all * 100).toFixed(1)}% ${k}`);
    }
  }
}

if (import.meta.main) main();
