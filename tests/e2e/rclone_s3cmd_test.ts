/** rclone (provider Other) and s3cmd against the real gateway, on every backend. */
import assert from "node:assert/strict";
import { availableBackends, startRig } from "./_backends.ts";
import { DEV, run } from "./_gateway.ts";
import { clientTest, commandVersion } from "./compat/record.ts";
import { firstReason, missingCommand } from "../_support/tools.ts";

/** Why rclone, and s3cmd, cannot run here; under CI=true, throws. */
const noRclone = await missingCommand("rclone");
const noS3cmd = await missingCommand("s3cmd");
const BACKENDS = await availableBackends();

/** The clients' environment: no AWS_CA_BUNDLE (rclone 1.60 fails on it over plain http). */
function clientEnv(home: string): Record<string, string> {
  return { PATH: Deno.env.get("PATH") ?? "", HOME: home };
}

async function sourceTree(dir: string): Promise<Uint8Array> {
  await Deno.mkdir(`${dir}/sub`, { recursive: true });
  await Deno.writeTextFile(`${dir}/a b.txt`, "one");
  await Deno.writeTextFile(`${dir}/sub/é+%.txt`, "two");
  const big = new Uint8Array(30 * 1024 * 1024);
  crypto.getRandomValues(big.subarray(0, 65536));
  await Deno.writeFile(`${dir}/big.bin`, big);
  return big;
}

for (const { kind, skip } of BACKENDS) {
  clientTest({
    client: "rclone",
    backend: kind,
    name: "copy, ls, lsjson, cat, check, sync, delete",
    skip: firstReason(noRclone, skip),
    version: () => commandVersion("rclone", ["version"], /rclone v(\S+)/),
    async fn() {
      const rig = await startRig(kind);
      const gw = rig.gw;
      try {
        const src = `${gw.dataDir}/src`;
        const big = await sourceTree(src);
        const conf = `${gw.dataDir}/rclone.conf`;
        await Deno.writeTextFile(
          conf,
          `[gw]\ntype = s3\nprovider = Other\naccess_key_id = ${DEV.id}\nsecret_access_key = ${DEV.secret}\nendpoint = ${gw.url}\nregion = us-east-1\n`,
        );
        const rc = (...args: string[]) =>
          run("rclone", ["--config", conf, ...args], {
            env: clientEnv(gw.dataDir),
            clearEnv: true,
          });
        const ok = async (...args: string[]) => {
          const r = await rc(...args);
          assert.equal(r.code, 0, `rclone ${args.join(" ")}: ${r.stderr}`);
          return r.stdout;
        };
        await ok("copy", src, "gw:private-uploads/rc");
        assert.deepEqual(await rig.stored("private-uploads", "rc/big.bin"), big);
        const listed = await ok("ls", "gw:private-uploads/rc");
        assert.match(listed, /a b\.txt/);
        assert.match(listed, /sub\/é\+%\.txt/);
        const json = JSON.parse(await ok("lsjson", "--recursive", "gw:private-uploads/rc"));
        assert.equal(json.filter((e: { IsDir: boolean }) => !e.IsDir).length, 3);
        assert.equal(await ok("cat", "gw:private-uploads/rc/a b.txt"), "one");
        const check = await rc("check", src, "gw:private-uploads/rc");
        assert.equal(check.code, 0, check.stderr);
        assert.match(check.stderr, /0 differences found/);
        await ok("sync", src, "gw:private-uploads/rc2");
        assert.equal(await rig.storedText("private-uploads", "rc2/sub/é+%.txt"), "two");
        await ok("delete", "gw:private-uploads/rc2");
        assert.deepEqual(
          (await rig.keys("private-uploads")).filter((f) => f.startsWith("rc2/")),
          [],
        );
      } finally {
        await rig.stop();
      }
    },
  });

  clientTest({
    client: "s3cmd",
    backend: kind,
    name: "ls, multipart put of 30 MiB, get, sync, del",
    skip: firstReason(noS3cmd, skip),
    version: () => commandVersion("s3cmd", ["--version"], /s3cmd version (\S+)/),
    async fn() {
      const rig = await startRig(kind);
      const gw = rig.gw;
      try {
        const src = `${gw.dataDir}/src`;
        const big = await sourceTree(src);
        const cfg = `${gw.dataDir}/s3cfg`;
        const host = gw.url.replace("http://", "");
        await Deno.writeTextFile(
          cfg,
          `[default]\naccess_key = ${DEV.id}\nsecret_key = ${DEV.secret}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n`,
        );
        const ok = async (...args: string[]) => {
          const r = await run("s3cmd", ["-c", cfg, ...args], {
            env: clientEnv(gw.dataDir),
            clearEnv: true,
          });
          assert.equal(r.code, 0, `s3cmd ${args.join(" ")}: ${r.stderr}${r.stdout}`);
          return r.stdout;
        };
        assert.match(await ok("ls"), /s3:\/\/private-uploads/);
        await ok(
          "put",
          `${src}/big.bin`,
          "s3://private-uploads/s3cmd/big.bin",
          "--multipart-chunk-size-mb=8",
        );
        assert.deepEqual(await rig.stored("private-uploads", "s3cmd/big.bin"), big);
        assert.match(await ok("ls", "s3://private-uploads/s3cmd/"), /big\.bin/);
        await ok("get", "s3://private-uploads/s3cmd/big.bin", `${gw.dataDir}/down.bin`, "--force");
        assert.deepEqual(await Deno.readFile(`${gw.dataDir}/down.bin`), big);
        await ok("sync", `${src}/`, "s3://private-uploads/sync/");
        assert.equal(await rig.storedText("private-uploads", "sync/sub/é+%.txt"), "two");
        await ok("del", "s3://private-uploads/s3cmd/big.bin");
        assert.ok(!(await rig.keys("private-uploads")).includes("s3cmd/big.bin"));
      } finally {
        await rig.stop();
      }
    },
  });
}
