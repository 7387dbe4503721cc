import assert from "node:assert/strict";
import { commitId, versionLine } from "../../../src/cli/version_line.ts";

const ROOT = new URL("file:///opt/bucketgate/");

/** A reader over a map of paths under ROOT; anything else rejects as a missing file would. */
function files(map: Record<string, string>): (url: URL) => Promise<string> {
  return (url) => {
    const path = url.href.slice(ROOT.href.length);
    return path in map
      ? Promise.resolve(map[path]!)
      : Promise.reject(new Deno.errors.NotFound(path));
  };
}

const SHA = "0123456789abcdef0123456789abcdef01234567";

Deno.test("commitId() reads a detached HEAD", async () => {
  assert.equal(
    await commitId({ root: ROOT, read: files({ ".git/HEAD": `${SHA}\n` }) }),
    SHA.slice(0, 12),
  );
});

Deno.test("commitId() follows HEAD to a loose ref, else to packed-refs", async () => {
  const head = { ".git/HEAD": "ref: refs/heads/main\n" };
  assert.equal(
    await commitId({ root: ROOT, read: files({ ...head, ".git/refs/heads/main": `${SHA}\n` }) }),
    SHA.slice(0, 12),
  );
  const packed =
    `# pack-refs\nffffffffffffffffffffffffffffffffffffffff refs/heads/other\n${SHA} refs/heads/main\n`;
  assert.equal(
    await commitId({ root: ROOT, read: files({ ...head, ".git/packed-refs": packed }) }),
    SHA.slice(0, 12),
  );
});

Deno.test("commitId() falls back to dist/COMMIT, then to unknown", async () => {
  assert.equal(
    await commitId({ root: ROOT, read: files({ "dist/COMMIT": "abc123\n" }) }),
    "abc123",
  );
  assert.equal(
    await commitId({
      root: ROOT,
      read: files({ ".git/HEAD": "ref: refs/heads/gone\n", "dist/COMMIT": "abc123\n" }),
    }),
    "abc123",
  );
  assert.equal(await commitId({ root: ROOT, read: files({}) }), "unknown");
});

Deno.test("versionLine() is what --version prints", () => {
  assert.equal(versionLine("1.2.3", "abc"), "bucketgate 1.2.3 (commit abc)");
});
