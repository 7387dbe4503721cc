/**
 * CORS for browser clients. A bucket's `cors:` (or the top-level one, for
 * every bucket without its own) decides: preflight `OPTIONS` requests are
 * answered without authentication, and every other response to an allowed
 * origin, errors included, carries `Access-Control-Allow-Origin` and the
 * exposed headers. Buckets without CORS get no CORS headers at all.
 */
import type { CorsConfig } from "../config/types.ts";

/**
 * Why a preflight is refused: S3 answers 400 BadRequest to a request that is
 * no preflight (no Origin; no or no valid Access-Control-Request-Method), and
 * 403 AccessForbidden to one the bucket's rules refuse.
 */
export type PreflightRefusal = "no-origin" | "bad-method" | "not-enabled" | "not-allowed";

/** The methods a preflight may ask for, as S3 takes them. */
const PREFLIGHT_METHODS: ReadonlySet<string> = new Set(["GET", "PUT", "HEAD", "POST", "DELETE"]);

/** A preflight's outcome: the headers of the 200 answer, or why not. */
export type PreflightAnswer =
  | { readonly ok: true; readonly headers: Headers }
  | { readonly ok: false; readonly refusal: PreflightRefusal };

function originAllowed(cors: CorsConfig, origin: string): boolean {
  return cors.allowedOrigins.includes("*") || cors.allowedOrigins.includes(origin.toLowerCase());
}

/** The Access-Control-Allow-Origin value: `*` when any origin is allowed, else the origin. */
function allowOrigin(cors: CorsConfig, origin: string): string {
  return cors.allowedOrigins.includes("*") ? "*" : origin;
}

/** Answers a preflight for a bucket's CORS (undefined: the bucket has none). */
export function preflight(cors: CorsConfig | undefined, headers: Headers): PreflightAnswer {
  const origin = headers.get("origin");
  const method = headers.get("access-control-request-method");
  if (!origin) return { ok: false, refusal: "no-origin" };
  if (!method || !PREFLIGHT_METHODS.has(method.toUpperCase())) {
    return { ok: false, refusal: "bad-method" };
  }
  if (!cors) return { ok: false, refusal: "not-enabled" };
  const requested = (headers.get("access-control-request-headers") ?? "")
    .split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  const anyHeader = cors.allowedHeaders.includes("*");
  const allowedHeaders = new Set(cors.allowedHeaders.map((h) => h.toLowerCase()));
  if (
    !originAllowed(cors, origin) || !cors.allowedMethods.includes(method.toUpperCase()) ||
    !requested.every((h) => anyHeader || allowedHeaders.has(h))
  ) {
    return { ok: false, refusal: "not-allowed" };
  }
  const h = new Headers({
    "access-control-allow-origin": allowOrigin(cors, origin),
    "access-control-allow-methods": cors.allowedMethods.join(", "),
    "access-control-max-age": String(cors.maxAgeSecs),
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  });
  if (requested.length > 0) h.set("access-control-allow-headers", requested.join(", "));
  return { ok: true, headers: h };
}

/**
 * Adds the CORS headers of an actual (non-preflight) request's response:
 * nothing unless the request has an allowed Origin and uses an allowed method.
 */
export function applyCors(
  cors: CorsConfig | undefined,
  method: string,
  requestHeaders: Headers,
  response: Headers,
): void {
  if (!cors) return;
  const origin = requestHeaders.get("origin");
  if (!origin) return;
  response.append("vary", "Origin");
  if (!originAllowed(cors, origin) || !cors.allowedMethods.includes(method.toUpperCase())) return;
  response.set("access-control-allow-origin", allowOrigin(cors, origin));
  const exposed = new Set<string>();
  for (const name of cors.exposeHeaders) {
    if (name.toLowerCase() === "x-amz-*") {
      response.forEach((_, k) => {
        if (k.startsWith("x-amz-")) exposed.add(k);
      });
    } else {
      exposed.add(name);
    }
  }
  if (exposed.size > 0) response.set("access-control-expose-headers", [...exposed].join(", "));
}
