/**
 * The `s3` backend: any S3-compatible store (AWS S3, MinIO, R2, Ceph, moto).
 * Requests are signed with bucketgate's own SigV4 signer; bodies stream both
 * ways; uploads leave length-framed. This file wires the operations (objects.ts,
 * listing.ts, uploads.ts) to one store bucket (client.ts).
 */
import { objectParts } from "./attributes.ts";
import { type Clock, systemClock } from "../../clock.ts";
import type { Backend } from "../backend.ts";
import type { Sleep } from "../http/retry.ts";
import type { CredentialSource } from "../../oidc/backend_auth.ts";
import type { UploadBuffer } from "../upload_buffer.ts";
import type { Transport } from "../http/send.ts";
import { backendTransport } from "../http/wire.ts";
import type { S3Options } from "../../config/backend_options/s3.ts";
import { createS3Client } from "./client.ts";
import { copyObject, deleteObject, getObject, headObject, putObject } from "./objects.ts";
import { listObjects } from "./listing.ts";
import {
  abortUpload,
  completeUpload,
  createUpload,
  listParts,
  listUploads,
  uploadPart,
} from "./uploads.ts";

/** Collaborators of an s3 backend. */
export interface S3BackendDeps {
  /** Signing dates and a written object's Last-Modified. @default systemClock */
  readonly clock?: Clock;
  /** Waits between retries of a read. @default realSleep (http/retry.ts) */
  readonly sleep?: Sleep;
  /** Sends one request. @default backendTransport (http/wire.ts) */
  readonly transport?: Transport;
  /** Where `auth_type: oidc` credentials come from (required for such a bucket). */
  readonly credentials?: CredentialSource;
  /**
   * The memory uploads of unknown length may hold, shared by every backend of
   * the process. @default a buffer of this backend's own, of the default size
   */
  readonly uploadBuffer?: UploadBuffer;
}

/** Creates an s3 backend. */
export function createS3Backend(o: S3Options, deps: S3BackendDeps = {}): Backend {
  if (o.oidc && !deps.credentials) throw new Error("auth_type: oidc needs a credential source");
  const c = createS3Client(o, {
    ...deps,
    clock: deps.clock ?? systemClock,
    transport: deps.transport ?? backendTransport,
  });
  return {
    head: (key) => headObject(c, key),
    get: (key, opts) => getObject(c, key, opts),
    put: (key, stream, opts) => putObject(c, key, { ...opts, stream }),
    locate: (key) => c.locate(key),
    copy: (src, dst, opts) => copyObject(c, dst, { ...opts, source: c.locate(src) }),
    copyFrom: (source, dst, opts) => copyObject(c, dst, { ...opts, source }),
    delete: (key, conditions) => deleteObject(c, key, conditions),
    list: (opts) => listObjects(c, opts),
    createMultipartUpload: (key, opts) => createUpload(c, key, opts),
    uploadPart: (upload, part) => uploadPart(c, upload, part),
    completeMultipartUpload: (upload, parts, conditions, claimed) =>
      completeUpload(c, upload, {
        parts,
        ...(conditions ? { conditions } : {}),
        ...(claimed ? { claimed } : {}),
      }),
    abortMultipartUpload: (upload) => abortUpload(c, upload),
    listParts: (upload, opts) => listParts(c, upload, opts),
    objectParts: (key, opts) => objectParts(c, key, opts),
    listMultipartUploads: (opts) => listUploads(c, opts),
  };
}
