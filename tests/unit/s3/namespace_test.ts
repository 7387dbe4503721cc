import assert from "node:assert/strict";
import { bucketLabel, createNamespace, mapCopySource } from "../../../src/s3/namespace.ts";

const TWO = { bucketSegments: 2, separator: "--", displayBucketSegments: 1 };
const ns = createNamespace(TWO, ["acme--data", "acme--logs", "acme--data-x", "other--x"]);

Deno.test("address() maps the display bucket and the leading key segment to the configured bucket", () => {
  assert.deepEqual(ns.address({ bucket: "acme", key: "data/file.parquet" }), {
    bucket: "acme--data",
    key: "file.parquet",
    view: { bucket: "acme", keyPrefix: "data/", account: false },
  });
  assert.deepEqual(ns.address({ bucket: "acme", key: "data/a/b/c" }).key, "a/b/c");
  // The segment alone, with or without its slash: bucket level.
  for (const key of ["data", "data/"]) {
    const a = ns.address({ bucket: "acme", key });
    assert.equal(a.bucket, "acme--data");
    assert.equal(a.key, "");
  }
  // No key: the account level keeps the display bucket.
  assert.deepEqual(ns.address({ bucket: "acme", key: "" }), {
    bucket: "acme",
    key: "",
    view: { bucket: "acme", keyPrefix: "", account: true },
  });
  // An empty segment names a bucket that cannot be configured.
  assert.equal(ns.address({ bucket: "acme", key: "/x" }).bucket, "acme--");
});

Deno.test("address() with three segments: two of them lead the key", () => {
  const three = createNamespace({ bucketSegments: 3, separator: ".", displayBucketSegments: 1 }, [
    "org.team.repo",
  ]);
  assert.deepEqual(three.address({ bucket: "org", key: "team/repo/k" }), {
    bucket: "org.team.repo",
    key: "k",
    view: { bucket: "org", keyPrefix: "team/repo/", account: false },
  });
  // Too few segments: a name no config has (404).
  assert.equal(three.address({ bucket: "org", key: "team" }).bucket, "org.team");
  assert.deepEqual(three.show("org.team.repo"), { bucket: "org", prefix: "team/repo/" });
});

Deno.test("members() lists an account's buckets in the key order of their prefixes", () => {
  // "data-x/" sorts before "data/" ('-' < '/').
  assert.deepEqual(ns.members("acme").map((m) => m.prefix), ["data-x/", "data/", "logs/"]);
  assert.deepEqual(ns.members("nobody"), []);
  assert.deepEqual(ns.displayBuckets(), ["acme", "other"]);
  assert.deepEqual(ns.show("acme--data"), { bucket: "acme", prefix: "data/" });
});

Deno.test("mapCopySource() maps the source's bucket and key, keeping its query", () => {
  assert.equal(mapCopySource(ns, "/acme/data/a%20b.txt"), "/acme--data/a%20b.txt");
  assert.equal(mapCopySource(ns, "acme/data/k?versionId=null"), "/acme--data/k?versionId=null");
  // Left as given for the handler to refuse precisely.
  assert.equal(mapCopySource(ns, "acme"), "acme");
  assert.equal(mapCopySource(ns, "acme/data"), "acme/data");
  assert.equal(mapCopySource(ns, "%E0%A4%A"), "%E0%A4%A");
});

Deno.test("bucketLabel() shows a configured bucket as its display path; nothing without a mapping", () => {
  assert.equal(bucketLabel(ns, "acme--data"), "acme/data");
  assert.equal(bucketLabel(ns, "other--x"), "other/x");
  assert.equal(bucketLabel(undefined, "acme--data"), undefined);
});
