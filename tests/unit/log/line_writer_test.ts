import assert from "node:assert/strict";
import { createLineWriter } from "../../../src/log/line_writer.ts";

function recorder(maxPerWrite = Infinity) {
  const writes: string[] = [];
  const sink = (b: Uint8Array) => {
    const n = Math.min(b.length, maxPerWrite);
    writes.push(new TextDecoder().decode(b.subarray(0, n)));
    return n;
  };
  return { writes, sink };
}

Deno.test("lines of one turn go out in one write, in order, at the scheduled flush", () => {
  const { writes, sink } = recorder();
  const pending: (() => void)[] = [];
  const w = createLineWriter(sink, (f) => pending.push(f));
  w.write("a");
  w.write("b");
  w.write("ü");
  assert.deepEqual(writes, []);
  assert.equal(pending.length, 1, "one flush scheduled per turn");
  pending.shift()!();
  assert.deepEqual(writes, ["a\nb\nü\n"]);
  w.write("c");
  assert.equal(pending.length, 1);
  w.flush();
  assert.deepEqual(writes, ["a\nb\nü\n", "c\n"]);
  pending.shift()!(); // the scheduled flush finds nothing left
  assert.equal(writes.length, 2);
});

Deno.test("64 KiB waiting are written at once; short writes are retried to the end", () => {
  const { writes, sink } = recorder(1000);
  const w = createLineWriter(sink, () => {});
  const line = "x".repeat(1023);
  for (let i = 0; i < 64; i++) w.write(line);
  assert.equal(writes.join(""), `${line}\n`.repeat(64));
});

Deno.test("the default schedule flushes on the next turn of the event loop", async () => {
  const { writes, sink } = recorder();
  const w = createLineWriter(sink);
  w.write("soon");
  assert.deepEqual(writes, []);
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(writes, ["soon\n"]);
});

Deno.test("lines longer than the reused buffer, and multi-byte ones, come out whole and in order", () => {
  const { writes, sink } = recorder();
  const pending: (() => void)[] = [];
  const w = createLineWriter(sink, (f) => pending.push(f));
  const lines = ["a", "€".repeat(70_000), "b", "ü\ud800".repeat(30_000), "😀".repeat(20_000), "c"];
  for (const l of lines) w.write(l);
  pending.splice(0).forEach((f) => f());
  w.flush();
  const want = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
  assert.deepEqual(new TextEncoder().encode(writes.join("")), want);
});
