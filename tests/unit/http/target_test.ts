import assert from "node:assert/strict";
import { QUERY_CACHE, queryOf, requestTarget } from "../../../src/http/target.ts";

Deno.test("requestTarget() keeps the path's percent-encoding and dot segments as sent", () => {
  assert.deepEqual(requestTarget("http://h/bkt/a%20b/%2E%2E/c+d"), {
    rawPath: "/bkt/a%20b/%2E%2E/c+d",
    rawQuery: "",
  });
});

Deno.test("requestTarget() splits the query at the first ? and keeps it raw", () => {
  assert.deepEqual(requestTarget("https://h:9000/b/k?x=a%2Fb&y=1?2&uploads"), {
    rawPath: "/b/k",
    rawQuery: "x=a%2Fb&y=1?2&uploads",
  });
  assert.deepEqual(requestTarget("http://h/b?"), { rawPath: "/b", rawQuery: "" });
});

Deno.test("requestTarget() drops a fragment", () => {
  assert.deepEqual(requestTarget("http://h/b/k?q=1#frag?x"), { rawPath: "/b/k", rawQuery: "q=1" });
  assert.deepEqual(requestTarget("http://h/b/k#f"), { rawPath: "/b/k", rawQuery: "" });
});

Deno.test("requestTarget() gives / for a URL with no path", () => {
  assert.deepEqual(requestTarget("http://h"), { rawPath: "/", rawQuery: "" });
});

Deno.test("requestTarget() takes a URL without a scheme as a path", () => {
  assert.deepEqual(requestTarget("/b/k?x"), { rawPath: "/b/k", rawQuery: "x" });
});

Deno.test("queryOf() gives the same parameters for a raw query seen again, from another target", () => {
  const raw = "X-Amz-Date=20261207T120000Z&a=%2Fx%20y&a=b+c&flag";
  const first = queryOf(requestTarget(`/b/k?${raw}`));
  const again = queryOf(requestTarget(`http://h/b/k?${raw}`));
  assert.ok(first.ok && again.ok);
  assert.equal(again.value, first.value, "decoded once, shared read-only");
  assert.deepEqual([...again.value], [["X-Amz-Date", "20261207T120000Z"], ["a", "/x y"], [
    "a",
    "b c",
  ], ["flag", ""]]);
  assert.deepEqual(again.value.getAll("a"), ["/x y", "b c"]);
});

Deno.test("queryOf() refuses a query that does not decode every time it is seen", () => {
  for (let i = 0; i < 3; i++) {
    const r = queryOf(requestTarget("/b/k?a=%E0%A4"));
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "InvalidURI");
  }
});

Deno.test("queryOf() keeps at most QUERY_CACHE.maxEntries queries, decoding an evicted one again", () => {
  const first = queryOf(requestTarget("/b?evicted=1"));
  for (let i = 0; i < QUERY_CACHE.maxEntries; i++) queryOf(requestTarget(`/b?n=${i}`));
  const again = queryOf(requestTarget("/b?evicted=1"));
  assert.ok(first.ok && again.ok);
  assert.notEqual(again.value, first.value, "decoded afresh");
  assert.deepEqual([...again.value], [...first.value]);
});

Deno.test("queryOf() decodes a query longer than the cache keeps once per target", () => {
  const raw = `long=${"x".repeat(QUERY_CACHE.maxQueryLength)}`;
  const target = requestTarget(`/b?${raw}`);
  const a = queryOf(target);
  const b = queryOf(target);
  const c = queryOf(requestTarget(`/b?${raw}`));
  assert.ok(a.ok && b.ok && c.ok);
  assert.equal(b.value, a.value);
  assert.notEqual(c.value, a.value);
  assert.equal(c.value.get("long")?.length, QUERY_CACHE.maxQueryLength);
});
