/** Which standard HTTP header carries which HttpMeta field, both ways. */
import type { HttpMeta } from "./backend.ts";

/** The HttpMeta fields kept as plain strings (all but `userMetadata`). */
export type HttpMetaField = Exclude<keyof HttpMeta, "userMetadata">;

/** Each stored HTTP header (lower-case) with the HttpMeta field it fills. */
export const META_HEADERS: readonly (readonly [string, HttpMetaField])[] = [
  ["content-type", "contentType"],
  ["content-encoding", "contentEncoding"],
  ["content-disposition", "contentDisposition"],
  ["content-language", "contentLanguage"],
  ["cache-control", "cacheControl"],
  ["expires", "expires"],
];

/** The prefix of user metadata headers: `x-amz-meta-<name>`. */
export const USER_META_PREFIX = "x-amz-meta-";
