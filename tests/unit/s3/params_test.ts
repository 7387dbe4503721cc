/** The S3 parameter helpers' formats: listing times equal Date.toISOString() everywhere. */
import assert from "node:assert/strict";
import { isoTime, partParams, uploadParam } from "../../../src/s3/params.ts";
import { queryOf, requestTarget } from "../../../src/http/target.ts";

Deno.test("isoTime() equals Date.toISOString() across years, months, leap days and milliseconds", () => {
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647);
  const edges = [
    0,
    Date.UTC(1000, 0, 1),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(2024, 1, 29, 12, 0, 0, 5),
    Date.UTC(2026, 10, 28, 9, 7, 3, 40),
    Date.UTC(999, 11, 31, 23, 59, 59, 999), // three-digit year: toISOString's own text
    Date.UTC(10000, 0, 1), // +010000
    -1,
  ];
  const random = Array.from({ length: 5000 }, () => (next() * 2147483647 + next()) % 2.5e14);
  for (const t of [...edges, ...random]) {
    const d = new Date(t);
    assert.equal(isoTime(d), d.toISOString(), `at ${t}`);
  }
});

function reqOf(url: string) {
  const q = queryOf(requestTarget(url));
  if (!q.ok) throw new Error(q.error.message);
  return { key: "k", query: q.value };
}

Deno.test("uploadParam() names the upload on the key, and wants an uploadId", () => {
  assert.deepEqual(uploadParam(reqOf("http://h/b/k?uploadId=u1")), {
    ok: true,
    value: { key: "k", uploadId: "u1" },
  });
  for (const url of ["http://h/b/k", "http://h/b/k?uploadId="]) {
    const r = uploadParam(reqOf(url));
    assert.ok(!r.ok && r.error.kind === "InvalidArgument", url);
  }
});

Deno.test("partParams() is the upload and a part number from 1 to 10000", () => {
  const r = partParams(reqOf("http://h/b/k?uploadId=u1&partNumber=3"));
  assert.ok(r.ok);
  assert.deepEqual(r.value, { upload: { key: "k", uploadId: "u1" }, partNumber: 3 });
  for (const url of ["http://h/b/k?partNumber=3", "http://h/b/k?uploadId=u&partNumber=0"]) {
    assert.ok(!partParams(reqOf(url)).ok, url);
  }
});
