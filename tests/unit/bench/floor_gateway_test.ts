/** The `s3-gateway` floor's own work (bench/_floor_gateway.ts): a real presigned check, a batched log. */
import assert from "node:assert/strict";
import { accessLog, presignedVerifier } from "../../../bench/_floor_gateway.ts";
import { presignQuery } from "../../_support/signer.ts";

const KEY = { id: "AKIDFLOORTEST0000001", secret: "floor-test-secret" };
const SIGNED_AT = Date.UTC(2026, 11, 8, 1, 0, 0);

/** A presigned GET of `path` on 127.0.0.1:9000, as a client sends it. */
async function presigned(path: string, key = KEY, expiresIn = 300): Promise<Request> {
  const url = `http://127.0.0.1:9000${path}`;
  const qs = await presignQuery(key, url, { expiresIn, signedAt: SIGNED_AT });
  return new Request(`${url}?${qs}`, { headers: { host: "127.0.0.1:9000" } });
}

const check = (req: Request, at = SIGNED_AT + 60_000) =>
  presignedVerifier(KEY, () => at)(req, new URL(req.url));

Deno.test("a presigned GET signed with the key passes, an encoded path and query included", async () => {
  assert.equal(check(await presigned("/floor/s3-gateway/bench/1k.bin")), undefined);
  assert.equal(check(await presigned("/floor/s3-gateway/a b/c~d.bin")), undefined);
});

Deno.test("an altered signature, path or key is refused", async () => {
  const req = await presigned("/floor/s3-gateway/bench/1k.bin");
  const altered = req.url.replace(/[0-9a-f]$/, (c) => c === "0" ? "1" : "0");
  assert.equal(check(new Request(altered, { headers: req.headers })), "SignatureDoesNotMatch");
  const moved = req.url.replace("1k.bin", "2k.bin");
  assert.equal(check(new Request(moved, { headers: req.headers })), "SignatureDoesNotMatch");
  const other = await presigned("/floor/s3-gateway/bench/1k.bin", { ...KEY, secret: "other" });
  assert.equal(check(other), "SignatureDoesNotMatch");
  const stranger = await presigned("/x", { id: "AKIDSTRANGER00000001", secret: KEY.secret });
  assert.equal(check(stranger), "InvalidAccessKeyId");
});

Deno.test("a presigned GET past its expiry is refused", async () => {
  const req = await presigned("/floor/s3-gateway/bench/1k.bin", KEY, 300);
  assert.equal(check(req, SIGNED_AT + 299_000), undefined);
  assert.equal(check(req, SIGNED_AT + 300_000), "AccessDenied");
});

Deno.test("access-log lines are written together at the end of the event loop's turn", async () => {
  const writes: string[] = [];
  const log = accessLog({
    writeSync: (p) => (writes.push(new TextDecoder().decode(p)), p.byteLength),
  });
  const fields = { method: "GET", path: "/p", status: 200, bytes: 1024, remote: "127.0.0.1" };
  log({ ...fields, userAgent: "a" });
  log({ ...fields, userAgent: "b" });
  assert.equal(writes.length, 0);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(writes.length, 1);
  const lines = writes[0]!.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.status, l.bytes, l.user_agent]), [[200, 1024, "a"], [
    200,
    1024,
    "b",
  ]]);
  assert.ok(!Number.isNaN(Date.parse(lines[0].time)));
});
