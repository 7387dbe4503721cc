// deno-lint-ignore-file no-console -- a bench tool prints its results.
/**
 * Where a gateway's per-request allocation goes (issue 30): starts the
 * bench/ab.ts gateway (same config: 20-statement policy, rate limits) under
 * bench/_alloc_preload.ts, drives one target with wrk for a few seconds while
 * V8's sampling heap profiler runs in the gateway (objects later collected by
 * a minor or major GC included), and prints the allocation sites by self
 * bytes per request (a site outside src/ is shown with the src/ function
 * that called it). Sampled: figures vary by a few percent between runs.
 *
 *   deno run -A bench/alloc_sites.ts [--target presigned-s3|signed-s3|anon-fs]
 *     [--seconds 4] [--top 40] [--root DIR]
 */
import { parseArgs } from "node:util";
import { gatewayConfig } from "./_ab_procs.ts";
import { BENCH_KEY } from "./_gateway.ts";
import { startOrigin } from "./_nginx.ts";
import { sdkGet, type SdkShape } from "./_sdk.ts";
import { waitForPort } from "./_system.ts";
import { runWrk } from "./_wrk.ts";
import { freePort } from "../tests/_support/ports.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const SHAPES: Record<string, { bucket: string; shape: SdkShape }> = {
  "presigned-s3": { bucket: "sig-s3", shape: "presigned" },
  "signed-s3": { bucket: "sig-s3", shape: "signed" },
  "anon-fs": { bucket: "anon-fs", shape: "anonymous" },
};

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  id: number;
  children: ProfileNode[];
}
interface Sample {
  size: number;
  nodeId: number;
}

/** Self bytes per site (function @ file:line) from a sampling heap profile. */
function sites(head: ProfileNode, samples: Sample[]): Map<string, number> {
  const byId = new Map<number, string>();
  const walk = (n: ProfileNode, parent: string) => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(src|bench|ext:)/, "$1");
    const here = f.url ? `${f.functionName || "(anon)"} ${file}:${f.lineNumber + 1}` : parent;
    byId.set(n.id, f.url.includes("/src/") ? here : `${here} <- ${parent}`);
    for (const c of n.children) walk(c, f.url.includes("/src/") ? here : parent);
  };
  walk(head, "(root)");
  const out = new Map<string, number>();
  for (const s of samples) {
    const k = byId.get(s.nodeId) ?? "?";
    out.set(k, (out.get(k) ?? 0) + s.size);
  }
  return out;
}

async function main(): Promise<void> {
  const f = parseArgs({
    args: Deno.args,
    options: {
      target: { type: "string", default: "presigned-s3" },
      seconds: { type: "string", default: "4" },
      top: { type: "string", default: "40" },
      root: { type: "string", default: ROOT },
    },
  }).values;
  const t = SHAPES[f.target]!;
  const work = await Deno.makeTempDir({ prefix: "alloc-sites-" });
  const dir = `${work}/root/bench`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/1k.bin`, new Uint8Array(1024).fill(0x61));
  const origin = await startOrigin(`${work}/origin`, freePort(), `${work}/root`, 1);
  const port = freePort();
  await Deno.writeTextFile(
    `${work}/gw.yaml`,
    gatewayConfig(port, origin.port, dir, { policy: true, limits: true }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--preload=${ROOT}/bench/_alloc_preload.ts`,
      `${f.root}/main.ts`,
      "--config",
      `${work}/gw.yaml`,
    ],
    env: { ALLOC_PROFILE: `${work}/alloc.heapprofile` },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await waitForPort(port, 60_000);
    const req = await sdkGet(t.shape, BENCH_KEY, port, `/${t.bucket}/1k.bin`);
    const drive = (seconds: number) =>
      runWrk({ port, requests: [req], connections: 16, seconds, scriptPath: `${work}/w.lua` });
    await drive(2); // warm-up: JIT, caches
    child.kill("SIGUSR1");
    await new Promise((r) => setTimeout(r, 200));
    const run = await drive(Number(f.seconds));
    child.kill("SIGUSR2");
    const path = `${work}/alloc.heapprofile`;
    while (!(await Deno.stat(`${path}.done`).catch(() => null))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const profile = JSON.parse(await Deno.readTextFile(path)) as {
      head: ProfileNode;
      samples: Sample[];
    };
    const by = [...sites(profile.head, profile.samples)].sort((a, b) => b[1] - a[1]);
    const total = by.reduce((n, [, v]) => n + v, 0);
    console.log(
      `${f.target}: ${run.requests} requests, ${(total / run.requests).toFixed(0)} B/req sampled`,
    );
    for (const [k, v] of by.slice(0, Number(f.top))) {
      console.log(`${(v / run.requests).toFixed(0).padStart(6)}  ${k}`);
    }
    // By the src/ file whose code allocated, itself or through the runtime it called.
    const files = new Map<string, number>();
    for (const [k, v] of by) {
      const file = / (src\/[^:]+)/.exec(k.split(" <- ").at(-1)!)?.[1] ??
        "(runtime, no src/ caller)";
      files.set(file, (files.get(file) ?? 0) + v);
    }
    console.log("\nby src/ file (self + runtime callees):");
    for (const [k, v] of [...files].sort((a, b) => b[1] - a[1]).slice(0, Number(f.top))) {
      console.log(`${(v / run.requests).toFixed(0).padStart(6)}  ${k}`);
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await origin.stop();
  }
}

if (import.meta.main) await main();
