/**
 * The `az` backend: Azure Blob Storage (and Azurite) behind the S3 semantics
 * of the Backend interface. Block blobs hold the objects; bodies stream both
 * ways; uploads over 256 MiB, of unknown length, and multipart uploads become
 * Put Block + Put Block List. S3 conditions and ETags (MD5-based) are
 * evaluated here, with Azure's own ETag pinning the version between the check
 * and the operation. Upload state lives under `.bucketgate/uploads/` in the
 * container, which no S3 request lists, reads, writes or deletes in any
 * spelling (`isAzInternal`).
 *
 * This file only wires the operations (objects.ts, listing.ts, uploads.ts,
 * copy.ts) to one client (client.ts) and the injected collaborators (deps.ts).
 */
import type { Backend, StoreLocation } from "../backend.ts";
import { createAzClient } from "./client.ts";
import type { AzContext } from "./context.ts";
import { copyFrom } from "./copy.ts";
import { type AzDeps, resolveDeps } from "./deps.ts";
import { list, type MarkerCache } from "./listing.ts";
import { deleteObject, get, head, put } from "./objects.ts";
import type { AzOptions } from "../../config/backend_options/az.ts";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from "./uploads.ts";

/** Creates an az backend. */
export function createAzBackend(o: AzOptions, deps: AzDeps = {}): Backend {
  const resolved = resolveDeps(deps);
  const client = createAzClient(o, resolved);
  const ctx: AzContext = { ...resolved, client, requestTimeoutMs: o.requestTimeoutMs };
  const markers: MarkerCache = new Map();
  const locate = (key: string): StoreLocation => ({
    store: client.store,
    bucket: o.containerName,
    key,
  });
  return {
    head: (key) => head(ctx, key),
    get: (key, opts) => get(ctx, key, opts),
    put: (key, body, opts) => put(ctx, { ...opts, key, body }),
    locate,
    copy: (src, dst, opts) => copyFrom(ctx, locate(src), { ...opts, dst }),
    copyFrom: (from, dst, opts) => copyFrom(ctx, from, { ...opts, dst }),
    delete: (key, conditions) => deleteObject(ctx, key, conditions),
    list: (opts) => list(ctx, opts, markers),
    createMultipartUpload: (key, { meta, checksum }) =>
      createMultipartUpload(ctx, key, meta, checksum),
    uploadPart: (upload, part) => uploadPart(ctx, upload, part),
    completeMultipartUpload: (upload, parts, conditions, claimed) =>
      completeMultipartUpload(ctx, upload, { parts, conditions, claimed }),
    abortMultipartUpload: (upload) => abortMultipartUpload(ctx, upload),
    listParts: (upload, opts) => listParts(ctx, upload, opts),
    listMultipartUploads: (opts) => listMultipartUploads(ctx, opts),
  };
}
