/**
 * Where an fs bucket keeps things: each object at its key's path under the
 * root, and everything else (sidecars, temp files, uploads in progress,
 * completion records) under `root/.bucketgate/`, which no key can name.
 */
import { createHash } from "node:crypto";
import { type ProxyError, proxyError } from "../../errors.ts";
import { reservedKeyWrite } from "../keys.ts";
import { treePath } from "./key_tree.ts";

/** The internal directory under a bucket root; never a key. */
export const INTERNAL_DIR = ".bucketgate";

const encoder = new TextEncoder();

/** Options of `fsKeyProblem`. */
export interface FsKeyOptions {
  /**
   * Whether paths follow Windows rules: `\\` separates segments too, and trailing
   * dots and spaces of a segment are dropped (`... ` is `..`).
   * @default Deno.build.os === "windows"
   */
  readonly windows?: boolean;
}

/** A segment as the filesystem resolves it (Windows drops trailing dots and spaces). */
function resolvedSegment(s: string, windows: boolean): string {
  return !windows || /^\.{1,2}$/.test(s) ? s : s.replace(/[. ]+$/, "");
}

/**
 * Whether a top-level name would open the internal directory on some
 * filesystem: compared without case (after Unicode compatibility folding, so
 * the Kelvin sign is a `k`) and without trailing dots and spaces, because the
 * root may sit on a case-insensitive filesystem (macOS, Windows, casefold ext4).
 */
export function isInternalName(name: string): boolean {
  // An ASCII first character is its own NFKC form: only "." may start the internal name.
  const first = name.charCodeAt(0);
  if (first < 0x80 && first !== 0x2e) return false;
  return name.normalize("NFKC").toLowerCase().replace(/[. ]+$/, "") === INTERNAL_DIR;
}

/** Why one segment of a key cannot be a path segment, if it cannot. */
function segmentProblem(raw: string, windows: boolean): ProxyError | undefined {
  const s = resolvedSegment(raw, windows);
  if (s === "" || s === "." || s === ".." || (windows && s.includes(":"))) {
    return proxyError(
      "InvalidArgument",
      `Object key segment '${raw}' is not supported by the fs backend`,
    );
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8: a short segment is not encoded to know.
  if (raw.length > 85 && encoder.encode(raw).length > 255) {
    return proxyError(
      "KeyTooLong",
      "A path segment of the key is longer than 255 bytes, which the fs backend cannot store",
    );
  }
  return undefined;
}

/**
 * Why a key cannot be stored on a filesystem, if it cannot: the one predicate
 * every fs entry point uses. A key it accepts has no segment that is empty
 * (but for the last of a folder marker, `dir/`), `.`, `..` or longer than 255
 * bytes, and does not name the internal directory in any spelling. Where such
 * a key lives (its plain path, or the internal key tree) is `places.ts`'s.
 */
export function fsKeyProblem(key: string, options: FsKeyOptions = {}): ProxyError | undefined {
  const windows = options.windows ?? Deno.build.os === "windows";
  const segments = key.split(windows ? /[\\/]/ : "/");
  // A folder marker's last segment is empty.
  if (segments.length > 1 && segments.at(-1) === "") segments.pop();
  for (const raw of segments) {
    const problem = segmentProblem(raw, windows);
    if (problem) return problem;
  }
  if (isInternalName(segments[0]!)) return reservedKeyWrite("fs", `${INTERNAL_DIR}/`);
  return undefined;
}

/**
 * Whether a key `fsKeyProblem` accepts may be a plain path under the root: any
 * but a folder marker (whose path is its directory's).
 */
export function isPlainKey(key: string, options: FsKeyOptions = {}): boolean {
  const windows = options.windows ?? Deno.build.os === "windows";
  return !key.endsWith("/") && !(windows && key.endsWith("\\"));
}

/** The paths of one fs bucket. */
export interface FsLayout {
  /** The bucket's root, without a trailing slash (or `/`). */
  readonly base: string;
  /** The directories bucketgate creates under the internal directory. */
  readonly dirs: readonly string[];
  /** Where the bytes of `key` are when it is a plain path. */
  data(key: string): string;
  /** Where the bytes of `key` are when it is not (see key_tree.ts). */
  shadow(key: string): string;
  /** The internal key tree: the keys that cannot be plain paths. */
  readonly keys: string;
  /** Where the sidecar (metadata) of `key` is. */
  meta(key: string): string;
  /** A new, unused temp file's path. */
  tmp(): string;
  /** The directory of temp files. */
  readonly tmpDir: string;
  /** The directory of an upload in progress (its record, parts and part records). */
  upload(id: string): string;
  /** The directory of all uploads in progress. */
  readonly uploads: string;
  /** The directory of completion records. */
  readonly completed: string;
}

/** The layout of a bucket rooted at `root`. */
export function fsLayout(root: string): FsLayout {
  const base = root.replace(/\/+$/, "") || "/";
  const internal = `${base}/${INTERNAL_DIR}`;
  const tmpDir = `${internal}/tmp`;
  const metaDir = `${internal}/meta`;
  const uploads = `${internal}/uploads`;
  const completed = `${internal}/completed`;
  const keys = `${internal}/keys`;
  return {
    base,
    dirs: [tmpDir, metaDir, uploads, completed, keys],
    data: (key) => `${base}/${key}`,
    shadow: (key) => `${keys}/${treePath(key)}`,
    keys,
    meta: (key) => `${metaDir}/${createHash("sha256").update(key).digest("hex")}.json`,
    tmp: () => `${tmpDir}/${crypto.randomUUID()}`,
    tmpDir,
    upload: (id) => `${uploads}/${id}`,
    uploads,
    completed,
  };
}
