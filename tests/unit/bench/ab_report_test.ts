/** The paired driver's report (bench/_ab_report.ts): a revision's rounds and the A/A verdict. */
import assert from "node:assert/strict";
import { aaSpread, groupRounds, pairedTable, verdict } from "../../../bench/_ab_report.ts";
import type { TurnSample } from "../../../bench/_turn.ts";

const turn = (cpuUs: number): TurnSample => ({
  requests: 1000,
  rps: 500,
  cpuUs,
  helperUs: 0,
  allocBytes: 50_000,
  gcPauseUs: 0,
  errors: 0,
});

Deno.test("a revision's figure in a round is the mean of its processes' turns", () => {
  const members = [{ name: "t@a p1", group: "t@a" }, { name: "t@a p2", group: "t@a" }];
  const s = new Map([["t@a p1", [turn(100), turn(110)]], ["t@a p2", [turn(120), turn(90)]]]);
  assert.deepEqual(groupRounds(members, s).get("t@a")!.map((x) => x.cpuUs), [110, 100]);
});

Deno.test("a change inside the A/A spread is not resolved; outside it, called", () => {
  const spread = aaSpread([-12, -3, 4, 8, 20]); // quartiles -3 and 8
  assert.deepEqual(spread, 8);
  assert.ok(verdict([-7, -6, -5], spread).includes("not resolved"));
  assert.ok(verdict([-15, -12, -9], spread).includes("cheaper"));
  assert.ok(verdict([15, 12, 9], spread).includes("dearer"));
  assert.ok(verdict([-50, -40], undefined).includes("no A/A control"));
});

Deno.test("the paired table judges each change against its target's A/A pair", () => {
  const g = new Map([
    ["t@a", [turn(100), turn(100), turn(100), turn(100)]],
    ["t@b", [turn(80), turn(82), turn(79), turn(81)]],
    ["t@a (A/A)", [turn(98), turn(103), turn(101), turn(97)]],
  ]);
  const table = pairedTable([
    { target: "t", a: "t@a", b: "t@b", kind: "change" },
    { target: "t", a: "t@a", b: "t@a (A/A)", kind: "control" },
  ], g);
  assert.ok(table.includes("| 4 of 4 | 50.0 → 50.0 | cheaper (outside A/A ±2.3) |"));
  assert.ok(table.includes("A/A control: ±2.3"));
});
