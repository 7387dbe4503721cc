/**
 * Wire rules of the s3 backend that emulators do not enforce: streamed
 * uploads leave with a Content-Length (real S3 answers chunked PutObject with
 * 501), bytes are never re-encoded, and every request is signed.
 */
import assert from "node:assert/strict";
import { createS3Backend } from "../../../../src/backends/s3/s3.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";
import { freePort } from "../../../_support/ports.ts";

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: Uint8Array;
}

async function withRecorder(
  fn: (endpoint: string, seen: Seen[]) => Promise<void>,
  status = 200,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: new Uint8Array(await req.arrayBuffer()),
    });
    return new Response(null, { status, headers: { etag: '"abc"' } });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

Deno.test("s3 backend: a streamed PutObject goes out with Content-Length, never chunked", async () => {
  await withRecorder(async (endpoint, seen) => {
    const b = createS3Backend(s3OptionsOf({
      endpoint,
      bucket_name: "bkt",
      region: "us-east-1",
      access_key_id: "AKIDEXAMPLE",
      secret_access_key: "secret",
    }));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(70_000).fill(1));
        c.enqueue(new Uint8Array(30_000).fill(2));
        c.close();
      },
    });
    const r = await b.put("dir/a b+c~*.bin", body, {
      meta: { contentType: "x/y", userMetadata: { k: "v" } },
      contentLength: 100_000,
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const put = seen[0]!;
    assert.equal(put.method, "PUT");
    assert.equal(put.headers.get("content-length"), "100000");
    assert.equal(put.headers.get("transfer-encoding"), null);
    assert.equal(put.body.length, 100_000);
    assert.equal(new URL(put.url).pathname, "/bkt/dir/a%20b%2Bc~%2A.bin");
    assert.match(
      put.headers.get("authorization") ?? "",
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request/,
    );
    assert.equal(put.headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    assert.equal(put.headers.get("x-amz-meta-k"), "v");
    assert.equal(put.headers.get("accept-encoding"), "identity");
    assert.match(put.headers.get("user-agent") ?? "", /^bucketgate\/\d+\.\d+\.\d+$/);
  });
});

Deno.test("s3 backend: UploadPart is length-framed too", async () => {
  await withRecorder(async (endpoint, seen) => {
    const b = createS3Backend(s3OptionsOf({ endpoint, bucket_name: "bkt", skip_signature: true }));
    const body = new Blob([new Uint8Array(5000)]).stream();
    const r = await b.uploadPart({ key: "k", uploadId: "upload-1" }, {
      partNumber: 3,
      body,
      contentLength: 5000,
    });
    assert.ok(r.ok);
    assert.equal(seen[0]?.headers.get("content-length"), "5000");
    assert.equal(seen[0]?.headers.get("transfer-encoding"), null);
    assert.equal(seen[0]?.headers.get("authorization"), null, "skip_signature sends no signature");
    assert.equal(new URL(seen[0]!.url).search, "?partNumber=3&uploadId=upload-1");
  });
});

Deno.test("s3 backend: a short body is IncompleteBody and the request is abandoned", async () => {
  await withRecorder(async (endpoint) => {
    const b = createS3Backend(s3OptionsOf({ endpoint, bucket_name: "bkt", skip_signature: true }));
    const r = await b.put("k", new Blob(["abc"]).stream(), {
      meta: { userMetadata: {} },
      contentLength: 10,
    });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "IncompleteBody");
  });
});

Deno.test("s3 backend: an unreachable endpoint is BackendError (503), not a throw", async () => {
  const port = freePort();
  const b = createS3Backend(
    s3OptionsOf({ endpoint: `http://127.0.0.1:${port}`, bucket_name: "bkt", skip_signature: true }),
  );
  const r = await b.head("k");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
});

Deno.test("s3 backend: a store that answers a PUT with 201 or 204 (nginx WebDAV) has stored it", async () => {
  for (const status of [201, 204]) {
    await withRecorder(async (endpoint) => {
      const b = createS3Backend(
        s3OptionsOf({ endpoint, bucket_name: "bkt", skip_signature: true }),
      );
      const r = await b.put("k", new Blob(["x"]).stream(), {
        meta: { userMetadata: {} },
        contentLength: 1,
      });
      assert.ok(r.ok, `${status}: ${JSON.stringify(!r.ok && r.error)}`);
    }, status);
  }
});
