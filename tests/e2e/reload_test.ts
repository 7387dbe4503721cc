/**
 * SIGHUP reloads the config: a valid one takes over for new requests; a
 * broken or missing one is refused with every problem logged, and the old one
 * keeps serving; a presigned URL used again (auth/presigned_cache.ts) is
 * refused once a reload changed its key's secret. And `--log-level warn`
 * prints only refused and failed requests.
 */
import assert from "node:assert/strict";
import {
  awsCli,
  DEV,
  type Gateway,
  READER,
  reloadGateway as reload,
  startGateway,
} from "./_gateway.ts";
import { presignQuery } from "../_support/signer.ts";

async function status(gw: Gateway, path: string): Promise<number> {
  const res = await fetch(`${gw.url}${path}`);
  await res.body?.cancel();
  return res.status;
}

Deno.test("SIGHUP: a valid config takes over, a broken or missing one leaves the old serving", async () => {
  const gw = await startGateway();
  const path = `${gw.dataDir}/config.yaml`;
  const original = await Deno.readTextFile(path);
  try {
    await Deno.mkdir(`${gw.dataDir}/fresh`);
    await Deno.writeTextFile(`${gw.dataDir}/fresh/hello.txt`, "hi");
    assert.equal(await status(gw, "/fresh/hello.txt"), 404, "not configured yet");

    await Deno.writeTextFile(
      path,
      original.replace(
        "buckets:\n",
        `buckets:\n  - { name: fresh, backend_type: fs, anonymous_access: true, backend_options: { root: ${gw.dataDir}/fresh } }\n`,
      ),
    );
    await reload(gw, /reloaded/);
    assert.equal(await status(gw, "/fresh/hello.txt"), 200, "the new bucket serves");

    await Deno.writeTextFile(path, original.replace("buckets:", "buckets: [unclosed"));
    await reload(gw, /reload refused; keeping the old config/);
    assert.equal(await status(gw, "/fresh/hello.txt"), 200, "the old config still serves");

    await Deno.writeTextFile(path, original.replace("backend_type: fs", "backend_type: nosuch"));
    await reload(gw, /reload refused[\s\S]*nosuch/);
    assert.equal(await status(gw, "/fresh/hello.txt"), 200);

    await Deno.remove(path);
    await reload(gw, /reload refused[\s\S]*cannot read the file/);
    assert.equal(await status(gw, "/fresh/hello.txt"), 200, "a missing file does not stop it");
  } finally {
    await gw.stop();
  }
  assert.equal(await gw.exited, 0);
});

Deno.test("SIGHUP: a presigned URL used again is refused once a reload changed its key's secret", async () => {
  const gw = await startGateway();
  const path = `${gw.dataDir}/config.yaml`;
  try {
    const url = `${gw.url}/private-uploads/no-such-key`;
    const query = await presignQuery(DEV, url, { expiresIn: 600 });
    // 404: the signature verified, the key is missing; the second one finds the query kept.
    assert.equal(await status(gw, `/private-uploads/no-such-key?${query}`), 404);
    assert.equal(await status(gw, `/private-uploads/no-such-key?${query}`), 404);
    const original = await Deno.readTextFile(path);
    assert.ok(original.includes(DEV.secret));
    await Deno.writeTextFile(path, original.replace(DEV.secret, "a-rotated-secret-0123456789"));
    await reload(gw, /reloaded/);
    assert.equal(await status(gw, `/private-uploads/no-such-key?${query}`), 403);
  } finally {
    await gw.stop();
  }
  assert.equal(await gw.exited, 0);
});

Deno.test("--log-level warn prints only refused and failed requests", async () => {
  const gw = await startGateway([], { args: ["--log-level", "warn"] });
  try {
    await Deno.writeTextFile(`${gw.dataDir}/public-data/ok.txt`, "fine");
    assert.equal(await status(gw, "/public-data/ok.txt"), 200);
    assert.equal(await status(gw, "/private-uploads/secret.txt"), 403);
    // A signed request that is denied: logged, without its secret or signature.
    await Deno.writeTextFile(`${gw.dataDir}/up.txt`, "x");
    const denied = await awsCli(gw, ["s3", "cp", `${gw.dataDir}/up.txt`, "s3://readonly/up.txt"], {
      key: READER,
    });
    assert.notEqual(denied.code, 0);
    const deadline = Date.now() + 5000;
    while (!/secret\.txt/.test(gw.logs()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(gw.logs(), /GET \/private-uploads\/secret\.txt 403 \w+/);
    assert.doesNotMatch(gw.logs(), /ok\.txt/, "a 200 is not printed at warn");
    for (let i = 0; i < 100 && !/readonly\/up\.txt/.test(gw.logs()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(gw.logs(), /PUT \/readonly\/up\.txt 403 \w+ reader/, "the denied write is logged");
    assert.ok(!gw.logs().includes(READER.secret), "never the secret");
    assert.doesNotMatch(gw.logs(), /Signature=|AWS4-HMAC-SHA256 Credential/, "never the signature");
    assert.doesNotMatch(
      gw.logs(),
      /Deno\.serve:/,
      "no runtime notice in the log (deno.json unstable)",
    );
  } finally {
    await gw.stop();
  }
});
