import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import { keepWatched, pacer, sliceOf } from "../../../src/limits/pace.ts";
import { createIdleWatchdog } from "../../../src/streams/idle.ts";

/** A manual clock whose sleep moves it, recording each wait. */
function manual() {
  const clock = fixedClock(0);
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    clock.set(clock.now() + ms);
    return Promise.resolve();
  };
  return { clock, waits, sleep };
}

Deno.test("sliceOf() is 50 ms of bytes within 1 KiB..256 KiB", () => {
  assert.equal(sliceOf(10), 1024);
  assert.equal(sliceOf(1_000_000), 50_000);
  assert.equal(sliceOf(1e9), 256 * 1024);
});

Deno.test("pacer() sends 10 KiB at 2 KiB/s in small slices over ~5 s, all bytes in order", async () => {
  const m = manual();
  const stage = pacer([{ key: "out", bytesPerSecond: 2048 }], { store: createLocalStore(), ...m });
  const input = new Uint8Array(10 * 1024).map((_, i) => i & 255);
  const chunks: Uint8Array[] = [];
  await ReadableStream.from([input]).pipeThrough(stage).pipeTo(
    new WritableStream({ write: (c) => void chunks.push(c) }),
  );
  assert.ok(chunks.every((c) => c.byteLength <= 1024), "no chunk over one slice");
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.byteLength) - c.byteLength);
  assert.deepEqual(out, input);
  assert.ok(Math.max(...m.waits) <= 500, `each wait is one slice's time: ${m.waits}`);
  assert.ok(m.clock.now() >= 4500 && m.clock.now() <= 5000, `took ${m.clock.now()} ms`);
});

Deno.test("pacer() under two rates keeps the slower; two bodies share one rate", async () => {
  const m = manual();
  const store = createLocalStore();
  const rates = [{ key: "a", bytesPerSecond: 10_240 }, { key: "b", bytesPerSecond: 1024 }];
  await ReadableStream.from([new Uint8Array(4096)]).pipeThrough(pacer(rates, { store, ...m }))
    .pipeTo(new WritableStream());
  assert.ok(m.clock.now() >= 2900, `4 KiB at 1 KiB/s with a 1 KiB burst: ${m.clock.now()} ms`);
  const start = m.clock.now();
  const shared = [{ key: "s", bytesPerSecond: 1024 }];
  await Promise.all(
    [1, 2].map(() =>
      ReadableStream.from([new Uint8Array(2048)]).pipeThrough(pacer(shared, { store, ...m }))
        .pipeTo(new WritableStream())
    ),
  );
  assert.ok(m.clock.now() - start >= 2900, `4 KiB in total through one shared 1 KiB/s`);
});

Deno.test("pacer() keeps bytes flowing (no gap over a slice's time) and reads ahead no more than a chunk", async () => {
  const m = manual();
  const stage = pacer([{ key: "out", bytesPerSecond: 1_000_000 }], {
    store: createLocalStore(),
    ...m,
  });
  let pulled = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled++ === 100) c.close();
      else c.enqueue(new Uint8Array(100_000));
    },
  }, { highWaterMark: 0 });
  let sent = 0;
  let last = 0;
  let gap = 0;
  await source.pipeThrough(stage).pipeTo(
    new WritableStream({
      write(c) {
        sent += c.byteLength;
        gap = Math.max(gap, m.clock.now() - last);
        last = m.clock.now();
        assert.ok(
          pulled * 100_000 - sent <= 3 * 100_000,
          `read ahead ${pulled * 100_000 - sent} bytes`,
        );
      },
    }, { highWaterMark: 1 }),
  );
  assert.equal(sent, 10_000_000);
  assert.ok(gap <= 50, `the longest pause between slices: ${gap} ms`);
  assert.ok(
    m.clock.now() >= 9_900 && m.clock.now() <= 10_000,
    `10 MB at 1 MB/s: ${m.clock.now()} ms`,
  );
});

Deno.test("keepWatched(): what the pacer sends feeds the transfers its request watches", () => {
  const clock = fixedClock(0);
  const inner = createIdleWatchdog({ timeoutMs: 1000, clock, schedule: () => () => {} });
  const { watchdog, touch } = keepWatched(inner);
  let cut = 0;
  const t = watchdog.watch(() => cut++);
  clock.set(800);
  touch(1024);
  inner.sweep();
  clock.set(1600);
  inner.sweep();
  assert.equal(cut, 0, "a slice 0.8 s in keeps it alive");
  clock.set(2900);
  inner.sweep();
  assert.equal(cut, 1, "nothing sent for over 1 s: cut");
  assert.ok(t.cut);
  t.end();
  touch(1); // after its end nothing is fed
  assert.equal(watchdog.size, 0);
});
