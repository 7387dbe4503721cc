/**
 * The payload of a PutObject or UploadPart, ready for a backend: size limit
 * enforced, Content-MD5 and `x-amz-checksum-*` verified while streaming. A
 * body that needs no check is passed on untouched so it keeps its length.
 */
import type { ChecksumAlgorithm } from "../checksum/algorithm.ts";
import { checksumVerifier, readChecksumHeaders } from "../checksum/verify.ts";
import { trailerAlgorithm } from "../auth/aws_chunked.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { byteLimit } from "../streams/limits.ts";
import { err, ok, type Result } from "../result.ts";
import type { S3Context } from "./context.ts";

/** A payload to store. */
export interface UploadBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly contentLength?: number;
  /** Checksums the client declared (verified by the time the stream ends). */
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  /** The algorithm of a checksum the client sends in a trailer (verified while decoding). */
  readonly trailing?: ChecksumAlgorithm;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (c) => c.close() });
}

/** Prepares the request payload of an upload. */
export function uploadBody(ctx: S3Context): Result<UploadBody, ProxyError> {
  const max = ctx.config.maxBodyBytes;
  const length = ctx.contentLength;
  if (length !== undefined && length > max) {
    return err(proxyError(
      "EntityTooLarge",
      `Your proposed upload exceeds the maximum allowed size of ${max} bytes`,
    ));
  }
  const declared = readChecksumHeaders(ctx.req.headers);
  if (!declared.ok) return declared;
  let stream = ctx.body ?? emptyStream();
  if (length === undefined && ctx.body) {
    stream = stream.pipeThrough(byteLimit(
      max,
      proxyError("EntityTooLarge", `Your upload exceeds the maximum allowed size of ${max} bytes`),
    ));
  }
  const { md5, checksums } = declared.value;
  if (md5 !== undefined || Object.keys(checksums).length > 0) {
    stream = stream.pipeThrough(checksumVerifier({
      ...(md5 !== undefined ? { md5 } : {}),
      checksums,
    }));
  }
  const trailing = trailerAlgorithm(ctx.req.headers.get("x-amz-trailer"));
  return ok({
    stream,
    ...(length !== undefined ? { contentLength: length } : {}),
    checksums,
    ...(trailing ? { trailing } : {}),
  });
}
