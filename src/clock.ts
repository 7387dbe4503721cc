/** The injected source of time: handlers never call Date.now() themselves. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock fixed at (or moved by tests to) a given time. */
export function fixedClock(ms: number): Clock & { set(ms: number): void } {
  let t = ms;
  return { now: () => t, set: (v: number) => (t = v) };
}
