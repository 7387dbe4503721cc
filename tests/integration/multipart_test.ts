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

/** A completed upload of `sizes` bytes per part (part i filled with i). */
async function completed(h: Harness, key: string, sizes: number[]) {
  const id = await create(h, key);
  const parts: [number, string][] = [];
  for (const [i, size] of sizes.entries()) {
    parts.push([i + 1, await part(h, key, id, i + 1, new Uint8Array(size).fill(i + 1))]);
  }
  const done = await send(h, `/private/${key}?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml(parts),
  });
  const xml = await done.text();
  assert.equal(done.status, 200, xml);
  return { id, parts, xml, etag: /<ETag>([^<]+)<\/ETag>/.exec(xml)![1]!.replace(/&quot;/g, '"') };
}

Deno.test("GetObject and HeadObject by partNumber: that part's bytes, 206, Content-Range, parts count", async () => {
  const h = harness();
  const { etag } = await completed(h, "mp", [5 * MiB, 5 * MiB, 3]);
  const total = 10 * MiB + 3;
  const ranges = [[0, 5 * MiB - 1], [5 * MiB, 10 * MiB - 1], [10 * MiB, total - 1]];
  for (const [i, [start, end]] of ranges.entries()) {
    for (const method of ["GET", "HEAD"]) {
      const res = await send(h, `/private/mp?partNumber=${i + 1}`, { method, key: ADMIN });
      assert.equal(res.status, 206, `${method} part ${i + 1}`);
      assert.equal(res.headers.get("content-range"), `bytes ${start}-${end}/${total}`);
      assert.equal(res.headers.get("content-length"), String(end! - start! + 1));
      assert.equal(res.headers.get("etag"), etag);
      assert.equal(res.headers.get("x-amz-mp-parts-count"), "3");
      if (method === "HEAD") continue;
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.equal(bytes.length, end! - start! + 1);
      assert.ok(bytes.every((b) => b === i + 1), `part ${i + 1} holds its own bytes`);
    }
  }
  const whole = await send(h, "/private/mp", { method: "HEAD", key: ADMIN });
  assert.equal(whole.headers.get("x-amz-mp-parts-count"), null, "only a read by part names it");
  const beyond = await send(h, "/private/mp?partNumber=4", { key: ADMIN });
  assert.equal(beyond.status, 416);
  assert.equal(await errorCode(beyond), "InvalidPartNumber");
});

Deno.test("an empty last part read by partNumber is 200 with no byte, never the whole object", async () => {
  const h = harness();
  const { etag } = await completed(h, "mp0", [5 * MiB, 0]);
  for (const method of ["GET", "HEAD"]) {
    const res = await send(h, "/private/mp0?partNumber=2", { method, key: ADMIN });
    assert.equal(res.status, 200, method);
    assert.equal(res.headers.get("content-length"), "0");
    assert.equal(res.headers.get("content-range"), null);
    assert.equal(res.headers.get("etag"), etag);
    assert.equal(res.headers.get("x-amz-mp-parts-count"), "2");
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  }
});

Deno.test("partNumber on a single-part object, and every malformed partNumber", async () => {
  const h = harness();
  (await send(h, "/private/one", { method: "PUT", key: ADMIN, body: "0123456789" })).body?.cancel();
  const one = await send(h, "/private/one?partNumber=1", { key: ADMIN });
  assert.equal(one.status, 206);
  assert.equal(one.headers.get("content-range"), "bytes 0-9/10");
  assert.equal(one.headers.get("x-amz-mp-parts-count"), null);
  assert.equal(await one.text(), "0123456789");
  const two = await send(h, "/private/one?partNumber=2", { key: ADMIN });
  assert.equal(two.status, 416);
  assert.equal(await errorCode(two), "InvalidPartNumber");
  for (const n of ["0", "-1", "1.5", "abc", "", "10001"]) {
    const res = await send(h, `/private/one?partNumber=${n}`, { key: ADMIN });
    assert.equal(res.status, 400, n);
    assert.equal(await errorCode(res), "InvalidArgument", n);
  }
  const both = await send(h, "/private/one?partNumber=1", {
    key: ADMIN,
    headers: { range: "bytes=0-1" },
  });
  assert.equal(both.status, 400);
  assert.equal(await errorCode(both), "InvalidRequest");
});

Deno.test("CompleteMultipartUpload sent again answers 200 with the same ETag and Location", async () => {
  const h = harness();
  const first = await completed(h, "again", [5 * MiB, 10]);
  const again = await send(h, `/private/again?uploadId=${first.id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml(first.parts),
  });
  assert.equal(again.status, 200);
  assert.equal(await again.text(), first.xml);
  const other = await send(h, `/private/again?uploadId=${first.id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml(first.parts.slice(0, 1)),
  });
  assert.equal(other.status, 404);
  assert.equal(await errorCode(other), "NoSuchUpload");
});

Deno.test("a Complete naming one part twice, once per ETag a retry got, builds the part stored last", async () => {
  const h = harness();
  const id = await create(h, "twice");
  const stale = await part(h, "twice", id, 1, new Uint8Array(5 * MiB).fill(7));
  const fresh = await part(h, "twice", id, 1, new Uint8Array(5 * MiB).fill(8));
  const tail = await part(h, "twice", id, 2, new Uint8Array(1).fill(9));
  const listed = await (await send(h, `/private/twice?uploadId=${id}`, { key: ADMIN })).text();
  assert.deepEqual(
    [...listed.matchAll(/<ETag>([^<]+)<\/ETag>/g)].map((m) => m[1]!.replace(/&quot;/g, '"')),
    [fresh, tail],
  );
  const done = await send(h, `/private/twice?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([[1, stale], [1, fresh], [2, tail]]),
  });
  assert.equal(done.status, 200, await done.text());
  const bytes = new Uint8Array(
    await (await send(h, "/private/twice", { key: ADMIN })).arrayBuffer(),
  );
  assert.equal(bytes.length, 5 * MiB + 1);
  assert.ok(bytes.subarray(0, 5 * MiB).every((b) => b === 8));
  const onlyStale = await create(h, "stale");
  const s1 = await part(h, "stale", onlyStale, 1, new Uint8Array(3).fill(1));
  await part(h, "stale", onlyStale, 1, new Uint8Array(3).fill(2));
  const refused = await send(h, `/private/stale?uploadId=${onlyStale}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([[1, s1]]),
  });
  assert.equal(await errorCode(refused), "InvalidPart");
});
