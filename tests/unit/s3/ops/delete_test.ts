import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import type { Backend } from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { proxyError } from "../../../../src/errors.ts";
import { err } from "../../../../src/result.ts";
import { deleteObject, deleteObjects, MAX_DELETE_BODY } from "../../../../src/s3/ops/delete.ts";
import {
  type ContextOptions,
  errorOf,
  identityWith,
  NOW,
  okResponse,
  s3Context,
  seed,
  storedText,
} from "./_context.ts";

const RESULT_OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';

function keysBody(keys: readonly string[], quiet?: string): string {
  return `<Delete>${quiet !== undefined ? `<Quiet>${quiet}</Quiet>` : ""}${
    keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")
  }</Delete>`;
}

function many(body: string, options: ContextOptions = {}) {
  return s3Context({ op: "DeleteObjects", method: "POST", query: "delete", body, ...options });
}

/** A memory backend whose delete of `failing` fails with `kind`. */
function failingDelete(failing: string, kind: "BackendError" | "AccessDenied"): Backend {
  const inner = createMemoryBackend({ clock: { now: () => NOW } });
  return {
    ...inner,
    delete: (key) =>
      key === failing
        ? Promise.resolve(err(proxyError(kind, `store said no to ${key}`)))
        : inner.delete(key),
  };
}

Deno.test("deleteObject() answers 204 without a body, for present and absent keys", async () => {
  const ctx = s3Context({ op: "DeleteObject", method: "DELETE", key: "k" });
  await seed(ctx.backend, "k", "x");
  const res = okResponse(await deleteObject(ctx));
  assert.equal(res.status, 204);
  assert.equal(res.body, null);
  assert.equal(await storedText(ctx.backend, "k"), undefined);
  assert.equal(okResponse(await deleteObject(ctx)).status, 204);
});

Deno.test("deleteObject() with If-Match deletes only a matching object: 412, 404, 204", async () => {
  const at = (ifMatch: string, backend?: Backend) =>
    s3Context({ key: "k", headers: { "if-match": ifMatch }, ...(backend ? { backend } : {}) });
  const ctx = at('"0000"');
  const stored = await seed(ctx.backend, "k", "x");
  errorOf(await deleteObject(ctx), "PreconditionFailed");
  assert.equal(await storedText(ctx.backend, "k"), "x");
  assert.equal(okResponse(await deleteObject(at(stored.etag, ctx.backend))).status, 204);
  assert.equal(await storedText(ctx.backend, "k"), undefined);
  errorOf(await deleteObject(at(stored.etag, ctx.backend)), "NoSuchKey");
  errorOf(await deleteObject(at("*", ctx.backend)), "NoSuchKey");
});

Deno.test("deleteObject() with If-Match also needs get_object on the key, as on AWS", async () => {
  const deleter = identityWith([{ bucket: "*", prefixes: [], actions: ["delete_object"] }]);
  const ctx = s3Context({ key: "k", headers: { "if-match": "*" }, identity: deleter });
  await seed(ctx.backend, "k", "x");
  errorOf(await deleteObject(ctx), "AccessDenied");
  assert.equal(await storedText(ctx.backend, "k"), "x");
  const plain = s3Context({ key: "k", identity: deleter, backend: ctx.backend });
  assert.equal(okResponse(await deleteObject(plain)).status, 204);
});

Deno.test("deleteObject() refuses a versionId other than null and keeps the object", async () => {
  const ctx = s3Context({ key: "k", query: { versionId: "abc" } });
  await seed(ctx.backend, "k", "x");
  errorOf(await deleteObject(ctx), "NotImplemented");
  assert.equal(await storedText(ctx.backend, "k"), "x");
  const nullVersion = s3Context({ key: "k", query: { versionId: "null" }, backend: ctx.backend });
  assert.equal(okResponse(await deleteObject(nullVersion)).status, 204);
});

Deno.test("deleteObject() passes a store's failure on", async () => {
  const ctx = s3Context({ key: "k", backend: failingDelete("k", "BackendError") });
  errorOf(await deleteObject(ctx), "BackendError");
});

Deno.test("deleteObjects() reports every key Deleted, present or not, escaped", async () => {
  const ctx = many(keysBody(["a", "absent", "x&amp;y"]));
  await seed(ctx.backend, "a", "1");
  await seed(ctx.backend, "x&y", "2");
  const res = okResponse(await deleteObjects(ctx));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/xml");
  assert.equal(
    await res.text(),
    RESULT_OPEN + "<Deleted><Key>a</Key></Deleted><Deleted><Key>absent</Key></Deleted>" +
      "<Deleted><Key>x&amp;y</Key></Deleted></DeleteResult>",
  );
  assert.equal(await storedText(ctx.backend, "a"), undefined);
  assert.equal(await storedText(ctx.backend, "x&y"), undefined);
});

Deno.test("deleteObjects() in quiet mode lists only the errors", async () => {
  const identity = identityWith([{ bucket: "bkt", prefixes: ["ok/"], actions: ["delete_object"] }]);
  const ctx = many(keysBody(["ok/1", "no/2"], " TRUE "), { identity });
  await seed(ctx.backend, "no/2", "kept");
  const res = okResponse(await deleteObjects(ctx));
  assert.equal(
    await res.text(),
    RESULT_OPEN +
      "<Error><Key>no/2</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>" +
      "</DeleteResult>",
  );
  assert.equal(await storedText(ctx.backend, "no/2"), "kept");
});

Deno.test("deleteObjects() with Quiet other than true lists the deleted keys", async () => {
  const res = okResponse(await deleteObjects(many(keysBody(["a"], "false"))));
  assert.equal(await res.text(), RESULT_OPEN + "<Deleted><Key>a</Key></Deleted></DeleteResult>");
});

Deno.test("deleteObjects() reports a store failure per key with a generic 5xx message", async () => {
  const ctx = many(keysBody(["a", "b"]), { backend: failingDelete("b", "BackendError") });
  const res = okResponse(await deleteObjects(ctx));
  assert.equal(
    await res.text(),
    RESULT_OPEN + "<Deleted><Key>a</Key></Deleted><Error><Key>b</Key>" +
      "<Code>ServiceUnavailable</Code><Message>We encountered an internal error. Please try again.</Message>" +
      "</Error></DeleteResult>",
  );
});

Deno.test("deleteObjects() reports a 4xx store failure per key with its message", async () => {
  const ctx = many(keysBody(["b"]), { backend: failingDelete("b", "AccessDenied") });
  const res = okResponse(await deleteObjects(ctx));
  assert.equal(
    await res.text(),
    RESULT_OPEN +
      "<Error><Key>b</Key><Code>AccessDenied</Code><Message>store said no to b</Message></Error>" +
      "</DeleteResult>",
  );
});

Deno.test("deleteObjects() verifies a Content-MD5 and deletes nothing on a mismatch", async () => {
  const body = keysBody(["a"]);
  const wrong = many(body, { headers: { "content-md5": "kAFQmDzST7DWlj99KOF/cg==" } });
  await seed(wrong.backend, "a", "1");
  errorOf(await deleteObjects(wrong), "BadDigest");
  assert.equal(await storedText(wrong.backend, "a"), "1");
  const md5 = createHash("md5").update(body).digest("base64");
  const right = many(body, { backend: wrong.backend, headers: { "content-md5": md5 } });
  await okResponse(await deleteObjects(right)).body?.cancel();
  assert.equal(await storedText(wrong.backend, "a"), undefined);
});

Deno.test("deleteObjects() refuses a malformed Content-MD5 as InvalidDigest", async () => {
  errorOf(
    await deleteObjects(many(keysBody(["a"]), { headers: { "content-md5": "short" } })),
    "InvalidDigest",
  );
});

Deno.test("deleteObjects() refuses a body over its limit as MalformedXml", async () => {
  const ctx = many("<Delete>" + " ".repeat(MAX_DELETE_BODY) + "</Delete>");
  const e = errorOf(await deleteObjects(ctx), "MalformedXml");
  assert.equal(e.message, `The Delete request body is larger than ${MAX_DELETE_BODY} bytes`);
});

Deno.test("deleteObjects() refuses an empty body as MalformedXml", async () => {
  errorOf(await deleteObjects(many("")), "MalformedXml");
  errorOf(await deleteObjects(s3Context({ body: null })), "MalformedXml");
});

/** A Delete body of objects, each with its ETag when given. */
const taggedBody = (objects: readonly (readonly [string, string?])[]) =>
  `<Delete>${
    objects.map(([k, e]) =>
      `<Object><Key>${k}</Key>${e !== undefined ? `<ETag>${e}</ETag>` : ""}</Object>`
    ).join("")
  }</Delete>`;

Deno.test("deleteObjects() with an object's ETag deletes it only if it matches: PreconditionFailed, NoSuchKey, Deleted", async () => {
  const ctx = many(taggedBody([["a", '"0000"'], ["b"], ["gone", "*"], ["c", "ETAG_C"]]));
  await seed(ctx.backend, "a", "1");
  await seed(ctx.backend, "b", "2");
  const c = await seed(ctx.backend, "c", "3");
  const body = taggedBody([["a", '"0000"'], ["b"], ["gone", "*"], [
    "c",
    c.etag.replaceAll('"', ""),
  ]]);
  const res = okResponse(await deleteObjects(many(body, { backend: ctx.backend })));
  const text = await res.text();
  assert.match(
    text,
    /<Error><Key>a<\/Key><Code>PreconditionFailed<\/Code><Message>[^<]+<\/Message><\/Error>/,
  );
  assert.match(text, /<Deleted><Key>b<\/Key><\/Deleted>/);
  assert.match(text, /<Error><Key>gone<\/Key><Code>NoSuchKey<\/Code>/);
  assert.match(text, /<Deleted><Key>c<\/Key><\/Deleted>/);
  assert.equal(await storedText(ctx.backend, "a"), "1");
  assert.equal(await storedText(ctx.backend, "b"), undefined);
  assert.equal(await storedText(ctx.backend, "c"), undefined);
});

Deno.test("deleteObjects() with an object's ETag also needs get_object on its key, as on AWS", async () => {
  const identity = identityWith([{ bucket: "*", prefixes: [], actions: ["delete_object"] }]);
  const ctx = many(taggedBody([["a", "*"], ["b"]]), { identity });
  await seed(ctx.backend, "a", "1");
  await seed(ctx.backend, "b", "2");
  const text = await okResponse(await deleteObjects(ctx)).text();
  assert.match(text, /<Error><Key>a<\/Key><Code>AccessDenied<\/Code>/);
  assert.match(text, /<Deleted><Key>b<\/Key><\/Deleted>/);
  assert.equal(await storedText(ctx.backend, "a"), "1");
});

Deno.test("deleteObjects() refuses an empty ETag as MalformedXml and deletes nothing", async () => {
  const ctx = many(taggedBody([["a", ""]]));
  await seed(ctx.backend, "a", "1");
  errorOf(await deleteObjects(ctx), "MalformedXml");
  assert.equal(await storedText(ctx.backend, "a"), "1");
});
