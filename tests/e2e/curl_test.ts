/** curl: anonymous reads and --aws-sigv4 signed requests against the real gateway, on every backend. */
import assert from "node:assert/strict";
import { availableBackends, startRig } from "./_backends.ts";
import { DEV, run } from "./_gateway.ts";
import { clientTest, commandVersion } from "./compat/record.ts";
import { firstReason, missingCommand } from "../_support/tools.ts";

/** Why curl cannot run here; under CI=true, throws. */
const noCurl = await missingCommand("curl");

for (const { kind, skip } of await availableBackends()) {
  clientTest({
    client: "curl",
    backend: kind,
    name: "anonymous GET/HEAD/Range and --aws-sigv4 signed PUT and GET",
    skip: firstReason(noCurl, skip),
    version: () => commandVersion("curl", ["--version"], /^curl (\S+)/),
    async fn() {
      const rig = await startRig(kind);
      const gw = rig.gw;
      try {
        await rig.seed("public-data", "hello.txt", "Hello from bucketgate!\n");
        const get = await run("curl", ["-sS", "-f", `${gw.url}/public-data/hello.txt`]);
        assert.equal(get.stdout, "Hello from bucketgate!\n");
        const head = await run("curl", ["-sS", "-I", `${gw.url}/public-data/hello.txt`]);
        assert.match(head.stdout, /HTTP\/1\.1 200/);
        assert.match(head.stdout, /accept-ranges: bytes/i);
        assert.match(head.stdout, /content-length: 23/i);
        assert.match(head.stdout, /etag: "/i);
        const range = await run("curl", [
          "-sS",
          "-H",
          "Range: bytes=0-4",
          `${gw.url}/public-data/hello.txt`,
        ]);
        assert.equal(range.stdout, "Hello");
        const rangedHead = await run("curl", [
          "-sS",
          "-I",
          "-H",
          "Range: bytes=6-9",
          `${gw.url}/public-data/hello.txt`,
        ]);
        assert.match(rangedHead.stdout, /HTTP\/1\.1 206/);
        assert.match(rangedHead.stdout, /content-range: bytes 6-9\/23/i);

        const sig = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${DEV.id}:${DEV.secret}`];
        const put = await run("curl", [
          "-sS",
          "-v",
          "-f",
          ...sig,
          // S3 needs the payload hash header; curl signs any x-amz-* header it is given.
          "-H",
          "x-amz-content-sha256: UNSIGNED-PAYLOAD",
          "-T",
          "-",
          `${gw.url}/private-uploads/curl.txt`,
        ], {
          stdin: new TextEncoder().encode("signed by curl"),
        });
        assert.equal(put.code, 0, put.stderr + put.stdout);
        // From stdin curl streams the body chunked, with no Content-Length.
        assert.match(put.stderr, /> transfer-encoding: chunked/i);
        assert.doesNotMatch(put.stderr, /> content-length/i);
        assert.equal(await rig.storedText("private-uploads", "curl.txt"), "signed by curl");
        const back = await run("curl", ["-sS", "-f", ...sig, `${gw.url}/private-uploads/curl.txt`]);
        assert.equal(back.stdout, "signed by curl");
        const anon = await run("curl", [
          "-sS",
          "-o",
          "/dev/null",
          "-w",
          "%{http_code}",
          `${gw.url}/private-uploads/curl.txt`,
        ]);
        assert.equal(anon.stdout, "403");
      } finally {
        await rig.stop();
      }
    },
  });
}

// Issue 19 item 4: curl sends the UTF-8 bytes it is given and signs those bytes.
for (const { kind, skip } of await availableBackends()) {
  clientTest({
    client: "curl",
    backend: kind,
    name: "non-ASCII x-amz-meta-* signed with --aws-sigv4 is stored and read back byte for byte",
    skip: firstReason(noCurl, skip),
    version: () => commandVersion("curl", ["--version"], /^curl (\S+)/),
    async fn() {
      const rig = await startRig(kind);
      const sig = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${DEV.id}:${DEV.secret}`];
      const url = `${rig.gw.url}/private-uploads/meta.txt`;
      try {
        const put = await run("curl", [
          "-sS",
          "-f",
          ...sig,
          "-H",
          "x-amz-content-sha256: UNSIGNED-PAYLOAD",
          "-H",
          "x-amz-meta-meta1: Hello World\u00e9",
          "-T",
          "-",
          url,
        ], { stdin: new TextEncoder().encode("with metadata") });
        assert.equal(put.code, 0, put.stderr + put.stdout + rig.gw.logs().slice(-2000));
        const head = await run("curl", ["-sS", "-f", "-I", ...sig, url]);
        assert.equal(head.code, 0, head.stderr);
        assert.match(head.stdout, /^x-amz-meta-meta1: Hello World\u00e9\r$/mi);
      } finally {
        await rig.stop();
      }
    },
  });
}
