/**
 * The store's errors as ProxyErrors: the codes a client should see pass
 * through, anything else is the backend's problem (a 503).
 */
import { type ProxyError, proxyError, type ProxyErrorKind, withHeaders } from "../../errors.ts";
import { err, ok, type Result } from "../../result.ts";
import { storeValidators } from "../conditions.ts";
import { type HttpResponse, release } from "../http/send.ts";
import { readDocument, readText } from "../http/read_body.ts";
import { parseXml, str } from "./xml.ts";

// Codes whose meaning the client should see; anything else is the backend's problem (503).
const PASS_THROUGH: Record<string, ProxyErrorKind> = {
  NoSuchKey: "NoSuchKey",
  NoSuchUpload: "NoSuchUpload",
  InvalidPart: "InvalidPart",
  InvalidPartOrder: "InvalidPartOrder",
  InvalidPartNumber: "InvalidPartNumber",
  EntityTooSmall: "EntityTooSmall",
  EntityTooLarge: "EntityTooLarge",
  InvalidRange: "InvalidRange",
  PreconditionFailed: "PreconditionFailed",
  BadDigest: "BadDigest",
  InvalidDigest: "InvalidDigest",
  KeyTooLongError: "KeyTooLong",
  InvalidArgument: "InvalidArgument",
  IncompleteBody: "IncompleteBody",
  XMinioStorageFull: "StorageFull",
};

/**
 * The error a store's non-success answer stands for. Its body is read; one
 * that fails mid-read is a BackendError (its code is unknown, so even a 404
 * is not taken for NoSuchKey).
 */
export async function errorFrom(res: HttpResponse, what: string): Promise<ProxyError> {
  if (res.status === 304) {
    await release(res);
    return withHeaders(proxyError("NotModified", "Not Modified"), storeValidators(res.headers));
  }
  const text = await readText(res, what);
  if (!text.ok) return text.error;
  return errorOf(res.status, res.headers, { text: text.value, what });
}

/** The text of an error answer and the operation it answered. */
interface ErrorText {
  readonly text: string;
  readonly what: string;
}

/** The error an answer's status and XML error body stand for. */
function errorOf(status: number, headers: Headers, { text, what }: ErrorText): ProxyError {
  const e = parseXml(text)?.Error as { Code?: unknown; Message?: unknown } | undefined;
  const code = str(e?.Code);
  const kind = PASS_THROUGH[code] ?? kindOfStatus(status, code);
  if (kind === "PreconditionFailed") {
    return withHeaders(proxyError(kind, str(e?.Message) || what), storeValidators(headers));
  }
  if (kind) return proxyError(kind, str(e?.Message) || `${what}: ${code || status}`);
  return proxyError(
    "BackendError",
    "The backend failed",
    `${what}: HTTP ${status} ${code} ${str(e?.Message)}`,
  );
}

/** The error kind an answer's status means by itself, when its code is not passed through. */
function kindOfStatus(status: number, code: string): ProxyErrorKind | undefined {
  if (status === 404 && !code) return "NoSuchKey";
  if (status === 412) return "PreconditionFailed";
  if (status === 416) return "InvalidRange";
  return undefined;
}

/**
 * A successful answer's XML document, or the failure it is: a body that fails
 * mid-read, text that is not XML, or an `<Error>` inside a 200 (CopyObject,
 * CompleteMultipartUpload).
 */
export async function xmlAnswer(
  res: HttpResponse,
  what: string,
): Promise<Result<Record<string, unknown>, ProxyError>> {
  const read = await readDocument(res, what, parseXml);
  if (!read.ok) return read;
  const { doc, text } = read.value;
  if (doc.Error) return err(errorOf(500, res.headers, { text, what }));
  return ok(doc);
}
