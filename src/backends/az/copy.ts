/**
 * Server-side copy (Copy Blob) from any container of the account, with S3's
 * REPLACE as Set Blob Metadata and Set Blob Properties on the copy. The
 * source is pinned by its Azure ETag between the check and the copy.
 */
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import type {
  BackendResult,
  CopyOptions,
  HttpMeta,
  ObjectMeta,
  StoreLocation,
} from "../backend.ts";
import { unstorableKeyRead } from "../keys.ts";
import { release } from "../http/send.ts";
import type { AzContext } from "./context.ts";
import { blobHeaders, checksumsOf, metadataOf } from "./metadata.ts";
import { head, properties, reserved, unreadable, writeGuard } from "./objects.ts";

/** How often a pending Copy Blob is looked at. */
export const COPY_POLL_MS = 200;

/** Waits for an asynchronous Copy Blob to finish (same-account copies usually are at once). */
export async function copyFinished(
  ctx: AzContext,
  key: string,
  status: string | null,
): Promise<Result<void, ProxyError>> {
  const deadline = ctx.clock.now() + ctx.requestTimeoutMs;
  while (status === "pending") {
    if (ctx.clock.now() > deadline) {
      return err(proxyError("BackendError", "The backend failed", "CopyBlob: still pending"));
    }
    await ctx.sleep(COPY_POLL_MS);
    const r = await properties(ctx, ctx.client.pathOf(key));
    if (!r.ok) return r;
    status = r.value.get("x-ms-copy-status");
  }
  if (status !== null && status !== "success") {
    return err(proxyError("BackendError", "The backend failed", `CopyBlob: status ${status}`));
  }
  return ok(undefined);
}

/** A request to Set Blob Metadata or Set Blob Properties on `key`. */
async function setBlob(
  ctx: AzContext,
  key: string,
  set: { readonly comp: "metadata" | "properties"; readonly headers: Record<string, string> },
): Promise<Result<void, ProxyError>> {
  const what = set.comp === "metadata" ? "SetBlobMetadata" : "SetBlobProperties";
  const r = await ctx.client.expect(what, [200], {
    method: "PUT",
    path: ctx.client.pathOf(key),
    query: { comp: set.comp },
    headers: set.headers,
  });
  if (!r.ok) return r;
  await release(r.value);
  return ok(undefined);
}

/**
 * REPLACE: exactly the new metadata (plus what bucketgate keeps from the
 * source: a multipart ETag, checksums, the MD5), and every property.
 */
async function replaceMetadata(
  ctx: AzContext,
  dst: string,
  c: { readonly meta: HttpMeta; readonly source: Headers },
): Promise<Result<void, ProxyError>> {
  const { internal } = metadataOf(c.source);
  const checksums = checksumsOf(internal);
  const all = blobHeaders(c.meta, {
    ...(internal.etag ? { etag: internal.etag } : {}),
    ...(checksums ? { checksums } : {}),
  });
  const entries = Object.entries(all);
  const metaOnly = Object.fromEntries(entries.filter(([k]) => k.startsWith("x-ms-meta-")));
  const props = Object.fromEntries(entries.filter(([k]) => !k.startsWith("x-ms-meta-")));
  const md5 = c.source.get("content-md5");
  if (md5) props["x-ms-blob-content-md5"] = md5;
  const m = await setBlob(ctx, dst, { comp: "metadata", headers: metaOnly });
  if (!m.ok) return m;
  return await setBlob(ctx, dst, { comp: "properties", headers: props });
}

/** Copy Blob of the pinned source onto `dst`, waiting until it is done. */
async function copyBlob(
  ctx: AzContext,
  from: StoreLocation,
  to: { readonly dst: string; readonly sourceEtag: string; readonly guard: Record<string, string> },
): Promise<Result<void, ProxyError>> {
  const r = await ctx.client.expect("CopyBlob", [202, 201], {
    method: "PUT",
    path: ctx.client.pathOf(to.dst),
    headers: {
      "x-ms-copy-source": ctx.client.urlOf(ctx.client.blobPath(from)).href,
      "x-ms-source-if-match": to.sourceEtag,
      ...to.guard,
    },
  });
  if (!r.ok) return r;
  await release(r.value);
  return await copyFinished(ctx, to.dst, r.value.headers.get("x-ms-copy-status"));
}

/** Server-side copy (Copy Blob) from any container of this account. */
export async function copyFrom(
  ctx: AzContext,
  from: StoreLocation,
  c: CopyOptions & { readonly dst: string },
): BackendResult<ObjectMeta> {
  const refused = reserved(c.dst);
  if (refused) return err(refused);
  // The source container's internal namespace is at its root too.
  if (unreadable(ctx, from.key)) return err(unstorableKeyRead());
  const guard = await writeGuard(ctx, c.dst, c.conditions);
  if (!guard.ok) return guard;
  const source = await properties(ctx, ctx.client.blobPath(from));
  if (!source.ok) return source;
  if (ctx.client.blobPath(from) !== ctx.client.pathOf(c.dst)) {
    const sourceEtag = source.value.get("etag") ?? "*";
    const copied = await copyBlob(ctx, from, { dst: c.dst, sourceEtag, guard: guard.value });
    if (!copied.ok) return copied;
  }
  if (c.meta) {
    const replaced = await replaceMetadata(ctx, c.dst, { meta: c.meta, source: source.value });
    if (!replaced.ok) return replaced;
  }
  return await head(ctx, c.dst);
}
