/**
 * What completed uploads answered (`.bucketgate/completed/<id>.json`), so the
 * same Complete sent again gets the same answer. Kept a day by the clock
 * (each record's mtime is the clock's time it was written); older records are
 * pruned at most once an hour.
 */
import type { Clock } from "../../clock.ts";
import type { ProxyError } from "../../errors.ts";
import { ok, type Result } from "../../result.ts";
import { type CompletionRecord, isUploadId } from "../multipart.ts";
import type { FsLayout } from "./paths.ts";
import type { Sync } from "./durable.ts";
import { readJson, writeJsonAtomic } from "./records.ts";

/** How long a completed upload's answer is kept for a Complete sent again. */
export const COMPLETIONS_KEPT_MS = 24 * 3600_000;
/** How often, at most, old completion records are looked for. */
export const PRUNE_EVERY_MS = 3600_000;

/** The completion records of one bucket. */
export interface Completions {
  /**
   * Keeps what upload `id` answered, and prunes records older than a day
   * when the last pruning is an hour old. Best effort: the object is in place
   * whether or not its record could be written.
   */
  keep(id: string, record: CompletionRecord): Promise<void>;
  /** The record of upload `id`, undefined when there is none; an unreadable one is an error. */
  find(id: string): Promise<Result<CompletionRecord | undefined, ProxyError>>;
}

/** Options of `createCompletions`. */
export interface CompletionsOptions {
  readonly layout: FsLayout;
  /** The time of the records (their mtimes are set to it) and of their pruning. */
  readonly clock: Clock;
  /** Flushes a record and its directory to disk before `keep` returns (none with `fsync: false`). */
  readonly sync?: Sync | undefined;
}

/** Removes the records of `dir` last written more than a day before `now`. */
async function prune(dir: string, now: number): Promise<void> {
  try {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      const st = await Deno.stat(path).catch(() => undefined);
      if (st?.mtime && now - st.mtime.getTime() > COMPLETIONS_KEPT_MS) {
        await Deno.remove(path).catch(() => {});
      }
    }
  } catch { /* pruned next time */ }
}

/** The completion records kept under `o.layout`. */
export function createCompletions(o: CompletionsOptions): Completions {
  const pathOf = (id: string) => `${o.layout.completed}/${id}.json`;
  let prunedAt = 0;
  return {
    async keep(id, record) {
      const now = o.clock.now();
      // Dated by the clock, as the pruning reads it.
      await writeJsonAtomic(o.layout, pathOf(id), record, { mtime: now, sync: o.sync })
        .catch(() => {});
      if (now - prunedAt < PRUNE_EVERY_MS) return;
      prunedAt = now;
      await prune(o.layout.completed, now);
    },
    async find(id) {
      return isUploadId(id) ? await readJson<CompletionRecord>(pathOf(id)) : ok(undefined);
    },
  };
}
