/**
 * Azure Storage Shared Key authorization for the Blob service (version
 * 2015-02-21 and later): the string to sign from the verb, the standard
 * headers, the `x-ms-` headers and the canonicalized resource, signed with
 * HMAC-SHA256 under the base64-decoded account key.
 */
import { createHmac } from "node:crypto";
import { Buffer } from "node:buffer";

/** An account and its key (base64, as the portal shows it). */
export interface SharedKeyCredentials {
  readonly accountName: string;
  readonly accountKey: string;
}

/** A request to sign: the URL as sent, lower-case header names. */
export interface AzureRequestToSign {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
}

// The standard headers in the order the string to sign lists them.
const STANDARD = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range",
] as const;

/** The canonicalized `x-ms-` headers: sorted, `name:value\n` each. */
function canonicalizedHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.keys(headers)
    .filter((n) => n.startsWith("x-ms-"))
    .sort()
    .map((n) => `${n}:${headers[n]!.replace(/\s+/g, " ").trim()}\n`)
    .join("");
}

/** `/account/path` then `\nname:value` per query parameter (names lower-cased and sorted, values decoded). */
function canonicalizedResource(accountName: string, url: URL): string {
  let out = `/${accountName}${url.pathname}`;
  const params = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) {
    const name = k.toLowerCase();
    params.set(name, [...(params.get(name) ?? []), v]);
  }
  for (const name of [...params.keys()].sort()) {
    out += `\n${name}:${params.get(name)!.sort().join(",")}`;
  }
  return out;
}

/** The string to sign of a request (exported for tests). */
export function stringToSign(accountName: string, req: AzureRequestToSign): string {
  const standard = STANDARD.map((n) => {
    const v = req.headers[n] ?? "";
    // Since 2015-02-21 a zero Content-Length is signed as empty.
    return n === "content-length" && v === "0" ? "" : v;
  });
  return [req.method.toUpperCase(), ...standard].join("\n") + "\n" +
    canonicalizedHeaders(req.headers) + canonicalizedResource(accountName, req.url);
}

/** The `Authorization` header value for a request. */
export function sharedKeyAuthorization(
  credentials: SharedKeyCredentials,
  req: AzureRequestToSign,
): string {
  const key = Buffer.from(credentials.accountKey, "base64");
  const signature = createHmac("sha256", key)
    .update(stringToSign(credentials.accountName, req), "utf8")
    .digest("base64");
  return `SharedKey ${credentials.accountName}:${signature}`;
}
