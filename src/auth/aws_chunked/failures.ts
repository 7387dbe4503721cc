/** How the aws-chunked decoder fails: it errors its stream with a ProxyStreamError. */
import { type ProxyError, proxyError, ProxyStreamError } from "../../errors.ts";

/** Errors the stream with `e` (throws a ProxyStreamError). */
export function fail(e: ProxyError): never {
  throw new ProxyStreamError(e);
}

/** The body ended before the encoding was complete. */
export function incomplete(): ProxyError {
  return proxyError(
    "IncompleteBody",
    "The request body ended before the aws-chunked encoding was complete.",
  );
}

/** The framing is wrong: `InvalidRequest` naming what. */
export function badFraming(what: string): ProxyError {
  return proxyError("InvalidRequest", `Invalid aws-chunked encoding: ${what}`);
}
