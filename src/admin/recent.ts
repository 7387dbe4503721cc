/**
 * The last hour of traffic, one slot per minute: requests, errors, and bytes
 * in and out by principal and by bucket, for the status page's chart and its
 * "top by bytes" tables. Bounded: at most `RECENT_MINUTES` slots, each keyed
 * by labels that come from the config (the metrics' own labels). Its snapshot
 * is plain data, summed slot by slot over workers like the counters.
 */

/** Minutes the ring keeps. */
export const RECENT_MINUTES = 60;

/** Bytes in and out of one principal or bucket in one minute. */
export interface ByteCount {
  readonly in: number;
  readonly out: number;
}

/** One minute of traffic. */
export interface MinuteSlot {
  /** The minute: ms since the epoch / 60,000, floored. */
  readonly minute: number;
  readonly requests: number;
  /** Answers with a 4xx status. */
  readonly clientErrors: number;
  /** Answers with a 5xx status. */
  readonly serverErrors: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** By principal key (`kind:name`, see `principalKey`). */
  readonly principals: Readonly<Record<string, ByteCount>>;
  /** By bucket label ("" = no bucket). */
  readonly buckets: Readonly<Record<string, ByteCount>>;
}

/** One request as the ring counts it. */
export interface RecentRequest {
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly principal: string;
  readonly bucket: string;
}

/** The ring of one process. */
export interface RecentRing {
  /** Counts one finished request in the minute of `nowMs` (keeps nothing of `r`: a caller may reuse it). */
  add(r: RecentRequest, nowMs: number): void;
  /** The slots of the hour before `nowMs`, oldest first (copies). */
  slots(nowMs: number): MinuteSlot[];
}

type MutableCount = { in: number; out: number };
type MutableSlot = {
  -readonly [K in keyof MinuteSlot]: K extends "principals" | "buckets"
    ? Record<string, MutableCount>
    : MinuteSlot[K];
};

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

function emptySlot(minute: number): MutableSlot {
  return {
    minute,
    requests: 0,
    clientErrors: 0,
    serverErrors: 0,
    bytesIn: 0,
    bytesOut: 0,
    principals: {},
    buckets: {},
  };
}

function addBytes(to: Record<string, MutableCount>, key: string, bin: number, bout: number): void {
  const c = to[key] ??= { in: 0, out: 0 };
  c.in += bin;
  c.out += bout;
}

/** Whether `slot` lies in the hour that ends with the minute of `nowMs`. */
function inHour(slot: { minute: number }, nowMs: number): boolean {
  const now = minuteOf(nowMs);
  return slot.minute > now - RECENT_MINUTES && slot.minute <= now;
}

/** Creates an empty ring. */
export function createRecentRing(): RecentRing {
  const ring: (MutableSlot | undefined)[] = new Array(RECENT_MINUTES);
  return {
    add(r, nowMs) {
      const minute = minuteOf(nowMs);
      const i = minute % RECENT_MINUTES;
      let slot = ring[i];
      if (slot === undefined || slot.minute !== minute) slot = ring[i] = emptySlot(minute);
      slot.requests++;
      if (r.status >= 500) slot.serverErrors++;
      else if (r.status >= 400) slot.clientErrors++;
      slot.bytesIn += r.bytesIn;
      slot.bytesOut += r.bytesOut;
      if (r.bytesIn || r.bytesOut) {
        addBytes(slot.principals, r.principal, r.bytesIn, r.bytesOut);
        addBytes(slot.buckets, r.bucket, r.bytesIn, r.bytesOut);
      }
    },
    slots(nowMs) {
      return ring.filter((s): s is MutableSlot => s !== undefined && inHour(s, nowMs))
        .sort((a, b) => a.minute - b.minute)
        .map(copySlot);
    },
  };
}

function copyCounts(c: Readonly<Record<string, ByteCount>>): Record<string, MutableCount> {
  const out: Record<string, MutableCount> = {};
  for (const k in c) out[k] = { in: c[k]!.in, out: c[k]!.out };
  return out;
}

function copySlot(s: MinuteSlot): MutableSlot {
  return { ...s, principals: copyCounts(s.principals), buckets: copyCounts(s.buckets) };
}

/** The slot-by-slot sum of several rings' slots (by minute, oldest first; the latest `RECENT_MINUTES` minutes kept). */
export function sumSlots(rings: readonly (readonly MinuteSlot[])[]): MinuteSlot[] {
  const out = new Map<number, MutableSlot>();
  for (const slots of rings) {
    for (const s of slots) {
      const had = out.get(s.minute);
      if (!had) {
        out.set(s.minute, copySlot(s));
        continue;
      }
      had.requests += s.requests;
      had.clientErrors += s.clientErrors;
      had.serverErrors += s.serverErrors;
      had.bytesIn += s.bytesIn;
      had.bytesOut += s.bytesOut;
      for (const k in s.principals) {
        addBytes(had.principals, k, s.principals[k]!.in, s.principals[k]!.out);
      }
      for (const k in s.buckets) addBytes(had.buckets, k, s.buckets[k]!.in, s.buckets[k]!.out);
    }
  }
  return [...out.values()].sort((a, b) => a.minute - b.minute).slice(-RECENT_MINUTES);
}

/** The slots of `slots` within the hour ending at `nowMs`. */
export function lastHour(slots: readonly MinuteSlot[], nowMs: number): MinuteSlot[] {
  return slots.filter((s) => inHour(s, nowMs));
}

/** One entry of a "top by bytes" table. */
export interface TopEntry {
  readonly name: string;
  readonly in: number;
  readonly out: number;
}

/** The `n` names of `pick`'s maps with the most bytes (in + out) over `slots`, most first. */
export function topByBytes(
  slots: readonly MinuteSlot[],
  pick: (s: MinuteSlot) => Readonly<Record<string, ByteCount>>,
  n: number,
): TopEntry[] {
  const total: Record<string, MutableCount> = {};
  for (const s of slots) {
    const m = pick(s);
    for (const k in m) addBytes(total, k, m[k]!.in, m[k]!.out);
  }
  return Object.entries(total)
    .map(([name, c]) => ({ name, in: c.in, out: c.out }))
    .sort((a, b) => b.in + b.out - (a.in + a.out) || (a.name < b.name ? -1 : 1))
    .slice(0, n);
}
