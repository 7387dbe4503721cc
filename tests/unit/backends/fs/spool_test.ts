import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spool, writeAll } from "../../../../src/backends/fs/spool.ts";
import { body, fsContextAt, tree, withRoot } from "./_support.ts";

Deno.test("spool(): the body in a new temp file, with its size and MD5", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    const text = "y".repeat(3 * 1024 * 1024 + 7); // several write batches
    const r = await spool(ctx, body(text), { expected: text.length });
    assert.ok(r.ok);
    assert.equal(r.value.size, text.length);
    assert.equal(r.value.md5, createHash("md5").update(text).digest("hex"));
    assert.ok(r.value.path.startsWith(`${root}/.bucketgate/tmp/`));
    assert.equal((await Deno.stat(r.value.path)).size, text.length);
  });
});

Deno.test("spool(): a body shorter or longer than expected is IncompleteBody, leaving no temp file", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    for (const expected of [10, 2]) {
      const r = await spool(ctx, body("abcde"), { expected });
      assert.equal(r.ok ? "ok" : r.error.kind, "IncompleteBody", `expected ${expected}`);
    }
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("spool(): a body that fails to arrive is the client's error, and leaves no temp file", async () => {
  await withRoot(async (root) => {
    const ctx = fsContextAt(root);
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(new Uint8Array(10));
        } else c.error(new TypeError("connection reset"));
      },
    });
    const r = await spool(ctx, broken);
    assert.equal(r.ok ? "ok" : r.error.kind, "IncompleteBody");
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("writeAll(): writes every byte however little each write takes", async () => {
  const got: number[] = [];
  const file = {
    write: (b: Uint8Array) => {
      const n = Math.min(3, b.length);
      got.push(...b.subarray(0, n));
      return Promise.resolve(n);
    },
  } as unknown as Deno.FsFile;
  await writeAll(file, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8]);
});
