/**
 * In-process tests of the whole handler over memory backends: the checksums of
 * multipart uploads (issue 27): CreateMultipartUpload's algorithm and type,
 * UploadPart's part checksums, ListParts, CompleteMultipartUpload's composite
 * and full-object checksums, GetObject and HeadObject with checksum mode.
 */
import { checksumOf } from "../_support/checksums.ts";
import assert from "node:assert/strict";
import { ADMIN, errorCode, type Harness, harness, send } from "./_harness.ts";

const MiB = 1024 * 1024;

async function create(h: Harness, key: string, headers: Record<string, string>) {
  return await send(h, `/private/${key}?uploads`, { method: "POST", key: ADMIN, headers });
}

async function createId(h: Harness, key: string, headers: Record<string, string>) {
  const res = await create(h, key, headers);
  assert.equal(res.status, 200);
  return /<UploadId>([^<]+)<\/UploadId>/.exec(await res.text())![1]!;
}

async function part(
  h: Harness,
  key: string,
  id: string,
  n: number,
  body: Uint8Array,
  headers: Record<string, string> = {},
) {
  return await send(h, `/private/${key}?partNumber=${n}&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    body,
    headers,
    unsignedPayload: true,
  });
}

function completeXml(parts: { n: number; etag: string; extra?: string }[]): string {
  return `<CompleteMultipartUpload>${
    parts.map((p) =>
      `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag>${p.extra ?? ""}</Part>`
    ).join("")
  }</CompleteMultipartUpload>`;
}

const p1 = new Uint8Array(5 * MiB).map((_, i) => i % 251);
const p2 = new Uint8Array(1000).fill(7);

Deno.test("CreateMultipartUpload: defaults and refusals of x-amz-checksum-algorithm and -type", async () => {
  const h = harness();
  const cases: [Record<string, string>, string | undefined, string | undefined][] = [
    [{ "x-amz-checksum-algorithm": "CRC64NVME" }, "CRC64NVME", "FULL_OBJECT"],
    [{ "x-amz-checksum-algorithm": "crc32" }, "CRC32", "COMPOSITE"],
    [{ "x-amz-checksum-algorithm": "SHA256" }, "SHA256", "COMPOSITE"],
    [
      { "x-amz-checksum-algorithm": "CRC32C", "x-amz-checksum-type": "FULL_OBJECT" },
      "CRC32C",
      "FULL_OBJECT",
    ],
    [{}, undefined, undefined],
  ];
  for (const [headers, alg, type] of cases) {
    const res = await create(h, "k", headers);
    assert.equal(res.status, 200, JSON.stringify(headers));
    await res.body?.cancel();
    assert.equal(res.headers.get("x-amz-checksum-algorithm") ?? undefined, alg);
    assert.equal(res.headers.get("x-amz-checksum-type") ?? undefined, type);
  }
  const refused: [Record<string, string>, RegExp][] = [
    [
      { "x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE" },
      /The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm\./,
    ],
    [
      { "x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT" },
      /The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm\./,
    ],
    [
      { "x-amz-checksum-type": "FULL_OBJECT" },
      /can only be used with the x-amz-checksum-algorithm header/,
    ],
    [{ "x-amz-checksum-algorithm": "MD5" }, /x-amz-checksum-algorithm header is invalid/],
    [
      { "x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "WHOLE" },
      /x-amz-checksum-type header is invalid/,
    ],
  ];
  for (const [headers, message] of refused) {
    const res = await create(h, "k", headers);
    assert.equal(res.status, 400, JSON.stringify(headers));
    const body = await res.text();
    assert.match(body, /<Code>InvalidRequest<\/Code>/);
    assert.match(body, message);
  }
});

Deno.test("multipart CRC32 full-object: parts checksummed, listed, combined, verified and stored", async () => {
  const h = harness();
  const id = await createId(h, "full", {
    "x-amz-checksum-algorithm": "CRC32",
    "x-amz-checksum-type": "FULL_OBJECT",
  });
  const r1 = await part(h, "full", id, 1, p1, { "x-amz-checksum-crc32": checksumOf("CRC32", p1) });
  assert.equal(r1.status, 200);
  // A part that names no checksum gets the upload's, computed.
  const r2 = await part(h, "full", id, 2, p2);
  assert.equal(r2.status, 200);
  assert.equal(r2.headers.get("x-amz-checksum-crc32"), checksumOf("CRC32", p2));
  const listed = await (await send(h, `/private/full?uploadId=${id}`, { key: ADMIN })).text();
  assert.match(listed, /<ChecksumAlgorithm>CRC32<\/ChecksumAlgorithm><ChecksumType>FULL_OBJECT/);
  assert.ok(listed.includes(`<ChecksumCRC32>${checksumOf("CRC32", p2)}</ChecksumCRC32>`), listed);
  const body = completeXml([
    { n: 1, etag: r1.headers.get("etag")! },
    { n: 2, etag: r2.headers.get("etag")! },
  ]);
  const whole = checksumOf("CRC32", p1, p2);
  const wrong = await send(h, `/private/full?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body,
    headers: {
      "x-amz-checksum-crc32": checksumOf("CRC32", p2),
      "x-amz-checksum-type": "FULL_OBJECT",
    },
  });
  assert.equal(wrong.status, 400);
  assert.equal(await errorCode(wrong), "BadDigest");
  const done = await send(h, `/private/full?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body,
    headers: { "x-amz-checksum-crc32": whole, "x-amz-checksum-type": "FULL_OBJECT" },
  });
  assert.equal(done.status, 200);
  const xml = await done.text();
  assert.ok(xml.includes(`<ChecksumCRC32>${whole}</ChecksumCRC32>`), xml);
  assert.match(xml, /<ChecksumType>FULL_OBJECT<\/ChecksumType>/);
  // A Complete sent again (an SDK retrying a lost answer) gets the same answer, checksum too.
  const again = await send(h, `/private/full?uploadId=${id}`, { method: "POST", key: ADMIN, body });
  assert.equal(again.status, 200);
  const againXml = await again.text();
  assert.ok(againXml.includes(`<ChecksumCRC32>${whole}</ChecksumCRC32>`), againXml);
  for (const method of ["GET", "HEAD"]) {
    const res = await send(h, "/private/full", {
      method,
      key: ADMIN,
      headers: { "x-amz-checksum-mode": "ENABLED" },
    });
    await res.body?.cancel();
    assert.equal(res.headers.get("x-amz-checksum-crc32"), whole, method);
    assert.equal(res.headers.get("x-amz-checksum-type"), "FULL_OBJECT", method);
  }
});

Deno.test("multipart SHA256 composite: the checksum of the part checksums with -N", async () => {
  const h = harness();
  const id = await createId(h, "comp", { "x-amz-checksum-algorithm": "SHA256" });
  const r1 = await part(h, "comp", id, 1, p1);
  const r2 = await part(h, "comp", id, 2, p2);
  const s1 = checksumOf("SHA256", p1);
  const s2 = checksumOf("SHA256", p2);
  assert.equal(r1.headers.get("x-amz-checksum-sha256"), s1);
  // A part checksum of another algorithm is refused.
  const other = await part(h, "comp", id, 3, p2, {
    "x-amz-checksum-crc32": checksumOf("CRC32", p2),
  });
  assert.equal(other.status, 400);
  assert.match(await other.text(), /Checksum Type mismatch occurred/);
  const etags = [r1.headers.get("etag")!, r2.headers.get("etag")!];
  // Composite: every part's checksum must be listed.
  const missing = await send(h, `/private/comp?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([{ n: 1, etag: etags[0]! }, { n: 2, etag: etags[1]! }]),
  });
  assert.equal(missing.status, 400);
  assert.match(await missing.text(), /It was missing for part 1 in the request/);
  const mismatched = await send(h, `/private/comp?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([
      { n: 1, etag: etags[0]!, extra: `<ChecksumSHA256>${s2}</ChecksumSHA256>` },
      { n: 2, etag: etags[1]!, extra: `<ChecksumSHA256>${s2}</ChecksumSHA256>` },
    ]),
  });
  assert.equal(await errorCode(mismatched), "InvalidPart");
  const done = await send(h, `/private/comp?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([
      { n: 1, etag: etags[0]!, extra: `<ChecksumSHA256>${s1}</ChecksumSHA256>` },
      { n: 2, etag: etags[1]!, extra: `<ChecksumSHA256>${s2}</ChecksumSHA256>` },
    ]),
  });
  assert.equal(done.status, 200);
  const raw = [s1, s2].map((s) => new Uint8Array(Buffer.from(s, "base64")));
  const composite = `${checksumOf("SHA256", ...raw)}-2`;
  const xml = await done.text();
  assert.ok(xml.includes(`<ChecksumSHA256>${composite}</ChecksumSHA256>`), xml);
  assert.match(xml, /<ChecksumType>COMPOSITE<\/ChecksumType>/);
  const head = await send(h, "/private/comp", {
    method: "HEAD",
    key: ADMIN,
    headers: { "x-amz-checksum-mode": "ENABLED" },
  });
  assert.equal(head.headers.get("x-amz-checksum-sha256"), composite);
  assert.equal(head.headers.get("x-amz-checksum-type"), "COMPOSITE");
});

Deno.test("multipart: a Complete of another checksum type is refused", async () => {
  const h = harness();
  const id = await createId(h, "t", { "x-amz-checksum-algorithm": "CRC64NVME" });
  const r1 = await part(h, "t", id, 1, p2);
  const res = await send(h, `/private/t?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([{ n: 1, etag: r1.headers.get("etag")! }]),
    headers: { "x-amz-checksum-type": "COMPOSITE" },
  });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /created using the FULL_OBJECT checksum mode/);
});

Deno.test("PutObject answers carry x-amz-checksum-type", async () => {
  const h = harness();
  const body = new TextEncoder().encode("hello");
  const res = await send(h, "/private/p", {
    method: "PUT",
    key: ADMIN,
    body,
    headers: { "x-amz-checksum-crc32c": checksumOf("CRC32C", body) },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-amz-checksum-type"), "FULL_OBJECT");
});

Deno.test("GetObjectAttributes: ETag, Checksum, ObjectParts paged, StorageClass, ObjectSize", async () => {
  const h = harness();
  const id = await createId(h, "attrs", { "x-amz-checksum-algorithm": "CRC32C" });
  const r1 = await part(h, "attrs", id, 1, p1);
  const r2 = await part(h, "attrs", id, 2, p2);
  const s1 = checksumOf("CRC32C", p1);
  const s2 = checksumOf("CRC32C", p2);
  const done = await send(h, `/private/attrs?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: completeXml([
      { n: 1, etag: r1.headers.get("etag")!, extra: `<ChecksumCRC32C>${s1}</ChecksumCRC32C>` },
      { n: 2, etag: r2.headers.get("etag")!, extra: `<ChecksumCRC32C>${s2}</ChecksumCRC32C>` },
    ]),
  });
  assert.equal(done.status, 200);
  await done.body?.cancel();
  const res = await send(h, "/private/attrs?attributes&max-parts=1", {
    key: ADMIN,
    headers: { "x-amz-object-attributes": "ETag,Checksum,ObjectParts,StorageClass,ObjectSize" },
  });
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.match(xml, /<GetObjectAttributesResponse[^>]*><ETag>[0-9a-f]{32}-2<\/ETag>/);
  assert.match(xml, /<Checksum><ChecksumCRC32C>[^<]+-2<\/ChecksumCRC32C><ChecksumType>COMPOSITE/);
  assert.ok(
    xml.includes(
      `<ObjectParts><IsTruncated>true</IsTruncated><MaxParts>1</MaxParts><NextPartNumberMarker>1</NextPartNumberMarker><PartNumberMarker>0</PartNumberMarker><Part><ChecksumCRC32C>${s1}</ChecksumCRC32C><PartNumber>1</PartNumber><Size>${p1.length}</Size></Part><PartsCount>2</PartsCount></ObjectParts>`,
    ),
    xml,
  );
  assert.match(xml, /<StorageClass>STANDARD<\/StorageClass><ObjectSize>5243880<\/ObjectSize>/);
  const next = await send(h, "/private/attrs?attributes&part-number-marker=1", {
    key: ADMIN,
    headers: { "x-amz-object-attributes": "ObjectParts" },
  });
  const nextXml = await next.text();
  assert.ok(nextXml.includes(`<PartNumber>2</PartNumber><Size>1000</Size>`), nextXml);
  assert.match(nextXml, /<IsTruncated>false<\/IsTruncated>/);
  const bad = await send(h, "/private/attrs?attributes", {
    key: ADMIN,
    headers: { "x-amz-object-attributes": "Colour" },
  });
  assert.equal(await errorCode(bad), "InvalidArgument");
  const missing = await send(h, "/private/nothing?attributes", {
    key: ADMIN,
    headers: { "x-amz-object-attributes": "ETag" },
  });
  assert.equal(await errorCode(missing), "NoSuchKey");
});

Deno.test("PutObject with a trailing checksum (the 2025 SDKs' default) stores it for checksum mode", async () => {
  const h = harness();
  const data = new TextEncoder().encode("hello trailer");
  const crc = checksumOf("CRC32", data);
  const res = await send(h, "/private/trailed", {
    method: "PUT",
    key: ADMIN,
    ...trailed(data, "CRC32"),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get("x-amz-checksum-crc32"), crc);
  assert.equal(res.headers.get("x-amz-checksum-type"), "FULL_OBJECT");
  const head = await send(h, "/private/trailed", {
    method: "HEAD",
    key: ADMIN,
    headers: { "x-amz-checksum-mode": "ENABLED" },
  });
  assert.equal(head.headers.get("x-amz-checksum-crc32"), crc);
  assert.equal(head.headers.get("x-amz-checksum-type"), "FULL_OBJECT");
});

Deno.test("CopyObject and UploadPartCopy answer a checksum of what they wrote", async () => {
  const h = harness();
  const id = await createId(h, "src", { "x-amz-checksum-algorithm": "CRC32" });
  const r1 = await part(h, "src", id, 1, p1);
  const r2 = await part(h, "src", id, 2, p2);
  const listed = (r: Response, n: number) =>
    `<Part><PartNumber>${n}</PartNumber><ETag>${r.headers.get("etag")}</ETag><ChecksumCRC32>${
      r.headers.get("x-amz-checksum-crc32")
    }</ChecksumCRC32></Part>`;
  const done = await send(h, `/private/src?uploadId=${id}`, {
    method: "POST",
    key: ADMIN,
    body: `<CompleteMultipartUpload>${listed(r1, 1)}${listed(r2, 2)}</CompleteMultipartUpload>`,
  });
  assert.equal(done.status, 200);
  await done.body?.cancel();
  // To another backend: streamed, and the composite checksum is made anew over the whole copy.
  const copied = await send(h, "/public/copy", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src" },
  });
  const xml = await copied.text();
  assert.equal(copied.status, 200, xml);
  assert.ok(xml.includes(`<ChecksumCRC32>${checksumOf("CRC32", p1, p2)}</ChecksumCRC32>`), xml);
  assert.match(xml, /<ChecksumType>FULL_OBJECT<\/ChecksumType>/);
  // Within one backend: the source's checksum still describes the bytes.
  const same = await send(h, "/private/same", {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/private/src" },
  });
  assert.match(await same.text(), /<ChecksumCRC32>[^<]+-2<\/ChecksumCRC32><ChecksumType>COMPOSITE/);
  const target = await createId(h, "target", { "x-amz-checksum-algorithm": "CRC32" });
  const partCopy = await send(h, `/private/target?partNumber=1&uploadId=${target}`, {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": "/public/copy", "x-amz-copy-source-range": "bytes=0-99" },
  });
  const partXml = await partCopy.text();
  assert.equal(partCopy.status, 200, partXml);
  assert.ok(
    partXml.includes(`<ChecksumCRC32>${checksumOf("CRC32", p1.subarray(0, 100))}</ChecksumCRC32>`),
  );
});

/** An unsigned aws-chunked body with its checksum in a trailer, and the headers it needs. */
function trailed(data: Uint8Array, alg: "CRC32" | "CRC32C") {
  const name = `x-amz-checksum-${alg.toLowerCase()}`;
  const head = new TextEncoder().encode(`${data.length.toString(16)}\r\n`);
  const tail = new TextEncoder().encode(`\r\n0\r\n${name}:${checksumOf(alg, data)}\r\n\r\n`);
  const body = new Uint8Array(head.length + data.length + tail.length);
  body.set(head);
  body.set(data, head.length);
  body.set(tail, head.length + data.length);
  return {
    body,
    headers: {
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": name,
    },
  };
}

Deno.test("UploadPart with a trailing checksum: another algorithm than the upload's is refused; without one it is kept", async () => {
  const h = harness();
  const id = await createId(h, "tr", { "x-amz-checksum-algorithm": "CRC32" });
  const c = trailed(p2, "CRC32C");
  const refused = await send(h, `/private/tr?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    key: ADMIN,
    ...c,
  });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /expected checksum Type: crc32, actual checksum Type: crc32c/);
  const plain = await createId(h, "plain", {});
  const t = trailed(p2, "CRC32");
  const kept = await send(h, `/private/plain?partNumber=1&uploadId=${plain}`, {
    method: "PUT",
    key: ADMIN,
    ...t,
  });
  assert.equal(kept.status, 200);
  assert.equal(kept.headers.get("x-amz-checksum-crc32"), checksumOf("CRC32", p2));
  const listed = await (await send(h, `/private/plain?uploadId=${plain}`, { key: ADMIN })).text();
  assert.ok(listed.includes(`<ChecksumCRC32>${checksumOf("CRC32", p2)}</ChecksumCRC32>`), listed);
});
