import assert from "node:assert/strict";
import { windowOf } from "../../../src/limits/windows.ts";

Deno.test("windowOf() names the UTC day and month and when they end", () => {
  const t = Date.UTC(2026, 11, 31, 23, 59, 59, 999);
  assert.deepEqual(windowOf("day", t), { id: "20261231", endsMs: Date.UTC(2027, 0, 1) });
  assert.deepEqual(windowOf("month", t), { id: "202612", endsMs: Date.UTC(2027, 0, 1) });
  const leap = Date.UTC(2028, 1, 29, 12);
  assert.deepEqual(windowOf("day", leap), { id: "20280229", endsMs: Date.UTC(2028, 2, 1) });
  assert.equal(
    windowOf("day", Date.UTC(2027, 0, 1)).id,
    "20270101",
    "a window starts at its first ms",
  );
});

Deno.test("windowOf() remembers its last window but never answers one that does not hold the time", () => {
  const t = Date.UTC(2026, 11, 7, 12);
  assert.equal(windowOf("day", t).id, "20261207");
  assert.equal(
    windowOf("day", Date.UTC(2026, 11, 6, 23, 59)).id,
    "20261206",
    "earlier than the memo",
  );
  assert.equal(windowOf("day", t).id, "20261207");
  assert.equal(windowOf("day", Date.UTC(2026, 11, 8)).id, "20261208");
  assert.equal(windowOf("month", Date.UTC(2026, 10, 30)).id, "202611");
  assert.equal(windowOf("month", Date.UTC(2026, 11, 1)).id, "202612");
});
