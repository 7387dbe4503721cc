import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { body, NO_META, tree, withRoot } from "./_support.ts";

Deno.test("fs backend: internal files never appear in listings; failed uploads leave no temp file", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    await b.put("a", body("1"), { meta: NO_META });
    const failing = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(10));
        c.error(new Error("client went away"));
      },
    });
    assert.ok(!(await b.put("b", failing, { meta: NO_META })).ok);
    const id = await b.createMultipartUpload("c", { meta: NO_META });
    assert.ok(id.ok);
    const list = await b.list({ prefix: "", maxKeys: 1000 });
    assert.ok(list.ok);
    assert.deepEqual(list.value.objects.map((o) => o.key), ["a"]);
    const dotted = await b.list({ prefix: ".bucketgate", maxKeys: 1000 });
    assert.ok(dotted.ok);
    assert.deepEqual(dotted.value.objects, []);
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});
