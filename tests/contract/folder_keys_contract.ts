/**
 * Contract cases for the keys a filesystem cannot lay out as plain paths:
 * folder markers (`dir/`, `a/b/`), a key that is also a prefix of other keys
 * (`a` beside `a/b`), and `a/` beside `a`. Every backend stores, reads, lists
 * and deletes them as S3 does.
 */
import assert from "node:assert/strict";
import type { Backend, HttpMeta, ListOptions } from "../../src/backends/backend.ts";
import { compareKeys } from "../../src/backends/keys.ts";

/** Registers one case (backend_contract.ts's `test`). */
type Register = (title: string, fn: (b: Backend) => Promise<void>) => void;

const NO_META: HttpMeta = { userMetadata: {} };

async function put(b: Backend, key: string, body: string): Promise<string> {
  const r = await b.put(key, new Blob([body]).stream(), { meta: NO_META });
  assert.ok(r.ok, `put ${key}: ${!r.ok && r.error.message}`);
  return r.value.etag;
}

async function read(b: Backend, key: string): Promise<string | undefined> {
  const r = await b.get(key);
  return r.ok ? await new Response(r.value.body).text() : undefined;
}

/** A listing's keys and common prefixes; with `anyOrder` (the quirk), its keys sorted. */
async function listedBy(b: Backend, o: Partial<ListOptions>, anyOrder: boolean) {
  const r = await b.list({ prefix: "", maxKeys: 1000, ...o });
  assert.ok(r.ok, `list ${JSON.stringify(o)}: ${!r.ok && r.error.message}`);
  const keys = r.value.objects.map((x) => x.key);
  return { keys: anyOrder ? keys.sort(compareKeys) : keys, prefixes: [...r.value.commonPrefixes] };
}

/** Puts every key (with its own name as body, in the order given), then reads each back. */
async function putAll(b: Backend, keys: readonly string[]): Promise<void> {
  for (const k of keys) await put(b, k, `body of ${k}`);
  for (const k of keys) assert.equal(await read(b, k), `body of ${k}`, `read ${k}`);
}

/**
 * Registers the folder-marker and prefix-collision cases; `perDirectory` is
 * the store's quirk `listing-order-per-directory` (only the set of keys a
 * listing holds is checked, not their order).
 */
export function registerFolderKeys(test: Register, perDirectory = false): void {
  const listed = (b: Backend, o: Partial<ListOptions> = {}) => listedBy(b, o, perDirectory);
  test("folder markers: stored, read byte for byte, listed as S3 lists them", async (b) => {
    await put(b, "dir/", "");
    await put(b, "a/b/", "not empty");
    await put(b, "a/b/c", "inside");
    assert.equal(await read(b, "dir/"), "");
    assert.equal(await read(b, "a/b/"), "not empty");
    const h = await b.head("dir/");
    assert.ok(h.ok, "head dir/");
    assert.equal(h.value.size, 0);
    assert.equal((await b.head("dir")).ok, false, "the marker is not the key without '/'");
    assert.deepEqual(await listed(b), { keys: ["a/b/", "a/b/c", "dir/"], prefixes: [] });
    assert.deepEqual(await listed(b, { prefix: "dir/" }), { keys: ["dir/"], prefixes: [] });
    if (!perDirectory) {
      assert.deepEqual(await listed(b, { delimiter: "/" }), { keys: [], prefixes: ["a/", "dir/"] });
    }
    assert.deepEqual(await listed(b, { prefix: "a/b/", delimiter: "/" }), {
      keys: ["a/b/", "a/b/c"],
      prefixes: [],
    });
    assert.ok((await b.delete("dir/")).ok);
    assert.equal((await b.head("dir/")).ok, false);
    assert.ok((await b.delete("a/b/")).ok);
    assert.deepEqual(await listed(b), { keys: ["a/b/c"], prefixes: [] });
    assert.equal(await read(b, "a/b/c"), "inside");
  });

  test("a key that is a prefix of others: both orders of writing, each deleted alone", async (b) => {
    await putAll(b, ["a", "a/b", "c/d", "c", "e/", "e", "e/f"]);
    assert.deepEqual((await listed(b)).keys, ["a", "a/b", "c", "c/d", "e", "e/", "e/f"]);
    assert.deepEqual(await listed(b, { delimiter: "/" }), {
      keys: ["a", "c", "e"],
      prefixes: ["a/", "c/", "e/"],
    });
    assert.ok((await b.delete("a")).ok);
    assert.equal(await read(b, "a"), undefined);
    assert.equal(await read(b, "a/b"), "body of a/b");
    assert.ok((await b.delete("c/d")).ok);
    assert.equal(await read(b, "c"), "body of c");
    assert.ok((await b.delete("e/")).ok);
    assert.deepEqual((await listed(b)).keys, ["a/b", "c", "e", "e/f"]);
  });

  test("a key written again after its collision went away is one key", async (b) => {
    await putAll(b, ["x/y", "x"]);
    assert.ok((await b.delete("x/y")).ok);
    await put(b, "x", "second");
    assert.equal(await read(b, "x"), "second");
    assert.deepEqual((await listed(b)).keys, ["x"]);
    assert.ok((await b.delete("x")).ok);
    assert.equal((await b.head("x")).ok, false, "no older copy comes back");
    assert.deepEqual((await listed(b)).keys, []);
  });

  test("copies and multipart uploads to and from colliding keys and folder markers", async (b) => {
    await putAll(b, ["p/q", "m/"]);
    const copied = await b.copy("p/q", "p", {});
    assert.ok(copied.ok, !copied.ok ? copied.error.message : "");
    assert.equal(await read(b, "p"), "body of p/q");
    const back = await b.copy("m/", "m/copy/", {});
    assert.ok(back.ok, !back.ok ? back.error.message : "");
    assert.equal(await read(b, "m/copy/"), "body of m/");
    const id = await b.createMultipartUpload("p/q/", { meta: NO_META });
    assert.ok(id.ok, !id.ok ? id.error.message : "");
    const ref = { key: "p/q/", uploadId: id.value };
    const part = await b.uploadPart(ref, { partNumber: 1, body: new Blob(["mp"]).stream() });
    assert.ok(part.ok);
    const done = await b.completeMultipartUpload(ref, [{ partNumber: 1, etag: part.value.etag }]);
    assert.ok(done.ok, !done.ok ? done.error.message : "");
    assert.equal(await read(b, "p/q/"), "mp");
    assert.deepEqual((await listed(b)).keys, ["m/", "m/copy/", "p", "p/q", "p/q/"]);
  });
}
