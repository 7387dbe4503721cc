import assert from "node:assert/strict";
import {
  fixedClock,
  httpDateMs,
  httpDateText,
  rememberLast,
  systemClock,
} from "../../src/clock.ts";

Deno.test("systemClock reads the real time", () => {
  const before = Date.now();
  const now = systemClock.now();
  assert.ok(now >= before && now <= Date.now());
});

Deno.test("fixedClock() stays where it is put until set again", () => {
  const c = fixedClock(1000);
  assert.equal(c.now(), 1000);
  assert.equal(c.now(), 1000);
  c.set(5000);
  assert.equal(c.now(), 5000);
  assert.equal(fixedClock(0).now(), 0, "each clock has its own time");
});

Deno.test("rememberLast() answers the last argument again without asking f, any other afresh", () => {
  const asked: number[] = [];
  const double = rememberLast((n: number) => (asked.push(n), n * 2));
  assert.deepEqual([double(2), double(2), double(3), double(2)], [4, 4, 6, 4]);
  assert.deepEqual(asked, [2, 3, 2]);
  const nan = rememberLast((n: number) => (asked.push(n), n));
  nan(NaN);
  nan(NaN);
  assert.equal(asked.length, 5, "NaN is never the same argument: asked each time");
});

Deno.test("httpDateText() and httpDateMs() are toUTCString and Date.parse, each instant its own", () => {
  const t = Date.UTC(2026, 10, 24, 12);
  for (const ms of [t, t + 1000, t]) assert.equal(httpDateText(ms), new Date(ms).toUTCString());
  assert.equal(httpDateText(t), "Tue, 24 Nov 2026 12:00:00 GMT");
  for (const text of ["Tue, 24 Nov 2026 12:00:01 GMT", "Tue, 24 Nov 2026 12:00:00 GMT"]) {
    assert.equal(httpDateMs(text), new Date(text).getTime());
  }
  assert.ok(Number.isNaN(httpDateMs("not a date")));
});
