/** Query-parameter readers shared by the listing and multipart operations. */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { QueryParams } from "../http/target.ts";
import type { UploadRef } from "../backends/backend.ts";

/** An integer query parameter in [min, ∞) capped at `cap`, or `fallback` when absent. */
export function intParam(
  query: QueryParams,
  name: string,
  options: { readonly fallback: number; readonly min: number; readonly cap: number },
): Result<number, ProxyError> {
  const raw = query.get(name);
  if (raw === null || raw === "") return ok(options.fallback);
  if (!/^-?\d+$/.test(raw)) {
    return err(
      proxyError("InvalidArgument", `Provided ${name} not an integer or within integer range`),
    );
  }
  const n = Number(raw);
  if (n < options.min) {
    return err(
      proxyError(
        "InvalidArgument",
        `Argument ${name} must be an integer of at least ${options.min}`,
      ),
    );
  }
  return ok(Math.min(n, options.cap));
}

/** A `partNumber` parameter: an integer from 1 to 10000 (InvalidArgument otherwise). */
export function partNumberParam(raw: string): Result<number, ProxyError> {
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (n >= 1 && n <= 10000) return ok(n);
  return err(
    proxyError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"),
  );
}

/** Reads `encoding-type`: only `url` is valid. */
export function encodingType(query: QueryParams): Result<boolean, ProxyError> {
  const raw = query.get("encoding-type");
  if (raw === null || raw === "") return ok(false);
  if (raw.toLowerCase() !== "url") {
    return err(proxyError("InvalidArgument", "Invalid Encoding Method specified in Request"));
  }
  return ok(true);
}

/** Percent-encodes a key for `encoding-type=url` responses, keeping `/`. */
export function urlEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/").replace(
    /[!'()*]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/**
 * ISO 8601 with milliseconds, as S3 lists times: `Date.toISOString()`'s
 * text, built from the UTC fields (a quarter of its cost; a listing page
 * formats a thousand).
 */
export function isoTime(d: Date): string {
  const y = d.getUTCFullYear();
  if (!(y >= 1000 && y <= 9999)) return d.toISOString(); // signed six-digit years, or invalid
  const ms = d.getUTCMilliseconds();
  return `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${
    pad2(d.getUTCMinutes())
  }:${pad2(d.getUTCSeconds())}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}

/** The upload a request names (`?uploadId=` on its key); InvalidArgument without one. */
export function uploadParam(
  req: { readonly key: string; readonly query: QueryParams },
): Result<UploadRef, ProxyError> {
  const uploadId = req.query.get("uploadId");
  return uploadId
    ? ok({ key: req.key, uploadId })
    : err(proxyError("InvalidArgument", "uploadId is required"));
}

/** The upload and part number of UploadPart / UploadPartCopy. */
export function partParams(
  req: { readonly key: string; readonly query: QueryParams },
): Result<{ upload: UploadRef; partNumber: number }, ProxyError> {
  const upload = uploadParam(req);
  if (!upload.ok) return upload;
  const partNumber = partNumberParam(req.query.get("partNumber") ?? "");
  if (!partNumber.ok) return partNumber;
  return ok({ upload: upload.value, partNumber: partNumber.value });
}
