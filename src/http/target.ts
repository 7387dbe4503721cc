/**
 * The request target exactly as the client sent it, for signature checks,
 * and its query string decoded once, strictly, for the router and the
 * signature check alike.
 */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";

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

/** One decoded query parameter: name and value. */
export type QueryParam = readonly [name: string, value: string];

const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;
const utf8Encoder = new TextEncoder();
// fatal: bytes that are not UTF-8 are refused, not replaced; ignoreBOM: a leading U+FEFF is data.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

type Refusal = "escape" | "utf8";

/** One name or value: `+` is a space, `%XX` a byte, and the bytes must be UTF-8. */
function decodeComponent(s: string): Result<string, Refusal> {
  if (!s.isWellFormed()) return err("utf8");
  const spaced = s.includes("+") ? s.replaceAll("+", " ") : s;
  if (!s.includes("%")) return ok(spaced);
  // decodeURIComponent is as strict (a malformed escape, an overlong, a
  // surrogate or a truncated sequence throws) and native; what it refuses is
  // decoded again below to say which refusal it is.
  try {
    return ok(decodeURIComponent(spaced));
  } catch (e) {
    if (!(e instanceof URIError)) throw e;
  }
  return decodeBytes(s);
}

/** `decodeComponent`'s byte-by-byte path: the precise refusal of what does not decode. */
function decodeBytes(s: string): Result<string, Refusal> {
  const raw = utf8Encoder.encode(s);
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === PERCENT) {
      const hi = hexDigit(raw[i + 1]);
      const lo = hexDigit(raw[i + 2]);
      if (hi < 0 || lo < 0) return err("escape");
      out[n++] = hi * 16 + lo;
      i += 2;
    } else {
      out[n++] = b === PLUS ? SPACE : b;
    }
  }
  try {
    return ok(utf8Decoder.decode(out.subarray(0, n)));
  } catch (e) {
    if (e instanceof TypeError) return err("utf8");
    throw e;
  }
}

const REFUSALS: Record<Refusal, string> = {
  escape: "Couldn't parse the specified URI: the query string has a malformed percent-escape.",
  utf8: "Couldn't parse the specified URI: the query string does not decode to UTF-8.",
};

/**
 * One name or value of a query string, decoded as `decodeQuery` decodes it;
 * InvalidURI when it does not decode.
 */
export function decodeQueryComponent(raw: string): Result<string, ProxyError> {
  const decoded = decodeComponent(raw);
  return decoded.ok ? decoded : err(proxyError("InvalidURI", REFUSALS[decoded.error]));
}

function byNameThenValue(a: QueryParam, b: QueryParam): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * The one decoding of a raw query string (application/x-www-form-urlencoded,
 * strictly): pairs split at `&` and the first `=`, `+` a space, `%XX` a
 * byte, the bytes UTF-8. A malformed escape or bytes that are not UTF-8 are
 * refused (400 InvalidURI) rather than kept as sent, so that no two
 * decoders can read one query differently. The parameters come sorted by
 * name, then value: a SigV4 signature covers them sorted, not their order,
 * so neither may the router (a repeated name reads the same however sent).
 */
export function decodeQuery(rawQuery: string): Result<QueryParam[], ProxyError> {
  const params: QueryParam[] = [];
  if (rawQuery === "") return ok(params);
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    if (!name.ok) return name;
    const value = eq < 0 ? ok("") : decodeQueryComponent(part.slice(eq + 1));
    if (!value.ok) return value;
    params.push([name.value, value.value]);
  }
  return ok(params.sort(byNameThenValue));
}

/**
 * Decoded query parameters, read-only, iterated sorted by name then value
 * (the part of URLSearchParams the router, the handlers and the signature
 * checks read; a URLSearchParams is one too).
 */
export interface QueryParams extends Iterable<[name: string, value: string]> {
  /** The first value of `name`, or null. */
  get(name: string): string | null;
  has(name: string): boolean;
  /** Every value of `name`, in order. */
  getAll(name: string): string[];
  /** The number of parameters. */
  readonly size: number;
}

/** QueryParams over `decodeQuery`'s sorted pairs, without a URLSearchParams per request. */
class DecodedQuery implements QueryParams {
  readonly #params: readonly QueryParam[];
  /** Index of each name's first pair (the pairs are sorted, so a name's pairs are adjacent). */
  #first: Map<string, number> | undefined;

  constructor(params: readonly QueryParam[]) {
    this.#params = params;
  }

  get size(): number {
    return this.#params.length;
  }

  #indexOf(name: string): number {
    const params = this.#params;
    if (params.length <= 8) {
      for (let i = 0; i < params.length; i++) if (params[i]![0] === name) return i;
      return -1;
    }
    if (!this.#first) {
      this.#first = new Map();
      for (let i = params.length - 1; i >= 0; i--) this.#first.set(params[i]![0], i);
    }
    return this.#first.get(name) ?? -1;
  }

  get(name: string): string | null {
    const i = this.#indexOf(name);
    return i < 0 ? null : this.#params[i]![1];
  }

  has(name: string): boolean {
    return this.#indexOf(name) >= 0;
  }

  getAll(name: string): string[] {
    const out: string[] = [];
    const params = this.#params;
    for (let i = this.#indexOf(name); i >= 0 && i < params.length; i++) {
      const [n, v] = params[i]!;
      if (n !== name) break;
      out.push(v);
    }
    return out;
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    // The pairs are never changed: handing them out as mutable tuples is only a type.
    return (this.#params as [string, string][])[Symbol.iterator]();
  }
}

const EMPTY_QUERY: Result<QueryParams, ProxyError> = ok(new DecodedQuery([]));
const parsedQueries = new WeakMap<RequestTarget, Result<QueryParams, ProxyError>>();

/** The bounds of the decoded-query cache: queries this long or shorter, this many of them. */
export const QUERY_CACHE = { maxQueryLength: 2048, maxEntries: 512 } as const;

/**
 * Decoded queries by their raw string, the oldest evicted first: a pure
 * function of the string, so an entry is never wrong, and read-only, so
 * requests may share one. At most 512 × 2 KiB of keys (a few MB with their
 * pairs); a query that does not decode, or a longer one, is kept per target.
 */
const decodedByRaw = new Map<string, Result<QueryParams, ProxyError>>();

/** `decodeQuery` as QueryParams. */
function decodedQueryOf(rawQuery: string): Result<QueryParams, ProxyError> {
  const params = decodeQuery(rawQuery);
  return params.ok ? ok(new DecodedQuery(params.value)) : params;
}

/**
 * The target's query parameters (`decodeQuery`), decoded once per raw query
 * lately seen (else once per target) and shared by the router and the
 * signature check (read-only); InvalidURI when the query does not decode.
 */
export function queryOf(target: RequestTarget): Result<QueryParams, ProxyError> {
  const raw = target.rawQuery;
  if (raw === "") return EMPTY_QUERY;
  let query = decodedByRaw.get(raw) ?? parsedQueries.get(target);
  if (query) return query;
  query = decodedQueryOf(raw);
  if (!query.ok || raw.length > QUERY_CACHE.maxQueryLength) parsedQueries.set(target, query);
  else {
    if (decodedByRaw.size >= QUERY_CACHE.maxEntries) {
      decodedByRaw.delete(decodedByRaw.keys().next().value!);
    }
    decodedByRaw.set(raw, query);
  }
  return query;
}
