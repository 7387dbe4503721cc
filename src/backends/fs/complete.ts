/**
 * CompleteMultipartUpload on the fs backend: the chosen parts are copied, in
 * order, into one temp file, which is committed at the key; what it answered
 * is kept for a Complete sent again.
 */
import type { ProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type { BackendResult, ObjectMeta, UploadRef } from "../backend.ts";
import { multipartEtag } from "../etag.ts";
import {
  type Completion,
  completionRecord,
  isUploadId,
  replayCompletion,
  validateCompletion,
} from "../multipart.ts";
import { completedChecksum } from "../multipart_checksums.ts";
import { commitIf, refusal } from "./conditional.ts";
import type { FsContext } from "./context.ts";
import { ioError } from "./errors.ts";
import { fsKeyProblem } from "./paths.ts";
import { writeAll } from "./spool.ts";
import { loadParts, loadUpload } from "./uploads.ts";

/** Bytes copied at once from a part into the object. */
const COPY_CHUNK = 256 * 1024;

/** Copies the files at `paths`, in order, into a new temp file; returns its path. */
async function concatFiles(
  ctx: FsContext,
  paths: readonly string[],
): Promise<Result<string, ProxyError>> {
  const tmp = ctx.layout.tmp();
  try {
    using out = await Deno.open(tmp, { write: true, createNew: true });
    const buf = new Uint8Array(COPY_CHUNK);
    for (const path of paths) {
      using part = await Deno.open(path);
      for (;;) {
        const n = await part.read(buf);
        if (n === null) break;
        await writeAll(out, buf.subarray(0, n));
      }
    }
    return ok(tmp);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    return err(ioError(e));
  }
}

/**
 * CompleteMultipartUpload, within the upload's turn (so a Complete or Abort
 * of the same upload waits, then finds it done or gone); an upload no longer
 * in progress gets its recorded answer, if any.
 */
export async function completeUpload(
  ctx: FsContext,
  ref: UploadRef,
  o: Completion,
): BackendResult<ObjectMeta> {
  const refused = await refusal(ctx, ref.key, o.conditions);
  if (refused) return err(refused);
  // An upload id or key no upload can have has nothing to wait for.
  if (!isUploadId(ref.uploadId) || fsKeyProblem(ref.key)) return await assemble(ctx, ref, o);
  return await ctx.locks.hold({ upload: ref.uploadId }, () => assemble(ctx, ref, o));
}

/** Assembles the upload's parts and commits them at its key (if the conditions hold there). */
async function assemble(ctx: FsContext, ref: UploadRef, o: Completion): BackendResult<ObjectMeta> {
  const u = await loadUpload(ctx, ref);
  if (!u.ok) return u;
  if (!u.value) {
    const record = await ctx.completions.find(ref.uploadId);
    return record.ok ? replayCompletion(record.value, ref.key, o.parts) : record;
  }
  const stored = await loadParts(ctx, ref.uploadId);
  if (!stored.ok) return stored;
  const chosen = validateCompletion(o.parts, stored.value);
  if (!chosen.ok) return chosen;
  const sum = completedChecksum(u.value.checksum, o.parts, chosen.value, o.claimed);
  if (!sum.ok) return sum;
  const dir = ctx.layout.upload(ref.uploadId);
  const tmp = await concatFiles(
    ctx,
    chosen.value.map((p) => `${dir}/${stored.value.get(p.partNumber)!.file}`),
  );
  if (!tmp.ok) return tmp;
  const done = await commitIf(ctx, o.conditions, {
    key: ref.key,
    tmp: tmp.value,
    meta: u.value.meta,
    etag: multipartEtag(chosen.value.map((p) => p.md5)),
    extra: { partSizes: chosen.value.map((p) => p.size), ...sum.value },
  });
  if (!done.ok) return done;
  await ctx.completions.keep(ref.uploadId, completionRecord(o.parts, done.value));
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  return done;
}
