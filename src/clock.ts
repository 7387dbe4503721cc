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

/**
 * `f`, remembering its last argument and answer: for a pure function that a
 * hot path asks the same of again and again (a hot object's dates).
 */
export function rememberLast<A, R>(f: (a: A) => R): (a: A) => R {
  let asked = false;
  let last: A;
  let answer: R;
  return (a) => {
    if (!asked || a !== last) {
      answer = f(a);
      last = a;
      asked = true;
    }
    return answer;
  };
}

/** An instant (ms) as an HTTP date, `Tue, 24 Nov 2026 12:00:00 GMT` (0.4 µs each made; issue 30). */
export const httpDateText: (ms: number) => string = rememberLast((ms) =>
  new Date(ms).toUTCString()
);

/** An HTTP date's instant, as `new Date(text)` reads it (NaN for none; ~0.25 µs each parsed). */
export const httpDateMs: (text: string) => number = rememberLast((text) => Date.parse(text));
