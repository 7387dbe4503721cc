/** curl: anonymous reads and --aws-sigv4 signed requests against the real gateway. */
import assert from "node:assert/strict";
import { DEV, haveTool, run, startGateway } from "./_gateway.ts";

const hasCurl = await haveTool("curl");

Deno.test({
  name: "curl: anonymous GET/HEAD/Range and --aws-sigv4 signed PUT and GET",
  ignore: !hasCurl,
  async fn() {
    const gw = await startGateway();
    try {
      await Deno.writeTextFile(`${gw.dataDir}/public-data/hello.txt`, "Hello from bucketgate!\n");
      const get = await run("curl", ["-sS", "-f", `${gw.url}/public-data/hello.txt`]);
      assert.equal(get.stdout, "Hello from bucketgate!\n");
      const head = await run("curl", ["-sS", "-I", `${gw.url}/public-data/hello.txt`]);
      assert.match(head.stdout, /HTTP\/1\.1 200/);
      assert.match(head.stdout, /content-length: 23/i);
      assert.match(head.stdout, /etag: "/i);
      const range = await run("curl", [
        "-sS",
        "-H",
        "Range: bytes=0-4",
        `${gw.url}/public-data/hello.txt`,
      ]);
      assert.equal(range.stdout, "Hello");

      const sig = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${DEV.id}:${DEV.secret}`];
      const put = await run("curl", [
        "-sS",
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
      assert.equal(
        await Deno.readTextFile(`${gw.dataDir}/private-uploads/curl.txt`),
        "signed by curl",
      );
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
      await gw.stop();
    }
  },
});
