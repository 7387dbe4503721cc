/** bucketgate's version (from deno.json, embedded by `deno compile`) and its outbound User-Agent. */
import denoJson from "../deno.json" with { type: "json" };

/** The version, e.g. `0.1.0`. */
export const VERSION: string = denoJson.version;
/** The User-Agent of every backend, STS discovery and JWKS request. */
export const USER_AGENT = `bucketgate/${VERSION}`;
