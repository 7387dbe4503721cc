import assert from "node:assert/strict";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import type { ResolvedBucket } from "../../../src/s3/context.ts";
import { admitAccount, presentListing } from "../../../src/s3/mapped.ts";
import { createNamespace } from "../../../src/s3/namespace.ts";
import { parseS3Request, type S3Request } from "../../../src/s3/request.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { ADMIN, bucketConfig, identityWith } from "./ops/_context.ts";

const MAPPING = { bucketSegments: 2, separator: "--", displayBucketSegments: 1 };
const names = ["acme--data", "acme--logs"];
const ns = createNamespace(MAPPING, names);
const buckets = new Map<string, ResolvedBucket>(
  names.map((n) => [n, { config: bucketConfig(n), backend: createMemoryBackend() }]),
);

function route(method: string, url: string): S3Request {
  const r = parseS3Request(method, requestTarget(url), new Headers(), { namespace: ns });
  assert.ok(r.ok);
  return r.value;
}

Deno.test("admitAccount(): a listing reaching one bucket is logged as a request on it", () => {
  const r = admitAccount(route("GET", "/acme?list-type=2&prefix=logs/x"), ADMIN, ns, buckets);
  assert.ok(r.ok);
  assert.equal(r.value.logged.bucket, "acme--logs");
  assert.equal(r.value.shown.bucket, "acme");
  const all = admitAccount(route("GET", "/acme?list-type=2"), ADMIN, ns, buckets);
  assert.ok(all.ok);
  assert.equal(all.value.logged.bucket, "acme");
});

Deno.test("admitAccount(): 404 for an unknown account, 403 when no bucket is visible, 501 for other operations", () => {
  const unknown = admitAccount(route("GET", "/nobody?list-type=2"), ADMIN, ns, buckets);
  assert.ok(!unknown.ok && unknown.error.kind === "BucketNotFound");
  const nobody = identityWith([{ bucket: "elsewhere", prefixes: [], actions: ["list_bucket"] }]);
  const denied = admitAccount(route("GET", "/acme?list-type=2"), nobody, ns, buckets);
  assert.ok(!denied.ok && denied.error.kind === "AccessDenied");
  const head = admitAccount(route("HEAD", "/acme"), ADMIN, ns, buckets);
  assert.ok(head.ok && head.value.bucket.config.name === "acme--data");
  const del = admitAccount(route("POST", "/acme?delete"), ADMIN, ns, buckets);
  assert.ok(!del.ok && del.error.kind === "NotImplemented");
});

Deno.test("presentListing(): a mapped bucket's listing is shown under its prefix", () => {
  const r = route("GET", "/acme/data?list-type=2&prefix=sub/&start-after=sub/a");
  const shown = presentListing(r, buckets.get("acme--data")!);
  assert.ok(shown);
  assert.equal(shown.shown.bucket, "acme");
  assert.equal(shown.shown.query.get("prefix"), "data/sub/");
  assert.equal(shown.shown.query.get("start-after"), "data/sub/a");
  assert.equal(shown.logged, r);
  assert.equal(
    presentListing(route("GET", "/acme/data/key"), buckets.get("acme--data")!),
    undefined,
  );
});
