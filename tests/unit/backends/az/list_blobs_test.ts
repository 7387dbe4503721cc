import assert from "node:assert/strict";
import { blobsPage, listAll, listBlobs } from "../../../../src/backends/az/list_blobs.ts";
import { parseXml } from "../../../../src/backends/az/xml.ts";
import { answer, blob, fake, listing } from "./_fake.ts";
import { resettingBody } from "../http/_bodies.ts";

Deno.test("blobsPage() reads entries, internal metadata, prefixes and the next marker", () => {
  const doc = parseXml(listing(blob("a", { metadata: "<bgi_etag>abc-2</bgi_etag>" }), {
    prefixes: "<BlobPrefix><Name>p/</Name></BlobPrefix>",
    next: "m2",
  }))!;
  const page = blobsPage(doc);
  assert.ok(page.ok);
  assert.equal(page.value.entries.length, 1);
  assert.equal(page.value.entries[0]!.key, "a");
  assert.equal(page.value.entries[0]!.etag, '"abc-2"');
  assert.equal(page.value.entries[0]!.size, 3);
  assert.deepEqual(page.value.entries[0]!.internal, { etag: "abc-2" });
  assert.deepEqual(page.value.prefixes, ["p/"]);
  assert.equal(page.value.nextMarker, "m2");
});

Deno.test("listBlobs() makes a reset while reading the listing a BackendError, not a throw", async () => {
  const f = fake(() => answer(200, resettingBody("<?xml version")));
  const r = await listBlobs(f.ctx, { prefix: "", maxResults: 10 });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
});

Deno.test("listBlobs() makes a listed name with a malformed escape a BackendError", async () => {
  const f = fake(() => answer(200, listing(blob("bad%ZZname", { encoded: true }))));
  const r = await listBlobs(f.ctx, { prefix: "", maxResults: 10 });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  const p = fake(() =>
    answer(200, listing("", { prefixes: '<BlobPrefix><Name Encoded="true">%</Name></BlobPrefix>' }))
  );
  const rp = await listBlobs(p.ctx, { prefix: "", delimiter: "/", maxResults: 10 });
  assert.ok(!rp.ok);
  assert.equal(rp.error.kind, "BackendError");
});

Deno.test("listBlobs() asks for metadata, the prefix, delimiter, marker and page size", async () => {
  const f = fake(() => answer(200, listing("")));
  await listBlobs(f.ctx, { prefix: "a/", delimiter: "/", marker: "m", maxResults: 7 });
  const q = f.requests[0]!.url.searchParams;
  assert.equal(f.requests[0]!.url.pathname, "/data");
  assert.deepEqual(
    [q.get("restype"), q.get("comp"), q.get("include"), q.get("prefix"), q.get("delimiter")],
    ["container", "list", "metadata", "a/", "/"],
  );
  assert.deepEqual([q.get("marker"), q.get("maxresults")], ["m", "7"]);
});

Deno.test("listAll() follows markers to the end", async () => {
  const f = fake((req) =>
    answer(
      200,
      req.url.searchParams.get("marker") === "m2"
        ? listing(blob("b"))
        : listing(blob("a"), { next: "m2" }),
    )
  );
  const r = await listAll(f.ctx, ".bucketgate/uploads/");
  assert.ok(r.ok);
  assert.deepEqual(r.value.map((e) => e.key), ["a", "b"]);
  assert.equal(f.requests.length, 2);
});
