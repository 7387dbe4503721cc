/** validateKey() and fsKeyProblem() against reference rules and path containment. */
import assert from "node:assert/strict";
import { join, normalize } from "node:path";
import { fsKeyProblem, INTERNAL_DIR } from "../../src/backends/fs/paths.ts";
import { MAX_KEY_BYTES, validateKey } from "../../src/backends/keys.ts";
import { statusOf } from "../../src/errors.ts";
import { fuzz, randomString, type Rng } from "./_fuzz.ts";

const utf8 = new TextEncoder();

function key(rng: Rng): string {
  return rng.pick([
    () => randomString(rng, 30),
    () => randomString(rng, 6).repeat(rng.range(1, 300)),
    () =>
      [".", "..", "", INTERNAL_DIR, "a", "%2e%2e", "b\0c"].map(() =>
        rng.pick([".", "..", "", INTERNAL_DIR, "a", "é".repeat(rng.int(200))])
      ).slice(0, rng.range(1, 5)).join("/"),
  ])();
}

Deno.test("validateKey() agrees with the reference: non-empty, ≤1024 UTF-8 bytes, no NUL", async () => {
  await fuzz("validateKey", { iterations: 10_000, budgetMs: 1500 }, ({ rng, note }) => {
    const k = key(rng);
    note(k);
    const e = validateKey(k);
    const want = k === ""
      ? "InvalidRequest"
      : utf8.encode(k).length > MAX_KEY_BYTES
      ? "KeyTooLong"
      : k.includes("\0")
      ? "InvalidArgument"
      : undefined;
    assert.equal(e?.kind, want);
    if (e) assert.ok(statusOf(e) < 500);
  });
});

Deno.test("fsKeyProblem() accepts only keys that stay, unnormalized, inside the bucket root", async () => {
  await fuzz("fsKeyProblem", { iterations: 10_000, budgetMs: 1500 }, ({ rng, note }) => {
    const k = key(rng);
    if (validateKey(k)) return;
    note(k);
    const e = fsKeyProblem(k);
    if (e) {
      assert.ok(statusOf(e) < 500);
      return;
    }
    const root = "/srv/root";
    const p = join(root, k);
    assert.equal(normalize(p), p);
    assert.equal(p, `${root}/${k}`, "the key was normalized by the path join");
    assert.ok(p.startsWith(root + "/"));
    assert.ok(!p.startsWith(`${root}/${INTERNAL_DIR}/`) && p !== `${root}/${INTERNAL_DIR}`);
    for (const s of k.split("/")) assert.ok(utf8.encode(s).length <= 255);
  });
});
