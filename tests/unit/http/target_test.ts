import assert from "node:assert/strict";
import { requestTarget } from "../../../src/http/target.ts";

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
