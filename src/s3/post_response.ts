/**
 * The answer to a successful browser POST upload, as the form asks:
 * 303 to `success_action_redirect` (or the older `redirect`) with the bucket,
 * key and ETag in its query; else `success_action_status` 200 (empty), 201
 * (a `PostResponse` document) or 204, the default and the answer to any
 * other value. Each carries the object's ETag and Location.
 */
import { el, XML_DECLARATION } from "../xml.ts";

/** What the answer names. */
export interface PostedObject {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  /** The object's URL, as the client addressed the bucket. */
  readonly location: string;
}

/** The object's URL: `<scheme>://<host>/<bucket>/<key>`, or without the bucket for a virtual host. */
export function objectLocation(
  a: { readonly scheme: string; readonly host: string; readonly virtualHosted: boolean },
  bucket: string,
  key: string,
): string {
  const path = key.split("/").map(encodeURIComponent).join("/");
  return a.virtualHosted
    ? `${a.scheme}://${a.host}/${path}`
    : `${a.scheme}://${a.host}/${encodeURIComponent(bucket)}/${path}`;
}

/**
 * The redirect target with the upload's facts in its query; undefined unless
 * it is an http(s) URL (S3 ignores a redirect it cannot interpret).
 */
function redirectTarget(url: string, o: PostedObject): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
  const hash = u.hash;
  u.hash = "";
  const base = u.href;
  const query = `bucket=${encodeURIComponent(o.bucket)}&key=${encodeURIComponent(o.key)}` +
    `&etag=${encodeURIComponent(o.etag)}`;
  const joiner = base.endsWith("?") ? "" : u.search ? "&" : "?";
  return `${base}${joiner}${query}${hash}`;
}

/** The answer the form's fields (by lower-case name) ask for. */
export function postAnswer(fields: ReadonlyMap<string, string>, o: PostedObject): Response {
  const headers = new Headers({ etag: o.etag, location: o.location });
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  const target = redirect !== undefined ? redirectTarget(redirect, o) : undefined;
  if (target !== undefined) {
    headers.set("location", target);
    return new Response(null, { status: 303, headers });
  }
  const status = fields.get("success_action_status");
  if (status === "200") return new Response(null, { status: 200, headers });
  if (status !== "201") return new Response(null, { status: 204, headers });
  headers.set("content-type", "application/xml");
  const body = XML_DECLARATION +
    `<PostResponse>${el("Location", o.location)}${el("Bucket", o.bucket)}${el("Key", o.key)}` +
    `${el("ETag", o.etag)}</PostResponse>`;
  return new Response(body, { status: 201, headers });
}
