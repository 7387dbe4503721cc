/** Typed backend options from raw backend_options, for tests that build a backend directly. */
import { type AzOptions, parseAzOptions } from "../../src/config/backend_options/az.ts";
import { parseS3Options, type S3Options } from "../../src/config/backend_options/s3.ts";

function valid<T>(r: { ok: true; value: T } | { ok: false; error: unknown }, what: string): T {
  if (!r.ok) throw new TypeError(`Cannot build ${what}: ${JSON.stringify(r.error)}`);
  return r.value;
}

/** The S3Options of valid s3 backend_options (throws on a problem: a bug in the test). */
export function s3OptionsOf(o: Record<string, unknown>): S3Options {
  return valid(parseS3Options(o), "S3Options");
}

/** The AzOptions of valid az backend_options (throws on a problem: a bug in the test). */
export function azOptionsOf(o: Record<string, unknown>): AzOptions {
  return valid(parseAzOptions(o), "AzOptions");
}
