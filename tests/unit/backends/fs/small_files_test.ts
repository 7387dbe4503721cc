import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import { body, NO_META, withRoot } from "./_support.ts";

Deno.test("fs backend: a small object read from memory is never stale (rewritten in place, replaced, deleted)", async () => {
  await withRoot(async (root) => {
    const b = createFsBackend({ root });
    const read = async (key: string, range?: { start: number; end: number }) => {
      const r = await b.get(key, range ? { range: { kind: "from", ...range } } : {});
      return r.ok ? { text: await new Response(r.value.body).text(), etag: r.value.meta.etag } : r;
    };
    assert.ok((await b.put("k", body("first"), { meta: NO_META })).ok);
    assert.equal((await read("k") as { text: string }).text, "first");
    assert.equal((await read("k") as { text: string }).text, "first", "served again");
    // The same size, written in place by another program (same inode, new mtime).
    await new Promise((r) => setTimeout(r, 5));
    await Deno.writeTextFile(`${root}/k`, "FIRST");
    const inPlace = await read("k") as { text: string; etag: string };
    assert.equal(inPlace.text, "FIRST");
    assert.equal(
      inPlace.etag,
      `"${(await import("node:crypto")).createHash("md5").update("FIRST").digest("hex")}"`,
    );
    // Replaced through the gateway (a new inode), then a range of it.
    assert.ok((await b.put("k", body("second"), { meta: NO_META })).ok);
    assert.equal((await read("k") as { text: string }).text, "second");
    assert.equal((await read("k", { start: 1, end: 3 }) as { text: string }).text, "eco");
    assert.ok((await b.delete("k")).ok);
    const gone = await b.get("k");
    assert.ok(!gone.ok && gone.error.kind === "NoSuchKey");
  });
});
