/**
 * The fs backend when the disk refuses a write, in process: the OS errors are
 * injected (ENOSPC, EDQUOT, EFBIG as Deno raises them) into the writes of
 * bucketgate's temp files, so every write site is covered on any machine.
 * tests/e2e/disk_full_test.ts fills a real filesystem. Also: the errno
 * mapping itself (errors.ts).
 */
import assert from "node:assert/strict";
import { createFsBackend } from "../../../../src/backends/fs/fs.ts";
import {
  internalIoError,
  ioError,
  isDirectoryInTheWay,
} from "../../../../src/backends/fs/errors.ts";
import type { Backend, HttpMeta } from "../../../../src/backends/backend.ts";
import type { ProxyErrorKind } from "../../../../src/errors.ts";

const NO_META: HttpMeta = { userMetadata: {} };
const bytes = (n: number, fill: number): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(fill);
const stream = (b: Uint8Array<ArrayBuffer>) => new Blob([b]).stream();

type Errno = "ENOSPC" | "EDQUOT" | "EFBIG";
const TEXT: Record<Errno, string> = {
  ENOSPC: "No space left on device (os error 28)",
  EDQUOT: "Disk quota exceeded (os error 122)",
  EFBIG: "File too large (os error 27)",
};
const KIND: Record<Errno, ProxyErrorKind> = {
  ENOSPC: "StorageFull",
  EDQUOT: "StorageFull",
  EFBIG: "EntityTooLarge",
};

/** An error shaped as Deno raises an OS error it has no class for. */
function osError(code: Errno): Error {
  return Object.assign(new Error(TEXT[code]), { code });
}

interface Faults {
  /** Files opened for writing under this directory fail. */
  readonly under: string;
  readonly errno: Errno;
  /** `FsFile.write` fails once this many bytes went into a file. */
  readonly writesAfter?: number;
  /** `Deno.writeTextFile` (metadata sidecars and records) fails. */
  readonly textFiles?: boolean;
}

/** Runs `fn` with writes under `faults.under` failing as told; restores Deno's functions after. */
async function withFaults(faults: Faults, fn: () => Promise<void>): Promise<void> {
  const d = Deno as { open: typeof Deno.open; writeTextFile: typeof Deno.writeTextFile };
  const realOpen = d.open;
  const realWriteText = d.writeTextFile;
  const inScope = (path: string | URL) => String(path).startsWith(faults.under);
  d.open = async (path, options) => {
    const file = await realOpen(path, options);
    if (faults.writesAfter !== undefined && options?.write && inScope(path)) {
      let left = faults.writesAfter;
      const realWrite = file.write.bind(file);
      file.write = async (p) => {
        if (left <= 0) throw osError(faults.errno);
        const n = await realWrite(p.subarray(0, Math.min(p.byteLength, left)));
        left -= n;
        return n;
      };
    }
    return file;
  };
  d.writeTextFile = async (path, data, options) => {
    if (faults.textFiles && inScope(path)) {
      await realWriteText(path, "", options); // created, then the write fails, as on a full disk
      throw osError(faults.errno);
    }
    return await realWriteText(path, data, options);
  };
  try {
    await fn();
  } finally {
    d.open = realOpen;
    d.writeTextFile = realWriteText;
  }
}

async function withBackend(fn: (b: Backend, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "bucketgate-fs-full-" });
  try {
    await fn(createFsBackend({ root }), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function list(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

async function readObject(b: Backend, key: string): Promise<Uint8Array | string> {
  const got = await b.get(key);
  if (!got.ok) return got.error.kind;
  return new Uint8Array(await new Response(got.value.body).arrayBuffer());
}

for (const errno of ["ENOSPC", "EDQUOT", "EFBIG"] as const) {
  Deno.test(`fs backend: ${errno} while spooling a PUT → ${KIND[errno]}, old object intact, no temp file`, async () => {
    await withBackend(async (b, root) => {
      const old = bytes(1000, 1);
      assert.ok((await b.put("k", stream(old), { meta: NO_META })).ok);
      await withFaults(
        { under: `${root}/.bucketgate`, errno, writesAfter: 64 * 1024 },
        async () => {
          const r = await b.put("k", stream(bytes(200_000, 2)), { meta: NO_META });
          assert.ok(!r.ok && r.error.kind === KIND[errno], JSON.stringify(r));
          assert.ok(
            !r.ok && String(r.error.detail).includes(TEXT[errno]),
            "the errno is the detail",
          );
          const fresh = await b.put("new", stream(bytes(200_000, 3)), { meta: NO_META });
          assert.ok(!fresh.ok && fresh.error.kind === KIND[errno]);
        },
      );
      assert.deepEqual(await readObject(b, "k"), old);
      assert.equal(await readObject(b, "new"), "NoSuchKey");
      assert.deepEqual(await list(`${root}/.bucketgate/tmp`), []);
      assert.deepEqual(await list(root), [".bucketgate", "k"]);
    });
  });
}

Deno.test("fs backend: a full disk when writing the sidecar → StorageFull, the object is neither new nor changed", async () => {
  await withBackend(async (b, root) => {
    const old = bytes(1000, 1);
    assert.ok((await b.put("k", stream(old), { meta: NO_META })).ok);
    await withFaults(
      { under: `${root}/.bucketgate`, errno: "ENOSPC", textFiles: true },
      async () => {
        for (const key of ["k", "new"]) {
          const r = await b.put(key, stream(bytes(10, 2)), { meta: { userMetadata: { a: "b" } } });
          assert.ok(!r.ok && r.error.kind === "StorageFull", `${key}: ${JSON.stringify(r)}`);
        }
        const copied = await b.copy("k", "copy", { meta: NO_META });
        assert.ok(!copied.ok && copied.error.kind === "StorageFull", JSON.stringify(copied));
      },
    );
    assert.deepEqual(await readObject(b, "k"), old);
    const head = await b.head("k");
    assert.ok(head.ok && Object.keys(head.value.userMetadata).length === 0, "old metadata kept");
    assert.equal(await readObject(b, "new"), "NoSuchKey");
    assert.equal(await readObject(b, "copy"), "NoSuchKey");
    assert.deepEqual(await list(`${root}/.bucketgate/tmp`), []);
  });
});

Deno.test("fs backend: a full disk during multipart → StorageFull; parts, upload and key as they were", async () => {
  await withBackend(async (b, root) => {
    const id = await b.createMultipartUpload("mp", { meta: NO_META });
    assert.ok(id.ok);
    const upload = { key: "mp", uploadId: id.value };
    const p1 = await b.uploadPart(upload, {
      partNumber: 1,
      body: stream(bytes(5 * 1024 * 1024, 1)),
    });
    const p2 = await b.uploadPart(upload, {
      partNumber: 2,
      body: stream(bytes(1000, 2)),
    });
    assert.ok(p1.ok && p2.ok);
    const before = await list(`${root}/.bucketgate/uploads/${id.value}`);
    const parts = [{ partNumber: 1, etag: p1.value.etag }, { partNumber: 2, etag: p2.value.etag }];
    const tmp = `${root}/.bucketgate`;
    // The part's bytes cannot be written.
    await withFaults({ under: tmp, errno: "ENOSPC", writesAfter: 100 }, async () => {
      for (const n of [2, 3]) {
        const r = await b.uploadPart(upload, {
          partNumber: n,
          body: stream(bytes(5000, 9)),
        });
        assert.ok(!r.ok && r.error.kind === "StorageFull", `part ${n}: ${JSON.stringify(r)}`);
      }
      // Nor the assembled object.
      const done = await b.completeMultipartUpload(upload, parts);
      assert.ok(!done.ok && done.error.kind === "StorageFull", JSON.stringify(done));
    });
    // The part's bytes fit, its record does not.
    await withFaults({ under: tmp, errno: "ENOSPC", textFiles: true }, async () => {
      for (const n of [2, 3]) {
        const r = await b.uploadPart(upload, {
          partNumber: n,
          body: stream(bytes(5000, 9)),
        });
        assert.ok(!r.ok && r.error.kind === "StorageFull", `part ${n}: ${JSON.stringify(r)}`);
      }
      const another = await b.createMultipartUpload("other", { meta: NO_META });
      assert.ok(!another.ok && another.error.kind === "StorageFull", JSON.stringify(another));
    });
    assert.deepEqual(await list(`${root}/.bucketgate/uploads/${id.value}`), before);
    assert.deepEqual(await list(`${root}/.bucketgate/uploads`), [id.value], "no half-made upload");
    assert.deepEqual(await list(`${root}/.bucketgate/tmp`), []);
    const listed = await b.listParts(upload, { maxParts: 1000 });
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.parts.map((p) => p.etag), [p1.value.etag, p2.value.etag]);
    assert.equal(await readObject(b, "mp"), "NoSuchKey");
    // With room again, the same upload completes.
    const done = await b.completeMultipartUpload(upload, parts);
    assert.ok(done.ok, JSON.stringify(done));
    assert.equal((await readObject(b, "mp") as Uint8Array).length, 5 * 1024 * 1024 + 1000);
  });
});

Deno.test("fs backend: a body that fails to arrive is the client's error, not the disk's", async () => {
  await withBackend(async (b) => {
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes(100, 1));
        c.error(new TypeError("connection reset"));
      },
    });
    const r = await b.put("k", broken, { meta: NO_META });
    assert.ok(!r.ok && r.error.kind === "IncompleteBody", JSON.stringify(r));
  });
});

Deno.test("ioError() maps by class and errno, never by message text", () => {
  const withCode = (e: Error, code: string) => Object.assign(e, { code });
  assert.equal(ioError(new Deno.errors.NotADirectory("x")).kind, "InvalidRequest");
  assert.equal(ioError(new Deno.errors.IsADirectory("x")).kind, "InvalidRequest");
  assert.equal(ioError(osError("ENOSPC")).kind, "StorageFull");
  assert.equal(ioError(osError("EFBIG")).kind, "EntityTooLarge");
  const denied = withCode(new Deno.errors.PermissionDenied("a directory, no space left"), "EACCES");
  assert.equal(ioError(denied).kind, "BackendError");
  assert.equal(ioError(new Error("No space left on device (os error 28)")).kind, "BackendError");
});

Deno.test("internalIoError(): bucketgate's own files never blame the client's keys", () => {
  assert.equal(internalIoError(new Deno.errors.IsADirectory("x")).kind, "BackendError");
  assert.equal(internalIoError(new Deno.errors.FilesystemLoop("x")).kind, "BackendError");
  assert.equal(internalIoError(osError("EDQUOT")).kind, "StorageFull");
});

Deno.test("isDirectoryInTheWay() knows a directory by class or errno, not by a path that names one", () => {
  assert.ok(isDirectoryInTheWay(new Deno.errors.IsADirectory("x")));
  assert.ok(
    isDirectoryInTheWay(Object.assign(new Error("Directory not empty"), { code: "ENOTEMPTY" })),
  );
  const denied = Object.assign(
    new Deno.errors.PermissionDenied("Permission denied (os error 13): remove '/srv/directory/x'"),
    { code: "EACCES" },
  );
  assert.ok(!isDirectoryInTheWay(denied));
});
