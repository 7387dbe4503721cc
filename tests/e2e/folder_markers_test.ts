/**
 * Real clients that write folder markers (keys ending in `/`) through the
 * gateway on the fs backend, and read back what they wrote: pyarrow's
 * `write_dataset` (its S3FileSystem creates each directory as a marker) and
 * an s3fs FUSE mount's `mkdir`.
 */
import assert from "node:assert/strict";
import { DEV, type Gateway, run, signedFetch, startGateway } from "./_gateway.ts";
import { firstReason, missingCommand, missingPythonModule, skippable } from "../_support/tools.ts";

/** Why pyarrow cannot run here; under CI=true, throws. */
const noPyarrow = await missingPythonModule("pyarrow");
/** Why an s3fs mount cannot be made here; under CI=true, throws. */
const noS3fs = await missingCommand("s3fs", "fusermount");

const PYARROW_SCRIPT = `
import os, sys
import pyarrow as pa, pyarrow.dataset as ds, pyarrow.fs as pafs
s3 = pafs.S3FileSystem(endpoint_override=os.environ["ENDPOINT"], scheme="http",
                       access_key=os.environ["KEY_ID"], secret_key=os.environ["SECRET"],
                       region="us-east-1", allow_bucket_creation=False)
table = pa.table({"part": ["a", "a", "b", "c"], "n": [1, 2, 3, 4]})
ds.write_dataset(table, "private-uploads/sales", format="parquet", filesystem=s3,
                 partitioning=["part"], partitioning_flavor="hive")
back = ds.dataset("private-uploads/sales", format="parquet", filesystem=s3,
                  partitioning="hive").to_table().sort_by("n")
assert back.column("n").to_pylist() == [1, 2, 3, 4], back
assert back.column("part").to_pylist() == ["a", "a", "b", "c"], back
print("pyarrow OK")
`;

/** The keys under `prefix` of the gateway's private-uploads bucket. */
async function keysUnder(gw: Gateway, prefix: string): Promise<string[]> {
  const r = await signedFetch(gw, "GET", "/private-uploads", {
    query: { "list-type": "2", prefix },
  });
  const xml = await r.text();
  assert.equal(r.status, 200, xml);
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
}

Deno.test({
  ...skippable(
    "pyarrow write_dataset writes folder markers through fs and reads it back",
    noPyarrow,
  ),
  async fn() {
    await using gw = await startGateway();
    const r = await run("python3", ["-c", PYARROW_SCRIPT], {
      env: {
        ENDPOINT: gw.url.replace("http://", ""),
        KEY_ID: DEV.id,
        SECRET: DEV.secret,
        PATH: Deno.env.get("PATH") ?? "",
        HOME: gw.dataDir,
      },
    });
    assert.equal(
      r.code,
      0,
      `${r.stdout}\n${r.stderr}\n--- gateway log ---\n${gw.logs().slice(-3000)}`,
    );
    assert.match(r.stdout, /pyarrow OK/);
    const keys = await keysUnder(gw, "sales/");
    assert.ok(keys.includes("sales/"), `a folder marker was written: ${keys}`);
    assert.equal(keys.filter((k) => k.endsWith(".parquet")).length, 3, `${keys}`);
  },
});

/** Mounts private-uploads of `gw` at `dir` with s3fs (in the foreground, as a child we stop). */
async function mountS3fs(gw: Gateway, dir: string): Promise<Deno.ChildProcess> {
  const passwd = `${gw.dataDir}/s3fs.passwd`;
  await Deno.writeTextFile(passwd, `${DEV.id}:${DEV.secret}\n`, { mode: 0o600 });
  const child = new Deno.Command("s3fs", {
    args: [
      "private-uploads",
      dir,
      "-f",
      "-o",
      `url=${gw.url},use_path_request_style,passwd_file=${passwd},endpoint=us-east-1`,
      "-o",
      "sigv4,nonempty,stat_cache_expire=1",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    const mounts = await Deno.readTextFile("/proc/mounts");
    if (mounts.includes(` ${dir} fuse.s3fs `)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    child.kill("SIGTERM");
  } catch { /* it ended already */ }
  const err = await new Response(child.stderr).text();
  throw new Error(`s3fs did not mount ${dir}: ${err}`);
}

Deno.test({
  ...skippable(
    "s3fs (FUSE) mkdir through the gateway on fs: a folder marker, listed and read back",
    firstReason(noS3fs),
  ),
  async fn() {
    await using gw = await startGateway();
    const dir = await Deno.makeTempDir({ prefix: "bucketgate-s3fs-" });
    const child = await mountS3fs(gw, dir);
    try {
      await Deno.mkdir(`${dir}/reports`);
      await Deno.mkdir(`${dir}/reports/2026`);
      await Deno.writeTextFile(`${dir}/reports/2026/q1.csv`, "a,b\n1,2\n");
      const st = await Deno.stat(`${dir}/reports/2026`);
      assert.ok(st.isDirectory);
      const names = (await Array.fromAsync(Deno.readDir(`${dir}/reports`))).map((e) => e.name);
      assert.deepEqual(names, ["2026"]);
      assert.equal(await Deno.readTextFile(`${dir}/reports/2026/q1.csv`), "a,b\n1,2\n");
      assert.deepEqual(await keysUnder(gw, "reports/"), [
        "reports/",
        "reports/2026/",
        "reports/2026/q1.csv",
      ]);
      await Deno.remove(`${dir}/reports/2026/q1.csv`);
      await Deno.remove(`${dir}/reports/2026`);
      assert.deepEqual(await keysUnder(gw, "reports/"), ["reports/"]);
    } finally {
      await run("fusermount", ["-u", dir]);
      try {
        child.kill("SIGTERM");
      } catch { /* unmounted: it ended */ }
      await child.status;
      await child.stderr.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
