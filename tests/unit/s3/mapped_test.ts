import assert from "node:assert/strict";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import type { ResolvedBucket } from "../../../src/s3/context.ts";
import {
  admitAccount,
  presentBodyKeys,
  presentListing,
  trackBuckets,
} from "../../../src/s3/mapped.ts";
import { createNamespace } from "../../../src/s3/namespace.ts";
import { parseS3Request, type S3Request } from "../../../src/s3/request.ts";
import { requestTarget } from "../../../src/http/target.ts";
import type { Identity } from "../../../src/auth/identity.ts";
import { ADMIN, authorizerFor, bucketConfig, identityWith, unitConfig } from "./ops/_context.ts";

const MAPPING = { bucketSegments: 2, separator: "--", displayBucketSegments: 1 };
const names = ["acme--data", "acme--logs"];
const ns = createNamespace(MAPPING, names);
const buckets = new Map<string, ResolvedBucket>(
  names.map((n) => [n, { config: bucketConfig(n), backend: createMemoryBackend() }]),
);

/** Who asks, and the namespace and buckets it is answered from. */
function caller(identity: Identity, r: S3Request) {
  const config = unitConfig({ buckets: [...buckets.values()].map((b) => b.config) });
  const authorize = authorizerFor(config, new Headers(), r.query);
  return { identity, authorize, namespace: ns, buckets };
}

/** admitAccount() of `method url` for `identity`. */
function admit(identity: Identity, method: string, url: string) {
  const r = route(method, url);
  return admitAccount(r, caller(identity, r));
}

function route(method: string, url: string): S3Request {
  const r = parseS3Request(method, requestTarget(url), new Headers(), { namespace: ns });
  assert.ok(r.ok);
  return r.value;
}

Deno.test("admitAccount(): a listing reaching one bucket is logged as a request on it", () => {
  const r = admit(ADMIN, "GET", "/acme?list-type=2&prefix=logs/x");
  assert.ok(r.ok);
  assert.equal(r.value.logged.bucket, "acme--logs");
  assert.equal(r.value.shown.bucket, "acme");
  const all = admit(ADMIN, "GET", "/acme?list-type=2");
  assert.ok(all.ok);
  assert.equal(all.value.logged.bucket, "acme");
});

Deno.test("admitAccount(): 404 for an unknown account, 403 when no bucket is visible, 501 for other operations", () => {
  const unknown = admit(ADMIN, "GET", "/nobody?list-type=2");
  assert.ok(!unknown.ok && unknown.error.kind === "BucketNotFound");
  const nobody = identityWith([{ bucket: "elsewhere", prefixes: [], actions: ["list_bucket"] }]);
  const denied = admit(nobody, "GET", "/acme?list-type=2");
  assert.ok(!denied.ok && denied.error.kind === "AccessDenied");
  const head = admit(ADMIN, "HEAD", "/acme");
  assert.ok(head.ok && head.value.bucket.config.name === "acme--data");
  const drop = admit(ADMIN, "DELETE", "/acme");
  assert.ok(!drop.ok && drop.error.kind === "NotImplemented");
});

Deno.test("admitAccount(): DeleteObjects and POST forms locate each key in the mapped bucket it names", () => {
  for (const url of ["/acme?delete", "/acme"]) {
    const r = admit(ADMIN, "POST", url);
    assert.ok(r.ok && r.value.locate, url);
    const at = r.value.locate("logs/2026/x.log");
    assert.ok(at.ok);
    assert.equal(at.value.bucket.config.name, "acme--logs");
    assert.equal(at.value.key, "2026/x.log");
    assert.equal(at.value.shown, "logs/2026/x.log");
    const none = r.value.locate("unknown/x");
    assert.ok(!none.ok && none.error.kind === "BucketNotFound");
    const itself = r.value.locate("data/");
    assert.ok(itself.ok && itself.value.key === "");
  }
});

Deno.test("presentBodyKeys(): keys posted to a mapped bucket are its own, shown under its prefix", () => {
  const r = route("POST", "/acme/data");
  const run = presentBodyKeys(r, buckets.get("acme--data")!);
  assert.ok(run?.locate);
  assert.equal(run.shown.bucket, "acme");
  assert.equal(run.logged, r);
  const at = run.locate("x");
  assert.ok(at.ok);
  assert.deepEqual([at.value.bucket.config.name, at.value.key, at.value.shown], [
    "acme--data",
    "x",
    "data/x",
  ]);
  assert.equal(
    presentBodyKeys(route("GET", "/acme/data/x"), buckets.get("acme--data")!),
    undefined,
  );
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

Deno.test("trackBuckets(): names the one bucket keys were located in, none when they span several", () => {
  const r = admit(ADMIN, "POST", "/acme?delete");
  assert.ok(r.ok && r.value.locate);
  const t = trackBuckets(r.value.locate);
  assert.equal(t.only(), undefined);
  t.locate("data/a");
  t.locate("data/b");
  t.locate("unknown/x");
  assert.equal(t.only(), "acme--data");
  t.locate("logs/c");
  assert.equal(t.only(), undefined);
});
