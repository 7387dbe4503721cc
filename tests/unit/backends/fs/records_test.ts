import assert from "node:assert/strict";
import { fsLayout } from "../../../../src/backends/fs/paths.ts";
import { readJson, writeJsonAtomic, writeJsonTemp } from "../../../../src/backends/fs/records.ts";
import { tree, withRoot } from "./_support.ts";

async function ready(root: string) {
  const layout = fsLayout(root);
  for (const d of layout.dirs) await Deno.mkdir(d, { recursive: true });
  return layout;
}

Deno.test("writeJsonAtomic() then readJson(): the value back; no temp file is left", async () => {
  await withRoot(async (root) => {
    const layout = await ready(root);
    const path = `${layout.completed}/r.json`;
    await writeJsonAtomic(layout, path, { a: 1 });
    await writeJsonAtomic(layout, path, { a: 2 });
    assert.deepEqual(await readJson(path), { ok: true, value: { a: 2 } });
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("writeJsonTemp(): a new file under the internal tmp directory holding the JSON", async () => {
  await withRoot(async (root) => {
    const layout = await ready(root);
    const tmp = await writeJsonTemp(layout, ["x"]);
    assert.ok(tmp.startsWith(`${root}/.bucketgate/tmp/`));
    assert.equal(await Deno.readTextFile(tmp), '["x"]');
  });
});

Deno.test("writeJsonAtomic(): a rename that fails removes its temp file and throws", async () => {
  await withRoot(async (root) => {
    const layout = await ready(root);
    await assert.rejects(
      writeJsonAtomic(layout, `${root}/missing/dir/r.json`, 1),
      Deno.errors.NotFound,
    );
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("readJson(): none for a missing record, its missing directory, or one that is not JSON", async () => {
  await withRoot(async (root) => {
    assert.deepEqual(await readJson(`${root}/none.json`), { ok: true, value: undefined });
    assert.deepEqual(await readJson(`${root}/no/dir/r.json`), { ok: true, value: undefined });
    await Deno.writeTextFile(`${root}/torn.json`, '{"a":');
    assert.deepEqual(await readJson(`${root}/torn.json`), { ok: true, value: undefined });
  });
});

Deno.test("readJson(): any other OS error (a directory, a loop) is an error, not an absent record", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/dir.json`);
    const dir = await readJson(`${root}/dir.json`);
    assert.equal(dir.ok, false);
    if (!dir.ok) assert.equal(dir.error.kind, "BackendError"); // a 503
    await Deno.symlink(`${root}/loop.json`, `${root}/loop.json`);
    const loop = await readJson(`${root}/loop.json`);
    assert.equal(loop.ok, false);
    if (!loop.ok) assert.equal(loop.error.kind, "BackendError");
  });
});
