import assert from "node:assert/strict";
import type { RangeSpec } from "../../../src/backends/backend.ts";
import { isEmptyRange, partRange, readRange, resolveRange } from "../../../src/backends/range.ts";

function resolved(spec: RangeSpec, size: number): string {
  const r = resolveRange(spec, size);
  return r.ok ? `${r.value.start}-${r.value.end}` : r.error.kind;
}

function part(meta: { size: number; partSizes?: number[] }, n: number): string {
  const r = partRange(meta, n);
  if (!r.ok) return r.error.kind;
  if (r.value === undefined) return "all";
  return isEmptyRange(r.value) ? `empty@${r.value.start}` : `${r.value.start}-${r.value.end}`;
}
Deno.test("resolveRange() serves a from-range, clamping its end to the object", () => {
  assert.equal(resolved({ kind: "from", start: 0, end: 4 }, 10), "0-4");
  assert.equal(resolved({ kind: "from", start: 3 }, 10), "3-9");
  assert.equal(resolved({ kind: "from", start: 9, end: 100 }, 10), "9-9");
});

Deno.test("resolveRange() refuses a range starting at or beyond the end with InvalidRange", () => {
  assert.equal(resolved({ kind: "from", start: 10 }, 10), "InvalidRange");
  assert.equal(resolved({ kind: "from", start: 0 }, 0), "InvalidRange");
  const r = resolveRange({ kind: "from", start: 11, end: 12 }, 10);
  assert.ok(!r.ok);
  assert.equal(r.error.message, "The requested range is not satisfiable");
});

Deno.test("resolveRange() serves the last bytes of a suffix range, all of a longer one", () => {
  assert.equal(resolved({ kind: "suffix", length: 3 }, 10), "7-9");
  assert.equal(resolved({ kind: "suffix", length: 30 }, 10), "0-9");
});

Deno.test("resolveRange() refuses an empty suffix or any suffix of an empty object", () => {
  assert.equal(resolved({ kind: "suffix", length: 0 }, 10), "InvalidRange");
  assert.equal(resolved({ kind: "suffix", length: 5 }, 0), "InvalidRange");
});

Deno.test("partRange() gives each part's bytes from the recorded sizes", () => {
  const meta = { size: 12, partSizes: [5, 5, 2] };
  assert.equal(part(meta, 1), "0-4");
  assert.equal(part(meta, 2), "5-9");
  assert.equal(part(meta, 3), "10-11");
});

Deno.test("partRange() refuses part numbers outside the parts with InvalidPartNumber", () => {
  const meta = { size: 12, partSizes: [5, 5, 2] };
  assert.equal(part(meta, 4), "InvalidPartNumber");
  assert.equal(part(meta, 0), "InvalidPartNumber");
  const r = partRange(meta, 4);
  assert.ok(!r.ok);
  assert.equal(r.error.message, "The requested partnumber is not satisfiable");
});

Deno.test("partRange() takes an object without part sizes as one part", () => {
  assert.equal(part({ size: 10 }, 1), "0-9");
  assert.equal(part({ size: 10 }, 2), "InvalidPartNumber");
});

Deno.test("partRange() reads an empty object's part 1 whole", () => {
  assert.equal(part({ size: 0 }, 1), "all");
});

Deno.test("partRange() gives an empty part after the first as an empty range at its offset", () => {
  assert.equal(part({ size: 5, partSizes: [5, 0] }, 2), "empty@5");
  assert.equal(part({ size: 5, partSizes: [5, 0] }, 1), "0-4");
});

Deno.test("readRange() reads a part, a Range, or (neither) the whole object", () => {
  const meta = { size: 10, partSizes: [6, 4] };
  const r = (ask: Parameters<typeof readRange>[1]) => {
    const got = readRange(meta, ask);
    return got.ok ? (got.value ? `${got.value.start}-${got.value.end}` : "all") : got.error.kind;
  };
  assert.equal(r({}), "all");
  assert.equal(r({ partNumber: 2 }), "6-9");
  assert.equal(r({ range: { kind: "suffix", length: 3 } }), "7-9");
  assert.equal(r({ range: { kind: "from", start: 10 } }), "InvalidRange");
});
