import assert from "node:assert/strict";
import { Sweeper } from "../../../src/transport/sweeper.ts";
import { settle } from "./_fake_conn.ts";

Deno.test("Sweeper refuses a tick that is not a positive number", () => {
  for (const ms of [0, -1, NaN]) {
    assert.throws(() => new Sweeper(ms), {
      name: "RangeError",
      message: `Cannot sweep every ${ms} ms`,
    });
  }
});

Deno.test("Sweeper sweeps what is registered on each tick, with the tick count, until deleted", async () => {
  const s = new Sweeper(5);
  const seen: number[] = [];
  const item = { sweep: (t: number) => void seen.push(t) };
  s.add(item);
  await settle(40);
  s.delete(item);
  const after = seen.length;
  assert.ok(after >= 2, `swept ${after} times`);
  assert.deepEqual(seen, seen.map((_, i) => i + 1));
  assert.equal(s.tick, after);
  await settle(20);
  assert.equal(seen.length, after); // its timer stopped with the last item (no leak)
  s.close();
});

Deno.test("Sweeper.elapsedMs() is the time surely passed: whole ticks, less the one under way", async () => {
  const s = new Sweeper(5);
  assert.equal(s.elapsedMs(0), 0);
  s.add({ sweep() {} });
  while (s.tick < 4) await settle(5);
  const now = s.tick;
  assert.equal(s.elapsedMs(now), 0);
  assert.equal(s.elapsedMs(now - 1), 0);
  assert.equal(s.elapsedMs(now - 3), 10);
  s.close();
});

Deno.test("Sweeper.close() forgets everything and stops", async () => {
  const s = new Sweeper(5);
  let swept = 0;
  s.add({ sweep: () => void swept++ });
  s.close();
  await settle(20);
  assert.equal(swept, 0);
  assert.equal(s.tick, 0);
});
