/** DeleteObject and DeleteObjects (every key authorized on its own). */
import { type ProxyError, proxyError, S3_ERRORS } from "../../errors.ts";
import { readSmallBody } from "../../streams/limits.ts";
import { err, ok, type Result } from "../../result.ts";
import { locateKey, type S3Context } from "../context.ts";
import { emptyResponse, xmlResponse } from "../response.ts";
import { el, parseXml, S3_XMLNS, XML_DECLARATION, xmlText } from "../../xml.ts";
import { checksumVerifier, readChecksumHeaders } from "../../checksum/verify.ts";

/** The most keys one DeleteObjects request may name. */
export const MAX_DELETE_KEYS = 1000;
/** The largest DeleteObjects body accepted (1000 keys of 1024 bytes, escaped, with room). */
export const MAX_DELETE_BODY = 2 * 1024 * 1024;

/**
 * DeleteObject: 204, also when the key is absent. With If-Match (an ETag or
 * `*`), only a matching object is deleted: 412 when it does not match, 404
 * when there is none; it also needs s3:GetObject on the key, as on AWS.
 */
export async function deleteObject(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  await ctx.body?.cancel();
  const versionId = ctx.req.query.get("versionId");
  if (versionId !== null && versionId !== "null") {
    return err(proxyError("NotImplemented", "Object versions are not implemented by bucketgate"));
  }
  const ifMatch = ctx.req.headers.get("if-match");
  if (ifMatch === null) {
    const deleted = await ctx.bucket.backend.delete(ctx.req.key);
    return !deleted.ok && deleted.error.kind !== "NoSuchKey" ? deleted : ok(emptyResponse(204));
  }
  const { identity, bucket, req } = ctx;
  const denied = ctx.authorize({
    identity,
    bucket: bucket.config,
    operation: "GetObject",
    key: req.key,
  });
  if (denied) return err(denied);
  const deleted = await ctx.bucket.backend.delete(ctx.req.key, { ifMatch });
  return deleted.ok ? ok(emptyResponse(204)) : deleted;
}

/** What a delete with If-Match needs on its key, as on AWS. */
const DELETE_IF_MATCH_NEEDS = ["DeleteObject", "GetObject"] as const;

function malformed(message: string): ProxyError {
  return proxyError("MalformedXml", message);
}

/** A DeleteObjects body: its keys, each key's `<ETag>` (If-Match) at the same index, and Quiet. */
export interface DeleteBody {
  readonly keys: string[];
  /** The ETag an object names (delete only if it matches), undefined where it names none. */
  readonly etags: (string | undefined)[];
  readonly quiet: boolean;
}

/** Parses a DeleteObjects body into its keys, their ETags and the quiet flag. */
export function parseDeleteBody(text: string): Result<DeleteBody, ProxyError> {
  const doc = parseXml(text) as { Delete?: { Quiet?: unknown; Object?: unknown } } | undefined;
  const del = doc?.Delete;
  if (!del || typeof del !== "object") {
    return err(
      malformed(
        "The XML you provided was not well-formed or did not validate against our published schema",
      ),
    );
  }
  const objects = Array.isArray(del.Object) ? del.Object : [];
  if (objects.length === 0) return err(malformed("The Delete request names no Object"));
  if (objects.length > MAX_DELETE_KEYS) {
    return err(
      malformed(
        `The Delete request names ${objects.length} objects; at most ${MAX_DELETE_KEYS} are allowed`,
      ),
    );
  }
  const keys: string[] = [];
  const etags: (string | undefined)[] = [];
  for (const o of objects) {
    const { Key: raw, ETag: tag } = (o ?? {}) as { Key?: unknown; ETag?: unknown };
    const key = typeof raw === "string" ? xmlText(raw) : undefined;
    if (key === undefined || key === "") {
      return err(malformed("Every Object needs a non-empty Key"));
    }
    const etag = typeof tag === "string" ? xmlText(tag)?.trim() : undefined;
    if (tag !== undefined && !etag) return err(malformed("An Object's ETag is empty"));
    keys.push(key);
    etags.push(etag);
  }
  const quiet = typeof del.Quiet === "string" && del.Quiet.trim().toLowerCase() === "true";
  return ok({ keys, etags, quiet });
}

/** One DeleteObjects entry's `<Error>`. */
function errorEntry(key: string, e: ProxyError): string {
  const { status, code } = S3_ERRORS[e.kind];
  const message = status >= 500 ? "We encountered an internal error. Please try again." : e.message;
  return `<Error>${el("Key", key)}${el("Code", code)}${el("Message", message)}</Error>`;
}

/**
 * DeleteObjects: denied keys come back as per-key AccessDenied and are never
 * deleted. An object with an `<ETag>` is deleted only if it matches, as
 * DeleteObject with If-Match (and needs `get_object` too): otherwise its entry
 * is an `<Error>` (PreconditionFailed, or NoSuchKey when there is none).
 */
export async function deleteObjects(ctx: S3Context): Promise<Result<Response, ProxyError>> {
  const declared = readChecksumHeaders(ctx.req.headers);
  if (!declared.ok) {
    await ctx.body?.cancel();
    return declared;
  }
  let body = ctx.body;
  const { md5, checksums } = declared.value;
  if (body && (md5 !== undefined || Object.keys(checksums).length > 0)) {
    body = body.pipeThrough(checksumVerifier({ ...(md5 !== undefined ? { md5 } : {}), checksums }));
  }
  const text = await readSmallBody(
    body,
    MAX_DELETE_BODY,
    malformed(`The Delete request body is larger than ${MAX_DELETE_BODY} bytes`),
  );
  if (!text.ok) return text;
  const parsed = parseDeleteBody(text.value);
  if (!parsed.ok) return parsed;
  let out = "";
  const { keys, etags, quiet } = parsed.value;
  for (const [i, key] of keys.entries()) out += await deleteEntry(ctx, key, etags[i], quiet);
  return ok(
    xmlResponse(XML_DECLARATION + `<DeleteResult xmlns="${S3_XMLNS}">${out}</DeleteResult>`),
  );
}

/**
 * One DeleteObjects key, in the bucket it names (under `path_mapping`, a key
 * under no mapped bucket is answered NoSuchBucket, as DeleteObject on it is),
 * answered with the key as the client sent it.
 */
async function deleteEntry(
  ctx: S3Context,
  key: string,
  ifMatch: string | undefined,
  quiet: boolean,
): Promise<string> {
  const at = locateKey(ctx, key);
  if (!at.ok) return errorEntry(key, at.error);
  const { bucket, key: stored } = at.value;
  const needs = ifMatch === undefined ? ["DeleteObject"] as const : DELETE_IF_MATCH_NEEDS;
  const allowed = (operation: "DeleteObject" | "GetObject") =>
    ctx.authorize({ identity: ctx.identity, bucket: bucket.config, operation, key: stored }) ===
      undefined;
  if (!needs.every(allowed)) return errorEntry(key, proxyError("AccessDenied", "Access Denied"));
  // A key naming a mapped bucket itself (`data/`) is no object: absent.
  const deleted = stored === ""
    ? err(proxyError("NoSuchKey", "The specified key does not exist."))
    : await bucket.backend.delete(stored, ...(ifMatch ? [{ ifMatch }] : []));
  if (deleted.ok || (deleted.error.kind === "NoSuchKey" && ifMatch === undefined)) {
    return quiet ? "" : `<Deleted>${el("Key", key)}</Deleted>`;
  }
  return errorEntry(key, deleted.error);
}
