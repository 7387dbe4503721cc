/**
 * Path-mapped namespaces (`path_mapping:`): the translation between what a
 * client names (the display bucket `acme` and the key `data/file.parquet`) and
 * what is configured (the bucket `acme--data` and the key `file.parquet`).
 * Routing maps a request's address once (s3/request.ts); everything after it
 * (authorization, metrics, the access log) sees the configured name, and only
 * answers that name buckets or keys show the display side again
 * (s3/mapped.ts, s3/merged_listing.ts).
 */
import { compareKeys } from "../backends/keys.ts";
import type { PathMappingConfig } from "../config/types.ts";

/** How a mapped request is shown to its client. */
export interface View {
  /** The display bucket the client named (`acme`). */
  readonly bucket: string;
  /** What leads the client's keys (`data/`); empty at the account level. */
  readonly keyPrefix: string;
  /** Whether the request names the display bucket alone (`/acme?list-type=2`). */
  readonly account: boolean;
}

/** A bucket and key as named by a request. */
export interface Address {
  readonly bucket: string;
  readonly key: string;
}

/** One configured bucket under a display bucket: its name and the key prefix that shows it. */
export interface Member {
  /** The configured name (`acme--data`). */
  readonly name: string;
  /** The leading key segments it is shown as (`data/`). */
  readonly prefix: string;
}

/** The translation over one config's bucket names. */
export interface Namespace {
  /** A client's address as configured, with how to show it (the account level keeps the display bucket). */
  address(a: Address): Address & { readonly view: View };
  /** The configured buckets under a display bucket, in the key order of their prefixes. */
  members(display: string): readonly Member[];
  /** The display buckets, sorted. */
  displayBuckets(): readonly string[];
  /** How a configured bucket name is shown: its display bucket and key prefix. */
  show(name: string): { readonly bucket: string; readonly prefix: string };
}

/** Builds the translation for a mapping over the configured bucket names. */
export function createNamespace(m: PathMappingConfig, names: Iterable<string>): Namespace {
  const keySegments = m.bucketSegments - m.displayBucketSegments;
  const show = (name: string) => {
    const parts = name.split(m.separator);
    return {
      bucket: parts.slice(0, m.displayBucketSegments).join(m.separator),
      prefix: parts.slice(m.displayBucketSegments).join("/") + "/",
    };
  };
  const byDisplay = new Map<string, Member[]>();
  for (const name of names) {
    const { bucket, prefix } = show(name);
    const list = byDisplay.get(bucket) ?? [];
    list.push({ name, prefix });
    byDisplay.set(bucket, list);
  }
  for (const list of byDisplay.values()) list.sort((a, b) => compareKeys(a.prefix, b.prefix));
  const displays = [...byDisplay.keys()].sort(compareKeys);
  return {
    address: (a) => mapAddress(a, { separator: m.separator, keySegments }),
    members: (display) => byDisplay.get(display) ?? [],
    displayBuckets: () => displays,
    show,
  };
}

/**
 * `acme` + `data/file.parquet` → `acme--data` + `file.parquet`. A key of
 * exactly the leading segments (`data`, `data/`) is a bucket-level request on
 * that bucket; no key at all is the account level; fewer segments than the
 * mapping needs name a bucket that cannot be configured (so 404 NoSuchBucket).
 */
function mapAddress(
  a: Address,
  m: { readonly separator: string; readonly keySegments: number },
): Address & { readonly view: View } {
  if (a.key === "") {
    return { bucket: a.bucket, key: "", view: { bucket: a.bucket, keyPrefix: "", account: true } };
  }
  const segments: string[] = [];
  let rest = a.key;
  while (segments.length < m.keySegments && rest !== "") {
    const slash = rest.indexOf("/");
    segments.push(slash < 0 ? rest : rest.slice(0, slash));
    rest = slash < 0 ? "" : rest.slice(slash + 1);
  }
  const bucket = [a.bucket, ...segments].join(m.separator);
  const keyPrefix = segments.join("/") + "/";
  return { bucket, key: rest, view: { bucket: a.bucket, keyPrefix, account: false } };
}

/**
 * An `x-amz-copy-source` (`[/]acme/data/key[?versionId=…]`) with its bucket
 * and key mapped (`/acme--data/key…`); as given when it does not decode or
 * names no key (the copy handler refuses it precisely).
 */
export function mapCopySource(ns: Namespace, raw: string): string {
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith("/") ? path.slice(1) : path);
  } catch {
    return raw;
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0) return raw;
  const mapped = ns.address({ bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) });
  if (mapped.key === "") return raw;
  return `/${mapped.bucket}/${encodeURIComponent(mapped.key)}${q < 0 ? "" : raw.slice(q)}`;
}

/**
 * How messages name a configured bucket of a mapped namespace: its display
 * path (`acme--data` → `acme/data`); undefined without a mapping.
 */
export function bucketLabel(ns: Namespace | undefined, name: string): string | undefined {
  if (!ns) return undefined;
  const { bucket, prefix } = ns.show(name);
  return `${bucket}/${prefix.replace(/\/$/, "")}`;
}
