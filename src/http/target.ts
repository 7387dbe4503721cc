/** The request target exactly as the client sent it, for signature checks. */

/** Raw path and query of a request, undecoded and unnormalized. */
export interface RequestTarget {
  /** Path as received, percent-encoding intact, e.g. `/bucket/a%20b`. */
  readonly rawPath: string;
  /** Query without the `?`, as received; empty when none. */
  readonly rawQuery: string;
}

/** Splits `req.url` into its raw path and query without decoding or normalizing them. */
export function requestTarget(url: string): RequestTarget {
  const schemeEnd = url.indexOf("://");
  const pathStart = schemeEnd < 0 ? 0 : url.indexOf("/", schemeEnd + 3);
  const rest = pathStart < 0 ? "/" : url.slice(pathStart);
  const hash = rest.indexOf("#");
  const noHash = hash < 0 ? rest : rest.slice(0, hash);
  const q = noHash.indexOf("?");
  return q < 0
    ? { rawPath: noHash, rawQuery: "" }
    : { rawPath: noHash.slice(0, q), rawQuery: noHash.slice(q + 1) };
}

const parsedQueries = new WeakMap<RequestTarget, URLSearchParams>();

/**
 * The target's query parameters, parsed once per target and shared by the
 * router and the signature check (read-only: copy before changing it).
 */
export function queryOf(target: RequestTarget): URLSearchParams {
  let query = parsedQueries.get(target);
  if (!query) {
    query = new URLSearchParams(target.rawQuery);
    parsedQueries.set(target, query);
  }
  return query;
}
