/**
 * The `fs` backend: one directory per bucket. Each object is a file at its
 * key's path under `root` (so the tree can be browsed); metadata, temp files
 * and uploads in progress live under `root/.bucketgate/`. Writes go to a temp
 * file and are renamed into place, so a reader sees old or new bytes, never a
 * part, and a failed upload leaves nothing.
 *
 * This file only wires the parts together: paths.ts (keys → paths),
 * sidecars.ts (metadata), spool.ts and commit.ts (writes), read.ts, write.ts,
 * listing.ts, uploads.ts, complete.ts and completions.ts (multipart), errors.ts
 * (errno → S3 error).
 */
import { type Clock, systemClock } from "../../clock.ts";
import type { Backend } from "../backend.ts";
import { completeUpload } from "./complete.ts";
import { createCompletions } from "./completions.ts";
import type { FsContext } from "./context.ts";
import { createDirEntries } from "./dir_entries.ts";
import { parentOf, type Sync, syncOf, syncPath } from "./durable.ts";
import { createKeyLocks } from "./key_locks.ts";
import { listObjects, probeRoot } from "./listing.ts";
import { networkFsOf } from "./network_mount.ts";
import { DENO_PATH_OPS, type PathOps, probeFolding } from "./path_ops.ts";
import { fsLayout } from "./paths.ts";
import { getObject, headObject } from "./read.ts";
import { createSidecars } from "./sidecars.ts";
import { createSmallFiles } from "./small_files.ts";
import { abortUpload, createUpload, listUploadParts, listUploads, uploadPart } from "./uploads.ts";
import { copyObject, deleteObject, putObject } from "./write.ts";

export { type FsKeyOptions, fsKeyProblem, INTERNAL_DIR, isInternalName } from "./paths.ts";

/** Options of `createFsBackend`. */
export interface FsBackendOptions {
  /** The bucket's directory (created when missing, with the internal directory under it). */
  readonly root: string;
  /**
   * The time of upload records and of pruning completion records.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Whether a write is flushed to disk (file, sidecar, directories) before it is answered.
   * @default true
   */
  readonly fsync?: boolean;
  /**
   * The flush of one file or directory (a test's recorder).
   * @default syncPath (fsync(2))
   */
  readonly syncPath?: Sync;
  /** How long a conditional write waits for its turn on a key (key_locks.ts). */
  readonly turnWaitMs?: number;
  /** The network filesystem the root is on. @default found in /proc/mounts */
  readonly networkFs?: () => Promise<string | undefined>;
  /**
   * The filesystem calls of key paths: a test's layer (e.g. one that folds case).
   * @default DENO_PATH_OPS
   */
  readonly ops?: PathOps;
}

/** The shared state of an fs backend over `o.root` (its parts take it; tests build one alone). */
export function fsContext(o: FsBackendOptions): FsContext {
  const layout = fsLayout(o.root);
  const clock = o.clock ?? systemClock;
  const ops = o.ops ?? DENO_PATH_OPS;
  const durable = { fsync: o.fsync ?? true, sync: o.syncPath ?? syncPath };
  const sync = syncOf(durable);
  let ready: Promise<void> | undefined;
  const ensureDirs = () =>
    ready ??= (async () => {
      for (const d of layout.dirs) await Deno.mkdir(d, { recursive: true });
      // Made once, and kept: an upload's directory is under one of them.
      if (sync) {
        for (const d of new Set(layout.dirs.flatMap((d) => [d, parentOf(d)]))) await sync(d);
      }
    })();
  let network: Promise<string | undefined> | undefined;
  const locks = createKeyLocks({
    base: layout.base,
    ...(o.turnWaitMs !== undefined ? { waitMs: o.turnWaitMs } : {}),
  });
  let folding: Promise<boolean> | undefined;
  let folded: boolean | undefined;
  // Probed in the internal directory (made under the root, so it folds as the root
  // does); a root where it cannot be made is taken to fold.
  const folds = () =>
    folding ??= ensureDirs().then(() => probeFolding(ops, layout.tmpDir), () => true)
      .then((f) => (folded = f));
  return {
    layout,
    clock,
    ensureDirs,
    ops,
    folds,
    foldsNow: () => folded,
    sidecars: createSidecars({ layout, ensureDirs, turn: (key, f) => locks.hold({ key }, f) }),
    small: createSmallFiles(),
    dirs: createDirEntries(ops),
    completions: createCompletions({ layout, clock, sync }),
    locks,
    ...durable,
    networkFs: () =>
      network ??= o.networkFs?.() ??
        ensureDirs().then(() => networkFsOf(layout.base), () => undefined),
  };
}

/** Creates an fs backend over a directory (created when missing). */
export function createFsBackend(o: FsBackendOptions): Backend {
  const ctx = fsContext(o);
  return {
    head: (key) => headObject(ctx, key),
    get: (key, options) => getObject(ctx, key, options),
    put: (key, body, options) => putObject(ctx, key, { ...options, body }),
    copy: (src, dst, options) => copyObject(ctx, { src, dst }, options),
    delete: (key, conditions) => deleteObject(ctx, key, conditions),
    list: (options) => listObjects(ctx, options),
    probe: () => probeRoot(ctx),
    createMultipartUpload: (key, { meta, checksum }) => createUpload(ctx, key, meta, checksum),
    uploadPart: (upload, part) => uploadPart(ctx, upload, part),
    completeMultipartUpload: (upload, parts, conditions, claimed) =>
      completeUpload(ctx, upload, { parts, conditions, claimed }),
    abortMultipartUpload: (upload) => abortUpload(ctx, upload),
    listParts: (upload, options) => listUploadParts(ctx, upload, options),
    listMultipartUploads: (options) => listUploads(ctx, options),
  };
}
