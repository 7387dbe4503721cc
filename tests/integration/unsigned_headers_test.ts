/**
 * In-process tests: an `x-amz-*` header that the signature does not cover
 * cannot change what a signed request does (issue 21). A presigned PUT URL
 * must not turn into a CopyObject of a private object, a header-signed PUT
 * must not gain metadata, an UploadPart must not turn into an UploadPartCopy.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { presignQuery, testSigner } from "../_support/signer.ts";
import {
  ADMIN,
  BASE,
  errorCode,
  type Harness,
  harness,
  makeRequest,
  NOW,
  send,
} from "./_harness.ts";

const SECRET_KEY = "secret/payroll.csv";
const SECRET_BODY = "alice,1000000\n";

async function withSecret(): Promise<Harness> {
  const h = harness();
  const put = await send(h, `/private/${SECRET_KEY}`, {
    method: "PUT",
    key: ADMIN,
    body: SECRET_BODY,
  });
  assert.equal(put.status, 200);
  await put.body?.cancel();
  return h;
}

async function stored(h: Harness, key: string): Promise<boolean> {
  return (await h.raw.get("private")!.head(key)).ok;
}

async function refusedAsUnsigned(res: Response, names: string): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, 403, text);
  assert.equal(/<Code>([^<]*)<\/Code>/.exec(text)?.[1], "AccessDenied");
  assert.match(text, /There were headers present in the request which were not signed/);
  assert.match(text, new RegExp(`<HeadersNotSigned>${names}</HeadersNotSigned>`));
}

/** A presigned URL whose signature also covers the given headers (sent as headers, not hoisted). */
async function presignWithHeaders(
  path: string,
  method: string,
  headers: Record<string, string>,
  query: Record<string, string> = {},
): Promise<string> {
  const signed = await testSigner(ADMIN).presign({
    method,
    protocol: "http:",
    hostname: "gateway.test",
    path,
    query,
    headers: { host: "gateway.test", "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers },
  }, {
    expiresIn: 600,
    signingDate: new Date(NOW),
    unhoistableHeaders: new Set(["x-amz-content-sha256", ...Object.keys(headers)]),
    unsignableHeaders: new Set(["x-amz-content-sha256"]),
  });
  const qs = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
  return `${BASE}${path}?${qs}`;
}

/** A presigned PUT URL's query for private/upload.txt that signs only the host. */
function presignUpload(): Promise<string> {
  return presignQuery(ADMIN, `${BASE}/private/upload.txt`, {
    method: "PUT",
    signedAt: NOW,
    expiresIn: 600,
  });
}

Deno.test("a presigned PUT URL with an added unsigned x-amz-copy-source is refused and copies nothing", async () => {
  const h = await withSecret();
  const qs = await presignUpload();
  const res = await h.handle(
    new Request(`${BASE}/private/upload.txt?${qs}`, {
      method: "PUT",
      headers: { host: "gateway.test", "x-amz-copy-source": `/private/${SECRET_KEY}` },
    }),
  );
  await refusedAsUnsigned(res, "x-amz-copy-source");
  assert.equal(await stored(h, "upload.txt"), false, "nothing written to the target");
  // The same URL, used as intended, still uploads.
  const put = await h.handle(
    new Request(`${BASE}/private/upload.txt?${qs}`, {
      method: "PUT",
      headers: { host: "gateway.test", "content-length": "5" },
      body: new TextEncoder().encode("mine!"),
    }),
  );
  assert.equal(put.status, 200, await put.clone().text());
  await put.body?.cancel();
  const got = await h.raw.get("private")!.get("upload.txt");
  assert.ok(got.ok);
  assert.equal(await new Response(got.value.body).text(), "mine!");
});

Deno.test("every unsigned x-amz-* header of a presigned URL is named, sorted, in HeadersNotSigned", async () => {
  const h = await withSecret();
  const qs = await presignUpload();
  const res = await h.handle(
    new Request(`${BASE}/private/upload.txt?${qs}`, {
      method: "PUT",
      headers: {
        host: "gateway.test",
        "x-amz-tagging": "a=b",
        "x-amz-copy-source": `/private/${SECRET_KEY}`,
        "x-amz-metadata-directive": "REPLACE",
        "x-amz-storage-class": "GLACIER",
        "x-amz-server-side-encryption": "AES256",
        // exempt: covered as the payload hash, or not an x-amz- header at all
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
      },
    }),
  );
  await refusedAsUnsigned(
    res,
    "x-amz-copy-source, x-amz-metadata-directive, x-amz-server-side-encryption, x-amz-storage-class, x-amz-tagging",
  );
  assert.equal(await stored(h, "upload.txt"), false);
});

Deno.test("a header-signed PUT with an added unsigned x-amz-meta-x is refused and writes nothing", async () => {
  const h = harness();
  const req = await makeRequest("/private/meta.txt", { method: "PUT", key: ADMIN, body: "data" });
  req.headers.set("x-amz-meta-x", "injected");
  await refusedAsUnsigned(await h.handle(req), "x-amz-meta-x");
  assert.equal(await stored(h, "meta.txt"), false);
});

Deno.test("a header-signed PutObject with an added unsigned x-amz-copy-source does not copy", async () => {
  const h = await withSecret();
  const req = await makeRequest("/private/copy.txt", { method: "PUT", key: ADMIN });
  req.headers.set("x-amz-copy-source", `/private/${SECRET_KEY}`);
  await refusedAsUnsigned(await h.handle(req), "x-amz-copy-source");
  assert.equal(await stored(h, "copy.txt"), false);
});

async function createUpload(h: Harness, key: string): Promise<string> {
  const res = await send(h, `/private/${key}?uploads`, { method: "POST", key: ADMIN });
  assert.equal(res.status, 200);
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await res.text())?.[1];
  assert.ok(id);
  return id;
}

async function partCount(h: Harness, key: string, id: string): Promise<number> {
  const parts = await h.raw.get("private")!.listParts({ key, uploadId: id }, { maxParts: 1000 });
  assert.ok(parts.ok);
  return parts.value.parts.length;
}

Deno.test("a presigned UploadPart URL with an added unsigned x-amz-copy-source is refused and adds no part", async () => {
  const h = await withSecret();
  const id = await createUpload(h, "big");
  const qs = await presignQuery(ADMIN, `${BASE}/private/big`, {
    method: "PUT",
    query: { partNumber: "1", uploadId: id },
    signedAt: NOW,
    expiresIn: 600,
  });
  const res = await h.handle(
    new Request(`${BASE}/private/big?${qs}`, {
      method: "PUT",
      headers: { host: "gateway.test", "x-amz-copy-source": `/private/${SECRET_KEY}` },
    }),
  );
  await refusedAsUnsigned(res, "x-amz-copy-source");
  assert.equal(await partCount(h, "big", id), 0);
});

Deno.test("a header-signed UploadPart with an added unsigned x-amz-copy-source is refused and adds no part", async () => {
  const h = await withSecret();
  const id = await createUpload(h, "big");
  const req = await makeRequest(`/private/big?partNumber=1&uploadId=${encodeURIComponent(id)}`, {
    method: "PUT",
    key: ADMIN,
  });
  req.headers.set("x-amz-copy-source", `/private/${SECRET_KEY}`);
  req.headers.set("x-amz-copy-source-range", "bytes=0-4");
  await refusedAsUnsigned(await h.handle(req), "x-amz-copy-source, x-amz-copy-source-range");
  assert.equal(await partCount(h, "big", id), 0);
});

Deno.test("requests that sign their x-amz-* headers still copy, tag and upload parts", async () => {
  const h = await withSecret();
  // Header auth: the test signer signs every header it is given.
  const copy = await send(h, "/private/copied.csv", {
    method: "PUT",
    key: ADMIN,
    headers: {
      "x-amz-copy-source": `/private/${SECRET_KEY}`,
      "x-amz-metadata-directive": "REPLACE",
      "x-amz-meta-x": "signed",
    },
  });
  assert.equal(copy.status, 200, await copy.clone().text());
  await copy.body?.cancel();
  const head = await send(h, "/private/copied.csv", { method: "HEAD", key: ADMIN });
  assert.equal(head.headers.get("x-amz-meta-x"), "signed");
  // Presigned, with the copy source among X-Amz-SignedHeaders.
  const url = await presignWithHeaders("/private/pcopy.csv", "PUT", {
    "x-amz-copy-source": `/private/${SECRET_KEY}`,
  });
  assert.match(url, /X-Amz-SignedHeaders=host%3Bx-amz-copy-source/);
  const pcopy = await h.handle(
    new Request(url, {
      method: "PUT",
      headers: { host: "gateway.test", "x-amz-copy-source": `/private/${SECRET_KEY}` },
    }),
  );
  assert.equal(pcopy.status, 200, await pcopy.clone().text());
  await pcopy.body?.cancel();
  const got = await h.raw.get("private")!.get("pcopy.csv");
  assert.ok(got.ok);
  assert.equal(await new Response(got.value.body).text(), SECRET_BODY);
  // A signed UploadPartCopy.
  const id = await createUpload(h, "big");
  const upc = await send(h, `/private/big?partNumber=1&uploadId=${encodeURIComponent(id)}`, {
    method: "PUT",
    key: ADMIN,
    headers: { "x-amz-copy-source": `/private/${SECRET_KEY}` },
  });
  assert.equal(upc.status, 200, await upc.clone().text());
  await upc.body?.cancel();
  assert.equal(await partCount(h, "big", id), 1);
  // Unsigned headers outside x-amz-* are not the signature's business.
  const traced = await makeRequest("/private/copied.csv", { key: ADMIN });
  traced.headers.set("x-amzn-trace-id", "Root=1-67891233-abcdef012345678912345678");
  const res = await h.handle(traced);
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
});

/** A SigV2 presigned URL (what boto3 and aws-cli v1 make for custom endpoints). */
function presignV2(method: string, path: string, expires: number): string {
  const sts = `${method}\n\n\n${expires}\n${path}`;
  const signature = createHmac("sha1", ADMIN.secret).update(sts, "utf8").digest("base64");
  return `${BASE}${path}?AWSAccessKeyId=${ADMIN.id}&Expires=${expires}&Signature=${
    encodeURIComponent(signature)
  }`;
}

Deno.test("SigV2 presigned PUT: an added unsigned x-amz-copy-source breaks the signature", async () => {
  const h = await withSecret();
  const url = presignV2("PUT", "/private/v2.txt", NOW / 1000 + 600);
  const attack = await h.handle(
    new Request(url, {
      method: "PUT",
      headers: { host: "gateway.test", "x-amz-copy-source": `/private/${SECRET_KEY}` },
    }),
  );
  assert.equal(attack.status, 403);
  assert.equal(await errorCode(attack), "SignatureDoesNotMatch");
  assert.equal(await stored(h, "v2.txt"), false);
  const put = await h.handle(
    new Request(url, {
      method: "PUT",
      headers: { host: "gateway.test", "content-length": "2" },
      body: new TextEncoder().encode("v2"),
    }),
  );
  assert.equal(put.status, 200, await put.clone().text());
  await put.body?.cancel();
  assert.equal(await stored(h, "v2.txt"), true);
});
