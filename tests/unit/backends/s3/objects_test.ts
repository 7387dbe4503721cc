import assert from "node:assert/strict";
import { fixedClock } from "../../../../src/clock.ts";
import { fakeStore } from "./_fake_store.ts";
import { createS3Backend } from "../../../../src/backends/s3/s3.ts";
import { createUploadBuffer } from "../../../../src/backends/upload_buffer.ts";
import type { HttpResponse, SendRequest } from "../../../../src/backends/http/send.ts";
import { s3OptionsOf } from "../../../_support/backend_options.ts";

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

Deno.test("put() dates the written object by the injected clock", async () => {
  const { backend } = fakeStore(() => ({ status: 200, headers: { etag: '"e"' } }), {
    clock: fixedClock(NOW),
  });
  const r = await backend.put("k", new Blob(["abc"]).stream(), {
    meta: { userMetadata: {} },
    contentLength: 3,
  });
  assert.ok(r.ok);
  assert.equal(r.value.lastModified.getTime(), NOW);
  assert.equal(r.value.etag, '"e"');
  assert.equal(r.value.size, 3);
});

Deno.test("get() by part number beyond the last is InvalidPartNumber, not InvalidRange", async () => {
  const { backend, seen } = fakeStore(() => ({
    status: 416,
    body: "<Error><Code>InvalidRange</Code></Error>",
  }));
  const r = await backend.get("k", { partNumber: 9 });
  assert.ok(!r.ok && r.error.kind === "InvalidPartNumber");
  assert.equal(seen[0]!.url.search, "?partNumber=9");
  assert.equal(seen[0]!.streamBody, true);
});

Deno.test("get() headOnly asks with a HEAD and keeps the store's part count, with an empty body", async () => {
  const { backend, seen } = fakeStore(() => ({
    status: 206,
    headers: {
      "content-range": "bytes 0-4/8",
      "content-length": "5",
      "x-amz-mp-parts-count": "2",
      etag: '"e-2"',
    },
  }));
  const r = await backend.get("k", { partNumber: 1, headOnly: true });
  assert.ok(r.ok);
  assert.equal(seen[0]!.method, "HEAD");
  assert.equal(seen[0]!.url.search, "?partNumber=1");
  assert.equal(seen[0]!.streamBody, false);
  assert.equal(r.value.meta.partsCount, 2);
  assert.equal(r.value.meta.size, 8);
  assert.deepEqual(r.value.range, { start: 0, end: 4 });
  assert.equal(new Uint8Array(await new Response(r.value.body).arrayBuffer()).length, 0);
});

Deno.test("get() of a range reads the answered bytes from Content-Range", async () => {
  const { backend, seen } = fakeStore(() => ({
    status: 206,
    headers: { "content-range": "bytes 2-4/10", etag: '"e"' },
    body: "cde",
  }));
  const r = await backend.get("k", { range: { kind: "suffix", length: 3 } });
  assert.ok(r.ok);
  assert.deepEqual(r.value.range, { start: 2, end: 4 });
  assert.equal(r.value.meta.size, 10);
  assert.equal(seen[0]!.headers.range, "bytes=-3");
  await new Response(r.value.body).text();
});

Deno.test("delete() of a missing key succeeds", async () => {
  const { backend } = fakeStore(() => ({ status: 404 }));
  assert.ok((await backend.delete("k")).ok);
});

Deno.test("copy() names its source and replaces metadata when given", async () => {
  const { backend, seen } = fakeStore((req) =>
    req.method === "PUT" ? { status: 200, body: "<CopyObjectResult/>" } : { status: 200 }
  );
  const r = await backend.copy("a b", "c", { meta: { contentType: "x/y", userMetadata: {} } });
  assert.ok(r.ok);
  assert.equal(seen[0]!.headers["x-amz-copy-source"], "/bkt/a%20b");
  assert.equal(seen[0]!.headers["x-amz-metadata-directive"], "REPLACE");
  assert.equal(seen[1]!.method, "HEAD");
});

Deno.test("put() and uploadPart() of unknown length gather within the injected upload buffer, freed once sent", async () => {
  for (const limit of [4 * 1024 * 1024, 0]) {
    const buffer = createUploadBuffer(limit);
    const sent: { held: number; length?: number; text: string }[] = [];
    const transport = async (req: SendRequest): Promise<HttpResponse> => {
      const body = req.body?.kind === "stream" ? req.body : undefined;
      sent.push({
        held: buffer.held,
        ...(body ? { length: body.length } : {}),
        text: body ? await new Response(body.stream).text() : "",
      });
      return { status: 200, headers: new Headers({ etag: '"e"' }), body: null };
    };
    const backend = createS3Backend(
      s3OptionsOf({ endpoint: "http://store.test", bucket_name: "bkt", skip_signature: true }),
      { transport, uploadBuffer: buffer },
    );
    const put = await backend.put("k", new Blob(["hello"]).stream(), {
      meta: { userMetadata: {} },
    });
    assert.ok(put.ok);
    assert.equal(put.value.size, 5);
    const part = await backend.uploadPart({ key: "k", uploadId: "u" }, {
      partNumber: 1,
      body: new Blob(["part one"]).stream(),
    });
    assert.ok(part.ok);
    assert.deepEqual(sent.map((s) => [s.length, s.text]), [[5, "hello"], [8, "part one"]]);
    for (const s of sent) {
      if (limit) assert.ok(s.held > 0 && s.held <= 64 * 1024, `a small block held: ${s.held}`);
      else assert.equal(s.held, 0, "spooled");
    }
    assert.equal(buffer.held, 0, "freed once sent");
  }
});

Deno.test("put(), copy() and delete() send every write condition with the write, never a HEAD first", async () => {
  const { backend, seen } = fakeStore((req) =>
    req.method === "PUT" && req.headers["x-amz-copy-source"]
      ? { status: 200, body: "<CopyObjectResult/>" }
      : { status: req.method === "DELETE" ? 204 : 200, headers: { etag: '"e"' } }
  );
  const meta = { userMetadata: {} };
  for (const conditions of [{ ifNoneMatch: "*" }, { ifMatch: "*" }, { ifMatch: '"e"' }]) {
    seen.length = 0;
    const put = await backend.put("k", new Blob(["x"]).stream(), { meta, conditions });
    assert.ok(put.ok);
    assert.equal(seen[0]!.method, "PUT", "the write is the first request");
    const sent = (h: Record<string, string>) => ({
      ifMatch: h["if-match"],
      ifNoneMatch: h["if-none-match"],
    });
    const want = { ifMatch: conditions.ifMatch, ifNoneMatch: conditions.ifNoneMatch };
    assert.deepEqual(sent(seen[0]!.headers), want);
    seen.length = 0;
    assert.ok((await backend.copy("src", "k", { conditions })).ok);
    assert.equal(seen[0]!.method, "PUT");
    assert.deepEqual(sent(seen[0]!.headers), want);
  }
  seen.length = 0;
  assert.ok((await backend.delete("k", { ifMatch: '"e"' })).ok);
  assert.deepEqual([seen[0]!.method, seen[0]!.headers["if-match"]], ["DELETE", '"e"']);
});

Deno.test("delete() with If-Match: the store's 404 and 412 are the answer", async () => {
  const missing = fakeStore(() => ({ status: 404, body: "<Error><Code>NoSuchKey</Code></Error>" }));
  const r = await missing.backend.delete("k", { ifMatch: '"e"' });
  assert.ok(!r.ok && r.error.kind === "NoSuchKey");
  const changed = fakeStore(() => ({
    status: 412,
    body: "<Error><Code>PreconditionFailed</Code></Error>",
  }));
  const c = await changed.backend.delete("k", { ifMatch: '"e"' });
  assert.ok(!c.ok && c.error.kind === "PreconditionFailed");
});
