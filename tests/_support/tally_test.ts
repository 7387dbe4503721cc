import assert from "node:assert/strict";
import { appendTally, formatTallies, readTallies, tally } from "./tally.ts";

Deno.test("readTallies() keeps well-formed lines and skips torn or foreign ones", () => {
  const text = [
    '{"kind":"inputs","what":"parseXml","count":5000}',
    '{"kind":"faults","what":"disk full","count":3}',
    '{"kind":"objects","what":"soak","count":',
    '{"kind":"bogus","what":"x","count":1}',
    '{"kind":"objects","what":"x","count":-1}',
    "noise",
    "",
  ].join("\n");
  assert.deepEqual(readTallies(text), [
    { kind: "inputs", what: "parseXml", count: 5000 },
    { kind: "faults", what: "disk full", count: 3 },
  ]);
});

Deno.test("formatTallies() sums by source, totals each kind, largest first", () => {
  const out = formatTallies([
    { kind: "inputs", what: "a", count: 2 },
    { kind: "inputs", what: "b", count: 10_000 },
    { kind: "inputs", what: "a", count: 3 },
    { kind: "objects", what: "soak", count: 7 },
  ]);
  assert.equal(
    out,
    [
      "figures of this run:",
      "  inputs tried: 10,005 (from 2)",
      "    10,000  b",
      "         5  a",
      "  faults survived: 0 (from 0)",
      "  objects verified: 7 (from 1)",
      "    7  soak",
    ].join("\n"),
  );
  assert.equal(formatTallies([]), "figures: none recorded");
});

Deno.test("appendTally() appends one line per tally; tally() refuses counts that are not integers", () => {
  const file = Deno.makeTempFileSync({ prefix: "bucketgate-tally-" });
  try {
    appendTally(file, { kind: "faults", what: "one", count: 2 });
    appendTally(file, { kind: "objects", what: "two", count: 1 });
    appendTally(file, { kind: "inputs", what: "none", count: 0 });
    assert.deepEqual(readTallies(Deno.readTextFileSync(file)), [
      { kind: "faults", what: "one", count: 2 },
      { kind: "objects", what: "two", count: 1 },
    ]);
    assert.throws(() => tally("inputs", "bad", 1.5), RangeError);
    assert.throws(() => appendTally(file, { kind: "inputs", what: "bad", count: -1 }), RangeError);
  } finally {
    Deno.removeSync(file);
  }
});
