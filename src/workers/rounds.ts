/**
 * The supervisor's rounds over all its workers: the two phases of a reload
 * (every worker builds the config, then all switch or none does), the sum of
 * their metrics, and the drain. Each works on the slots it is given.
 */
import type { MetricsSnapshot } from "../admin/metrics.ts";
import type { Reply, Slot, Timers } from "./slot.ts";
import { sumSnapshots } from "./sum_metrics.ts";

/** The summed metrics of the workers. */
export interface SummedMetrics {
  readonly snapshot: MetricsSnapshot;
  readonly inFlight: number;
}

function refused(a: Reply | undefined): boolean {
  return a?.kind !== "prepared" || a.error !== undefined;
}

/**
 * Ends the prepare phase of a reload: when every live worker built the config
 * (and there is one), undefined; otherwise what was prepared is aborted and
 * the message to print is returned.
 */
export function refuseOrKeep(
  live: readonly Slot[],
  answers: readonly (Reply | undefined)[],
): string | undefined {
  if (answers.length > 0 && !answers.some(refused)) return undefined;
  answers.forEach((a, i) => {
    if (!refused(a)) live[i]!.handle?.post({ kind: "abort", seq: a!.seq });
  });
  const why = answers.find((a) => a?.kind === "prepared" && a.error !== undefined);
  return why?.kind === "prepared" && why.error !== undefined
    ? why.error
    : "reload refused; keeping the old config: a worker did not answer";
}

/** Switches every live worker to what it prepared, config generation `configSeq`. */
export function commitAll(
  live: readonly Slot[],
  answers: readonly (Reply | undefined)[],
  configSeq: number,
): void {
  answers.forEach((a, i) => {
    live[i]!.handle?.post({ kind: "commit", seq: a!.seq });
    live[i]!.configSeq = configSeq;
  });
}

/**
 * The sum of the workers' answers to `metrics` and of `retired` (what dead
 * workers counted); a worker that did not answer counts with what it last said.
 */
export function sumAnswers(
  live: readonly Slot[],
  answers: readonly (Reply | undefined)[],
  retired: MetricsSnapshot,
): SummedMetrics {
  let inFlight = 0;
  const snapshots = [retired];
  answers.forEach((a, i) => {
    const slot = live[i]!;
    if (a?.kind === "metrics") {
      slot.last = a.snapshot;
      inFlight += a.inFlight;
    }
    if (slot.last) snapshots.push(slot.last);
  });
  return { snapshot: sumSnapshots(snapshots), inFlight };
}

/** Cancels pending restarts, asks every worker to drain, waits up to `timeoutMs`, ends them all. */
export async function drainAll(
  slots: readonly Slot[],
  timers: Timers,
  timeoutMs: number,
): Promise<void> {
  const live = slots.filter((s) => s.handle !== undefined);
  for (const s of slots) {
    if (s.timer !== undefined) timers.clearTimeout(s.timer);
    s.timer = undefined;
  }
  const drained = live.map((s) =>
    new Promise<void>((resolve) => {
      s.onDrained = resolve;
      s.handle!.post({ kind: "drain" });
    })
  );
  let timer: unknown;
  const late = new Promise<void>((r) => timer = timers.setTimeout(r, timeoutMs));
  await Promise.race([Promise.all(drained), late]);
  timers.clearTimeout(timer);
  for (const s of slots) {
    s.handle?.terminate();
    s.handle = undefined;
    s.state = "stopped";
  }
}
