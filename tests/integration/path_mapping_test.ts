/** In-process tests of path-mapped namespaces (`path_mapping:`) over memory backends. */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ADMIN, errorCode, harness, makeRequest, NOW, READER, send } from "./_harness.ts";
import { LIMITED, mappedConfig, seeded, store, tags } from "./_mapped.ts";

Deno.test("path mapping: GET /acme/data/file.parquet reads file.parquet of acme--data", async () => {
  const h = await seeded();
  const res = await send(h, "/acme/data/file.parquet", { key: ADMIN });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "file.parquet");
  // Logged under the configured name.
  assert.equal(h.logs.at(-1)!.bucket, "acme--data");
  assert.equal(h.logs.at(-1)!.key, "file.parquet");
  // Anonymous on the public mapped bucket, and by virtual-hosted style.
  assert.equal((await send(h, "/acme/data/sub/a.txt")).status, 200);
  const vhost = harness(mappedConfig({ domain: "s3.test" }));
  await store(vhost, "acme--data", "file.parquet");
  const v = await send(vhost, "/data/file.parquet", { key: ADMIN, base: "http://acme.s3.test" });
  assert.equal(v.status, 200);
  assert.equal(await v.text(), "file.parquet");
});

Deno.test("path mapping: PUT writes into the configured bucket; an unmapped pair is 404 NoSuchBucket", async () => {
  const h = await seeded();
  const put = await send(h, "/acme/logs/new.txt", { method: "PUT", key: ADMIN, body: "hi" });
  assert.equal(put.status, 200);
  assert.ok((await h.raw.get("acme--logs")!.head("new.txt")).ok);
  const unknown = await send(h, "/acme/unknown/x", { method: "PUT", key: ADMIN, body: "x" });
  assert.equal(unknown.status, 404);
  assert.equal(await errorCode(unknown), "NoSuchBucket");
  const noAccount = await send(h, "/nobody?list-type=2", { key: ADMIN });
  assert.equal(noAccount.status, 404);
  assert.equal(await errorCode(noAccount), "NoSuchBucket");
  // The configured name itself is not a display bucket.
  assert.equal((await send(h, "/acme--data/file.parquet", { key: ADMIN })).status, 404);
});

Deno.test("path mapping: /acme/data is a bucket-level request on acme--data", async () => {
  const h = await seeded();
  assert.equal((await send(h, "/acme/data/", { method: "HEAD", key: ADMIN })).status, 200);
  assert.equal((await send(h, "/acme/nope/", { method: "HEAD", key: ADMIN })).status, 404);
  // HEAD /acme/data asks for the object `data` (rclone does before listing data/): none.
  assert.equal((await send(h, "/acme/data", { method: "HEAD", key: ADMIN })).status, 404);
  const list = await (await send(h, "/acme/data?list-type=2&prefix=sub/", { key: ADMIN })).text();
  assert.deepEqual(tags(list, "Name"), ["acme"]);
  assert.deepEqual(tags(list, "Key"), ["data/sub/a.txt", "data/sub/b.txt"]);
  assert.equal(h.logs.at(-1)!.bucket, "acme--data");
});

Deno.test("path mapping: /acme?list-type=2&prefix=data/sub/ lists acme--data under sub/", async () => {
  const h = await seeded();
  const xml =
    await (await send(h, "/acme?list-type=2&prefix=data/sub/&delimiter=/", { key: ADMIN }))
      .text();
  assert.deepEqual(tags(xml, "Name"), ["acme"]);
  assert.deepEqual(tags(xml, "Prefix"), ["data/sub/"]);
  assert.deepEqual(tags(xml, "Key"), ["data/sub/a.txt", "data/sub/b.txt"]);
  assert.equal(h.logs.at(-1)!.bucket, "acme--data");
  const top = await (await send(h, "/acme?list-type=2&prefix=data/&delimiter=/", { key: ADMIN }))
    .text();
  assert.deepEqual(tags(top, "Key"), ["data/file.parquet"]);
  assert.deepEqual(tags(top, "Prefix").slice(1), ["data/sub/"]);
});

Deno.test("path mapping: /acme?delimiter=/ lists the mapped buckets the caller may see", async () => {
  const h = await seeded();
  const all = await (await send(h, "/acme?list-type=2&delimiter=/", { key: ADMIN })).text();
  assert.deepEqual(tags(all, "Prefix").slice(1), ["data/", "logs/", "zeta/"]);
  assert.deepEqual(tags(all, "Key"), []);
  const limited = await (await send(h, "/acme?delimiter=/", { key: LIMITED })).text();
  assert.deepEqual(tags(limited, "Prefix").slice(1), ["data/", "logs/"]);
  const anonymous = await (await send(h, "/acme?delimiter=/")).text();
  assert.deepEqual(tags(anonymous, "Prefix").slice(1), ["data/"]);
});

Deno.test("path mapping: an account listing without a delimiter spans the buckets in key order, page by page", async () => {
  const h = await seeded();
  const all = [
    "data/file.parquet",
    "data/sub/a.txt",
    "data/sub/b.txt",
    "logs/2026/01.log",
    "logs/2026/02.log",
    "zeta/z.bin",
  ];
  const one = await (await send(h, "/acme?list-type=2", { key: ADMIN })).text();
  assert.deepEqual(tags(one, "Key"), all);
  // Two keys a page: the tokens cross from one bucket to the next.
  const seen: string[] = [];
  let token: string | undefined;
  for (let round = 0; round < 10; round++) {
    const q = `/acme?list-type=2&max-keys=2${
      token ? `&continuation-token=${encodeURIComponent(token)}` : ""
    }`;
    const xml = await (await send(h, q, { key: ADMIN })).text();
    seen.push(...tags(xml, "Key"));
    token = tags(xml, "NextContinuationToken")[0];
    if (!token) break;
  }
  assert.deepEqual(seen, all);
  // start-after across buckets, and V1 markers.
  const after =
    await (await send(h, "/acme?list-type=2&start-after=data/sub/b.txt", { key: ADMIN }))
      .text();
  assert.deepEqual(tags(after, "Key"), all.slice(3));
  assert.deepEqual(tags(after, "StartAfter"), ["data/sub/b.txt"]);
  const v1 = await (await send(h, "/acme?marker=logs/2026/01.log", { key: ADMIN })).text();
  assert.deepEqual(tags(v1, "Key"), all.slice(4));
  // A caller who may list the public bucket and one other sees only those.
  const limited = await (await send(h, "/acme?list-type=2", { key: LIMITED })).text();
  assert.deepEqual(tags(limited, "Key"), all.slice(0, 5));
  // One who may list none is refused.
  const other = await send(h, "/other?list-type=2", { key: LIMITED });
  assert.equal(other.status, 403);
});

Deno.test("path mapping: ListBuckets shows the display buckets", async () => {
  const h = await seeded();
  assert.deepEqual(tags(await (await send(h, "/", { key: ADMIN })).text(), "Name"), [
    "acme",
    "other",
  ]);
  assert.deepEqual(tags(await (await send(h, "/", { key: LIMITED })).text(), "Name"), ["acme"]);
});

Deno.test("path mapping: x-amz-copy-source is mapped the same way", async () => {
  const h = await seeded();
  const res = await send(h, "/acme/logs/copied.parquet", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/acme/data/file.parquet" },
  });
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
  const got = await h.raw.get("acme--logs")!.get("copied.parquet");
  assert.ok(got.ok);
  const missing = await send(h, "/acme/logs/x", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "acme/unknown/file.parquet" },
  });
  assert.equal(missing.status, 404);
});

Deno.test("path mapping: scopes name the configured bucket", async () => {
  const h = await seeded();
  assert.equal((await send(h, "/acme/logs/2026/01.log", { key: LIMITED })).status, 200);
  assert.equal((await send(h, "/acme/zeta/z.bin", { key: LIMITED })).status, 403);
  assert.equal((await send(h, "/acme/zeta/z.bin", { key: READER })).status, 200);
});

Deno.test("path mapping: signatures hold over the path and query the client sent", async () => {
  const h = await seeded();
  // Signed as sent (prefix=data/sub/); served after mapping (prefix=sub/ of acme--data).
  const req = await makeRequest("/acme?list-type=2&prefix=data%2Fsub%2F", { key: ADMIN });
  const res = await h.handle(req);
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(tags(await res.text(), "Key"), ["data/sub/a.txt", "data/sub/b.txt"]);
  const get = await h.handle(await makeRequest("/acme/data/sub/a.txt", { key: ADMIN }));
  assert.equal(get.status, 200);
  await get.body?.cancel();
  // A signature over the mapped target does not hold.
  const mappedTarget = await makeRequest("/acme--data/sub/a.txt", { key: ADMIN });
  const forged = new Request("http://gateway.test/acme/data/sub/a.txt", {
    headers: mappedTarget.headers,
  });
  const refused = await h.handle(forged);
  assert.equal(refused.status, 403);
  assert.equal(await errorCode(refused), "SignatureDoesNotMatch");
});

/** A SigV2 presigned GET URL over `resource` (the path as the client names it), for `url`. */
function presignV2(base: string, path: string, resource: string): string {
  const expires = NOW / 1000 + 600;
  const signature = createHmac("sha1", ADMIN.secret)
    .update(`GET\n\n\n${expires}\n${resource}`, "utf8").digest("base64");
  return `${base}${path}?AWSAccessKeyId=${ADMIN.id}&Expires=${expires}&Signature=${
    encodeURIComponent(signature)
  }`;
}

Deno.test("path mapping: SigV2 is verified over the resource the client named, path and virtual-hosted", async () => {
  const h = harness(mappedConfig({ domain: "s3.test" }));
  await store(h, "acme--logs", "k.txt");
  const path = await h.handle(
    new Request(presignV2("http://gateway.test", "/acme/logs/k.txt", "/acme/logs/k.txt")),
  );
  assert.equal(path.status, 200, await path.clone().text());
  assert.equal(await path.text(), "k.txt");
  const vhost = await h.handle(
    new Request(presignV2("http://acme.s3.test", "/logs/k.txt", "/acme/logs/k.txt"), {
      headers: { host: "acme.s3.test" },
    }),
  );
  assert.equal(vhost.status, 200, await vhost.clone().text());
  await vhost.body?.cancel();
  // Signed over the mapped resource instead: refused.
  const mapped = await h.handle(
    new Request(presignV2("http://gateway.test", "/acme/logs/k.txt", "/acme--logs/k.txt")),
  );
  assert.equal(mapped.status, 403);
  assert.equal(await errorCode(mapped), "SignatureDoesNotMatch");
});

Deno.test("path mapping: multipart answers name the display bucket and key", async () => {
  const h = await seeded();
  const init = await (await send(h, "/acme/logs/mp.bin?uploads", { method: "POST", key: ADMIN }))
    .text();
  assert.deepEqual(tags(init, "Bucket"), ["acme"]);
  assert.deepEqual(tags(init, "Key"), ["logs/mp.bin"]);
  const id = tags(init, "UploadId")[0]!;
  const part = await send(h, `/acme/logs/mp.bin?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    body: "part one",
  });
  assert.equal(part.status, 200);
  const etag = part.headers.get("etag")!;
  const parts = await (await send(h, `/acme/logs/mp.bin?uploadId=${id}`, { key: ADMIN })).text();
  assert.deepEqual(tags(parts, "Key"), ["logs/mp.bin"]);
  const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag>` +
    `</Part></CompleteMultipartUpload>`;
  const done = await (await send(h, `/acme/logs/mp.bin?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body,
  })).text();
  assert.deepEqual(tags(done, "Bucket"), ["acme"]);
  assert.deepEqual(tags(done, "Key"), ["logs/mp.bin"]);
  assert.match(tags(done, "Location")[0]!, /\/acme\/logs\/mp\.bin$/);
  assert.ok((await h.raw.get("acme--logs")!.head("mp.bin")).ok);
  assert.equal(h.logs.at(-1)!.bucket, "acme--logs");
  assert.equal(h.logs.at(-1)!.key, "mp.bin");
});

Deno.test("path mapping: a CORS preflight is answered from the mapped bucket's rules", async () => {
  const app = "https://app.example.com";
  const cors = {
    allowedOrigins: [app],
    allowedMethods: ["GET"],
    allowedHeaders: ["*"],
    exposeHeaders: ["ETag"],
    maxAgeSecs: 60,
  };
  const base = mappedConfig();
  const h = harness({
    ...base,
    buckets: base.buckets.map((b) => (b.name === "acme--data" ? { ...b, cors } : b)),
  });
  const headers = { origin: app, "access-control-request-method": "GET" };
  const data = await send(h, "/acme/data/file.parquet", { method: "OPTIONS", headers });
  assert.equal(data.status, 200, await data.clone().text());
  assert.equal(data.headers.get("access-control-allow-origin"), app);
  const logs = await send(h, "/acme/logs/x", { method: "OPTIONS", headers });
  assert.equal(logs.status, 403);
  await logs.body?.cancel();
});
