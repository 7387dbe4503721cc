/** In-process tests of the whole handler over memory backends: buckets, listings, copies, deletes. */
import assert from "node:assert/strict";
import { createFsBackend } from "../../src/backends/fs/fs.ts";
import { ADMIN, errorCode, type Harness, harness, READER, SCOPED, send } from "./_harness.ts";

async function put(h: Harness, bucket: string, key: string, body = key): Promise<void> {
  const path = `/${bucket}/` + key.split("/").map(encodeURIComponent).join("/");
  const res = await send(h, path, { method: "PUT", key: ADMIN, body });
  assert.equal(res.status, 200, `put ${key}`);
  await res.body?.cancel();
}

function tags(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1]!);
}

Deno.test("ListBuckets shows only the buckets the caller may see", async () => {
  const h = harness();
  const all = await (await send(h, "/", { key: ADMIN })).text();
  assert.deepEqual(tags(all, "Name"), ["public", "private", "prefixed"]);
  const scoped = await (await send(h, "/", { key: SCOPED })).text();
  assert.deepEqual(tags(scoped, "Name"), ["public", "private"]);
  const anon = await (await send(h, "/")).text();
  assert.deepEqual(tags(anon, "Name"), ["public"]);
});

Deno.test("HeadBucket: 200, 404 NoSuchBucket, 403 without rights", async () => {
  const h = harness();
  assert.equal((await send(h, "/private", { method: "HEAD", key: ADMIN })).status, 200);
  assert.equal((await send(h, "/nope", { method: "HEAD", key: ADMIN })).status, 404);
  assert.equal((await send(h, "/private", { method: "HEAD" })).status, 403);
  const loc = await send(h, "/private?location", { key: ADMIN });
  assert.match(await loc.text(), /<LocationConstraint[^>]*><\/LocationConstraint>/);
});

Deno.test("DeleteBucket: 404 NoSuchBucket for a bucket the config lacks; 403, then 501, for a configured one", async () => {
  const h = harness();
  const unknown = await send(h, "/nope", { method: "DELETE", key: ADMIN });
  assert.equal(unknown.status, 404);
  assert.equal(await errorCode(unknown), "NoSuchBucket");
  const denied = await send(h, "/private", { method: "DELETE", key: READER });
  assert.equal(denied.status, 403);
  assert.equal(await errorCode(denied), "AccessDenied");
  const anonymous = await send(h, "/public", { method: "DELETE" });
  assert.equal(anonymous.status, 403);
  await anonymous.body?.cancel();
  const configured = await send(h, "/private", { method: "DELETE", key: ADMIN });
  assert.equal(configured.status, 501);
  assert.equal(await errorCode(configured), "NotImplemented");
  const sub = await send(h, "/private?cors", { method: "DELETE", key: ADMIN });
  assert.equal(await errorCode(sub), "NotImplemented");
});

Deno.test("ListObjectsV2 with delimiter, prefix and pagination", async () => {
  const h = harness();
  for (const k of ["a/1", "a/2", "b/1", "c", "d", "e"]) await put(h, "private", k);
  const top = await (await send(h, "/private?list-type=2&delimiter=%2F", { key: ADMIN })).text();
  assert.deepEqual(tags(top, "Key"), ["c", "d", "e"]);
  assert.deepEqual(tags(top, "Prefix").slice(1), ["a/", "b/"]);
  assert.deepEqual(tags(top, "KeyCount"), ["5"]);
  const seen: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10; i++) {
    const q = `/private?list-type=2&max-keys=2${
      token ? "&continuation-token=" + encodeURIComponent(token) : ""
    }`;
    const page = await (await send(h, q, { key: ADMIN })).text();
    seen.push(...tags(page, "Key"));
    token = tags(page, "NextContinuationToken")[0];
    if (tags(page, "IsTruncated")[0] === "false") break;
    assert.ok(token);
  }
  assert.deepEqual(seen, ["a/1", "a/2", "b/1", "c", "d", "e"]);
  const after = await (await send(h, "/private?list-type=2&start-after=c", { key: ADMIN })).text();
  assert.deepEqual(tags(after, "Key"), ["d", "e"]);
  const bad = await send(h, "/private?list-type=2&continuation-token=%21%21", { key: ADMIN });
  assert.equal(await errorCode(bad), "InvalidArgument");
  const owner = await (await send(h, "/private?list-type=2&fetch-owner=true", { key: ADMIN }))
    .text();
  assert.match(owner, /<Owner><ID>bucketgate<\/ID>/);
});

Deno.test("ListObjectsV2: an empty continuation-token is taken as absent and echoed empty, as S3 does", async () => {
  const h = harness();
  for (const k of ["a", "b"]) await put(h, "private", k);
  const res = await send(h, "/private?list-type=2&continuation-token=", { key: ADMIN });
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  assert.deepEqual(tags(xml, "Key"), ["a", "b"]);
  assert.deepEqual(tags(xml, "ContinuationToken"), [""], "echoed: <ContinuationToken/>");
});

Deno.test("encoding-type=url: every element S3 encodes is encoded exactly once (V1 and V2)", async () => {
  const h = harness();
  const odd = "d\n%+ é/"; // a control character, '%', '+', a space, non-ASCII
  for (const k of [`${odd}x`, `${odd}y/1`, `${odd}z`]) await put(h, "private", k);
  const q = (s: string) => encodeURIComponent(s);
  const once = (s: string) => encodeURIComponent(s).replaceAll("%2F", "/");
  const v2 = await (await send(
    h,
    `/private?list-type=2&encoding-type=url&prefix=${q(odd)}&delimiter=${q("/")}` +
      `&start-after=${q(odd + "w")}&max-keys=1`,
    { key: ADMIN },
  )).text();
  assert.deepEqual(tags(v2, "Prefix")[0], once(odd));
  assert.deepEqual(tags(v2, "StartAfter"), [once(odd + "w")]);
  assert.deepEqual(tags(v2, "Delimiter"), ["/"]);
  assert.deepEqual(tags(v2, "Key"), [once(odd + "x")]);
  const all = await (await send(
    h,
    `/private?list-type=2&encoding-type=url&prefix=${q(odd)}&delimiter=${q("/")}`,
    { key: ADMIN },
  )).text();
  assert.deepEqual(tags(all, "Prefix").slice(1), [once(odd + "y/")]);
  const v1 = await (await send(
    h,
    `/private?encoding-type=url&prefix=${q(odd)}&delimiter=${q("/")}&marker=${q(odd)}&max-keys=1`,
    { key: ADMIN },
  )).text();
  assert.deepEqual(tags(v1, "Prefix")[0], once(odd));
  assert.deepEqual(tags(v1, "Marker"), [once(odd)]);
  assert.deepEqual(tags(v1, "NextMarker"), [once(odd + "x")]);
  assert.deepEqual(tags(v1, "Key"), [once(odd + "x")]);
  for (const xml of [v2, all, v1]) {
    for (const value of [...tags(xml, "Key"), ...tags(xml, "Prefix"), ...tags(xml, "Marker")]) {
      assert.doesNotMatch(
        value,
        /%25[0-9A-F]{2}(?![0-9A-F])|\n/,
        `encoded twice or not at all: ${value}`,
      );
    }
  }
});

Deno.test("ListObjects V1 returns NextMarker only with a delimiter, as S3", async () => {
  const h = harness();
  for (const k of ["a", "b", "c/1", "d"]) await put(h, "private", k);
  const noDelim = await (await send(h, "/private?max-keys=2", { key: ADMIN })).text();
  assert.deepEqual(tags(noDelim, "IsTruncated"), ["true"]);
  assert.deepEqual(tags(noDelim, "NextMarker"), []);
  const next = await (await send(h, "/private?max-keys=2&marker=b", { key: ADMIN })).text();
  assert.deepEqual(tags(next, "Key"), ["c/1", "d"]);
  const delim = await (await send(h, "/private?max-keys=3&delimiter=/", { key: ADMIN })).text();
  assert.deepEqual(tags(delim, "NextMarker"), ["c/"]);
});

Deno.test("encoding-type=url encodes keys in listings", async () => {
  const h = harness();
  await put(h, "private", "a b+c");
  const xml = await (await send(h, "/private?list-type=2&encoding-type=url", { key: ADMIN }))
    .text();
  assert.deepEqual(tags(xml, "Key"), ["a%20b%2Bc"]);
  assert.deepEqual(tags(xml, "EncodingType"), ["url"]);
});

Deno.test("a listing is authorized against its prefix", async () => {
  const h = harness();
  const whole = await send(h, "/private?list-type=2", { key: SCOPED });
  assert.equal(whole.status, 403);
  await whole.body?.cancel();
  const inside = await send(h, "/private?list-type=2&prefix=data%2F", { key: SCOPED });
  assert.equal(inside.status, 200);
  await inside.body?.cancel();
});

Deno.test("backend_prefix is added on the way in and stripped from listings", async () => {
  const h = harness();
  await put(h, "prefixed", "x/y");
  assert.equal((await h.raw.get("prefixed")!.head("v2/x/y")).ok, true);
  const xml = await (await send(h, "/prefixed?list-type=2", { key: ADMIN })).text();
  assert.deepEqual(tags(xml, "Key"), ["x/y"]);
});

Deno.test("CopyObject: COPY keeps metadata, REPLACE replaces, self-copy needs REPLACE", async () => {
  const h = harness();
  const first = await send(h, "/private/src", {
    method: "PUT",
    key: ADMIN,
    body: "copy me",
    headers: { "x-amz-meta-a": "1", "content-type": "text/plain" },
  });
  await first.body?.cancel();
  const copied = await send(h, "/public/dst", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src" },
  });
  assert.equal(copied.status, 200);
  assert.match(await copied.text(), /<CopyObjectResult[^>]*><LastModified>/);
  const dst = await send(h, "/public/dst", { key: ADMIN });
  assert.equal(await dst.text(), "copy me");
  assert.equal(dst.headers.get("x-amz-meta-a"), "1");
  const replaced = await send(h, "/private/src2", {
    method: "PUT",
    key: ADMIN,
    headers: {
      "x-amz-copy-source": "private/src",
      "x-amz-metadata-directive": "REPLACE",
      "x-amz-meta-b": "2",
    },
  });
  assert.equal(replaced.status, 200);
  await replaced.body?.cancel();
  const src2 = await send(h, "/private/src2", { method: "HEAD", key: ADMIN });
  assert.equal(src2.headers.get("x-amz-meta-b"), "2");
  assert.equal(src2.headers.get("x-amz-meta-a"), null);
  const self = await send(h, "/private/src", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src" },
  });
  assert.equal(await errorCode(self), "InvalidRequest");
  const precondition = await send(h, "/private/src3", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src", "x-amz-copy-source-if-match": '"nope"' },
  });
  assert.equal(precondition.status, 412);
  await precondition.body?.cancel();
});

Deno.test("CopyObject authorizes the source as a read", async () => {
  const h = harness();
  await put(h, "private", "secret");
  const res = await send(h, "/private/data/stolen", {
    method: "PUT",
    key: SCOPED,
    headers: { "x-amz-copy-source": "/private/secret" },
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.equal((await h.raw.get("private")!.head("data/stolen")).ok, false);
});

Deno.test("CopyObject and UploadPartCopy refuse a source key validateKey refuses, as for the path's key", async () => {
  const h = harness();
  const created = await send(h, "/private/dst?uploads", { method: "POST", key: ADMIN });
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1]!;
  const long = "k".repeat(1025);
  for (const [key, code] of [["a%00b", "InvalidArgument"], [long, "KeyTooLongError"]] as const) {
    const inPath = await send(h, `/private/${key}`, { method: "PUT", key: ADMIN, body: "x" });
    assert.equal(inPath.status, 400, key);
    assert.equal(await errorCode(inPath), code, key);
    for (const target of ["/private/dst", `/private/dst?partNumber=1&uploadId=${id}`]) {
      const res = await send(h, target, {
        method: "PUT",
        key: ADMIN,
        headers: { "x-amz-copy-source": `/private/${key}` },
      });
      assert.equal(res.status, 400, `${target} from ${key.slice(0, 8)}`);
      assert.equal(await errorCode(res), code, target);
    }
  }
});

Deno.test("DeleteObject is 204 also for an absent key", async () => {
  const h = harness();
  await put(h, "private", "gone");
  assert.equal((await send(h, "/private/gone", { method: "DELETE", key: ADMIN })).status, 204);
  assert.equal((await send(h, "/private/gone", { method: "DELETE", key: ADMIN })).status, 204);
  assert.equal((await h.raw.get("private")!.head("gone")).ok, false);
});

function deleteXml(keys: string[], quiet = false): string {
  return `<Delete>${quiet ? "<Quiet>true</Quiet>" : ""}${
    keys.map((k) => `<Object><Key>${k.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Key></Object>`)
      .join("")
  }</Delete>`;
}

Deno.test("DeleteObjects authorizes every key: denied keys are reported and kept", async () => {
  const h = harness();
  for (const k of ["data/1", "data/2", "other", "a&b"]) await put(h, "private", k);
  const res = await send(h, "/private?delete", {
    method: "POST",
    key: SCOPED,
    body: deleteXml(["data/1", "data/2", "other"]),
  });
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.deepEqual(tags(xml, "Key"), ["data/1", "data/2", "other"]);
  assert.match(xml, /<Error><Key>other<\/Key><Code>AccessDenied<\/Code>/);
  assert.equal((await h.raw.get("private")!.head("other")).ok, true);
  assert.equal((await h.raw.get("private")!.head("data/1")).ok, false);
  const quiet = await send(h, "/private?delete", {
    method: "POST",
    key: ADMIN,
    body: deleteXml(["a&b"], true),
  });
  assert.doesNotMatch(await quiet.text(), /<Deleted>/);
  assert.equal((await h.raw.get("private")!.head("a&b")).ok, false);
});

Deno.test("DeleteObjects refuses garbage, empty, entity-laden and 1001-key bodies", async () => {
  const h = harness();
  const bodies = [
    "not xml at all",
    "<Delete></Delete>",
    `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Delete><Object><Key>&x;</Key></Object></Delete>`,
    deleteXml(Array.from({ length: 1001 }, (_, i) => `k${i}`)),
  ];
  for (const body of bodies) {
    const res = await send(h, "/private?delete", { method: "POST", key: ADMIN, body });
    assert.equal(res.status, 400, body.slice(0, 40));
    assert.equal(await errorCode(res), "MalformedXML");
  }
});

Deno.test("a reader cannot delete through DeleteObjects", async () => {
  const h = harness();
  await put(h, "private", "keep");
  const res = await send(h, "/private?delete", {
    method: "POST",
    key: READER,
    body: deleteXml(["keep"]),
  });
  assert.match(await res.text(), /AccessDenied/);
  assert.equal((await h.raw.get("private")!.head("keep")).ok, true);
});

for (const store of ["memory", "fs"] as const) {
  Deno.test(`DeleteObjects with <ETag> deletes only matching objects (${store})`, async () => {
    const root = await Deno.makeTempDir({ prefix: "bucketgate-delete-etag-" });
    const h = harness(undefined, {
      ...(store === "fs"
        ? { wrapBackend: () => createFsBackend({ root: `${root}/${crypto.randomUUID()}` }) }
        : {}),
    });
    const etags = new Map<string, string>();
    for (const k of ["a", "b", "c"]) {
      const res = await send(h, `/private/${k}`, { method: "PUT", key: ADMIN, body: k });
      etags.set(k, res.headers.get("etag")!);
    }
    const body = `<Delete><Object><Key>a</Key><ETag>"0000"</ETag></Object>` +
      `<Object><Key>b</Key><ETag>${etags.get("b")}</ETag></Object>` +
      `<Object><Key>c</Key></Object><Object><Key>gone</Key><ETag>*</ETag></Object></Delete>`;
    const res = await send(h, "/private?delete", { method: "POST", key: ADMIN, body });
    assert.equal(res.status, 200);
    const xml = await res.text();
    assert.match(xml, /<Error><Key>a<\/Key><Code>PreconditionFailed<\/Code>/);
    assert.match(xml, /<Error><Key>gone<\/Key><Code>NoSuchKey<\/Code>/);
    assert.deepEqual(tags(xml.replace(/<Error>.*?<\/Error>/g, ""), "Key"), ["b", "c"]);
    const left = await Promise.all(
      ["a", "b", "c"].map(async (k) => (await send(h, `/private/${k}`, { key: ADMIN })).status),
    );
    assert.deepEqual(left, [200, 404, 404]);
    await Deno.remove(root, { recursive: true });
  });
}
