/**
 * The account level of a path-mapped namespace (`/acme`) beyond listings,
 * through the whole handler over memory backends: DeleteObjects routes each
 * key to its mapped bucket, ListMultipartUploads merges the mapped buckets'
 * uploads, a POST form's key names its mapped bucket; and no answer names a
 * configured bucket (`acme--data`).
 */
import assert from "node:assert/strict";
import { ADMIN, BASE, errorCode, type Harness, NOW, send, testConfig } from "./_harness.ts";
import { LIMITED, limitedKey, seeded, tags } from "./_mapped.ts";
import { formRequest, presignedPost, type PresignedPostOptions } from "../_support/post_form.ts";

/** A DeleteObjects body naming `keys` (each with its ETag when given). */
function deleteXml(keys: readonly (string | [string, string])[], quiet = false): string {
  const objects = keys.map((k) =>
    typeof k === "string"
      ? `<Object><Key>${k}</Key></Object>`
      : `<Object><Key>${k[0]}</Key><ETag>${k[1]}</ETag></Object>`
  );
  return `<Delete>${quiet ? "<Quiet>true</Quiet>" : ""}${objects.join("")}</Delete>`;
}

/** `<Error>` entries of a DeleteResult as `key: code`. */
function errorsOf(xml: string): string[] {
  return [...xml.matchAll(/<Error><Key>([^<]*)<\/Key><Code>([^<]*)<\/Code>/g)].map((m) =>
    `${m[1]}: ${m[2]}`
  );
}

async function exists(h: Harness, bucket: string, key: string): Promise<boolean> {
  return (await h.raw.get(bucket)!.head(key)).ok;
}

Deno.test("path mapping: DeleteObjects on /acme deletes each key in its mapped bucket, answered as sent", async () => {
  const h = await seeded();
  const res = await send(h, "/acme?delete", {
    method: "POST",
    key: ADMIN,
    body: deleteXml(["data/sub/a.txt", "logs/2026/01.log", "unknown/x", "zeta/absent", "data/"]),
  });
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  assert.deepEqual(tags(xml, "Key").filter((_, i) => i < 10).sort(), [
    "data/",
    "data/sub/a.txt",
    "logs/2026/01.log",
    "unknown/x",
    "zeta/absent",
  ]);
  // A key under no mapped bucket: NoSuchBucket, as DeleteObject on it answers.
  assert.deepEqual(errorsOf(xml), ["unknown/x: NoSuchBucket"]);
  assert.doesNotMatch(xml, /acme--/);
  assert.equal(await exists(h, "acme--data", "sub/a.txt"), false);
  assert.equal(await exists(h, "acme--data", "sub/b.txt"), true);
  assert.equal(await exists(h, "acme--logs", "2026/01.log"), false);
  assert.equal(await exists(h, "acme--logs", "2026/02.log"), true);
  // Logged under the display bucket: its keys span buckets; under the one bucket they all name.
  assert.equal(h.logs.at(-1)!.bucket, "acme");
  await send(h, "/acme?delete", {
    method: "POST",
    key: ADMIN,
    body: deleteXml(["data/sub/b.txt"]),
  });
  assert.equal(h.logs.at(-1)!.bucket, "acme--data");
  assert.equal(await exists(h, "acme--data", "sub/b.txt"), false);
});

Deno.test("path mapping: DeleteObjects on /acme authorizes each key on its configured bucket", async () => {
  const h = await seeded();
  // LIMITED may read acme--logs only; READER-like rights do not delete; ADMIN may delete.
  const denied = await (await send(h, "/acme?delete", {
    method: "POST",
    key: LIMITED,
    body: deleteXml(["logs/2026/01.log", "data/file.parquet"]),
  })).text();
  assert.deepEqual(errorsOf(denied), [
    "logs/2026/01.log: AccessDenied",
    "data/file.parquet: AccessDenied",
  ]);
  assert.equal(await exists(h, "acme--logs", "2026/01.log"), true);
  assert.equal(await exists(h, "acme--data", "file.parquet"), true);
  // A policy naming the configured bucket allows exactly its keys.
  const scoped = await seeded({
    credentials: [limitedKey(["delete_object"])],
  });
  const mixed = await (await send(scoped, "/acme?delete", {
    method: "POST",
    key: LIMITED,
    body: deleteXml(["logs/2026/01.log", "data/file.parquet"]),
  })).text();
  assert.deepEqual(errorsOf(mixed), ["data/file.parquet: AccessDenied"]);
  assert.deepEqual(tags(mixed, "Key").slice(0, 1), ["logs/2026/01.log"]);
  assert.equal(await exists(scoped, "acme--logs", "2026/01.log"), false);
});

Deno.test("path mapping: DeleteObjects on /acme keeps quiet mode and <ETag> conditions", async () => {
  const h = await seeded();
  const head = await h.raw.get("acme--logs")!.head("2026/02.log");
  assert.ok(head.ok);
  const quiet = await (await send(h, "/acme?delete", {
    method: "POST",
    key: ADMIN,
    body: deleteXml(
      [["logs/2026/01.log", '"0000"'], ["logs/2026/02.log", head.value.etag], "nobody/x"],
      true,
    ),
  })).text();
  // Quiet: only the failures; the mismatched ETag is kept, the other deleted.
  assert.deepEqual(tags(quiet, "Deleted"), []);
  assert.deepEqual(errorsOf(quiet), [
    "logs/2026/01.log: PreconditionFailed",
    "nobody/x: NoSuchBucket",
  ]);
  assert.equal(await exists(h, "acme--logs", "2026/01.log"), true);
  assert.equal(await exists(h, "acme--logs", "2026/02.log"), false);
  const etag = await h.raw.get("acme--logs")!.head("2026/01.log");
  assert.ok(etag.ok);
  const matched = await (await send(h, "/acme?delete", {
    method: "POST",
    key: ADMIN,
    body: deleteXml([["logs/2026/01.log", etag.value.etag]]),
  })).text();
  assert.deepEqual(tags(matched, "Key"), ["logs/2026/01.log"]);
  assert.equal(await exists(h, "acme--logs", "2026/01.log"), false);
});

/** Starts an upload at `/acme/<key>`; its UploadId. */
async function initiate(h: Harness, key: string): Promise<string> {
  const xml = await (await send(h, `/acme/${key}?uploads`, { method: "POST", key: ADMIN })).text();
  const id = tags(xml, "UploadId")[0];
  assert.ok(id, xml);
  return id;
}

Deno.test("path mapping: ListMultipartUploads on /acme merges the mapped buckets' uploads in key order", async () => {
  const h = await seeded({
    credentials: [...testConfig().credentials, limitedKey(["list_bucket_multipart_uploads"])],
  });
  const ids = {
    "logs/b.bin": await initiate(h, "logs/b.bin"),
    "data/x/1.bin": await initiate(h, "data/x/1.bin"),
    "data/a.bin": await initiate(h, "data/a.bin"),
    "zeta/z.bin": await initiate(h, "zeta/z.bin"),
  };
  const all = await (await send(h, "/acme?uploads", { key: ADMIN })).text();
  assert.deepEqual(tags(all, "Bucket"), ["acme"]);
  assert.deepEqual(tags(all, "Key"), ["data/a.bin", "data/x/1.bin", "logs/b.bin", "zeta/z.bin"]);
  assert.doesNotMatch(all, /acme--/);
  const under = await (await send(h, "/acme?uploads&prefix=data/", { key: ADMIN })).text();
  assert.deepEqual(tags(under, "Key"), ["data/a.bin", "data/x/1.bin"]);
  assert.deepEqual(tags(under, "Prefix"), ["data/"]);
  const top = await (await send(h, "/acme?uploads&delimiter=/", { key: ADMIN })).text();
  assert.deepEqual(tags(top, "Key"), []);
  assert.deepEqual(tags(top, "Prefix").slice(1), ["data/", "logs/", "zeta/"]);
  const inData = await (await send(h, "/acme?uploads&delimiter=/&prefix=data/", { key: ADMIN }))
    .text();
  assert.deepEqual(tags(inData, "Key"), ["data/a.bin"]);
  assert.deepEqual(tags(inData, "Prefix").slice(1), ["data/x/"]);
  // One upload a page: the markers cross from one bucket to the next.
  const seen: string[] = [];
  let marker = "";
  for (let round = 0; round < 10; round++) {
    const xml = await (await send(h, `/acme?uploads&max-uploads=1${marker}`, { key: ADMIN }))
      .text();
    seen.push(...tags(xml, "Key"));
    if (tags(xml, "IsTruncated")[0] !== "true") break;
    const [k, id] = [tags(xml, "NextKeyMarker")[0]!, tags(xml, "NextUploadIdMarker")[0]!];
    marker = `&key-marker=${encodeURIComponent(k)}&upload-id-marker=${encodeURIComponent(id)}`;
  }
  assert.deepEqual(seen, ["data/a.bin", "data/x/1.bin", "logs/b.bin", "zeta/z.bin"]);
  const after = await (await send(h, "/acme?uploads&key-marker=data/x/1.bin", { key: ADMIN }))
    .text();
  assert.deepEqual(tags(after, "Key"), ["logs/b.bin", "zeta/z.bin"]);
  // Only the buckets whose uploads the caller may list; none at all is 403.
  const limited = await (await send(h, "/acme?uploads", { key: LIMITED })).text();
  assert.deepEqual(tags(limited, "Key"), ["logs/b.bin"]);
  const none = await send(await seeded(), "/acme?uploads", { key: LIMITED });
  assert.equal(none.status, 403);
  assert.equal(await errorCode(none), "AccessDenied");
  // The upload ids listed complete at /acme/<key>.
  const id = tags(all, "UploadId")[tags(all, "Key").indexOf("data/a.bin")]!;
  assert.equal(id, ids["data/a.bin"]);
  const part = await send(h, `/acme/data/a.bin?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    body: "part",
  });
  assert.equal(part.status, 200);
  const done = await send(h, `/acme/data/a.bin?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${
      part.headers.get("etag")
    }</ETag></Part></CompleteMultipartUpload>`,
  });
  assert.equal(done.status, 200, await done.clone().text());
  await done.body?.cancel();
  assert.ok(await exists(h, "acme--data", "a.bin"));
});

Deno.test("path mapping: ListMultipartUploads of one mapped bucket shows the display bucket and keys", async () => {
  const h = await seeded();
  await initiate(h, "data/sub/u.bin");
  const xml = await (await send(h, "/acme/data?uploads&prefix=sub/", { key: ADMIN })).text();
  assert.deepEqual(tags(xml, "Bucket"), ["acme"]);
  assert.deepEqual(tags(xml, "Key"), ["data/sub/u.bin"]);
  assert.deepEqual(tags(xml, "Prefix"), ["data/sub/"]);
  assert.equal(h.logs.at(-1)!.bucket, "acme--data");
});

const HOUR = 3600_000;

/** POSTs a form signed by ADMIN (`o` overriding) to `path`. */
async function post(
  h: Harness,
  path: string,
  o: Partial<PresignedPostOptions> & { readonly key: string },
): Promise<Response> {
  const fields = presignedPost({ bucket: "acme", signer: ADMIN, expiresAt: NOW + HOUR, ...o });
  return await h.handle(formRequest(`${BASE}${path}`, fields, { data: "posted" }));
}

Deno.test("path mapping: a POST form to /acme stores data/x as x of acme--data, answered in display names", async () => {
  const h = await seeded();
  const res = await post(h, "/acme", {
    key: "data/x",
    fields: { success_action_status: "201" },
    conditions: [{ success_action_status: "201" }],
  });
  const xml = await res.text();
  assert.equal(res.status, 201, xml);
  assert.deepEqual(tags(xml, "Bucket"), ["acme"]);
  assert.deepEqual(tags(xml, "Key"), ["data/x"]);
  assert.deepEqual(tags(xml, "Location"), [`${BASE}/acme/data/x`]);
  assert.equal(res.headers.get("location"), `${BASE}/acme/data/x`);
  const got = await h.raw.get("acme--data")!.get("x");
  assert.ok(got.ok);
  assert.equal(await new Response(got.value.body).text(), "posted");
  assert.equal(h.logs.at(-1)!.bucket, "acme--data");
  assert.equal(h.logs.at(-1)!.key, "x");
  // The redirect names the display bucket and key too.
  const redirect = "https://app.example.com/done";
  const r = await post(h, "/acme", {
    key: "logs/y",
    fields: { success_action_redirect: redirect },
    conditions: [{ success_action_redirect: redirect }],
  });
  assert.equal(r.status, 303, await r.clone().text());
  const to = new URL(r.headers.get("location")!);
  assert.equal(to.searchParams.get("bucket"), "acme");
  assert.equal(to.searchParams.get("key"), "logs/y");
  assert.ok(await exists(h, "acme--logs", "y"));
});

Deno.test("path mapping: a POST form's policy names the display bucket; its key must name a mapped bucket", async () => {
  const h = await seeded();
  // Signed for the configured name: the condition on bucket does not hold.
  const internal = await post(h, "/acme", { key: "data/x", bucket: "acme--data" });
  assert.equal(internal.status, 403);
  assert.equal(await errorCode(internal), "AccessDenied");
  const unknown = await post(h, "/acme", { key: "unknown/x" });
  assert.equal(unknown.status, 404);
  assert.equal(await errorCode(unknown), "NoSuchBucket");
  // Authorized on the configured bucket: LIMITED may not write acme--logs.
  const limited = await post(h, "/acme", { key: "logs/x", signer: LIMITED });
  assert.equal(limited.status, 403);
  await limited.body?.cancel();
  assert.equal(await exists(h, "acme--logs", "x"), false);
  // To one mapped bucket (/acme/data), the key is the bucket's own; the answer shows it under data/.
  const res = await post(h, "/acme/data", {
    key: "z",
    fields: { success_action_status: "201" },
    conditions: [{ success_action_status: "201" }],
  });
  const xml = await res.text();
  assert.equal(res.status, 201, xml);
  assert.deepEqual(tags(xml, "Bucket"), ["acme"]);
  assert.deepEqual(tags(xml, "Key"), ["data/z"]);
  assert.ok(await exists(h, "acme--data", "z"));
});

Deno.test("path mapping: error answers never name the configured bucket", async () => {
  const h = await seeded();
  const copy = await send(h, "/acme/logs/x", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/acme/unknown/file.parquet" },
  });
  assert.equal(copy.status, 404);
  assert.doesNotMatch(await copy.text(), /acme--/);
  for (
    const [path, method] of [
      ["/acme/unknown/x", "GET"],
      ["/acme/logs/absent", "GET"],
      ["/acme?uploads&max-uploads=x", "GET"],
      ["/acme/zeta/z.bin", "DELETE"],
    ] as const
  ) {
    const res = await send(h, path, { method, key: LIMITED });
    assert.doesNotMatch(await res.text(), /acme--/, `${method} ${path}`);
  }
});

Deno.test("path mapping: a POST form to /acme counts toward the bucket rule of the mapped bucket its key names", async () => {
  const h = await seeded({
    limits: [{ name: "data", match: { bucket: "acme--data" }, requestsPerSecond: 1, burst: 1 }],
  });
  const first = await post(h, "/acme", { key: "data/one" });
  assert.equal(first.status, 204, await first.clone().text());
  const over = await post(h, "/acme", { key: "data/two" });
  assert.equal(over.status, 503);
  assert.equal(await errorCode(over), "SlowDown");
  // acme--logs has no rule: its forms pass (the account's first bucket is acme--data).
  const logs = await post(h, "/acme", { key: "logs/three" });
  assert.equal(logs.status, 204, await logs.clone().text());
  assert.equal(await exists(h, "acme--data", "two"), false);
  assert.ok(await exists(h, "acme--logs", "three"));
});

Deno.test("path mapping: a bucket quota's QuotaExceeded names the display path, never the configured bucket", async () => {
  const h = await seeded({
    quotas: [{ name: "data-day", match: { bucket: "acme--data" }, requestsPerDay: 1 }],
  });
  assert.equal((await send(h, "/acme/data/file.parquet", { key: ADMIN })).status, 200);
  const over = await send(h, "/acme/data/file.parquet", { key: ADMIN });
  assert.equal(over.status, 429);
  const body = await over.text();
  assert.match(body, /<Code>QuotaExceeded<\/Code>/);
  assert.match(body, /requests_per_day of bucket:acme\/data \(1\)/);
  assert.doesNotMatch(body, /acme--/);
  const form = await post(h, "/acme", { key: "data/over" });
  assert.equal(form.status, 429);
  assert.doesNotMatch(await form.text(), /acme--/);
});
