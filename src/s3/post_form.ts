/**
 * A browser POST form's fields as S3 reads them: by lower-case name (a
 * repeated field's values joined with commas), `${filename}` replaced by the
 * file's name, and the object headers they stand for on PutObject.
 */
import { utf8ByteString } from "../bytes.ts";
import { FORWARDED_WRITE_HEADERS } from "../backends/passthrough.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import type { FormField } from "../http/multipart_form.ts";
import { err, ok, type Result } from "../result.ts";

/**
 * The fields by lower-case name, each value with `${filename}` replaced by
 * the file's name after its last `/` or `\` (empty without one).
 */
export function formFields(
  fields: readonly FormField[],
  filename: string | undefined,
): Map<string, string> {
  const base = (filename ?? "").replace(/^.*[/\\]/, "");
  const out = new Map<string, string>();
  for (const { name, value } of fields) {
    const n = name.toLowerCase();
    const v = value.replaceAll("${filename}", base);
    const prior = out.get(n);
    out.set(n, prior === undefined ? v : `${prior},${v}`);
  }
  return out;
}

/** Fields stored as the object's HTTP metadata, as their headers are on PutObject. */
const STORED = [
  "content-type",
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
];

/** Whether a field becomes a header of the upload. */
function isObjectHeader(name: string): boolean {
  return STORED.includes(name) || name.startsWith("x-amz-meta-") ||
    name.startsWith("x-amz-checksum-") ||
    (FORWARDED_WRITE_HEADERS.includes(name) && !name.startsWith("x-amz-tagging"));
}

/**
 * The headers a PutObject of the same object would carry: stored metadata,
 * `x-amz-meta-*`, `x-amz-checksum-*` and what a remote store acts on
 * (storage class, server-side encryption), values as UTF-8 byte strings like
 * the header values `Deno.serve` gives.
 */
export function objectHeadersOf(
  fields: ReadonlyMap<string, string>,
): Result<Headers, ProxyError> {
  const h = new Headers();
  for (const [name, value] of fields) {
    if (!isObjectHeader(name)) continue;
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(value)) {
      return err(proxyError(
        "InvalidArgument",
        `The form field '${name}' cannot be stored: not a header name, or a line break in its value`,
      ));
    }
    h.set(name, utf8ByteString(value));
  }
  return ok(h);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** Bytes of the user metadata (names without `x-amz-meta-`, and values), in UTF-8. */
export function metadataBytes(fields: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const [name, value] of fields) {
    if (name.startsWith("x-amz-meta-")) n += utf8ByteString(name.slice(11) + value).length;
  }
  return n;
}
