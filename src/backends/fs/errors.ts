/** OS errors of the fs backend as S3 errors: the errno decides, never the message text. */
import { type ProxyError, proxyError, toProxyError } from "../../errors.ts";

/** NoSuchKey, as S3 words it. */
export const noSuchKey = (): ProxyError =>
  proxyError("NoSuchKey", "The specified key does not exist.");

/** Whether `e` says the path does not exist. */
export function isNotFound(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound;
}

/** A path that does not exist (or runs through a file): the key is not there. */
export function isMissing(e: unknown): boolean {
  return isNotFound(e) || e instanceof Deno.errors.NotADirectory;
}

/** The errno name Deno gives an OS error (`code`, e.g. "ENOSPC"), if any. */
export function errnoOf(e: unknown): string | undefined {
  if (!(e instanceof Error) || !("code" in e)) return undefined;
  return typeof e.code === "string" ? e.code : undefined;
}

/**
 * Whether removing a path failed because a directory is there: a prefix of
 * other keys, not an object (EISDIR from unlink; ENOTEMPTY, or EEXIST where
 * POSIX allows it, from rmdir).
 */
export function isDirectoryInTheWay(e: unknown): boolean {
  if (e instanceof Deno.errors.IsADirectory) return true;
  const errno = errnoOf(e);
  return errno === "ENOTEMPTY" || errno === "EEXIST";
}

/**
 * An OS error on bucketgate's own files (records, sidecars, temp files): a
 * full disk or too large a file is said so, anything else (EACCES, ELOOP,
 * EIO) is a 503 whose detail is the error.
 */
export function internalIoError(e: unknown): ProxyError {
  switch (errnoOf(e)) {
    case "ENOSPC": // no space (or no inode) left on the filesystem
    case "EDQUOT": // the gateway's user is over its disk quota
      return proxyError("StorageFull", "The storage behind this bucket is full", e);
    case "EFBIG":
      return proxyError(
        "EntityTooLarge",
        "Your proposed upload is larger than the fs backend's filesystem can store in one file",
        e,
      );
  }
  return toProxyError(e, "BackendError");
}

/**
 * An OS error on a key's path: a file where a directory should be (or the
 * reverse) is the client's conflict of keys, the rest as `internalIoError`.
 */
export function ioError(e: unknown): ProxyError {
  if (
    e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.IsADirectory ||
    e instanceof Deno.errors.AlreadyExists
  ) {
    return proxyError(
      "InvalidRequest",
      "The key conflicts with an existing object or key prefix on the fs backend (a key cannot be both an object and a prefix of another)",
      e,
    );
  }
  return internalIoError(e);
}
