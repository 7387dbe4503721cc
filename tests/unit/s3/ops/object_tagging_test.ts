import assert from "node:assert/strict";
import type { Backend, GetOptions } from "../../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../../src/backends/memory.ts";
import { ok } from "../../../../src/result.ts";
import { getObjectTagging } from "../../../../src/s3/ops/object_tagging.ts";
import { errorOf, NOW, okResponse, s3Context, seed } from "./_context.ts";

const EMPTY_TAGGING = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet/></Tagging>';

/** A memory backend that records read options and reports `tagCount` tags on every object. */
function recording(tagCount?: string): { backend: Backend; reads: (GetOptions | undefined)[] } {
  const inner = createMemoryBackend({ clock: { now: () => NOW } });
  const reads: (GetOptions | undefined)[] = [];
  return {
    reads,
    backend: {
      ...inner,
      get: async (key, o) => {
        reads.push(o);
        const r = await inner.get(key, o);
        if (!r.ok || tagCount === undefined) return r;
        return ok({
          ...r.value,
          meta: { ...r.value.meta, backendHeaders: { "x-amz-tagging-count": tagCount } },
        });
      },
    },
  };
}

Deno.test("getObjectTagging() answers an empty TagSet, reading one byte of the object", async () => {
  const { backend, reads } = recording();
  await seed(backend, "k", "abcdef");
  const res = okResponse(
    await getObjectTagging(s3Context({ key: "k", backend, query: "tagging" })),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/xml");
  assert.equal(await res.text(), EMPTY_TAGGING);
  assert.deepEqual(reads, [{ range: { kind: "from", start: 0, end: 0 } }]);
});

Deno.test("getObjectTagging() of an empty object reads it whole and answers an empty TagSet", async () => {
  const { backend, reads } = recording();
  await seed(backend, "empty", "");
  const res = okResponse(await getObjectTagging(s3Context({ key: "empty", backend })));
  assert.equal(await res.text(), EMPTY_TAGGING);
  assert.equal(reads.length, 2);
  assert.deepEqual(reads[1], {});
});

Deno.test("getObjectTagging() answers NoSuchKey for a missing object", async () => {
  errorOf(await getObjectTagging(s3Context({ key: "absent" })), "NoSuchKey");
});

Deno.test("getObjectTagging() refuses a versionId other than null", async () => {
  const ctx = s3Context({ key: "k", query: { tagging: "", versionId: "v1" } });
  await seed(ctx.backend, "k", "x");
  errorOf(await getObjectTagging(ctx), "NotImplemented");
  const nullVersion = s3Context({ key: "k", backend: ctx.backend, query: { versionId: "null" } });
  assert.equal(await okResponse(await getObjectTagging(nullVersion)).text(), EMPTY_TAGGING);
});

Deno.test("getObjectTagging() is NotImplemented when the store counts tags, naming the count", async () => {
  const { backend } = recording("3");
  await seed(backend, "k", "x");
  const e = errorOf(await getObjectTagging(s3Context({ key: "k", backend })), "NotImplemented");
  assert.equal(
    e.message,
    "Reading object tags is not implemented by bucketgate (the store reports 3 tags on this object)",
  );
});

Deno.test("getObjectTagging() answers an empty TagSet when the store counts zero tags", async () => {
  const { backend } = recording("0");
  await seed(backend, "k", "x");
  const res = okResponse(await getObjectTagging(s3Context({ key: "k", backend })));
  assert.equal(await res.text(), EMPTY_TAGGING);
});
