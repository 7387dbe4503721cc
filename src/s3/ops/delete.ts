/** DeleteObject and DeleteObjects (every key authorized on its own). */
import { isAllowed } from "../../authz/scopes.ts";
import { type ProxyError, proxyError, S3_ERRORS } from "../../errors.ts";
import { readSmallBody } from "../../streams/limits.ts";
import { err, ok, type Result } from "../../result.ts";
import type { S3Context } from "../context.ts";
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
 * when there is none; it also needs `get_object` on the key, as on AWS.
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
  const target = { kind: "key", key: ctx.req.key } as const;
  if (!isAllowed(ctx.identity, ctx.bucket.config, "get_object", target)) {
    return err(proxyError("AccessDenied", "Access Denied"));
  }
  const deleted = await ctx.bucket.backend.delete(ctx.req.key, { ifMatch });
  return deleted.ok ? ok(emptyResponse(204)) : deleted;
}

function malformed(message: string): ProxyError {
  return proxyError("MalformedXml", message);
}

/** Parses a DeleteObjects body into its keys and quiet flag. */
export function parseDeleteBody(
  text: string,
): Result<{ keys: string[]; quiet: boolean }, ProxyError> {
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
  for (const o of objects) {
    const raw = (o as { Key?: unknown } | undefined)?.Key;
    const key = typeof raw === "string" ? xmlText(raw) : undefined;
    if (key === undefined || key === "") {
      return err(malformed("Every Object needs a non-empty Key"));
    }
    keys.push(key);
  }
  const quiet = typeof del.Quiet === "string" && del.Quiet.trim().toLowerCase() === "true";
  return ok({ keys, quiet });
}

/** DeleteObjects: denied keys come back as per-key AccessDenied and are never deleted. */
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
  for (const key of parsed.value.keys) {
    if (!isAllowed(ctx.identity, ctx.bucket.config, "delete_object", { kind: "key", key })) {
      out += `<Error>${
        el("Key", key)
      }<Code>AccessDenied</Code><Message>Access Denied</Message></Error>`;
      continue;
    }
    const deleted = await ctx.bucket.backend.delete(key);
    if (deleted.ok || deleted.error.kind === "NoSuchKey") {
      if (!parsed.value.quiet) out += `<Deleted>${el("Key", key)}</Deleted>`;
    } else {
      const { status, code } = S3_ERRORS[deleted.error.kind];
      const message = status >= 500
        ? "We encountered an internal error. Please try again."
        : deleted.error.message;
      out += `<Error>${el("Key", key)}${el("Code", code)}${el("Message", message)}</Error>`;
    }
  }
  return ok(
    xmlResponse(XML_DECLARATION + `<DeleteResult xmlns="${S3_XMLNS}">${out}</DeleteResult>`),
  );
}
