/**
 * boto3 sends aws-chunked bodies with trailing checksums only over HTTPS
 * (docs/design.md's client-coverage rule), so the app is served over TLS with a
 * throwaway CA and boto3 uploads through it. boto3 1.43 sends
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER there even with payload signing on.
 */
import assert from "node:assert/strict";
import { ADMIN, harness } from "./_harness.ts";
import { makeCerts } from "../_support/certs.ts";

async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { ...env, PATH: Deno.env.get("PATH") ?? "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function have(cmd: string): Promise<boolean> {
  const r = await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
    .output();
  if (!r.success && Deno.env.get("CI") === "true") throw new Error(`${cmd} is required in CI`);
  return r.success;
}

const SCRIPT = `
import os, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
    aws_access_key_id=os.environ["KEY_ID"], aws_secret_access_key=os.environ["SECRET"],
    verify=os.environ["CA"], config=Config(s3={"payload_signing_enabled": True, "addressing_style": "path"}))
import io
body = io.BytesIO(b"signed trailer " * 10000)
s3.put_object(Bucket="private", Key="trailer.bin", Body=body, ChecksumAlgorithm="CRC32")
print(s3.get_object(Bucket="private", Key="trailer.bin")["Body"].read() == b"signed trailer " * 10000)
`;

Deno.test({
  name: "boto3 over TLS: aws-chunked with a trailing CRC32 is decoded, verified and stored clean",
  ignore: !(await have("openssl")) || !(await have("python3")),
  async fn() {
    const dir = await Deno.makeTempDir();
    const h = harness();
    const seen: string[] = [];
    let server: Deno.HttpServer<Deno.NetAddr> | undefined;
    try {
      await makeCerts(dir);
      h.clock.set(Date.now());
      server = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        cert: await Deno.readTextFile(`${dir}/leaf.pem`),
        key: await Deno.readTextFile(`${dir}/leaf.key`),
        onListen() {},
      }, (req) => {
        seen.push(req.headers.get("x-amz-content-sha256") ?? "");
        return h.handle(req);
      });
      await Deno.writeTextFile(`${dir}/t.py`, SCRIPT);
      const r = await sh("python3", [`${dir}/t.py`], dir, {
        ENDPOINT: `https://127.0.0.1:${server.addr.port}`,
        KEY_ID: ADMIN.id,
        SECRET: ADMIN.secret,
        CA: `${dir}/ca.pem`,
        HOME: dir,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "True");
      assert.ok(
        seen.some((v) => v.startsWith("STREAMING-")),
        `payload modes seen: ${seen.join(", ")}`,
      );
      const stored = await h.raw.get("private")!.get("trailer.bin");
      assert.ok(stored.ok);
      assert.equal(await new Response(stored.value.body).text(), "signed trailer ".repeat(10000));
    } finally {
      await server?.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
