/** The UTC windows of quotas: a day (`20261207`) and a month (`202612`), and when each ends. */

/** A quota window's kind. */
export type WindowKind = "day" | "month";

/** One window: its id (part of the counter's key) and its end, ms since the epoch. */
export interface QuotaWindow {
  readonly id: string;
  readonly endsMs: number;
}

const last: Record<WindowKind, { startMs: number; w: QuotaWindow }> = {
  day: { startMs: 0, w: { id: "", endsMs: 0 } },
  month: { startMs: 0, w: { id: "", endsMs: 0 } },
};

/** The window of `kind` that holds `nowMs` (the last one is remembered: most calls fall in it). */
export function windowOf(kind: WindowKind, nowMs: number): QuotaWindow {
  const memo = last[kind];
  if (nowMs >= memo.startMs && nowMs < memo.w.endsMs) return memo.w;
  const w = computeWindow(kind, nowMs);
  const d = new Date(nowMs);
  last[kind] = {
    startMs: kind === "day"
      ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    w,
  };
  return w;
}

function computeWindow(kind: WindowKind, nowMs: number): QuotaWindow {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const mm = String(m + 1).padStart(2, "0");
  if (kind === "month") return { id: `${y}${mm}`, endsMs: Date.UTC(y, m + 1, 1) };
  const day = d.getUTCDate();
  return { id: `${y}${mm}${String(day).padStart(2, "0")}`, endsMs: Date.UTC(y, m, day + 1) };
}
