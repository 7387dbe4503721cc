/** What the parts of one fs backend share: its paths, clock, directories, caches and turns. */
import type { Clock } from "../../clock.ts";
import type { Completions } from "./completions.ts";
import type { DirEntries } from "./dir_entries.ts";
import type { Sync } from "./durable.ts";
import type { KeyLocks } from "./key_locks.ts";
import type { PathOps } from "./path_ops.ts";
import type { FsLayout } from "./paths.ts";
import type { Sidecars } from "./sidecars.ts";
import type { SmallFiles } from "./small_files.ts";

/** One fs bucket's state, passed to each operation. */
export interface FsContext {
  readonly layout: FsLayout;
  /** The time of upload records and of completion-record pruning. */
  readonly clock: Clock;
  /** Creates the internal directories (once). */
  readonly ensureDirs: () => Promise<void>;
  readonly sidecars: Sidecars;
  /** Small objects' bytes kept in memory. */
  readonly small: SmallFiles;
  /** The filesystem calls of key paths (Deno's, or a test's layer). */
  readonly ops: PathOps;
  /** Whether the root folds case (probed once): then a key reaches only a name stored exactly so. */
  readonly folds: () => Promise<boolean>;
  /** The probe's answer once known (a GET's synchronous path needs it at hand), else undefined. */
  readonly foldsNow: () => boolean | undefined;
  /** Directories' entries in key order, for listings and case checks. */
  readonly dirs: DirEntries;
  /** What completed uploads answered, for a Complete sent again. */
  readonly completions: Completions;
  /** Turns on a key or upload id, across isolates and processes (conditional writes, Complete, Abort). */
  readonly locks: KeyLocks;
  /** Whether a write is flushed to disk before it is answered. */
  readonly fsync: boolean;
  /** How a file or directory is flushed (`syncPath`, or a test's recorder); only when `fsync`. */
  readonly sync: Sync;
  /** The network filesystem the root is on (found once), or undefined when local. */
  readonly networkFs: () => Promise<string | undefined>;
}
