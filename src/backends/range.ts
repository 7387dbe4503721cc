/** Resolving a Range request, or a read by part number, against an object's size. */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { ByteRange, RangeSpec } from "./backend.ts";

const NOT_SATISFIABLE = "The requested range is not satisfiable";

/** The bytes a range covers in an object of `size` bytes, or InvalidRange (416). */
export function resolveRange(spec: RangeSpec, size: number): Result<ByteRange, ProxyError> {
  if (spec.kind === "suffix") {
    if (spec.length === 0 || size === 0) return err(proxyError("InvalidRange", NOT_SATISFIABLE));
    return ok({ start: Math.max(0, size - spec.length), end: size - 1 });
  }
  if (spec.start >= size) return err(proxyError("InvalidRange", NOT_SATISFIABLE));
  const end = spec.end === undefined ? size - 1 : Math.min(spec.end, size - 1);
  return ok({ start: spec.start, end });
}

/** Whether a range covers no byte (`end` below `start`): an empty part of an object. */
export function isEmptyRange(r: ByteRange): boolean {
  return r.end < r.start;
}

/** What a part-number read needs of an object: its size, and its parts' sizes if recorded. */
export interface PartsOf {
  readonly size: number;
  readonly partSizes?: readonly number[] | undefined;
}

/**
 * The bytes of part `n` of an object: S3's read by part number. A multipart
 * object's parts come from its recorded sizes; any other object is one part.
 * Beyond the last part: InvalidPartNumber (416). An empty object's part 1 is
 * all of it (undefined: no range); an empty part of a larger object is an
 * empty range at its offset (`isEmptyRange`), never the whole object.
 */
export function partRange(
  meta: PartsOf,
  n: number,
): Result<ByteRange | undefined, ProxyError> {
  const sizes = meta.partSizes ?? [meta.size];
  if (n < 1 || n > sizes.length) {
    return err(proxyError("InvalidPartNumber", "The requested partnumber is not satisfiable"));
  }
  if (meta.size === 0) return ok(undefined);
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += sizes[i]!;
  return ok({ start, end: start + sizes[n - 1]! - 1 });
}

/** What a read asks for: a part, a Range, or (neither) the whole object. */
export interface ReadAsk {
  readonly range?: RangeSpec;
  readonly partNumber?: number;
}

/** The bytes a read covers of `meta`'s object (undefined: all of it), or why not (416). */
export function readRange(
  meta: PartsOf,
  ask: ReadAsk,
): Result<ByteRange | undefined, ProxyError> {
  if (ask.partNumber) return partRange(meta, ask.partNumber);
  return ask.range ? resolveRange(ask.range, meta.size) : ok(undefined);
}
