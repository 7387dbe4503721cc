/**
 * GetObjectTagging: aws-cli v2 asks for the source's tags before every
 * multipart copy (`aws s3 cp/mv s3://… s3://…` over the multipart threshold).
 * bucketgate keeps no tags, so an object has none, unless a remote store
 * reports some (then a precise 501 instead of a wrong empty set).
 */
import assert from "node:assert/strict";
import type { Backend } from "../../src/backends/backend.ts";
import { ADMIN, errorCode, harness, READER, SCOPED, send } from "./_harness.ts";

Deno.test("GET ?tagging of an object answers an empty TagSet", async () => {
  const h = harness();
  await send(h, "/private/a%20b", { method: "PUT", key: ADMIN, body: "x" });
  await send(h, "/private/empty", { method: "PUT", key: ADMIN, body: "" });
  for (const key of ["a%20b", "empty"]) {
    const res = await send(h, `/private/${key}?tagging`, { key: READER });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal(res.headers.get("content-type"), "application/xml");
    assert.match(
      body,
      /^<\?xml [^>]*\?>\n<Tagging xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"><TagSet\/><\/Tagging>$/,
    );
  }
  assert.equal(h.logs.at(-1)?.operation, "GetObjectTagging");
});

Deno.test("GET ?tagging: NoSuchKey for a missing object, and authorized like GetObject", async () => {
  const h = harness();
  const missing = await send(h, "/private/nope?tagging", { key: ADMIN });
  assert.equal(missing.status, 404);
  assert.equal(await errorCode(missing), "NoSuchKey");
  await send(h, "/private/secret", { method: "PUT", key: ADMIN, body: "x" });
  const anonymous = await send(h, "/private/secret?tagging");
  assert.equal(anonymous.status, 403);
  await anonymous.body?.cancel();
  const outside = await send(h, "/private/secret?tagging", { key: SCOPED });
  assert.equal(outside.status, 403);
  await outside.body?.cancel();
  await send(h, "/public/p", { method: "PUT", key: ADMIN, body: "x" });
  const anonPublic = await send(h, "/public/p?tagging");
  assert.equal(anonPublic.status, 200);
  await anonPublic.body?.cancel();
});

Deno.test("GET ?tagging of an object a remote store reports tags on is a precise 501", async () => {
  const tagged = (b: Backend): Backend => ({
    ...b,
    async get(key, o) {
      const r = await b.get(key, o);
      if (!r.ok) return r;
      const meta = { ...r.value.meta, backendHeaders: { "x-amz-tagging-count": "2" } };
      return { ok: true, value: { ...r.value, meta } };
    },
  });
  const h = harness(undefined, { wrapBackend: tagged });
  await send(h, "/private/t", { method: "PUT", key: ADMIN, body: "x" });
  const res = await send(h, "/private/t?tagging", { key: ADMIN });
  const body = await res.text();
  assert.equal(res.status, 501);
  assert.match(body, /<Code>NotImplemented<\/Code>/);
  assert.match(body, /2 tags/);
});

Deno.test("PUT and DELETE ?tagging stay 501 NotImplemented", async () => {
  const h = harness();
  await send(h, "/private/a", { method: "PUT", key: ADMIN, body: "x" });
  for (const method of ["PUT", "DELETE"]) {
    const res = await send(h, "/private/a?tagging", {
      method,
      key: ADMIN,
      ...(method === "PUT" ? { body: "<Tagging><TagSet/></Tagging>" } : {}),
    });
    assert.equal(res.status, 501, method);
    assert.equal(await errorCode(res), "NotImplemented");
  }
});
