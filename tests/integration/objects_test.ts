/** In-process tests of the whole handler over memory backends: object operations. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { presignQuery } from "../_support/signer.ts";
import {
  ADMIN,
  DISABLED,
  errorCode,
  EXPIRED,
  harness,
  makeRequest,
  NOW,
  READER,
  SCOPED,
  send,
} from "./_harness.ts";

const md5b64 = (s: string) => createHash("md5").update(s).digest("base64");
const md5hex = (s: string) => createHash("md5").update(s).digest("hex");

Deno.test("PutObject then GetObject round-trips bytes and metadata", async () => {
  const h = harness();
  const put = await send(h, "/private/dir/a.txt", {
    method: "PUT",
    key: ADMIN,
    body: "hello world",
    headers: {
      "content-type": "text/plain",
      "x-amz-meta-color": "blue",
      "cache-control": "max-age=60",
      "content-disposition": "inline",
    },
  });
  assert.equal(put.status, 200);
  assert.equal(put.headers.get("etag"), `"${md5hex("hello world")}"`);
  await put.body?.cancel();
  const get = await send(h, "/private/dir/a.txt", { key: ADMIN });
  assert.equal(get.status, 200);
  assert.equal(await get.text(), "hello world");
  assert.equal(get.headers.get("content-type"), "text/plain");
  assert.equal(get.headers.get("x-amz-meta-color"), "blue");
  assert.equal(get.headers.get("cache-control"), "max-age=60");
  assert.equal(get.headers.get("content-disposition"), "inline");
  assert.equal(get.headers.get("content-length"), "11");
  assert.equal(get.headers.get("accept-ranges"), "bytes");
  assert.ok(get.headers.get("last-modified"));
});

Deno.test("GetObject serves a Range with 206 and Content-Range; HEAD too", async () => {
  const h = harness();
  (await send(h, "/private/r", { method: "PUT", key: ADMIN, body: "0123456789" })).body?.cancel();
  const get = await send(h, "/private/r", { key: ADMIN, headers: { range: "bytes=2-5" } });
  assert.equal(get.status, 206);
  assert.equal(get.headers.get("content-range"), "bytes 2-5/10");
  assert.equal(await get.text(), "2345");
  const suffix = await send(h, "/private/r", { key: ADMIN, headers: { range: "bytes=-3" } });
  assert.equal(await suffix.text(), "789");
  const head = await send(h, "/private/r", {
    method: "HEAD",
    key: ADMIN,
    headers: { range: "bytes=0-0" },
  });
  assert.equal(head.status, 206);
  assert.equal(head.headers.get("content-length"), "1");
  assert.equal(head.body, null);
});

Deno.test("GetObject answers an unsatisfiable Range with 416 InvalidRange", async () => {
  const h = harness();
  (await send(h, "/private/r", { method: "PUT", key: ADMIN, body: "abc" })).body?.cancel();
  const res = await send(h, "/private/r", { key: ADMIN, headers: { range: "bytes=10-20" } });
  assert.equal(res.status, 416);
  assert.equal(await errorCode(res), "InvalidRange");
});

Deno.test("conditional GET: If-None-Match gives 304 without a body, If-Match mismatch 412", async () => {
  const h = harness();
  const put = await send(h, "/private/c", { method: "PUT", key: ADMIN, body: "abc" });
  const etag = put.headers.get("etag")!;
  const notModified = await send(h, "/private/c", {
    key: ADMIN,
    headers: { "if-none-match": etag },
  });
  assert.equal(notModified.status, 304);
  assert.equal(await notModified.text(), "");
  const failed = await send(h, "/private/c", { key: ADMIN, headers: { "if-match": '"nope"' } });
  assert.equal(failed.status, 412);
  assert.equal(await errorCode(failed), "PreconditionFailed");
  const since = await send(h, "/private/c", {
    key: ADMIN,
    headers: { "if-modified-since": new Date(NOW + 3600_000).toUTCString() },
  });
  assert.equal(since.status, 304);
  await since.body?.cancel();
});

Deno.test("304 and 412 answers carry the object's ETag and Last-Modified, on GET and HEAD", async () => {
  const h = harness();
  const put = await send(h, "/private/v", { method: "PUT", key: ADMIN, body: "abc" });
  await put.body?.cancel();
  const etag = put.headers.get("etag")!;
  const head = await send(h, "/private/v", { method: "HEAD", key: ADMIN });
  const lastModified = head.headers.get("last-modified")!;
  for (const method of ["GET", "HEAD"]) {
    for (const headers of [{ "if-none-match": etag }, { "if-match": '"nope"' }]) {
      const res = await send(h, "/private/v", { method, key: ADMIN, headers });
      await res.body?.cancel();
      assert.ok(res.status === 304 || res.status === 412, `${method} ${res.status}`);
      assert.equal(res.headers.get("etag"), etag, `${method} ${JSON.stringify(headers)}`);
      assert.equal(res.headers.get("last-modified"), lastModified);
    }
  }
});

Deno.test("conditional PUT: If-None-Match: * refuses to overwrite with 412", async () => {
  const h = harness();
  (await send(h, "/private/once", { method: "PUT", key: ADMIN, body: "1" })).body?.cancel();
  const res = await send(h, "/private/once", {
    method: "PUT",
    key: ADMIN,
    body: "2",
    headers: { "if-none-match": "*" },
  });
  assert.equal(res.status, 412);
  await res.body?.cancel();
  assert.equal(await (await send(h, "/private/once", { key: ADMIN })).text(), "1");
});

Deno.test("response-* overrides apply to signed GETs and are refused for anonymous ones", async () => {
  const h = harness();
  (await send(h, "/public/o", { method: "PUT", key: ADMIN, body: "x" })).body?.cancel();
  const signed = await send(h, "/public/o?response-content-type=text%2Fcsv", { key: ADMIN });
  assert.equal(signed.headers.get("content-type"), "text/csv");
  await signed.body?.cancel();
  const anon = await send(h, "/public/o?response-content-type=text%2Fcsv");
  assert.equal(anon.status, 400);
  assert.equal(await errorCode(anon), "InvalidRequest");
});

Deno.test("Content-MD5 mismatch is BadDigest and stores nothing", async () => {
  const h = harness();
  const res = await send(h, "/private/md5", {
    method: "PUT",
    key: ADMIN,
    body: "payload",
    headers: { "content-md5": md5b64("other") },
  });
  assert.equal(res.status, 400);
  assert.equal(await errorCode(res), "BadDigest");
  const head = await h.raw.get("private")!.head("md5");
  assert.equal(head.ok, false);
  const good = await send(h, "/private/md5", {
    method: "PUT",
    key: ADMIN,
    body: "payload",
    headers: { "content-md5": md5b64("payload") },
  });
  assert.equal(good.status, 200);
  await good.body?.cancel();
});

Deno.test("a body that does not match x-amz-content-sha256 is refused and not stored", async () => {
  const h = harness();
  const req = await makeRequest("/private/sha", { method: "PUT", key: ADMIN, body: "signed" });
  const tampered = new Request(req.url, { method: "PUT", headers: req.headers, body: "tamper" });
  const res = await h.handle(tampered);
  assert.equal(res.status, 400);
  assert.equal(await errorCode(res), "XAmzContentSHA256Mismatch");
  assert.equal((await h.raw.get("private")!.head("sha")).ok, false);
});

Deno.test("HEAD of a missing key is 404 with no body", async () => {
  const h = harness();
  const res = await send(h, "/private/missing", { method: "HEAD", key: ADMIN });
  assert.equal(res.status, 404);
  assert.equal(res.body, null);
  const get = await send(h, "/private/missing", { key: ADMIN });
  assert.equal(await errorCode(get), "NoSuchKey");
});

Deno.test("anonymous callers read public buckets only and never write", async () => {
  const h = harness();
  (await send(h, "/public/p", { method: "PUT", key: ADMIN, body: "pub" })).body?.cancel();
  (await send(h, "/private/p", { method: "PUT", key: ADMIN, body: "priv" })).body?.cancel();
  assert.equal(await (await send(h, "/public/p")).text(), "pub");
  const denied = await send(h, "/private/p");
  assert.equal(denied.status, 403);
  assert.equal(await errorCode(denied), "AccessDenied");
  const write = await send(h, "/public/new", { method: "PUT", body: "x" });
  assert.equal(write.status, 403);
  await write.body?.cancel();
  assert.equal((await h.raw.get("public")!.head("new")).ok, false);
});

Deno.test("a read-only key cannot write; a scoped prefix `data` excludes data-private/", async () => {
  const h = harness();
  const write = await send(h, "/private/x", { method: "PUT", key: READER, body: "x" });
  assert.equal(write.status, 403);
  assert.equal(await errorCode(write), "AccessDenied");
  const inside = await send(h, "/private/data/x", { method: "PUT", key: SCOPED, body: "x" });
  assert.equal(inside.status, 200);
  await inside.body?.cancel();
  const exact = await send(h, "/private/data", { method: "PUT", key: SCOPED, body: "x" });
  assert.equal(exact.status, 200);
  await exact.body?.cancel();
  const sibling = await send(h, "/private/data-private/x", {
    method: "PUT",
    key: SCOPED,
    body: "x",
  });
  assert.equal(sibling.status, 403);
  await sibling.body?.cancel();
  const otherBucket = await send(h, "/public/data/x", { method: "PUT", key: SCOPED, body: "x" });
  assert.equal(otherBucket.status, 403);
  await otherBucket.body?.cancel();
});

Deno.test("authentication errors carry S3's precise codes", async () => {
  const h = harness();
  const cases: [string, Request, number, string][] = [
    [
      "unknown key",
      await makeRequest("/private/a", { key: { id: "AKIDUNKNOWN00000000", secret: "x" } }),
      403,
      "InvalidAccessKeyId",
    ],
    [
      "wrong secret",
      await makeRequest("/private/a", { key: { id: ADMIN.id, secret: "wrong-secret" } }),
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "skewed clock",
      await makeRequest("/private/a", { key: ADMIN, signedAt: NOW - 16 * 60_000 }),
      403,
      "RequestTimeTooSkewed",
    ],
    ["disabled key", await makeRequest("/private/a", { key: DISABLED }), 403, "AccessDenied"],
    ["expired key", await makeRequest("/private/a", { key: EXPIRED }), 403, "ExpiredToken"],
    [
      "malformed header",
      new Request("http://gateway.test/private/a", {
        headers: { authorization: "AWS4-HMAC-SHA256 Credential=garbage" },
      }),
      400,
      "AuthorizationHeaderMalformed",
    ],
  ];
  for (const [name, req, status, code] of cases) {
    const res = await h.handle(req);
    assert.equal(res.status, status, name);
    assert.equal(await errorCode(res), code, name);
  }
});

Deno.test("error responses carry the same RequestId in the header and the XML", async () => {
  const h = harness();
  const res = await send(h, "/nosuchbucket/x", { key: ADMIN });
  assert.equal(res.status, 404);
  const id = res.headers.get("x-amz-request-id");
  const text = await res.text();
  assert.ok(id);
  assert.match(text, new RegExp(`<RequestId>${id}</RequestId>`));
  assert.match(text, /<Code>NoSuchBucket<\/Code>/);
  assert.equal(h.logs.at(-1)?.requestId, id);
});

Deno.test("unsupported subresources are 501 NotImplemented; unknown methods 405", async () => {
  const h = harness();
  const acl = await send(h, "/private/a?acl", { key: ADMIN });
  assert.equal(acl.status, 501);
  assert.equal(await errorCode(acl), "NotImplemented");
  const patch = await send(h, "/private/a", { method: "PATCH", key: ADMIN });
  assert.equal(patch.status, 405);
  assert.equal(await errorCode(patch), "MethodNotAllowed");
});

Deno.test("a declared Content-Length over max_body_bytes is EntityTooLarge", async () => {
  const h = harness();
  const big = new Uint8Array(10 * 1024 * 1024 + 1);
  const res = await send(h, "/private/big", {
    method: "PUT",
    key: ADMIN,
    body: big,
    unsignedPayload: true,
  });
  assert.equal(res.status, 400);
  assert.equal(await errorCode(res), "EntityTooLarge");
});

Deno.test("keys with spaces, unicode, +, %, * and ~ round-trip", async () => {
  const h = harness();
  for (const key of ["a b", "é/ü 😀", "a+b", "100%", "x*y~z", "q?x=1&y"]) {
    const path = "/private/" + key.split("/").map(encodeURIComponent).join("/");
    const put = await send(h, path, { method: "PUT", key: ADMIN, body: key });
    assert.equal(put.status, 200, key);
    await put.body?.cancel();
    assert.equal(await (await send(h, path, { key: ADMIN })).text(), key);
    assert.equal((await h.raw.get("private")!.head(key)).ok, true, key);
  }
});

Deno.test("presigned GET URLs verify and expire", async () => {
  const h = harness();
  (await send(h, "/private/pre", { method: "PUT", key: ADMIN, body: "presigned" })).body?.cancel();
  const qs = await presignQuery(ADMIN, "http://gateway.test/private/pre", {
    signedAt: NOW,
    expiresIn: 60,
  });
  const ok = await h.handle(
    new Request(`http://gateway.test/private/pre?${qs}`, { headers: { host: "gateway.test" } }),
  );
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(await ok.text(), "presigned");
  h.clock.set(NOW + 120_000);
  const late = await h.handle(
    new Request(`http://gateway.test/private/pre?${qs}`, { headers: { host: "gateway.test" } }),
  );
  assert.equal(late.status, 403);
  assert.match(await late.text(), /expired/);
});

Deno.test("a presigned URL with X-Amz-Expires of zero or less has expired: 403 for every method, object untouched", async () => {
  const h = harness();
  (await send(h, "/private/kept", { method: "PUT", key: ADMIN, body: "kept" })).body?.cancel();
  for (const expiresIn of [0, -1000]) {
    for (const method of ["PUT", "GET", "HEAD", "DELETE"]) {
      const qs = await presignQuery(ADMIN, "http://gateway.test/private/kept", {
        method,
        signedAt: NOW,
        expiresIn,
      });
      assert.match(qs, new RegExp(`X-Amz-Expires=${expiresIn}(&|$)`));
      const res = await h.handle(
        new Request(`http://gateway.test/private/kept?${qs}`, {
          method,
          headers: { host: "gateway.test", ...(method === "PUT" ? { "content-length": "3" } : {}) },
          ...(method === "PUT" ? { body: "new" } : {}),
        }),
      );
      assert.equal(res.status, 403, `${method} ${expiresIn}`);
      if (method !== "HEAD") {
        assert.match(await res.text(), /<Code>AccessDenied<\/Code>.*Request has expired/s);
      }
    }
  }
  assert.equal(await (await send(h, "/private/kept", { key: ADMIN })).text(), "kept");
});

Deno.test("X-Amz-Expires over seven days or not an integer is 400 AuthorizationQueryParametersError", async () => {
  const h = harness();
  const qs = await presignQuery(ADMIN, "http://gateway.test/private/k", {
    signedAt: NOW,
    expiresIn: 60,
  });
  for (const bad of ["604801", "1.5", "6e1", "", "+60"]) {
    const res = await h.handle(
      new Request(
        `http://gateway.test/private/k?${qs.replace("X-Amz-Expires=60", `X-Amz-Expires=${bad}`)}`,
      ),
    );
    assert.equal(res.status, 400, bad);
    assert.match(await res.text(), /<Code>AuthorizationQueryParametersError<\/Code>/, bad);
  }
});
