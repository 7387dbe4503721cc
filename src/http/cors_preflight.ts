/**
 * Which CORS rules apply to a bucket, and the answer to a CORS preflight
 * (`OPTIONS`), which is given from those rules without authentication.
 */
import type { BucketConfig, CorsConfig } from "../config/types.ts";
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import { preflight, type PreflightRefusal } from "./cors.ts";

/** Where a bucket's CORS rules come from. */
export interface CorsSources {
  /** The configured bucket of a name (undefined: there is none). */
  readonly lookup: (name: string) => { readonly config: BucketConfig } | undefined;
  /** The top-level `cors:`, for buckets without their own. */
  readonly fallback: CorsConfig | undefined;
}

/** A bucket's CORS rules: its own `cors:`, else the top-level one; none for no bucket or an unknown one. */
export function corsOf(name: string | undefined, sources: CorsSources): CorsConfig | undefined {
  const bucket = name ? sources.lookup(name) : undefined;
  return bucket ? bucket.config.cors ?? sources.fallback : undefined;
}

/** Refusals of a request that is no preflight: 400 BadRequest, as S3 answers them. */
const NOT_PREFLIGHT: ReadonlySet<PreflightRefusal> = new Set(["no-origin", "bad-method"]);

const REFUSALS: Readonly<Record<Exclude<PreflightRefusal, "bad-method">, string>> = {
  "no-origin": "Insufficient information. Origin request header needed.",
  "not-enabled": "CORSResponse: CORS is not enabled for this bucket.",
  "not-allowed":
    "CORSResponse: This CORS request is not allowed. The Origin, the Access-Control-Request-Method or the Access-Control-Request-Headers are not allowed by the bucket's CORS rules.",
};

/**
 * Answers a preflight for bucket `name` ("" when the path names none): 200
 * with the allow headers, 404 NoSuchBucket for an unknown bucket, 400
 * BadRequest without an Origin or a valid Access-Control-Request-Method, else
 * 403 AccessForbidden, each with S3's message.
 */
export function answerPreflight(
  name: string,
  options: CorsSources & { readonly headers: Headers },
): Result<Response, ProxyError> {
  if (name !== "" && !options.lookup(name)) {
    return err(proxyError("BucketNotFound", "The specified bucket does not exist"));
  }
  const answer = preflight(corsOf(name, options), options.headers);
  if (answer.ok) return ok(new Response(null, { status: 200, headers: answer.headers }));
  const { refusal } = answer;
  if (refusal === "bad-method") {
    const method = options.headers.get("access-control-request-method");
    return err(proxyError("CorsBadRequest", `Invalid Access-Control-Request-Method: ${method}`));
  }
  const kind = NOT_PREFLIGHT.has(refusal) ? "CorsBadRequest" : "CorsForbidden";
  return err(proxyError(kind, REFUSALS[refusal]));
}
