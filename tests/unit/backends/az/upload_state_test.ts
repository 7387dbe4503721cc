import assert from "node:assert/strict";
import { uploadRecord } from "../../../../src/backends/az/upload_state.ts";
import { answer, fake } from "./_fake.ts";
import { resettingBody } from "../http/_bodies.ts";

const ID = "a".repeat(48);

Deno.test("uploadRecord() makes a reset while reading the record a BackendError, not NoSuchUpload", async () => {
  const f = fake(() => answer(200, resettingBody('{"key":"k"')));
  const r = await uploadRecord(f.ctx, { key: "k", uploadId: ID });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
});

Deno.test("uploadRecord() is NoSuchUpload for a missing, foreign or unparseable record", async () => {
  const cases: [number, string][] = [[404, ""], [200, '{"key":"other","meta":{}}'], [200, "{"], [
    200,
    "null",
  ]];
  for (const [status, body] of cases) {
    const f = fake(() => answer(status, body));
    const r = await uploadRecord(f.ctx, { key: "k", uploadId: ID });
    assert.ok(!r.ok, body);
    assert.equal(r.error.kind, "NoSuchUpload", body);
  }
  const f = fake(() => answer(200, '{"key":"k","meta":{"userMetadata":{}}}'));
  const r = await uploadRecord(f.ctx, { key: "k", uploadId: ID });
  assert.ok(r.ok);
  assert.equal(f.requests[0]!.url.pathname, `/data/.bucketgate/uploads/${ID}/upload`);
});

Deno.test("uploadRecord() refuses a malformed id or an internal key without asking Azure", async () => {
  const f = fake(() => answer(500));
  for (const u of [{ key: "k", uploadId: "x" }, { key: ".bucketgate/x", uploadId: ID }]) {
    const r = await uploadRecord(f.ctx, u);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "NoSuchUpload");
  }
  assert.equal(f.requests.length, 0);
});
