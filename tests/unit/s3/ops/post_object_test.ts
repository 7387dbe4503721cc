import assert from "node:assert/strict";
import { streamInPieces } from "../../../_support/bytes.ts";
import type { PostFormKeys } from "../../../../src/auth/post_form.ts";
import type { Backend, PutOptions } from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { fixedClock } from "../../../../src/clock.ts";
import { ACTIONS } from "../../../../src/config/types.ts";
import { postObject } from "../../../../src/s3/ops/post_object.ts";
import { createSigningKeyCache } from "../../../../src/sigv4/signing_key.ts";
import { formBody, presignedPost } from "../../../_support/post_form.ts";
import { errorOf, NOW, okResponse, s3Context, storedText } from "./_context.ts";

const KEY = { id: "AKIDPOSTUNIT0000001", secret: "post-unit-secret" };

const keys: PostFormKeys = {
  credentials: new Map([[KEY.id, {
    accessKeyId: KEY.id,
    secretAccessKey: KEY.secret,
    principalName: "unit",
    enabled: true,
    allowedScopes: [{ bucket: "*", prefixes: [], actions: [...ACTIONS] }],
  }]]),
  clock: fixedClock(NOW),
  signingKeys: createSigningKeyCache(),
};

function form(data: string) {
  return formBody(
    presignedPost({ bucket: "bkt", key: "k.txt", signer: KEY, expiresAt: NOW + 60_000 }),
    { data, filename: "k.txt" },
  );
}

/** A memory backend that records the options of each put. */
function spied(): { backend: Backend; puts: PutOptions[] } {
  const inner = createMemoryBackend({ clock: { now: () => NOW } });
  const puts: PutOptions[] = [];
  return {
    puts,
    backend: {
      ...inner,
      put(key, body, options) {
        puts.push(options);
        return inner.put(key, body, options);
      },
    },
  };
}

Deno.test("postObject() streams the file to the backend length-framed", async () => {
  const { backend, puts } = spied();
  const { contentType, body } = form("streamed, ".repeat(100));
  const ctx = s3Context({
    op: "PostObject",
    method: "POST",
    backend,
    headers: { "content-type": contentType },
    body: streamInPieces(body, 3),
    contentLength: body.length,
    config: { maxBodyBytes: 1 << 20 },
  });
  const res = okResponse(await postObject({ ...ctx, keys }));
  assert.equal(res.status, 204);
  assert.equal(puts.length, 1);
  assert.equal(puts[0]!.contentLength, 1000);
  assert.equal(await storedText(backend, "k.txt"), "streamed, ".repeat(100));
});

Deno.test("postObject() needs a Content-Length, a multipart body and keys to verify with", async () => {
  const { contentType, body } = form("x");
  const base = {
    op: "PostObject" as const,
    method: "POST",
    headers: { "content-type": contentType },
  };
  errorOf(
    await postObject({ ...s3Context({ ...base, body: streamInPieces(body, 8) }), keys }),
    "MissingContentLength",
  );
  errorOf(
    await postObject({
      ...s3Context({ ...base, headers: { "content-type": "text/plain" }, body }),
      keys,
    }),
    "PreconditionFailed",
  );
  errorOf(await postObject(s3Context({ ...base, body })), "Internal");
});

Deno.test("postObject() commits nothing when the body does not end as declared", async () => {
  const { backend } = spied();
  const { contentType, body } = form("abc");
  const cut = body.slice();
  cut[cut.length - 3] = 0x21; // the closing delimiter's last "-" becomes "!"
  const res = await postObject({
    ...s3Context({
      op: "PostObject",
      method: "POST",
      backend,
      headers: { "content-type": contentType },
      body: cut,
    }),
    keys,
  });
  errorOf(res, "MalformedPOSTRequest");
  assert.equal(await storedText(backend, "k.txt"), undefined);
});

Deno.test("postObject() hands the file's first bytes to the backend before the body has ended", async () => {
  const { contentType, body } = form("0123456789".repeat(1000));
  let feed!: ReadableStreamDefaultController<Uint8Array>;
  const source = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
  let firstBytes!: () => void;
  const arrived = new Promise<void>((r) => (firstBytes = r));
  const inner = createMemoryBackend({ clock: { now: () => NOW } });
  const backend: Backend = {
    ...inner,
    put(key, stream, options) {
      const [watch, keep] = stream.tee();
      void watch.getReader().read().then(() => firstBytes());
      return inner.put(key, keep, options);
    },
  };
  const half = body.length - 5000;
  feed.enqueue(body.slice(0, half));
  const pending = postObject({
    ...s3Context({
      op: "PostObject",
      method: "POST",
      backend,
      headers: { "content-type": contentType },
      body: source,
      contentLength: body.length,
      config: { maxBodyBytes: 1 << 20 },
    }),
    keys,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((r) => (timer = setTimeout(() => r("late"), 5000)));
  const first = await Promise.race([arrived.then(() => "arrived"), late]);
  clearTimeout(timer);
  assert.equal(first, "arrived", "the file reached the backend only once the body had ended");
  feed.enqueue(body.slice(half));
  feed.close();
  assert.equal(okResponse(await pending).status, 204);
  assert.equal(await storedText(backend, "k.txt"), "0123456789".repeat(1000));
});
