/** In-process tests of the whole handler over memory backends: multipart uploads. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ADMIN, errorCode, type Harness, harness, send } from "./_harness.ts";

const MiB = 1024 * 1024;

async function create(h: Harness, key: string): Promise<string> {
  const res = await send(h, `/private/${key}?uploads`, { method: "POST", key: ADMIN });
  assert.equal(res.status, 200);
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await res.text())?.[1];
  assert.ok(id);
  return id;
}

async function part(h: Harness, key: string, id: string, n: number, body: Uint8Array) {
  const res = await send(h, `/private/${key}?partNumber=${n}&uploadId=${encodeURIComponent(id)}`, {
    method: "PUT",
    key: ADMIN,
    body,
    unsignedPayload: true,
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  return res.headers.get("etag")!;
}

function completeXml(parts: [number, string][]): string {
  return `<CompleteMultipartUpload>${
    parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join("")
  }</CompleteMultipartUpload>`;
}

Deno.test("multipart upload: create, parts, list, complete with an md5-of-md5s ETag", async () => {
  const h = harness();
  const id = await create(h, "big");
  const p1 = new Uint8Array(5 * MiB).fill(1);
  const p2 = new Uint8Array(1024).fill(2);
  const e1 = await part(h, "big", id, 1, p1);
  const e2 = await part(h, "big", id, 2, p2);
  const listed = await (await send(h, `/private/big?uploadId=${id}`, { key: ADMIN })).text();
  assert.match(listed, /<PartNumber>1<\/PartNumber>[\s\S]*<PartNumber>2<\/PartNumber>/);
  const uploads = await (await send(h, "/private?uploads", { key: ADMIN })).text();
  assert.match(uploads, new RegExp(`<UploadId>${id}</UploadId>`));
  const done = await send(h, `/private/big?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([[1, e1], [2, e2]]),
  });
  assert.equal(done.status, 200);
  const xml = await done.text();
  const md5 = (b: Uint8Array) => createHash("md5").update(b).digest();
  const expected = createHash("md5").update(Buffer.concat([md5(p1), md5(p2)])).digest("hex");
  assert.match(xml, new RegExp(`<ETag>&quot;${expected}-2&quot;</ETag>`));
  // As S3 gives it: the object's URL as the client addressed it.
  assert.match(xml, /<Location>http:\/\/gateway\.test\/private\/big<\/Location>/);
  const head = await send(h, "/private/big", { method: "HEAD", key: ADMIN });
  assert.equal(head.headers.get("content-length"), String(5 * MiB + 1024));
});

Deno.test("CompleteMultipartUpload validates parts: order, ETags, sizes", async () => {
  const h = harness();
  const id = await create(h, "v");
  const e1 = await part(h, "v", id, 1, new Uint8Array(1024));
  const e2 = await part(h, "v", id, 2, new Uint8Array(1024));
  const cases: [string, string][] = [
    [completeXml([[2, e2], [1, e1]]), "InvalidPartOrder"],
    [completeXml([[1, '"0000"'], [2, e2]]), "InvalidPart"],
    [completeXml([[1, e1], [3, e2]]), "InvalidPart"],
    [completeXml([[1, e1], [2, e2]]), "EntityTooSmall"],
    ["<CompleteMultipartUpload/>", "MalformedXML"],
    ["garbage", "MalformedXML"],
  ];
  for (const [body, code] of cases) {
    const res = await send(h, `/private/v?uploadId=${id}`, { method: "POST", key: ADMIN, body });
    assert.equal(res.status, 400, code);
    assert.equal(await errorCode(res), code);
  }
});

Deno.test("AbortMultipartUpload: 204, then NoSuchUpload", async () => {
  const h = harness();
  const id = await create(h, "a");
  assert.equal(
    (await send(h, `/private/a?uploadId=${id}`, { method: "DELETE", key: ADMIN })).status,
    204,
  );
  const again = await send(h, `/private/a?uploadId=${id}`, { method: "DELETE", key: ADMIN });
  assert.equal(again.status, 404);
  assert.equal(await errorCode(again), "NoSuchUpload");
  const up = await send(h, `/private/a?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    body: "x",
  });
  assert.equal(await errorCode(up), "NoSuchUpload");
});

Deno.test("UploadPart refuses part numbers outside 1..10000", async () => {
  const h = harness();
  const id = await create(h, "n");
  for (const n of ["0", "10001", "x"]) {
    const res = await send(h, `/private/n?partNumber=${n}&uploadId=${id}`, {
      method: "PUT",
      key: ADMIN,
      body: "x",
    });
    assert.equal(await errorCode(res), "InvalidArgument", n);
  }
});

Deno.test("UploadPartCopy copies a range of another object into a part", async () => {
  const h = harness();
  const src = await send(h, "/private/src", { method: "PUT", key: ADMIN, body: "0123456789" });
  await src.body?.cancel();
  const id = await create(h, "dst");
  const res = await send(h, `/private/dst?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src", "x-amz-copy-source-range": "bytes=2-4" },
  });
  assert.equal(res.status, 200);
  const etag = /<ETag>([^<]+)<\/ETag>/.exec(await res.text())![1]!.replace(/&quot;/g, '"');
  const done = await send(h, `/private/dst?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([[1, etag]]),
  });
  assert.equal(done.status, 200);
  await done.body?.cancel();
  assert.equal(await (await send(h, "/private/dst", { key: ADMIN })).text(), "234");
});

Deno.test("UploadPartCopy refuses a source range beyond the object (416) or malformed (400), making no part", async () => {
  const h = harness();
  const src = await send(h, "/private/src", { method: "PUT", key: ADMIN, body: "0123456789" });
  await src.body?.cancel();
  const id = await create(h, "dst");
  const cases: [string, number, string][] = [
    ["bytes=5-10", 416, "InvalidRange"],
    ["bytes=10-12", 416, "InvalidRange"],
    ["bytes=0-99", 416, "InvalidRange"],
    ["bytes=4-2", 400, "InvalidArgument"],
    ["bytes=3-", 400, "InvalidArgument"],
    ["bytes=-3", 400, "InvalidArgument"],
    ["chars=0-1", 400, "InvalidArgument"],
  ];
  for (const [range, status, code] of cases) {
    const res = await send(h, `/private/dst?partNumber=1&uploadId=${id}`, {
      method: "PUT",
      key: ADMIN,
      headers: { "x-amz-copy-source": "/private/src", "x-amz-copy-source-range": range },
    });
    assert.equal(res.status, status, range);
    assert.equal(await errorCode(res), code, range);
  }
  const parts = await send(h, `/private/dst?uploadId=${id}`, { key: ADMIN });
  assert.doesNotMatch(await parts.text(), /<Part>/);
  const last = await send(h, `/private/dst?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src", "x-amz-copy-source-range": "bytes=0-9" },
  });
  assert.equal(last.status, 200, "the whole object, last byte included");
  await last.body?.cancel();
});
