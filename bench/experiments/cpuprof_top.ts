// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * The top self-time functions of a V8 `.cpuprofile` (what `deno run
 * --cpu-prof` writes), as a Markdown table: share of samples, function,
 * where. `--total` also sums the inclusive time of each of our functions
 * (src/), counted once per sample however deep it recurses.
 *
 *   deno run -A bench/experiments/cpuprof_top.ts <file.cpuprofile> [--top 30] [--total]
 */
import { parseArgs } from "node:util";
import type { Profile, ProfileNode } from "../cpuprof_groups.ts";

function label(n: ProfileNode): string {
  const url = n.callFrame.url.replace(/^.*\/(src|bench|ext|node_modules)\//, "$1/");
  const name = n.callFrame.functionName || "(anonymous)";
  return url ? `${name} ${url}:${n.callFrame.lineNumber + 1}` : name;
}

function main(): void {
  const flags = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { top: { type: "string", default: "30" }, total: { type: "boolean" } },
  });
  const file = flags.positionals[0];
  if (!file) throw new Error("usage: cpuprof_top.ts <file.cpuprofile> [--top N] [--total]");
  const profile = JSON.parse(Deno.readTextFileSync(file)) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + 1);
    if (!flags.values.total) continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)!;
      const k = label(n);
      if (n.callFrame.url.includes("/src/") && !seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + 1);
      }
    }
  }
  const n = profile.samples.length;
  const top = Number(flags.values.top);
  const table = (m: Map<string, number>, title: string) => {
    console.log(`| ${title} | function |\n| ---: | --- |`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${(v / n * 100).toFixed(1)}% | \`${k}\` |`);
    }
  };
  console.log(`${n} samples\n`);
  table(self, "self");
  if (flags.values.total) {
    console.log("");
    table(total, "inclusive (src/)");
  }
}

if (import.meta.main) main();
