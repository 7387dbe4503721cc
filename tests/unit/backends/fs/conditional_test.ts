import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Backend } from "../../../../src/backends/backend.ts";
import { createFsBackend, type FsBackendOptions } from "../../../../src/backends/fs/fs.ts";
import { isConditional } from "../../../../src/backends/fs/conditional.ts";
import { body, NO_META, tree, withRoot } from "./_support.ts";

const md5 = (s: string) => `"${createHash("md5").update(s).digest("hex")}"`;

async function withFs(
  fn: (b: Backend, root: string) => Promise<void>,
  o: Partial<FsBackendOptions> = {},
): Promise<void> {
  await withRoot((root) => fn(createFsBackend({ root, ...o }), root));
}

/** The outcome kinds of several results, sorted: "ok" or the error's kind. */
const kinds = (rs: { ok: boolean; error?: { kind: string } }[]) =>
  rs.map((r) => r.ok ? "ok" : r.error!.kind).sort();

Deno.test("isConditional() is true only with If-Match or If-None-Match", () => {
  assert.equal(isConditional(undefined), false);
  assert.equal(isConditional({}), false);
  assert.equal(isConditional({ ifMatch: "*" }), true);
  assert.equal(isConditional({ ifNoneMatch: "*" }), true);
});

Deno.test("fs: of 8 concurrent conditional PUTs and copies, exactly one wins, 30 rounds", async () => {
  await withFs(async (b) => {
    assert.ok((await b.put("src", body("source"), { meta: NO_META })).ok);
    for (let round = 0; round < 30; round++) {
      const key = `r${round}`;
      const created = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            i % 2
              ? b.copy("src", key, { meta: NO_META, conditions: { ifNoneMatch: "*" } })
              : b.put(key, body(`${key} ${i}`), {
                meta: NO_META,
                conditions: { ifNoneMatch: "*" },
              }),
        ),
      );
      assert.deepEqual(
        kinds(created),
        ["PreconditionFailed", ...Array(6).fill("PreconditionFailed"), "ok"].sort(),
      );
      const etag = created.find((r) => r.ok)!.ok
        ? (created.find((r) => r.ok) as { value: { etag: string } }).value.etag
        : "";
      const replaced = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            b.put(key, body(`${key} again ${i}`), { meta: NO_META, conditions: { ifMatch: etag } }),
        ),
      );
      assert.deepEqual(kinds(replaced), ["ok", ...Array(7).fill("PreconditionFailed")].sort());
    }
  });
});

Deno.test("fs: DeleteObject with If-Match deletes only the object it names", async () => {
  await withFs(async (b) => {
    const put = await b.put("k", body("v"), { meta: NO_META });
    assert.ok(put.ok);
    const wrong = await b.delete("k", { ifMatch: '"0123"' });
    assert.ok(!wrong.ok && wrong.error.kind === "PreconditionFailed");
    assert.ok((await b.head("k")).ok);
    const deletes = await Promise.all(
      Array.from({ length: 8 }, () => b.delete("k", { ifMatch: put.value.etag })),
    );
    assert.deepEqual(kinds(deletes), ["NoSuchKey", ...Array(6).fill("NoSuchKey"), "ok"].sort());
    const gone = await b.delete("k", { ifMatch: "*" });
    assert.ok(!gone.ok && gone.error.kind === "NoSuchKey");
    assert.ok((await b.put("k", body("w"), { meta: NO_META })).ok);
    assert.ok((await b.delete("k", { ifMatch: "*" })).ok);
    assert.ok((await b.delete("k")).ok, "unconditional: absent is deleted already");
  });
});

Deno.test("fs: keys in the key tree (a folder marker, a key beside its prefix) are found by conditions; one writer wins, 10 rounds", async () => {
  await withFs(async (b, root) => {
    for (let round = 0; round < 10; round++) {
      assert.ok((await b.put(`a${round}/b`, body("under"), { meta: NO_META })).ok);
      for (const key of [`d${round}/`, `a${round}`]) {
        const created = await Promise.all(
          Array.from(
            { length: 8 },
            (_, i) =>
              b.put(key, body(`${key} ${i}`), { meta: NO_META, conditions: { ifNoneMatch: "*" } }),
          ),
        );
        assert.deepEqual(
          kinds(created),
          ["ok", ...Array(7).fill("PreconditionFailed")].sort(),
          key,
        );
        const head = await b.head(key);
        assert.ok(head.ok, key);
        const replaced = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            b.put(key, body(`${key} again ${i}`), {
              meta: NO_META,
              conditions: { ifMatch: head.value.etag },
            })),
        );
        assert.deepEqual(kinds(replaced), ["ok", ...Array(7).fill("PreconditionFailed")].sort());
        const now = await b.head(key);
        assert.ok(now.ok);
        const deletes = await Promise.all(
          Array.from({ length: 4 }, () => b.delete(key, { ifMatch: now.value.etag })),
        );
        assert.deepEqual(kinds(deletes), ["ok", ...Array(3).fill("NoSuchKey")].sort());
        assert.ok(!(await b.head(key)).ok, `${key} deleted`);
      }
    }
    assert.deepEqual(await tree(`${root}/.bucketgate/keys`), [], "the key tree emptied");
  });
});

Deno.test("fs: on a network filesystem, conditional writes are refused (501) and take no body; others work", async () => {
  await withFs(async (b, root) => {
    for (const conditions of [{ ifNoneMatch: "*" }, { ifMatch: "*" }]) {
      const r = await b.put("k", body("v"), { meta: NO_META, conditions });
      assert.ok(!r.ok && r.error.kind === "NotImplemented" && /nfs4/.test(r.error.message));
    }
    assert.ok((await b.put("k", body("v"), { meta: NO_META })).ok);
    const d = await b.delete("k", { ifMatch: "*" });
    assert.ok(!d.ok && d.error.kind === "NotImplemented");
    assert.deepEqual(await tree(`${root}/.bucketgate/tmp`), []);
  }, { networkFs: () => Promise.resolve("nfs4") });
});

/** A one-part upload of `key`, ready to complete. */
async function ready(b: Backend, key: string) {
  const id = await b.createMultipartUpload(key, { meta: NO_META });
  assert.ok(id.ok);
  const ref = { key, uploadId: id.value };
  const p = await b.uploadPart(ref, { partNumber: 1, body: body(`${key} part`) });
  assert.ok(p.ok);
  return { ref, parts: [{ partNumber: 1, etag: p.value.etag }] };
}

Deno.test("fs: Complete against Complete of one upload: one object, every answer the same", async () => {
  await withFs(async (b) => {
    for (let round = 0; round < 10; round++) {
      const { ref, parts } = await ready(b, `mp${round}`);
      const done = await Promise.all(
        Array.from({ length: 6 }, () => b.completeMultipartUpload(ref, parts)),
      );
      assert.deepEqual(kinds(done), Array(6).fill("ok"));
      assert.equal(new Set(done.map((d) => d.ok && d.value.etag)).size, 1);
    }
  });
});

Deno.test("fs: Complete against Abort of one upload: exactly one of them happens", async () => {
  await withFs(async (b) => {
    for (let round = 0; round < 20; round++) {
      const { ref, parts } = await ready(b, `mp${round}`);
      const [completed, aborted] = await Promise.all([
        b.completeMultipartUpload(ref, parts),
        b.abortMultipartUpload(ref),
      ]);
      const outcome = `${completed.ok ? "ok" : completed.error.kind} ${
        aborted.ok ? "ok" : aborted.error.kind
      }`;
      assert.ok(["ok NoSuchUpload", "NoSuchUpload ok"].includes(outcome), outcome);
      assert.equal((await b.head(ref.key)).ok, completed.ok);
    }
  });
});

Deno.test("fs: a Complete with If-None-Match: * against a PUT with it: one wins", async () => {
  await withFs(async (b) => {
    for (let round = 0; round < 10; round++) {
      const key = `k${round}`;
      const { ref, parts } = await ready(b, key);
      const cond = { ifNoneMatch: "*" };
      const rs = await Promise.all([
        b.completeMultipartUpload(ref, parts, cond),
        b.put(key, body("put"), { meta: NO_META, conditions: cond }),
      ]);
      assert.deepEqual(kinds(rs), ["PreconditionFailed", "ok"].sort());
    }
  });
});

for (const fsync of [true, false]) {
  Deno.test(`fs (fsync: ${fsync}): readers never see one writer's bytes with another's ETag`, async () => {
    await withFs(async (b) => {
      let writing = true;
      let seen = 0;
      const reader = async () => {
        while (writing) {
          // A small GET may answer without I/O: let the writers run.
          await new Promise((r) => setTimeout(r, 0));
          const got = await b.get("k");
          if (!got.ok) continue;
          const text = await new Response(got.value.body).text();
          assert.equal(got.value.meta.etag, md5(text), text);
          assert.equal(got.value.meta.userMetadata.w, text.split(" ")[0]);
          seen++;
        }
      };
      const readers = [reader(), reader()];
      for (let round = 0; round < 20; round++) {
        await Promise.all(
          Array.from(
            { length: 4 },
            (_, i) =>
              b.put("k", body(`${i} ${round} ${"x".repeat(i * 1000)}`), {
                meta: { userMetadata: { w: String(i) } },
                ...(i % 2 ? { conditions: { ifMatch: "*" } } : {}),
              }),
          ),
        );
      }
      writing = false;
      await Promise.all(readers);
      assert.ok(seen > 0);
    }, { fsync });
  });
}
