/**
 * CORS for browser clients. A bucket's `cors:` (or the top-level one, for
 * every bucket without its own) decides: preflight `OPTIONS` requests are
 * answered without authentication, and every other response to an allowed
 * origin, errors included, carries `Access-Control-Allow-Origin` and the
 * exposed headers. Buckets without CORS get no CORS headers at all.
 */
import type { CorsConfig } from "../config/types.ts";

/** Why a preflight is refused (S3 answers 403 AccessForbidden with these). */
export type PreflightRefusal = "no-origin" | "not-enabled" | "not-allowed";

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
  if (!origin || !method) return { ok: false, refusal: "no-origin" };
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
  const origin = requestHeaders.get("origin");
  if (!cors || !origin) return;
  response.append("vary", "Origin");
  if (!originAllowed(cors, origin) || !cors.allowedMethods.includes(method.toUpperCase())) return;
  response.set("access-control-allow-origin", allowOrigin(cors, origin));
  const exposed = new Set<string>();
  for (const name of cors.exposeHeaders) {
    if (name.toLowerCase() === "x-amz-*") {
      for (const [k] of response) if (k.startsWith("x-amz-")) exposed.add(k);
    } else {
      exposed.add(name);
    }
  }
  if (exposed.size > 0) response.set("access-control-expose-headers", [...exposed].join(", "));
}
