/** parseS3Request() on random methods, raw paths, queries and headers. */
import assert from "node:assert/strict";
import { statusOf } from "../../src/errors.ts";
import { OPERATION_ACTIONS } from "../../src/iam/actions.ts";
import { OPERATION_KINDS, OPERATIONS } from "../../src/s3/operations.ts";
import type { OperationKind } from "../../src/s3/request.ts";
import { parseS3Request } from "../../src/s3/request.ts";
import { fuzz, percentEscape, randomString, type Rng } from "./_fuzz.ts";

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "get", "FOO"];
const QUERY_NAMES = [
  "uploads",
  "uploadId",
  "partNumber",
  "delete",
  "list-type",
  "location",
  "versioning",
  "acl",
  "tagging",
  "select",
  "x",
  "",
];

/** The operations that address an object key (the operation table says which). */
const OBJECT_OPS: ReadonlySet<OperationKind> = new Set(
  OPERATION_KINDS.filter((op) => op !== "ListBuckets" && OPERATIONS[op].objectKey),
);

/**
 * The operations that only read, which GET and HEAD route to: those whose IAM
 * action (iam/actions.ts) is an s3:Get… or s3:List… one.
 */
const READS: ReadonlySet<OperationKind> = new Set(
  OPERATION_KINDS.filter((op) => /^s3:(Get|List)/.test(OPERATION_ACTIONS[op])),
);

function rawPath(rng: Rng): string {
  let p = "";
  for (let n = rng.int(5); n > 0; n--) {
    p += "/" + rng.pick([
      () => randomString(rng, 6, ["ascii", "percent"]),
      () => percentEscape(rng),
      () => rng.pick(["..", ".", "..%2F", "%2E%2E", "%00", "%252F", "bucket", "public"]),
    ])();
  }
  return p || "/";
}

function headers(rng: Rng): Headers {
  const h = new Headers();
  const names = [
    "host",
    "x-amz-copy-source",
    "x-amz-meta-a",
    "x-amz-server-side-encryption-customer-key",
    "range",
    "content-type",
  ];
  for (let n = rng.int(4); n > 0; n--) {
    try {
      h.append(
        rng.pick(names),
        rng.chance(0.05)
          ? "v".repeat(rng.range(2000, 20000))
          : randomString(rng, 10, ["ascii", "percent"]),
      );
    } catch { /* invalid value */ }
  }
  return h;
}

Deno.test("parseS3Request() never throws, errs with 4xx/501, and decodes bucket and key exactly", async () => {
  await fuzz("parseS3Request", { iterations: 10_000, budgetMs: 2500 }, ({ rng, note }) => {
    const method = rng.pick(METHODS);
    const path = rawPath(rng);
    const rawQuery = Array.from(
      { length: rng.int(3) },
      () =>
        rng.pick(QUERY_NAMES) +
        (rng.chance(0.5) ? "=" + randomString(rng, 4, ["ascii", "percent"]) : ""),
    ).join("&");
    const h = headers(rng);
    const domain = rng.chance(0.3) ? "s3.test" : undefined;
    if (domain && rng.chance(0.5)) h.set("host", `${rng.pick(["public", "a.b", ""])}.s3.test:9000`);
    note({ method, path, rawQuery, headers: h, domain });
    const r = parseS3Request(method, { rawPath: path, rawQuery }, h, domain ? { domain } : {});
    if (!r.ok) {
      const s = statusOf(r.error);
      assert.ok((s >= 400 && s < 500) || r.error.kind === "NotImplemented", `status ${s}`);
      return;
    }
    const { bucket, key, op } = r.value;
    const p = path.replace(/^\//, "");
    const vhost = domain !== undefined &&
      (h.get("host") ?? "").replace(/:\d+$/, "").toLowerCase().endsWith(".s3.test") &&
      (h.get("host") ?? "").replace(/:\d+$/, "").toLowerCase() !== ".s3.test";
    if (!vhost) {
      const slash = p.indexOf("/");
      assert.equal(bucket, decodeURIComponent(slash < 0 ? p : p.slice(0, slash)));
      assert.equal(key, slash < 0 ? "" : decodeURIComponent(p.slice(slash + 1)));
    } else {
      assert.equal(key, decodeURIComponent(p));
    }
    if (op === "ListBuckets") assert.equal(bucket, "");
    else assert.notEqual(bucket, "");
    // Note: an empty bucket with a key ("//k") routes to ListBuckets and drops the key.
    if (bucket !== "") assert.equal(OBJECT_OPS.has(op), key !== "", `${op} with key '${key}'`);
    if (method !== "GET" && method !== "HEAD") {
      assert.ok(!READS.has(op), `${method} routed to ${op}`);
    }
  });
});
