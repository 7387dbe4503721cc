// deno-lint-ignore-file no-console -- a bench script prints its results.
/**
 * What does a ListObjectsV2 page cost on the fs backend? (issue 25) One run
 * makes a bucket of `--files` one-byte files written directly into its
 * directory (no sidecars, as a directory served as a bucket has) and an empty
 * bucket, then asks each gateway (this checkout, and `--baseline DIR`'s, e.g.
 * `git worktree add --detach DIR main`: before and after in one run):
 *
 *   page     `?list-type=2&max-keys=1000` (the first page)
 *   nothing  `?list-type=2&max-keys=1&prefix=zzz` (a prefix that matches nothing)
 *
 * cold (a fresh process, the bucket's `.bucketgate/` removed: nothing cached,
 * no sidecar) and warm (the median of `--rounds` more, 2 s later), on both buckets; and
 * the gateway's resident memory while 20 cold `nothing` listings run at once,
 * over its idle figure.
 *
 *   deno run -A bench/experiments/list_compare.ts [--files 100000] [--rounds 7] [--baseline DIR]
 */
import { parseArgs } from "node:util";
import { type LaunchedGateway, launchGateway } from "../../tests/_support/gateway.ts";
import { median } from "./_cpu_rounds.ts";
import { machineLine, memory, trackPeakRss } from "../_system.ts";

const PAGE = "list-type=2&max-keys=1000";
const NOTHING = "list-type=2&max-keys=1&prefix=zzz";

/** Writes `n` one-byte files into `dir`. */
function makeFiles(dir: string, n: number): void {
  Deno.mkdirSync(dir, { recursive: true });
  const one = new Uint8Array([120]);
  for (let i = 0; i < n; i++) Deno.writeFileSync(`${dir}/f${String(i).padStart(7, "0")}`, one);
}

/** Milliseconds of one anonymous listing of `bucket`; throws unless 200. */
async function timed(gw: LaunchedGateway, bucket: string, query: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${gw.url}/${bucket}?${query}`);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${bucket}?${query}: ${r.status}`);
  return performance.now() - t0;
}

/** A gateway over `data`'s `big` and `empty` buckets, from the checkout at `root`. */
function start(data: string, root: string | undefined): Promise<LaunchedGateway> {
  const bucket = (name: string) =>
    `  - { name: ${name}, backend_type: fs, anonymous_access: true, backend_options: { root: ${data}/${name} } }`;
  return launchGateway({
    config: ["listen: 127.0.0.1:0", "buckets:", bucket("big"), bucket("empty")].join("\n"),
    args: ["--log-level", "warn"],
    stdout: "capture",
    ...(root ? { root } : {}),
  });
}

/** One gateway's figures. */
interface Figures {
  readonly label: string;
  readonly ms: Record<string, number>;
  readonly idleMiB: number;
  readonly peakMiB: number;
}

/** Cold and warm figures of `query` on `bucket` (a fresh process, nothing of the bucket cached). */
async function coldWarm(
  data: string,
  root: string | undefined,
  bucket: string,
  query: string,
  rounds: number,
): Promise<[number, number]> {
  await Deno.remove(`${data}/${bucket}/.bucketgate`, { recursive: true }).catch(() => {});
  await using gw = await start(data, root);
  const cold = await timed(gw, bucket, query);
  // The bucket's root changed just now (its .bucketgate/ was made): a directory
  // is cached only once its mtime is 2 s old (dir_entries.ts), as it is when
  // a bucket is in use.
  await new Promise((r) => setTimeout(r, 2100));
  const warm: number[] = [];
  for (let i = 0; i < rounds; i++) warm.push(await timed(gw, bucket, query));
  return [cold, median(warm)];
}

/** Idle and peak RSS (MiB) of a fresh gateway while 20 cold `nothing` listings of `big` run at once. */
async function rss20(data: string, root: string | undefined): Promise<[number, number]> {
  await Deno.remove(`${data}/big/.bucketgate`, { recursive: true }).catch(() => {});
  await using gw = await start(data, root);
  await timed(gw, "empty", NOTHING); // the process's own first-request costs
  const idle = await memory(gw.pid);
  const peak = await trackPeakRss(gw.pid);
  await Promise.all(Array.from({ length: 20 }, () => timed(gw, "big", NOTHING)));
  return [idle / 2 ** 20, (await peak()) / 2 ** 20];
}

async function measure(
  label: string,
  data: string,
  root: string | undefined,
  rounds: number,
): Promise<Figures> {
  const ms: Record<string, number> = {};
  for (const bucket of ["big", "empty"]) {
    for (const [name, query] of [["page", PAGE], ["nothing", NOTHING]] as const) {
      const [cold, warm] = await coldWarm(data, root, bucket, query, rounds);
      ms[`${bucket} ${name} cold`] = cold;
      ms[`${bucket} ${name} warm`] = warm;
    }
  }
  const [idleMiB, peakMiB] = await rss20(data, root);
  return { label, ms, idleMiB, peakMiB };
}

const f = (n: number) => n.toFixed(n < 10 ? 2 : 0);

if (import.meta.main) {
  const { values: flags } = parseArgs({
    options: {
      files: { type: "string", default: "100000" },
      rounds: { type: "string", default: "7" },
      baseline: { type: "string" },
    },
  });
  const files = Number(flags.files);
  const rounds = Number(flags.rounds);
  const data = await Deno.makeTempDir({ prefix: "bucketgate-list-bench-" });
  try {
    makeFiles(`${data}/big`, files);
    Deno.mkdirSync(`${data}/empty`);
    const all = [await measure("this checkout", data, undefined, rounds)];
    if (flags.baseline) all.unshift(await measure("baseline", data, flags.baseline, rounds));
    console.log(`${await machineLine()}; ${files} one-byte files; warm = median of ${rounds}`);
    console.log("");
    console.log(
      "| gateway | big page cold | big page warm | empty page warm | big nothing cold | big nothing warm | empty nothing warm | idle RSS | 20 at once: peak RSS (over idle) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const x of all) {
      const m = x.ms;
      console.log(
        `| ${x.label} | ${f(m["big page cold"]!)} ms | ${f(m["big page warm"]!)} ms | ${
          f(m["empty page warm"]!)
        } ms | ${f(m["big nothing cold"]!)} ms | ${f(m["big nothing warm"]!)} ms | ${
          f(m["empty nothing warm"]!)
        } ms | ${f(x.idleMiB)} MiB | ${f(x.peakMiB)} MiB (+${f(x.peakMiB - x.idleMiB)}) |`,
      );
    }
  } finally {
    await Deno.remove(data, { recursive: true });
  }
}
