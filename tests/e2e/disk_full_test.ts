/**
 * The fs backend on a filesystem that is really full: a bucket on a small
 * tmpfs, filled by a file beside it. PutObject, UploadPart and
 * CompleteMultipartUpload answer 507 XMinioStorageFull with a generic message
 * (the errno goes to the log), leave no object, part or temp file behind,
 * keep the old object and an earlier part as they were, and the gateway keeps
 * serving; once space is freed, the same requests succeed.
 *
 * Mounting needs root (CAP_SYS_ADMIN); where it is not allowed the test is
 * skipped with the reason, except under CI=true, where it fails. The same
 * failures are injected in process by tests/unit/backends/fs/errors_test.ts.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { filesUnder, type Gateway, signedFetch, startGateway } from "./_gateway.ts";
import { tally } from "../_support/tally.ts";
import { requireTool, skippable } from "../_support/tools.ts";

const MiB = 1024 * 1024;
const PAGE = 4096;
const GENERIC = "We encountered an internal error. Please try again.";
const UNSIGNED = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const random = (n: number) => {
  const b = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(b.subarray(at, at + 65536));
  return b;
};

async function sh(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { ok: o.success, out: (dec.decode(o.stdout) + dec.decode(o.stderr)).trim() };
  } catch (e) {
    return { ok: false, out: String(e) };
  }
}

/** Mounts a tmpfs of `bytes` at `dir`; the reason when that is not allowed. */
async function mountTmpfs(dir: string, bytes: number): Promise<string | undefined> {
  const r = await sh("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0755`, "tmpfs", dir]);
  return r.ok ? undefined : `mount -t tmpfs failed: ${r.out || "no output"}`;
}

async function unmount(dir: string): Promise<void> {
  if (!(await sh("umount", [dir])).ok) await sh("umount", ["-l", dir]);
}

/** Why this machine cannot mount a tmpfs (undefined when it can). */
async function mountProblem(): Promise<string | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-mount-probe-" });
  try {
    const problem = await mountTmpfs(dir, MiB);
    if (!problem) await unmount(dir);
    return problem;
  } finally {
    await Deno.remove(dir).catch(() => {});
  }
}

/** Why no tmpfs can be mounted here, or undefined; under CI=true, throws. */
const CANNOT_MOUNT = requireTool(await mountProblem());

/**
 * Fills the filesystem of `dir` with `dir/filler` until the kernel refuses,
 * then gives back `free` bytes (whole pages).
 */
async function fill(dir: string, free: number): Promise<void> {
  const path = `${dir}/filler`;
  const block = new Uint8Array(MiB).fill(0x46);
  {
    using f = await Deno.open(path, { write: true, create: true, append: true });
    try {
      for (;;) {
        let at = 0;
        while (at < block.length) at += await f.write(block.subarray(at));
      }
    } catch (e) {
      if (!(e instanceof Error && "code" in e && e.code === "ENOSPC")) throw e;
    }
  }
  const size = (await Deno.stat(path)).size;
  await Deno.truncate(path, Math.max(0, Math.floor(size / PAGE) * PAGE - free));
}

/** Files under `dir` (recursively, bucketgate's own folder included), relative. */
async function allFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await allFiles(dir, p));
    else out.push(p);
  }
  return out.sort();
}

/** A 507 XMinioStorageFull with the generic message, and the errno only in the log. */
async function assertStorageFull(gw: Gateway, res: Response, what: string, mnt: string) {
  const body = await res.text();
  assert.equal(res.status, 507, `${what}: ${res.status} ${body}`);
  assert.match(body, /<Code>XMinioStorageFull<\/Code>/, what);
  assert.ok(body.includes(`<Message>${GENERIC}</Message>`), `${what}: ${body}`);
  const requestId = res.headers.get("x-amz-request-id");
  assert.ok(requestId && body.includes(`<RequestId>${requestId}</RequestId>`), what);
  for (const leak of ["ENOSPC", "space", "os error", mnt, ".bucketgate", "    at "]) {
    assert.ok(!body.includes(leak), `${what}: the body mentions ${leak}: ${body}`);
  }
  const logs = await gw.waitForLog(new RegExp(requestId!));
  const line = logs.split("\n").find((l) => l.includes(requestId!));
  assert.ok(line, `${what}: no log line for ${requestId}`);
  assert.match(line, / 507 StorageFull .*No space left on device/, `${what}: ${line}`);
  tally("faults", "disk full: a write refused with 507");
}

async function put(gw: Gateway, path: string, body: Uint8Array, query?: Record<string, string>) {
  return await signedFetch(gw, "PUT", path, {
    body,
    headers: UNSIGNED,
    ...(query ? { query } : {}),
  });
}

function completeXml(parts: readonly string[]): string {
  return `<CompleteMultipartUpload>${
    parts.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join("")
  }</CompleteMultipartUpload>`;
}

Deno.test({
  ...skippable(
    "fs backend on a full disk: PUT, UploadPart and Complete answer 507 XMinioStorageFull, leave nothing behind, keep old data, and the gateway keeps serving",
    CANNOT_MOUNT,
  ),
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "bucketgate-full-" });
    const mnt = `${work}/mnt`;
    await Deno.mkdir(mnt);
    const problem = await mountTmpfs(mnt, 16 * MiB);
    assert.equal(problem, undefined);
    const root = `${mnt}/bucket`;
    await Deno.mkdir(root);
    let gw: Gateway | undefined;
    try {
      gw = await startGateway([
        `{ name: full, backend_type: fs, anonymous_access: false, backend_options: { root: "${root}" } }`,
      ]);
      const g = gw;
      // Before the disk fills: an object to keep, one placed by hand, an upload with two parts.
      const old = random(64 * 1024);
      let res = await put(g, "/full/keep.bin", old);
      assert.equal(res.status, 200, await res.text());
      const byHand = random(10_000);
      await Deno.writeFile(`${root}/byhand.bin`, byHand);
      res = await signedFetch(g, "POST", "/full/big.bin", { query: { uploads: "" } });
      const created = await res.text();
      assert.equal(res.status, 200, created);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)![1]!;
      const partBytes = [random(5 * MiB), random(MiB)];
      const etags: string[] = [];
      for (const [i, bytes] of partBytes.entries()) {
        res = await put(g, "/full/big.bin", bytes, { partNumber: String(i + 1), uploadId });
        await res.body?.cancel();
        assert.equal(res.status, 200);
        etags.push(res.headers.get("etag")!);
      }
      const objectsBefore = await filesUnder(root);
      // The lock files (a fixed set, empty, issue 25) are made by any write: not compared.
      const unlocked = (files: string[]) => files.filter((f) => !f.startsWith("locks/"));
      const internalBefore = unlocked(await allFiles(`${root}/.bucketgate`));
      assert.deepEqual(objectsBefore, ["byhand.bin", "keep.bin"]);

      const checkNothingLeft = async (when: string) => {
        assert.deepEqual(await filesUnder(root), objectsBefore, `${when}: objects on disk`);
        const internal = unlocked(await allFiles(`${root}/.bucketgate`)).filter((f) =>
          // The hand-placed object's sidecar may come and go; nothing else may.
          !(f.startsWith("meta/") && !internalBefore.includes(f))
        );
        assert.deepEqual(internal, internalBefore, `${when}: temp files, parts or records left`);
        const list = await signedFetch(g, "GET", "/full", { query: { "list-type": "2" } });
        const keys = [...(await list.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
        assert.deepEqual(keys, ["byhand.bin", "keep.bin"], `${when}: listing`);
      };
      const checkOldObject = async (when: string) => {
        const got = await signedFetch(g, "GET", "/full/keep.bin");
        assert.equal(got.status, 200, when);
        assert.equal(md5(new Uint8Array(await got.arrayBuffer())), md5(old), `${when}: keep.bin`);
        tally("objects", "disk full: old object intact");
      };

      // 1. No room for the bytes (256 KiB left; 2 MiB sent): the spool fails.
      await fill(mnt, 256 * 1024);
      await assertStorageFull(g, await put(g, "/full/keep.bin", random(2 * MiB)), "overwrite", mnt);
      await checkOldObject("after a refused overwrite");
      await assertStorageFull(g, await put(g, "/full/new.bin", random(2 * MiB)), "new", mnt);
      res = await signedFetch(g, "HEAD", "/full/new.bin");
      assert.equal(res.status, 404, "no partial new object");
      await assertStorageFull(
        g,
        await put(g, "/full/big.bin", random(2 * MiB), { partNumber: "3", uploadId }),
        "UploadPart 3",
        mnt,
      );
      await assertStorageFull(
        g,
        await put(g, "/full/big.bin", random(2 * MiB), { partNumber: "2", uploadId }),
        "UploadPart 2 again",
        mnt,
      );
      // 2. Room for the bytes of a small object but not for its metadata: one page left.
      await fill(mnt, PAGE);
      await assertStorageFull(g, await put(g, "/full/fits.bin", random(PAGE)), "sidecar", mnt);
      res = await signedFetch(g, "HEAD", "/full/fits.bin");
      assert.equal(res.status, 404, "a refused object whose bytes fitted is not there");
      await assertStorageFull(g, await put(g, "/full/keep.bin", random(PAGE)), "sidecar 2", mnt);
      await checkOldObject("after a refused overwrite whose bytes fitted");
      for (const n of ["3", "2"]) {
        await assertStorageFull(
          g,
          await put(g, "/full/big.bin", random(PAGE), { partNumber: n, uploadId }),
          `UploadPart ${n} whose bytes fitted`,
          mnt,
        );
      }
      // The parts are as they were: two, with their first ETags.
      res = await signedFetch(g, "GET", "/full/big.bin", { query: { uploadId } });
      const parts = await res.text();
      assert.equal(res.status, 200, parts);
      assert.deepEqual(
        [...parts.matchAll(/<ETag>([^<]+)<\/ETag>/g)].map((m) => m[1]!.replaceAll("&quot;", '"')),
        etags,
        "ListParts after refused part uploads",
      );
      // 3. Complete needs 6 MiB for the assembled object.
      await fill(mnt, 256 * 1024);
      await assertStorageFull(
        g,
        await signedFetch(g, "POST", "/full/big.bin", {
          query: { uploadId },
          body: completeXml(etags),
        }),
        "CompleteMultipartUpload",
        mnt,
      );
      res = await signedFetch(g, "HEAD", "/full/big.bin");
      assert.equal(res.status, 404, "no partial assembled object");
      res = await signedFetch(g, "GET", "/full", { query: { uploads: "" } });
      assert.match(await res.text(), new RegExp(`<UploadId>${uploadId}</UploadId>`));
      // An object placed by hand still reads (its sidecar cannot be written).
      res = await signedFetch(g, "GET", "/full/byhand.bin");
      assert.equal(res.status, 200);
      assert.equal(md5(new Uint8Array(await res.arrayBuffer())), md5(byHand));
      await checkNothingLeft("while full");
      await checkOldObject("while full");

      // The gateway keeps serving its other buckets meanwhile.
      res = await signedFetch(g, "PUT", "/private-uploads/alive.txt", { body: "alive" });
      assert.equal(res.status, 200, await res.text());
      res = await signedFetch(g, "GET", "/private-uploads/alive.txt");
      assert.equal(await res.text(), "alive");

      // Space comes back: the same requests succeed.
      await Deno.remove(`${mnt}/filler`);
      res = await signedFetch(g, "POST", "/full/big.bin", {
        query: { uploadId },
        body: completeXml(etags),
      });
      assert.equal(res.status, 200, await res.text());
      res = await signedFetch(g, "GET", "/full/big.bin");
      const whole = new Uint8Array(await res.arrayBuffer());
      const want = new Uint8Array(6 * MiB);
      want.set(partBytes[0]!, 0);
      want.set(partBytes[1]!, 5 * MiB);
      assert.equal(md5(whole), md5(want), "the completed object");
      const fresh = random(2 * MiB);
      res = await put(g, "/full/keep.bin", fresh);
      assert.equal(res.status, 200, await res.text());
      res = await signedFetch(g, "GET", "/full/keep.bin");
      assert.equal(md5(new Uint8Array(await res.arrayBuffer())), md5(fresh));
      tally("objects", "disk full: written after space came back", 2);
      assert.deepEqual(await allFiles(`${root}/.bucketgate/tmp`), [], "no temp file at the end");
    } finally {
      await gw?.stop();
      await unmount(mnt);
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
