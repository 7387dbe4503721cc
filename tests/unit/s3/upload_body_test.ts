import assert from "node:assert/strict";
import { ProxyStreamError } from "../../../src/errors.ts";
import { uploadBody } from "../../../src/s3/upload_body.ts";
import { s3Context, streamOf } from "./ops/_context.ts";

async function failure(stream: ReadableStream<Uint8Array>): Promise<string> {
  try {
    await new Response(stream).arrayBuffer();
  } catch (e) {
    if (e instanceof ProxyStreamError) return e.proxy.kind;
    throw e;
  }
  return "none";
}

Deno.test("uploadBody() passes a body that needs no check on untouched", () => {
  const ctx = s3Context({ body: "abc" });
  const r = uploadBody(ctx);
  assert.ok(r.ok);
  assert.equal(r.value.stream, ctx.body);
  assert.equal(r.value.contentLength, 3);
  assert.deepEqual(r.value.checksums, {});
});

Deno.test("uploadBody() gives an empty stream when there is no body", async () => {
  const r = uploadBody(s3Context({ body: null }));
  assert.ok(r.ok);
  assert.equal(r.value.contentLength, undefined);
  assert.equal((await new Response(r.value.stream).arrayBuffer()).byteLength, 0);
});

Deno.test("uploadBody() refuses a declared length over max_body_bytes", () => {
  const r = uploadBody(s3Context({ body: null, contentLength: 1025 }));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "EntityTooLarge");
  assert.equal(
    r.error.message,
    "Your proposed upload exceeds the maximum allowed size of 1024 bytes",
  );
});

Deno.test("uploadBody() limits a body of unknown length to max_body_bytes", async () => {
  const over = uploadBody(s3Context({ body: streamOf(new Uint8Array(1025)) }));
  assert.ok(over.ok);
  assert.equal(await failure(over.value.stream), "EntityTooLarge");
  const at = uploadBody(s3Context({ body: streamOf(new Uint8Array(1024)) }));
  assert.ok(at.ok);
  assert.equal(await failure(at.value.stream), "none");
});

Deno.test("uploadBody() verifies Content-MD5 and checksums while streaming", async () => {
  const good = uploadBody(
    s3Context({ body: "abc", headers: { "content-md5": "kAFQmDzST7DWlj99KOF/cg==" } }),
  );
  assert.ok(good.ok);
  assert.equal(await failure(good.value.stream), "none");
  const bad = uploadBody(
    s3Context({ body: "abd", headers: { "x-amz-checksum-crc32": "NSRBwg==" } }),
  );
  assert.ok(bad.ok);
  assert.deepEqual(bad.value.checksums, { CRC32: "NSRBwg==" });
  assert.equal(await failure(bad.value.stream), "BadDigest");
});

Deno.test("uploadBody() refuses malformed integrity headers before reading", () => {
  const md5 = uploadBody(s3Context({ body: "abc", headers: { "content-md5": "AAAA" } }));
  assert.ok(!md5.ok);
  assert.equal(md5.error.kind, "InvalidDigest");
  const crc = uploadBody(
    s3Context({ body: "abc", headers: { "x-amz-checksum-crc32": "AAAAAAAA" } }),
  );
  assert.ok(!crc.ok);
  assert.equal(crc.error.kind, "InvalidRequest");
});
