/** A `cors:` section, at the top level or in a bucket. */
import type { Fields, Reader } from "./_reader.ts";
import { parseOrigin } from "./_rules.ts";
import { CONFIG_DEFAULTS } from "./defaults.ts";
import type { CorsConfig } from "./types.ts";

/** The keys a `cors:` section may hold. */
export const CORS_KEYS = [
  "allowed_origins",
  "allowed_methods",
  "allowed_headers",
  "expose_headers",
  "max_age_secs",
] as const;
const CORS_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The `cors:` of `parent` (the top level or a bucket); undefined when absent or not a mapping. */
export function readCors(r: Reader, parent: Fields): CorsConfig | undefined {
  const node = parent.get("cors");
  if (node === undefined) return undefined;
  const f = r.mapping(node, parent.at("cors"), CORS_KEYS);
  if (!f) return undefined;
  const allowedOrigins = readOrigins(r, f);
  const allowedMethods = readMethods(r, f);
  const allowedHeaders = readHeaderNames(r, f, "allowed_headers");
  const exposeHeaders = readHeaderNames(r, f, "expose_headers");
  const maxAgeSecs = r.integer(f, "max_age_secs", {
    fallback: CONFIG_DEFAULTS.corsMaxAgeSecs,
    min: 0,
    max: 86400,
  });
  return {
    allowedOrigins,
    allowedMethods: allowedMethods ?? [...CONFIG_DEFAULTS.corsAllowedMethods],
    allowedHeaders: allowedHeaders ?? [...CONFIG_DEFAULTS.corsAllowedHeaders],
    exposeHeaders: exposeHeaders ?? [...CONFIG_DEFAULTS.corsExposeHeaders],
    maxAgeSecs,
  };
}

/** `allowed_origins`: required, at least one; each `*` or an http(s) origin (normalized). */
function readOrigins(r: Reader, f: Fields): string[] {
  const origins = r.strings(f, "allowed_origins", 'required: a list of origins, or ["*"]');
  const allowedOrigins: string[] = [];
  for (const o of origins ?? []) {
    if (o.value === "*") {
      allowedOrigins.push("*");
      continue;
    }
    const parsed = parseOrigin(o.value);
    if ("problem" in parsed) r.problem(o.path, parsed.problem, o.node);
    else allowedOrigins.push(parsed.origin);
  }
  if (origins?.length === 0) {
    r.problem(
      f.at("allowed_origins"),
      "must name at least one origin, or *",
      f.get("allowed_origins"),
    );
  }
  return allowedOrigins;
}

/** `allowed_methods` (case-insensitive, duplicates dropped); undefined when absent. */
function readMethods(r: Reader, f: Fields): string[] | undefined {
  const methods = r.strings(f, "allowed_methods");
  const allowedMethods: string[] = [];
  for (const m of methods ?? []) {
    const method = CORS_METHODS.find((x) => x === m.value.toUpperCase());
    if (method === undefined) {
      r.problem(m.path, `'${m.value}' is not one of ${CORS_METHODS.join(", ")}`, m.node);
    } else if (!allowedMethods.includes(method)) {
      allowedMethods.push(method);
    }
  }
  return f.get("allowed_methods") === undefined ? undefined : allowedMethods;
}

/** A list of header names (`*` included); undefined when absent. */
function readHeaderNames(r: Reader, f: Fields, key: string): string[] | undefined {
  if (f.get(key) === undefined) return undefined;
  const out: string[] = [];
  for (const h of r.strings(f, key) ?? []) {
    if (HEADER_NAME.test(h.value)) out.push(h.value);
    else r.problem(h.path, `'${h.value}' is not a header name`, h.node);
  }
  return out;
}
