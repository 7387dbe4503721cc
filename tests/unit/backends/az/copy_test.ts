import assert from "node:assert/strict";
import { COPY_POLL_MS, copyFinished } from "../../../../src/backends/az/copy.ts";
import { answer, fake } from "./_fake.ts";

Deno.test("copyFinished() polls a pending copy with the injected sleep until it succeeds", async () => {
  const states = ["pending", "success"];
  const f = fake(() => answer(200, null, { "x-ms-copy-status": states.shift()! }));
  const r = await copyFinished(f.ctx, "k", "pending");
  assert.ok(r.ok);
  assert.deepEqual(f.sleeps, [COPY_POLL_MS, COPY_POLL_MS]);
});

Deno.test("copyFinished() gives up at the request timeout by the injected clock", async () => {
  const f = fake(() => {
    f.clock.set(f.clock.now() + 40_000);
    return answer(200, null, { "x-ms-copy-status": "pending" });
  });
  const r = await copyFinished(f.ctx, "k", "pending");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  assert.match(String(r.error.detail), /still pending/);
  assert.equal(f.requests.length, 2, "60 s of timeout: two 40 s polls");
});

Deno.test("copyFinished() makes a failed or aborted copy a BackendError", async () => {
  const f = fake(() => answer(500));
  const r = await copyFinished(f.ctx, "k", "failed");
  assert.ok(!r.ok);
  assert.match(String(r.error.detail), /status failed/);
  assert.ok((await copyFinished(f.ctx, "k", null)).ok, "a synchronous copy has no status");
});

Deno.test("copy() sends the source pinned by its ETag, with the SAS on the source URL", async () => {
  const f = fake(
    (req) =>
      req.method === "HEAD"
        ? answer(200, null, { etag: '"0x5"', "content-length": "3" })
        : answer(202, null, { "x-ms-copy-status": "success" }),
    { auth: { sas_token: "sv=1&sig=s" } },
  );
  const r = await f.backend.copy("src", "dst", {});
  assert.ok(r.ok);
  const put = f.requests.find((q) => q.method === "PUT")!;
  assert.equal(
    put.headers["x-ms-copy-source"],
    "https://acct1.blob.core.windows.net/data/src?sv=1&sig=s",
  );
  assert.equal(put.headers["x-ms-source-if-match"], '"0x5"');
});
