import assert from "node:assert/strict";
import { fixedClock } from "../../../../src/clock.ts";
import { createS3Client, queryString } from "../../../../src/backends/s3/client.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";
import { fakeStore } from "./_fake_store.ts";

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

Deno.test("a failing read backs off through the injected sleep (no real waiting), doubling each time", async () => {
  const slept: number[] = [];
  const { backend, seen } = fakeStore((_req, n) => ({ status: n < 2 ? 503 : 200 }), {
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  });
  const r = await backend.head("k");
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.equal(seen.length, 3);
  assert.deepEqual(slept, [100, 200]);
});

Deno.test("a write is never retried, so never sleeps", async () => {
  const slept: number[] = [];
  const { backend, seen } = fakeStore(() => ({ status: 503 }), {
    sleep: (ms) => Promise.resolve(void slept.push(ms)),
  });
  const r = await backend.put("k", new Blob(["x"]).stream(), {
    meta: { userMetadata: {} },
    contentLength: 1,
  });
  assert.ok(!r.ok && r.error.kind === "BackendError");
  assert.equal(seen.length, 1);
  assert.deepEqual(slept, []);
});

Deno.test("requests are signed at the injected clock's time", async () => {
  const { backend, seen } = fakeStore(() => ({ status: 200 }), {
    clock: fixedClock(NOW),
    signed: true,
  });
  await backend.head("k");
  const h = seen[0]!.headers;
  assert.equal(h["x-amz-date"], "20240102T030405Z");
  assert.match(
    h.authorization ?? "",
    /Credential=AKIDEXAMPLE\/20240102\/us-east-1\/s3\/aws4_request/,
  );
  assert.equal(h["accept-encoding"], "identity");
});

Deno.test("createS3Client() addresses virtual-hosted and path-style buckets", () => {
  const clock = fixedClock(NOW);
  const aws = createS3Client(
    s3OptionsOf({ bucket_name: "bkt", region: "eu-west-1", skip_signature: true }),
    { clock },
  );
  assert.equal(aws.pathOf("a b/c"), "/a%20b/c");
  assert.equal(aws.bucketRoot, "/");
  assert.equal(aws.locate("k").bucket, "bkt");
  const local = createS3Client(
    s3OptionsOf({ endpoint: "http://h:9000/base/", bucket_name: "bkt", skip_signature: true }),
    { clock },
  );
  assert.equal(local.pathOf("k"), "/base/bkt/k");
  assert.equal(local.bucketRoot, "/base/bkt");
  assert.ok(local.unreadable("a/../b"));
  assert.notEqual(local.locate("k").store, aws.locate("k").store);
});

Deno.test("a key with a dot segment never reaches the store", async () => {
  const { backend, seen } = fakeStore(() => ({ status: 200 }));
  const r = await backend.put("a/../b", new Blob(["x"]).stream(), {
    meta: { userMetadata: {} },
    contentLength: 1,
  });
  assert.ok(!r.ok);
  assert.equal(seen.length, 0);
});

Deno.test("queryString() encodes RFC 3986 style and leaves a bare `uploads`", () => {
  const q = new URLSearchParams({ uploads: "", prefix: "a b*" });
  assert.equal(queryString(q), "uploads&prefix=a%20b%2A");
});
