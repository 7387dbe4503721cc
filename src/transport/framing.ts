/**
 * How a response's body is delimited, and whether its connection may carry
 * another request afterwards (RFC 9112 §6.3 and §9.3).
 */
import type { ResponseHead } from "./response_head.ts";
import { TransportError } from "./transport_error.ts";

/** A body's delimitation. */
export type BodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** A response's framing and whether its connection stays open after it. */
export interface Framing {
  readonly body: BodyFraming;
  readonly keepAlive: boolean;
}

function tokens(head: ResponseHead, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of head.fields) {
    if (n !== name) continue;
    for (const t of v.split(",")) {
      const s = t.trim().toLowerCase();
      if (s !== "") out.push(s);
    }
  }
  return out;
}

function malformed(what: string): TransportError {
  return new TransportError("MalformedResponse", `Cannot frame the response body: ${what}`);
}

/** The one length of all Content-Length values, or undefined for none; throws when they differ. */
function contentLength(head: ResponseHead): number | undefined {
  let length: number | undefined;
  for (const [n, v] of head.fields) {
    if (n !== "content-length") continue;
    for (const member of v.split(",")) {
      const s = member.trim();
      if (!/^\d{1,15}$/.test(s)) throw malformed(`content-length ${JSON.stringify(v)}`);
      if (length !== undefined && Number(s) !== length) {
        throw malformed(`content-length ${JSON.stringify(v)}: two lengths`);
      }
      length = Number(s);
    }
  }
  return length;
}

/**
 * The framing of a final response to `method`. A transfer coding other than
 * chunked alone is refused (the transport asks for none and decodes none);
 * a response with both Transfer-Encoding and Content-Length is read as
 * chunked and its connection closed after it.
 */
export function responseFraming(method: string, head: ResponseHead): Framing {
  const connection = tokens(head, "connection");
  let keepAlive = head.version === "1.1"
    ? !connection.includes("close")
    : connection.includes("keep-alive") && !connection.includes("close");
  const te = tokens(head, "transfer-encoding");
  const length = contentLength(head);
  if (method === "HEAD" || head.status < 200 || head.status === 204 || head.status === 304) {
    return { body: { kind: "none" }, keepAlive };
  }
  if (te.length > 0) {
    if (te.length !== 1 || te[0] !== "chunked" || head.version === "1.0") {
      throw malformed(`transfer-encoding ${JSON.stringify(te.join(", "))}`);
    }
    if (length !== undefined) keepAlive = false;
    return { body: { kind: "chunked" }, keepAlive };
  }
  if (length !== undefined) return { body: { kind: "length", length }, keepAlive };
  return { body: { kind: "close" }, keepAlive: false };
}
