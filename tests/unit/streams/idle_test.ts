import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { ProxyStreamError } from "../../../src/errors.ts";
import {
  bindIdleWatchdog,
  createIdleWatchdog,
  requestTimeout,
  type Schedule,
  watchedStream,
  watchTransfer,
} from "../../../src/streams/idle.ts";

/** A schedule the test drives: records starts and stops, never fires on its own. */
function manualSchedule() {
  const s = { starts: 0, stops: 0, periodMs: 0, running: false };
  const schedule: Schedule = (_tick, periodMs) => {
    s.starts++;
    s.periodMs = periodMs;
    s.running = true;
    return () => {
      s.stops++;
      s.running = false;
    };
  };
  return { s, schedule };
}

function setup(timeoutMs = 1000) {
  const clock = fixedClock(0);
  const { s, schedule } = manualSchedule();
  const dog = createIdleWatchdog({ timeoutMs, clock, schedule });
  return { clock, s, dog };
}

Deno.test("createIdleWatchdog() cuts a transfer idle for the timeout, not before", () => {
  const { clock, dog } = setup(1000);
  let cuts = 0;
  const t = dog.watch(() => cuts++);
  clock.set(999);
  dog.sweep();
  assert.equal(cuts, 0);
  assert.equal(t.cut, false);
  clock.set(1000);
  dog.sweep();
  assert.equal(cuts, 1);
  assert.equal(t.cut, true);
  assert.equal(dog.size, 0);
  clock.set(5000);
  dog.sweep();
  assert.equal(cuts, 1, "onIdle runs once");
});

Deno.test("createIdleWatchdog() counts idleness from the last pass that saw bytes move", () => {
  const { clock, dog } = setup(1000);
  let cuts = 0;
  const t = dog.watch(() => cuts++);
  for (let ms = 250; ms <= 5000; ms += 250) {
    t.moved += 10; // a slow but steady client: bytes between every pass
    clock.set(ms);
    dog.sweep();
  }
  assert.equal(cuts, 0);
  // It stops; the pass at 5000 saw the last change.
  clock.set(5999);
  dog.sweep();
  assert.equal(cuts, 0);
  clock.set(6000);
  dog.sweep();
  assert.equal(cuts, 1);
});

Deno.test("createIdleWatchdog() never cuts an ended transfer", () => {
  const { clock, dog } = setup(1000);
  let cuts = 0;
  const t = dog.watch(() => cuts++);
  t.end();
  t.end(); // idempotent
  clock.set(10_000);
  dog.sweep();
  assert.equal(cuts, 0);
  assert.equal(t.cut, false);
});

Deno.test("createIdleWatchdog() cuts only the idle transfer among several", () => {
  const { clock, dog } = setup(1000);
  const cut: string[] = [];
  const busy = dog.watch(() => cut.push("busy"));
  dog.watch(() => cut.push("idle"));
  clock.set(600);
  busy.moved++;
  dog.sweep();
  clock.set(1200);
  dog.sweep();
  assert.deepEqual(cut, ["idle"]);
  assert.equal(dog.size, 1);
});

Deno.test("createIdleWatchdog() runs its timer only while transfers are watched", () => {
  const { clock, s, dog } = setup(1000);
  assert.equal(s.running, false, "no timer before the first transfer");
  const a = dog.watch(() => {});
  dog.watch(() => {}); // b: cut below
  assert.equal(s.starts, 1, "one timer for every transfer");
  assert.equal(s.periodMs, 250);
  a.end();
  assert.equal(s.running, true);
  clock.set(1000);
  dog.sweep(); // cuts b: the last one
  assert.equal(s.running, false);
  assert.equal(s.stops, 1);
  dog.watch(() => {}).end();
  assert.deepEqual([s.starts, s.stops], [2, 2]);
});

Deno.test("createIdleWatchdog() sweeps every quarter timeout, between 50 ms and 1 s", () => {
  for (const [timeoutMs, period] of [[100, 50], [2000, 500], [60_000, 1000]] as const) {
    const { s, schedule } = manualSchedule();
    createIdleWatchdog({ timeoutMs, clock: fixedClock(0), schedule }).watch(() => {}).end();
    assert.equal(s.periodMs, period, `timeout ${timeoutMs}`);
  }
});

Deno.test("createIdleWatchdog() goes on with the pass when an onIdle throws", () => {
  const clock = fixedClock(0);
  const errors: unknown[] = [];
  const dog = createIdleWatchdog({
    timeoutMs: 10,
    clock,
    schedule: manualSchedule().schedule,
    onError: (e) => errors.push(e),
  });
  let second = false;
  dog.watch(() => {
    throw new Error("boom");
  });
  dog.watch(() => second = true);
  clock.set(10);
  dog.sweep();
  assert.equal(second, true);
  assert.equal(errors.length, 1);
  assert.equal(dog.size, 0);
});

Deno.test("createIdleWatchdog() refuses a timeout that is not positive", () => {
  assert.throws(() => createIdleWatchdog({ timeoutMs: 0 }), RangeError);
  assert.throws(() => createIdleWatchdog({ timeoutMs: NaN }), RangeError);
});

Deno.test("createIdleWatchdog() on the real timer cuts an idle transfer and then stops", async () => {
  const dog = createIdleWatchdog({ timeoutMs: 60, periodMs: 10 });
  const started = Date.now();
  const cut = await new Promise<number>((resolve) => dog.watch(() => resolve(Date.now())));
  assert.ok(cut - started >= 60, `cut after ${cut - started} ms`);
  assert.equal(dog.size, 0); // and the interval is cleared: the test sanitizer checks it
});

Deno.test("watchTransfer() watches only requests the app bound a watchdog to", () => {
  const { clock, dog } = setup(1000);
  const bound = new AbortController().signal;
  const other = new AbortController().signal;
  bindIdleWatchdog(bound, dog);
  let cuts = 0;
  const watched = watchTransfer(bound, () => cuts++);
  const unwatched = watchTransfer(other, () => cuts++);
  const none = watchTransfer(undefined, () => cuts++);
  assert.equal(dog.size, 1);
  clock.set(5000);
  dog.sweep();
  assert.equal(cuts, 1);
  assert.equal(watched.cut, true);
  assert.equal(unwatched.cut, false);
  assert.equal(none.cut, false);
  unwatched.end();
  none.end();
});

Deno.test("requestTimeout() is S3's RequestTimeout", () => {
  const e = requestTimeout();
  assert.equal(e.kind, "RequestTimeout");
  assert.match(e.message, /^Your socket connection to the server was not read from or written to/);
});

Deno.test("watchedStream() returns the stream itself when nothing watches the request", () => {
  const body = new ReadableStream<Uint8Array>();
  assert.equal(watchedStream(body, undefined), body);
  assert.equal(watchedStream(body, new AbortController().signal), body);
});

Deno.test("watchedStream() passes every byte and counts them as progress", async () => {
  const { clock, dog } = setup(1000);
  const signal = new AbortController().signal;
  bindIdleWatchdog(signal, dog);
  const source = ReadableStream.from([new Uint8Array(3), new Uint8Array(5)]);
  const out = await new Response(watchedStream(source, signal)).arrayBuffer();
  assert.equal(out.byteLength, 8);
  assert.equal(dog.size, 0, "ended with the stream");
  clock.set(10_000);
  dog.sweep();
});

Deno.test("watchedStream() fails with RequestTimeout and cancels its source when cut", async () => {
  const { clock, dog } = setup(1000);
  const signal = new AbortController().signal;
  bindIdleWatchdog(signal, dog);
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array(4)); // then nothing more: a client that stalls
    },
    cancel() {
      cancelled = true;
    },
  });
  const reader = watchedStream(source, signal).getReader();
  assert.equal((await reader.read()).value?.byteLength, 4);
  const pending = reader.read();
  clock.set(500);
  dog.sweep(); // saw 4 bytes since the start
  clock.set(1499);
  dog.sweep();
  clock.set(1500);
  dog.sweep();
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof ProxyStreamError);
    assert.equal(e.proxy.kind, "RequestTimeout");
    return true;
  });
  assert.equal(cancelled, true);
});
