import assert from "node:assert/strict";
import type { MultipartStore } from "../../../../src/backends/backend.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  MAX_COMPLETE_BODY,
  uploadPart,
} from "../../../../src/s3/ops/multipart.ts";
import {
  type ContextOptions,
  errorOf,
  okResponse,
  s3Context,
  seed,
  storedText,
  streamOf,
} from "./_context.ts";

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const ABC_ETAG = '"900150983cd24fb0d6963f7d28e17f72"';
const OWNER = "<ID>owner-id</ID><DisplayName>owner-name</DisplayName>";

function elements(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1]!);
}

async function upload(backend: MultipartStore, key = "k"): Promise<string> {
  const id = await backend.createMultipartUpload(key, { meta: { userMetadata: {} } });
  assert.ok(id.ok);
  return id.value;
}

async function part(backend: MultipartStore, key: string, id: string, n: number, text: string) {
  const r = await backend.uploadPart({ key, uploadId: id }, {
    partNumber: n,
    body: streamOf(text),
  });
  assert.ok(r.ok);
  return r.value.etag;
}

function completeBody(parts: readonly [number, string][]): string {
  return `<CompleteMultipartUpload>${
    parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join("")
  }</CompleteMultipartUpload>`;
}

Deno.test("createMultipartUpload() answers InitiateMultipartUploadResult exactly", async () => {
  const ctx = s3Context({
    op: "CreateMultipartUpload",
    method: "POST",
    key: "a&b",
    query: "uploads",
  });
  const res = okResponse(await createMultipartUpload(ctx));
  const xml = await res.text();
  const [id] = elements(xml, "UploadId");
  assert.match(id!, /^[0-9a-f]{48}$/);
  assert.equal(
    xml,
    DECL + `<InitiateMultipartUploadResult ${NS}><Bucket>bkt</Bucket><Key>a&amp;b</Key>` +
      `<UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
  );
  assert.equal(res.headers.get("x-amz-checksum-algorithm"), null);
});

Deno.test("createMultipartUpload() echoes x-amz-checksum-algorithm in upper case", async () => {
  const ctx = s3Context({ key: "k", headers: { "x-amz-checksum-algorithm": "crc32c" } });
  const res = okResponse(await createMultipartUpload(ctx));
  await res.body?.cancel();
  assert.equal(res.headers.get("x-amz-checksum-algorithm"), "CRC32C");
});

Deno.test("createMultipartUpload() keeps the metadata for the completed object", async () => {
  const ctx = s3Context({
    key: "k",
    headers: { "content-type": "text/csv", "x-amz-meta-origin": "unit" },
  });
  const xml = await okResponse(await createMultipartUpload(ctx)).text();
  const id = elements(xml, "UploadId")[0]!;
  const etag = await part(ctx.backend, "k", id, 1, "abc");
  const done = await ctx.backend.completeMultipartUpload({ key: "k", uploadId: id }, [{
    partNumber: 1,
    etag,
  }]);
  assert.ok(done.ok);
  assert.equal(done.value.contentType, "text/csv");
  assert.deepEqual({ ...done.value.userMetadata }, { origin: "unit" });
});

function partCtx(options: ContextOptions & { uploadId?: string; partNumber?: string } = {}) {
  return s3Context({
    op: "UploadPart",
    method: "PUT",
    key: "k",
    body: "abc",
    ...options,
    query: {
      ...(options.uploadId !== undefined ? { uploadId: options.uploadId } : {}),
      partNumber: options.partNumber ?? "1",
    },
  });
}

Deno.test("uploadPart() answers 200 with the part's ETag and echoed checksum", async () => {
  const ctx = partCtx();
  const uploadId = await upload(ctx.backend);
  const res = okResponse(
    await uploadPart(
      partCtx({ backend: ctx.backend, uploadId, headers: { "x-amz-checksum-crc32": "NSRBwg==" } }),
    ),
  );
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.deepEqual(Object.fromEntries(res.headers), {
    etag: ABC_ETAG,
    "x-amz-checksum-crc32": "NSRBwg==",
  });
});

Deno.test("uploadPart() requires an uploadId and a part number in 1..10000", async () => {
  const noId = errorOf(await uploadPart(partCtx()), "InvalidArgument");
  assert.equal(noId.message, "uploadId is required");
  const empty = errorOf(await uploadPart(partCtx({ uploadId: "" })), "InvalidArgument");
  assert.equal(empty.message, "uploadId is required");
  for (const partNumber of ["0", "10001", "01x", "+1"]) {
    errorOf(await uploadPart(partCtx({ uploadId: "u", partNumber })), "InvalidArgument");
  }
});

Deno.test("uploadPart() refuses a declared length over max_body_bytes", async () => {
  const ctx = partCtx({ body: new Uint8Array(1025) });
  const uploadId = await upload(ctx.backend);
  errorOf(
    await uploadPart(partCtx({ backend: ctx.backend, uploadId, body: new Uint8Array(1025) })),
    "EntityTooLarge",
  );
});

Deno.test("uploadPart() refuses a malformed checksum header as InvalidRequest", async () => {
  errorOf(
    await uploadPart(partCtx({ uploadId: "u", headers: { "x-amz-checksum-crc32": "abc" } })),
    "InvalidRequest",
  );
});

Deno.test("uploadPart() answers NoSuchUpload for an unknown upload", async () => {
  errorOf(await uploadPart(partCtx({ uploadId: "0".repeat(48) })), "NoSuchUpload");
});

Deno.test("uploadPart() answers BadDigest for a Content-MD5 the part does not have", async () => {
  const ctx = partCtx();
  const uploadId = await upload(ctx.backend);
  const r = await uploadPart(
    partCtx({
      backend: ctx.backend,
      uploadId,
      headers: { "content-md5": "AAAAAAAAAAAAAAAAAAAAAA==" },
    }),
  );
  errorOf(r, "BadDigest");
  const parts = await ctx.backend.listParts({ key: "k", uploadId }, { maxParts: 10 });
  assert.ok(parts.ok);
  assert.equal(parts.value.parts.length, 0);
});

function completeCtx(body: string | null, options: ContextOptions & { uploadId?: string } = {}) {
  return s3Context({
    op: "CompleteMultipartUpload",
    method: "POST",
    key: "k",
    body,
    ...options,
    query: options.uploadId !== undefined ? { uploadId: options.uploadId } : {},
  });
}

Deno.test("completeMultipartUpload() answers the result with a path Location without a host", async () => {
  const ctx = completeCtx(null, { key: "dir/a b" });
  const uploadId = await upload(ctx.backend, "dir/a b");
  const etag = await part(ctx.backend, "dir/a b", uploadId, 1, "abc");
  const res = okResponse(
    await completeMultipartUpload(
      completeCtx(completeBody([[1, etag]]), { key: "dir/a b", backend: ctx.backend, uploadId }),
    ),
  );
  assert.equal(res.status, 200);
  const xml = await res.text();
  const [final] = elements(xml, "ETag");
  assert.match(final!, /^&quot;[0-9a-f]{32}-1&quot;$/);
  assert.equal(
    xml,
    DECL + `<CompleteMultipartUploadResult ${NS}><Location>/bkt/dir/a%20b</Location>` +
      `<Bucket>bkt</Bucket><Key>dir/a b</Key><ETag>${final}</ETag></CompleteMultipartUploadResult>`,
  );
  assert.equal(await storedText(ctx.backend, "dir/a b"), "abc");
});

Deno.test("completeMultipartUpload() gives Location as the client addressed the bucket", async () => {
  for (
    const [virtualHosted, host, scheme, want] of [
      [false, "s3.example.com", "https", "https://s3.example.com/bkt/k"],
      [true, "bkt.s3.example.com", "http", "http://bkt.s3.example.com/k"],
    ] as const
  ) {
    const ctx = completeCtx(null);
    const uploadId = await upload(ctx.backend);
    const etag = await part(ctx.backend, "k", uploadId, 1, "abc");
    const xml = await okResponse(
      await completeMultipartUpload(completeCtx(completeBody([[1, etag]]), {
        backend: ctx.backend,
        uploadId,
        virtualHosted,
        client: { host, scheme },
      })),
    ).text();
    assert.deepEqual(elements(xml, "Location"), [want]);
  }
});

Deno.test("completeMultipartUpload() requires an uploadId", async () => {
  const e = errorOf(
    await completeMultipartUpload(completeCtx(completeBody([[1, "x"]]))),
    "InvalidArgument",
  );
  assert.equal(e.message, "uploadId is required");
});

Deno.test("completeMultipartUpload() refuses an empty or partless body as MalformedXml", async () => {
  for (const body of [null, "", "<CompleteMultipartUpload/>", "<Other><Part/></Other>"]) {
    errorOf(await completeMultipartUpload(completeCtx(body, { uploadId: "u" })), "MalformedXml");
  }
  const none = errorOf(
    await completeMultipartUpload(
      completeCtx("<CompleteMultipartUpload><Note/></CompleteMultipartUpload>", { uploadId: "u" }),
    ),
    "MalformedXml",
  );
  assert.equal(none.message, "The CompleteMultipartUpload request names no Part");
});

Deno.test("completeMultipartUpload() refuses a body over its limit as MalformedXml", async () => {
  const e = errorOf(
    await completeMultipartUpload(
      completeCtx(" ".repeat(MAX_COMPLETE_BODY + 1), { uploadId: "u" }),
    ),
    "MalformedXml",
  );
  assert.equal(
    e.message,
    `The CompleteMultipartUpload body is larger than ${MAX_COMPLETE_BODY} bytes`,
  );
});

Deno.test("completeMultipartUpload() applies If-None-Match: * to the destination", async () => {
  const ctx = completeCtx(null);
  await seed(ctx.backend, "k", "old");
  const uploadId = await upload(ctx.backend);
  const etag = await part(ctx.backend, "k", uploadId, 1, "abc");
  errorOf(
    await completeMultipartUpload(completeCtx(completeBody([[1, etag]]), {
      backend: ctx.backend,
      uploadId,
      headers: { "if-none-match": "*" },
    })),
    "PreconditionFailed",
  );
  assert.equal(await storedText(ctx.backend, "k"), "old");
});

Deno.test("abortMultipartUpload() answers 204, then NoSuchUpload; it requires an uploadId", async () => {
  const ctx = s3Context({ key: "k" });
  const uploadId = await upload(ctx.backend);
  const abort = () =>
    abortMultipartUpload(s3Context({ key: "k", backend: ctx.backend, query: { uploadId } }));
  const res = okResponse(await abort());
  assert.equal(res.status, 204);
  assert.equal(res.body, null);
  errorOf(await abort(), "NoSuchUpload");
  errorOf(await abortMultipartUpload(s3Context({ key: "k" })), "InvalidArgument");
});

Deno.test("listParts() renders a page exactly, with NextPartNumberMarker when truncated", async () => {
  const ctx = s3Context({ key: "k" });
  const uploadId = await upload(ctx.backend);
  const e1 = await part(ctx.backend, "k", uploadId, 1, "abc");
  await part(ctx.backend, "k", uploadId, 2, "de");
  const xml = await okResponse(
    await listParts(
      s3Context({ key: "k", backend: ctx.backend, query: { uploadId, "max-parts": "1" } }),
    ),
  ).text();
  assert.equal(
    xml,
    DECL +
      `<ListPartsResult ${NS}><Bucket>bkt</Bucket><Key>k</Key><UploadId>${uploadId}</UploadId>` +
      `<Initiator>${OWNER}</Initiator><Owner>${OWNER}</Owner><StorageClass>STANDARD</StorageClass>` +
      `<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>1</NextPartNumberMarker>` +
      `<MaxParts>1</MaxParts><IsTruncated>true</IsTruncated><Part><PartNumber>1</PartNumber>` +
      `<LastModified>2026-01-15T12:00:00.000Z</LastModified><ETag>${
        e1.replace(/"/g, "&quot;")
      }</ETag><Size>3</Size></Part></ListPartsResult>`,
  );
});

Deno.test("listParts() resumes after part-number-marker and caps max-parts at 1000", async () => {
  const ctx = s3Context({ key: "k" });
  const uploadId = await upload(ctx.backend);
  await part(ctx.backend, "k", uploadId, 1, "a");
  await part(ctx.backend, "k", uploadId, 3, "b");
  const xml = await okResponse(
    await listParts(s3Context({
      key: "k",
      backend: ctx.backend,
      query: { uploadId, "part-number-marker": "1", "max-parts": "99999" },
    })),
  ).text();
  assert.deepEqual(elements(xml, "PartNumber"), ["3"]);
  assert.deepEqual(elements(xml, "PartNumberMarker"), ["1"]);
  assert.deepEqual(elements(xml, "MaxParts"), ["1000"]);
  assert.deepEqual(elements(xml, "IsTruncated"), ["false"]);
  assert.deepEqual(elements(xml, "NextPartNumberMarker"), []);
});

Deno.test("listParts() refuses bad parameters and unknown uploads precisely", async () => {
  errorOf(await listParts(s3Context({ key: "k" })), "InvalidArgument");
  for (const query of [{ "max-parts": "-1" }, { "part-number-marker": "x" }]) {
    errorOf(
      await listParts(s3Context({ key: "k", query: { uploadId: "u", ...query } })),
      "InvalidArgument",
    );
  }
  errorOf(
    await listParts(s3Context({ key: "k", query: { uploadId: "0".repeat(48) } })),
    "NoSuchUpload",
  );
});

Deno.test("listMultipartUploads() renders uploads exactly", async () => {
  const ctx = s3Context();
  const id = await upload(ctx.backend, "k");
  const xml = await okResponse(await listMultipartUploads(ctx)).text();
  const [initiated] = elements(xml, "Initiated");
  assert.equal(initiated, "2026-01-15T12:00:00.000Z");
  assert.equal(
    xml,
    DECL + `<ListMultipartUploadsResult ${NS}><Bucket>bkt</Bucket><KeyMarker></KeyMarker>` +
      `<UploadIdMarker></UploadIdMarker><Prefix></Prefix><MaxUploads>1000</MaxUploads>` +
      `<IsTruncated>false</IsTruncated><Upload><Key>k</Key><UploadId>${id}</UploadId>` +
      `<Initiator>${OWNER}</Initiator><Owner>${OWNER}</Owner><StorageClass>STANDARD</StorageClass>` +
      `<Initiated>${initiated}</Initiated></Upload></ListMultipartUploadsResult>`,
  );
});

Deno.test("listMultipartUploads() pages with NextKeyMarker and NextUploadIdMarker", async () => {
  const ctx = s3Context();
  const a = await upload(ctx.backend, "a");
  const b = await upload(ctx.backend, "b");
  const list = (query: Record<string, string>) =>
    listMultipartUploads(s3Context({ backend: ctx.backend, query }));
  const first = await okResponse(await list({ "max-uploads": "1" })).text();
  assert.deepEqual(elements(first, "UploadId"), [a]);
  assert.deepEqual(elements(first, "NextKeyMarker"), ["a"]);
  assert.deepEqual(elements(first, "NextUploadIdMarker"), [a]);
  assert.deepEqual(elements(first, "IsTruncated"), ["true"]);
  const second = await okResponse(await list({ "key-marker": "a", "upload-id-marker": a })).text();
  assert.deepEqual(elements(second, "UploadId"), [b]);
  assert.deepEqual(elements(second, "KeyMarker"), ["a"]);
});

Deno.test("listMultipartUploads() groups by delimiter and url-encodes on request", async () => {
  const ctx = s3Context();
  await upload(ctx.backend, "d ir/x");
  await upload(ctx.backend, "top key");
  const xml = await okResponse(
    await listMultipartUploads(
      s3Context({ backend: ctx.backend, query: { delimiter: "/", "encoding-type": "url" } }),
    ),
  ).text();
  assert.deepEqual(elements(xml, "Key"), ["top%20key"]);
  assert.deepEqual(elements(xml, "Prefix"), ["", "d%20ir/"]);
  assert.deepEqual(elements(xml, "Delimiter"), ["/"]);
  assert.deepEqual(elements(xml, "EncodingType"), ["url"]);
});

Deno.test("listMultipartUploads() with max-uploads=0 lists nothing and is not truncated", async () => {
  const ctx = s3Context();
  await upload(ctx.backend, "k");
  const xml = await okResponse(
    await listMultipartUploads(s3Context({ backend: ctx.backend, query: { "max-uploads": "0" } })),
  ).text();
  assert.deepEqual(elements(xml, "MaxUploads"), ["0"]);
  assert.deepEqual(elements(xml, "IsTruncated"), ["false"]);
  assert.deepEqual(elements(xml, "UploadId"), []);
});

Deno.test("listMultipartUploads() refuses bad max-uploads and encoding-type", async () => {
  errorOf(
    await listMultipartUploads(s3Context({ query: { "max-uploads": "-2" } })),
    "InvalidArgument",
  );
  errorOf(
    await listMultipartUploads(s3Context({ query: { "encoding-type": "xml" } })),
    "InvalidArgument",
  );
});
