import assert from "node:assert/strict";
import { fixedClock } from "../../../../src/clock.ts";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { COMPLETIONS_KEPT_MS, PRUNE_EVERY_MS } from "../../../../src/backends/fs/completions.ts";
import { body, completed, NO_META, withRoot } from "./_support.ts";

const HOUR = 3600_000;

Deno.test("fs completion records: a Complete sent again is answered for a day by the injected clock, then NoSuchUpload", async () => {
  await withRoot(async (root) => {
    const clock = fixedClock(Date.UTC(2030, 0, 2));
    const start = clock.now();
    const b = createFsBackend({ root, clock });
    const again = await completed(b, "first");
    assert.ok((await again()).ok, "replayed");
    // An hour on, another completion prunes: the first record is an hour old, kept.
    clock.set(start + PRUNE_EVERY_MS + 1);
    await completed(b, "second");
    assert.ok((await again()).ok, "kept within the day");
    // A day and two hours on, the next completion prunes both older records.
    clock.set(start + COMPLETIONS_KEPT_MS + 2 * HOUR);
    await completed(b, "third");
    const gone = await again();
    assert.ok(!gone.ok && gone.error.kind === "NoSuchUpload", JSON.stringify(gone));
    const names = (await Array.fromAsync(Deno.readDir(`${root}/.bucketgate/completed`)))
      .map((e) => e.name);
    assert.equal(names.length, 1, "only the third upload's record is left");
  });
});

Deno.test("fs uploads: Initiated and a part's LastModified come from the injected clock", async () => {
  await withRoot(async (root) => {
    const at = Date.UTC(2030, 0, 2, 3, 4, 5);
    const b = createFsBackend({ root, clock: fixedClock(at) });
    const id = await b.createMultipartUpload("k", { meta: NO_META });
    assert.ok(id.ok);
    assert.ok(
      (await b.uploadPart({ key: "k", uploadId: id.value }, { partNumber: 1, body: body("one") }))
        .ok,
    );
    const uploads = await b.listMultipartUploads({ prefix: "", maxUploads: 10 });
    assert.ok(uploads.ok);
    assert.deepEqual(uploads.value.uploads.map((u) => u.initiated.getTime()), [at]);
    const parts = await b.listParts({ key: "k", uploadId: id.value }, { maxParts: 10 });
    assert.ok(parts.ok);
    assert.deepEqual(parts.value.parts.map((p) => p.lastModified.getTime()), [at]);
  });
});
