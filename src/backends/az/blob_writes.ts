/**
 * Writing blobs: Put Blob, Put Block, Put Block List, and a body of any size
 * cut into blocks (streamed slices of a known length, or buffered blocks).
 */
import { type ProxyError, toProxyError } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { newUploadId } from "../multipart.ts";
import { watchedStream } from "../../streams/idle.ts";
import { type HttpBody, type HttpResponse, release } from "../http/send.ts";
import { blockId, blocksOf } from "./blocks.ts";
import type { AzContext } from "./context.ts";
import { md5Tap } from "./md5_tap.ts";

/** What a write stored: its size, its MD5 (base64) and Azure's response headers. */
export interface Written {
  readonly size: number;
  readonly md5: string | undefined;
  readonly headers: Headers;
}

/** A Put Block. */
export interface PutBlockRequest {
  readonly key: string;
  /** The block id (base64). */
  readonly id: string;
  readonly body: HttpBody;
  readonly signal?: AbortSignal | undefined;
}

/** Stages one block of a blob. */
export async function putBlock(
  ctx: AzContext,
  req: PutBlockRequest,
): Promise<Result<HttpResponse, ProxyError>> {
  const r = await ctx.client.expect("PutBlock", [201], {
    method: "PUT",
    path: ctx.client.pathOf(req.key),
    query: { comp: "block", blockid: req.id },
    body: req.body,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  if (r.ok) await release(r.value);
  return r;
}

/** Commits blocks as the blob's content with its properties and metadata (`headers`). */
export async function commitBlocks(
  ctx: AzContext,
  req: {
    readonly key: string;
    readonly ids: readonly string[];
    readonly headers: Record<string, string>;
  },
): Promise<Result<HttpResponse, ProxyError>> {
  const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${
    req.ids.map((id) => `<Latest>${id}</Latest>`).join("")
  }</BlockList>`;
  const r = await ctx.client.expect("PutBlockList", [201], {
    method: "PUT",
    path: ctx.client.pathOf(req.key),
    query: { comp: "blocklist" },
    headers: { "content-type": "application/xml", ...req.headers },
    body: { kind: "bytes", bytes: new TextEncoder().encode(list) },
  });
  if (r.ok) await release(r.value);
  return r;
}

/** A body to write in blocks. */
export interface BlocksRequest {
  readonly key: string;
  readonly stream: ReadableStream<Uint8Array>;
  /** The body's exact length, when known. */
  readonly length: number | undefined;
  /** Properties and metadata of the blob (and any write conditions). */
  readonly headers: Record<string, string>;
  /** Headers known only once the body ended (a checksum computed over it); blocks only. */
  readonly lateHeaders?: () => Record<string, string>;
  readonly signal?: AbortSignal | undefined;
}

/** Writes a blob from blocks: streamed slices of a known length, or buffered blocks. */
export async function putInBlocks(
  ctx: AzContext,
  req: BlocksRequest,
): Promise<Result<Written, ProxyError>> {
  // Streamed slices are watched for an idle client by the transport (http/send.ts);
  // a body of unknown length is gathered here, so it is watched here.
  const tapped = md5Tap(
    req.length === undefined ? watchedStream(req.stream, req.signal) : req.stream,
  );
  const id = newUploadId();
  const ids: string[] = [];
  let size = 0;
  try {
    const blocks = blocksOf(tapped.stream, req.length, {
      blockSize: ctx.sizes.streamedBlock,
      bufferSize: ctx.sizes.bufferedBlock,
    });
    for await (const block of blocks) {
      const bid = blockId(id, ids.length + 1);
      const r = await putBlock(ctx, { key: req.key, id: bid, body: block, signal: req.signal });
      if (!r.ok) return r;
      ids.push(bid);
      size += block.kind === "bytes" ? block.bytes.byteLength : block.length;
    }
  } catch (e) {
    return err(toProxyError(e, "IncompleteBody"));
  }
  const md5 = tapped.hash.digest("base64");
  const headers = { ...req.headers, ...req.lateHeaders?.(), "x-ms-blob-content-md5": md5 };
  const r = await commitBlocks(ctx, { key: req.key, ids, headers });
  return r.ok ? ok({ size, md5, headers: r.value.headers }) : r;
}

/** Writes a blob of a known length in one Put Blob (Azure computes and returns its MD5). */
export async function putWhole(
  ctx: AzContext,
  req: BlocksRequest & { readonly length: number },
): Promise<Result<Written, ProxyError>> {
  const r = await ctx.client.expect("PutBlob", [201], {
    method: "PUT",
    path: ctx.client.pathOf(req.key),
    headers: { ...req.headers, "x-ms-blob-type": "BlockBlob" },
    body: { kind: "stream", stream: req.stream, length: req.length },
    ...(req.signal ? { signal: req.signal } : {}),
  });
  if (!r.ok) return r;
  await release(r.value);
  const md5 = r.value.headers.get("content-md5") ?? undefined;
  return ok({ size: req.length, md5, headers: r.value.headers });
}

/** A small internal blob: its bytes, and metadata stored under `bgi_`. */
export interface SmallBlob {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Writes a small internal blob (upload state). */
export async function putSmall(ctx: AzContext, blob: SmallBlob): Promise<Result<void, ProxyError>> {
  const h: Record<string, string> = { "x-ms-blob-type": "BlockBlob" };
  for (const [k, v] of Object.entries(blob.metadata)) h[`x-ms-meta-bgi_${k}`] = v;
  const r = await ctx.client.expect("PutBlob", [201], {
    method: "PUT",
    path: ctx.client.pathOf(blob.path),
    headers: h,
    body: { kind: "bytes", bytes: blob.bytes },
  });
  if (!r.ok) return r;
  await release(r.value);
  return ok(undefined);
}
