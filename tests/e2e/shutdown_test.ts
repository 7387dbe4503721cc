/** SIGTERM drains: an upload in flight finishes, then the process exits 0. */
import assert from "node:assert/strict";
import { testSigner } from "../_support/signer.ts";
import { DEV } from "./_gateway.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("SIGTERM during a slow upload lets it finish, refuses new requests, then exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-drain-" });
  await Deno.mkdir(`${dir}/b`);
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `buckets:\n  - { name: drain, backend_type: fs, anonymous_access: false, backend_options: { root: ${dir}/b } }\n` +
      `credentials:\n  - { access_key_id: ${DEV.id}, secret_access_key: ${DEV.secret}, allowed_scopes: [{ bucket: "*", actions: [put_object, get_object] }] }\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      `${ROOT}main.ts`,
      "--config",
      `${dir}/c.yaml`,
      "--listen",
      "127.0.0.1:0",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(out);
    out += value;
  }
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const drainOut = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out += value;
    }
  })();
  try {
    const size = 8 * 1024 * 1024;
    const signed = await testSigner(DEV).sign({
      method: "PUT",
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: "/drain/big.bin",
      query: {},
      headers: {
        host: `127.0.0.1:${port}`,
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "content-length": String(size),
      },
    });
    // Written by hand over a socket so the body can trickle: 8 pieces of 1 MiB, 150 ms apart.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const head = ["PUT /drain/big.bin HTTP/1.1"];
    for (const [k, v] of Object.entries(signed.headers)) head.push(`${k}: ${v}`);
    head.push("connection: close", "", "");
    const upload = (async () => {
      await conn.write(new TextEncoder().encode(head.join("\r\n")));
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 150));
        const piece = new Uint8Array(1024 * 1024).fill(i);
        let at = 0;
        while (at < piece.length) at += await conn.write(piece.subarray(at));
      }
      let answer = "";
      const buf = new Uint8Array(4096);
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        answer += new TextDecoder().decode(buf.subarray(0, n));
      }
      conn.close();
      return answer;
    })();
    await new Promise((r) => setTimeout(r, 400));
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    const late = await fetch(`http://127.0.0.1:${port}/drain/other`).catch(() => undefined);
    if (late) {
      assert.equal(late.status, 503, "new requests are refused while draining");
      await late.body?.cancel();
    }
    const answer = await upload;
    assert.match(answer, /^HTTP\/1\.1 200/, answer);
    const status = await child.status;
    assert.equal(status.code, 0);
    const stored = await Deno.readFile(`${dir}/b/big.bin`);
    assert.equal(stored.length, size);
    assert.equal(stored[size - 1], 7);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await drainOut;
    await Deno.remove(dir, { recursive: true });
  }
});
