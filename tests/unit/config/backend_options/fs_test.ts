import assert from "node:assert/strict";
import { FS_OPTION_KEYS, parseFsOptions } from "../../../../src/config/backend_options/fs.ts";

Deno.test("parseFsOptions() takes a root, as written", () => {
  const r = parseFsOptions({ root: "./data/b" });
  assert.ok(r.ok);
  assert.deepEqual(r.value, { root: "./data/b" });
  assert.deepEqual(FS_OPTION_KEYS, ["root", "fsync"]);
});

Deno.test("parseFsOptions() takes fsync: true or false, only when written, and nothing else", () => {
  assert.deepEqual(parseFsOptions({ root: "/d", fsync: false }), {
    ok: true,
    value: { root: "/d", fsync: false },
  });
  assert.deepEqual(parseFsOptions({ root: "/d", fsync: true }), {
    ok: true,
    value: { root: "/d", fsync: true },
  });
  for (const fsync of ["false", 0, null]) {
    assert.deepEqual(parseFsOptions({ root: "/d", fsync }), {
      ok: false,
      error: [{ path: "fsync", message: "must be true or false" }],
    });
  }
});

Deno.test("parseFsOptions() requires a non-empty string root and names unknown keys", () => {
  for (const root of [undefined, "", 7]) {
    const r = parseFsOptions(root === undefined ? {} : { root });
    assert.ok(!r.ok);
    assert.deepEqual(r.error, [
      { path: "root", message: "required: the directory that holds this bucket's objects" },
    ]);
  }
  const r = parseFsOptions({ root: "/d", rooot: "/e", region: "x" });
  assert.ok(!r.ok);
  assert.deepEqual(r.error, [
    { path: "rooot", message: "unknown option for this backend" },
    { path: "region", message: "unknown option for this backend" },
  ]);
});
