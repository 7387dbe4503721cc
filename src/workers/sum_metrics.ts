/**
 * `/metrics` of several workers as one registry: every counter series and
 * every histogram bucket summed over the workers' snapshots, series in the
 * order they first appear, and the status page's last hour summed minute by
 * minute.
 */
import {
  COUNTER_FAMILIES,
  type CounterFamily,
  type CounterSample,
  type HistogramSample,
  labelKey,
  type MetricsSnapshot,
} from "../admin/metrics.ts";
import { sumSlots } from "../admin/recent.ts";

/** A snapshot with no series (the sum of none). */
export function emptySnapshot(): MetricsSnapshot {
  const counters = {} as Record<CounterFamily, CounterSample[]>;
  for (const family of COUNTER_FAMILIES) counters[family] = [];
  return { counters, latency: [], recent: [] };
}

/** The series-by-series sum of `snapshots`. */
export function sumSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const counters = {} as Record<CounterFamily, CounterSample[]>;
  for (const family of COUNTER_FAMILIES) {
    counters[family] = sumCounters(snapshots.map((s) => s.counters[family] ?? []));
  }
  return {
    counters,
    latency: sumHistograms(snapshots.map((s) => s.latency)),
    recent: sumSlots(snapshots.map((s) => s.recent ?? [])),
  };
}

function sumCounters(families: readonly (readonly CounterSample[])[]): CounterSample[] {
  const out = new Map<string, CounterSample>();
  for (const samples of families) {
    for (const s of samples) {
      const key = labelKey(s.labels);
      const had = out.get(key);
      out.set(key, { labels: s.labels, value: (had?.value ?? 0) + s.value });
    }
  }
  return [...out.values()];
}

function sumHistograms(families: readonly (readonly HistogramSample[])[]): HistogramSample[] {
  const out = new Map<string, HistogramSample>();
  for (const samples of families) {
    for (const s of samples) {
      const key = labelKey(s.labels);
      const had = out.get(key);
      out.set(
        key,
        had
          ? {
            labels: s.labels,
            counts: had.counts.map((c, i) => c + (s.counts[i] ?? 0)),
            sum: had.sum + s.sum,
            n: had.n + s.n,
          }
          : { labels: s.labels, counts: [...s.counts], sum: s.sum, n: s.n },
      );
    }
  }
  return [...out.values()];
}
