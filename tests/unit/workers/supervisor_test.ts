import assert from "node:assert/strict";
import { createMetrics } from "../../../src/admin/metrics.ts";
import type { AccessLogEntry } from "../../../src/log/entry.ts";
import type { FromWorker, ToWorker } from "../../../src/workers/protocol.ts";
import { manualTimers } from "./_fakes.ts";
import {
  createSupervisor,
  type Supervisor,
  type SupervisorOptions,
  type WorkerEvents,
} from "../../../src/workers/supervisor.ts";

/** A worker the test drives: what it was sent, and its events. */
interface FakeWorker {
  readonly id: number;
  readonly sent: ToWorker[];
  readonly events: WorkerEvents;
  terminated: boolean;
}

const SOURCE = { name: "c.yaml", text: "buckets: []" };

function setup(count: number, over: Partial<SupervisorOptions> = {}) {
  const workers: FakeWorker[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const logged: string[] = [];
  const timers = manualTimers();
  const supervisor = createSupervisor({
    count,
    flags: { checkConfig: false, logFormat: "json", logLevel: "info" },
    source: SOURCE,
    bind: { hostname: "127.0.0.1", port: 0 },
    spawn(id, events) {
      const w: FakeWorker = { id, sent: [], events, terminated: false };
      workers.push(w);
      return {
        post: (m) => w.sent.push(m),
        terminate: () => w.terminated = true,
      };
    },
    accessLog: (b) => logged.push(new TextDecoder().decode(b)),
    warn: (l) => warnings.push(l),
    info: (l) => infos.push(l),
    timers,
    ...over,
  });
  /** The latest incarnation of worker `id`. */
  const worker = (id: number) => workers.filter((w) => w.id === id).at(-1)!;
  const tell = (id: number, m: FromWorker) => worker(id).events.message(m);
  const listen = (id: number, port = 9000) =>
    tell(id, { kind: "listening", hostname: "127.0.0.1", port });
  return { supervisor, workers, worker, tell, listen, warnings, infos, logged, timers };
}

async function started(count: number, over: Partial<SupervisorOptions> = {}) {
  const t = setup(count, over);
  const running = t.supervisor.start();
  await Promise.resolve();
  t.listen(1, 9000);
  await tick();
  for (let id = 2; id <= count; id++) t.listen(id, 9000);
  assert.deepEqual(await running, { ok: true, value: { hostname: "127.0.0.1", port: 9000 } });
  return t;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** The seq of the last message of `kind` worker `w` was sent. */
function lastSeq(w: FakeWorker, kind: "prepare" | "metrics"): number {
  const m = w.sent.filter((s) => s.kind === kind).at(-1) as { seq: number } | undefined;
  assert.ok(m, `worker ${w.id} was sent no ${kind}`);
  return m.seq;
}

Deno.test("start() starts the first worker on the config's port, the rest on the port it got", async () => {
  const t = setup(3);
  const running = t.supervisor.start();
  await tick();
  assert.equal(t.workers.length, 1, "the others wait for the first one's port");
  assert.deepEqual(t.worker(1).sent[0], {
    kind: "start",
    id: 1,
    flags: { checkConfig: false, logFormat: "json", logLevel: "info" },
    source: SOURCE,
    bind: { hostname: "127.0.0.1", port: 0 },
    workers: 3,
  });
  t.listen(1, 41000);
  await tick();
  assert.equal(t.workers.length, 3);
  for (const id of [2, 3]) {
    assert.deepEqual((t.worker(id).sent[0] as { bind: unknown }).bind, {
      hostname: "127.0.0.1",
      port: 41000,
    });
    t.listen(id, 41000);
  }
  assert.deepEqual(await running, { ok: true, value: { hostname: "127.0.0.1", port: 41000 } });
  assert.equal(t.supervisor.serving(), 3);
});

Deno.test("start() fails with the reason when a worker cannot start, ending the others", async () => {
  const t = setup(2);
  const running = t.supervisor.start();
  await tick();
  t.listen(1);
  await tick();
  t.tell(2, { kind: "failed", message: "Address in use" });
  assert.deepEqual(await running, { ok: false, error: "worker 2 could not start: Address in use" });
  assert.ok(t.workers.every((w) => w.terminated));
  assert.equal(t.timers.pending().length, 0, "no restart during start");
});

Deno.test("a worker that dies is restarted with doubling back-off, reset after it served a while", async () => {
  const t = await started(2);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    t.worker(2).events.died("Uncaught Error: boom");
    assert.ok(t.worker(2).terminated);
    delays.push(t.timers.pending()[0]!);
    t.timers.advance(delays.at(-1)!);
    t.listen(2);
  }
  assert.deepEqual(delays, [100, 200, 400, 800]);
  assert.match(t.warnings[0]!, /^worker 2 died \(Uncaught Error: boom\); restarting it in 100 ms$/);
  assert.equal(t.infos.filter((l) => l === "worker 2 restarted").length, 4);
  // A start that fails counts as a death too.
  t.worker(2).events.died("boom");
  t.timers.advance(1600);
  t.tell(2, { kind: "failed", message: "Address in use" });
  assert.equal(t.timers.pending()[0], 3200);
  t.timers.advance(3200);
  t.listen(2);
  // Serving 30 s before dying again starts over at 100 ms.
  t.timers.advance(30_000);
  t.worker(2).events.died("boom");
  assert.equal(t.timers.pending()[0], 100);
  // The back-off stops at 30 s.
  const many = await started(1, { backoff: { firstMs: 1000, maxMs: 5000 } });
  for (let i = 0; i < 5; i++) {
    many.worker(1).events.died("x");
    const d = many.timers.pending()[0]!;
    many.timers.advance(d);
    many.listen(1);
    if (i === 4) assert.equal(d, 5000);
  }
});

Deno.test("events of a worker's earlier incarnation are ignored", async () => {
  const t = await started(1);
  const old = t.worker(1);
  old.events.died("boom");
  old.events.died("again");
  old.events.message({ kind: "log", bytes: new TextEncoder().encode("stale\n") });
  assert.equal(t.warnings.length, 1);
  assert.deepEqual(t.logged, []);
  t.timers.advance(100);
  assert.notEqual(t.worker(1), old);
  t.tell(1, { kind: "log", bytes: new TextEncoder().encode("line\n") });
  assert.deepEqual(t.logged, ["line\n"]);
});

Deno.test("reload() commits on every worker when all built the config", async () => {
  const t = await started(2);
  const next = { name: "c.yaml", text: "buckets: [x]" };
  const r = t.supervisor.reload(next);
  await tick();
  for (const id of [1, 2]) {
    assert.deepEqual(t.worker(id).sent.at(-1), {
      kind: "prepare",
      seq: lastSeq(t.worker(id), "prepare"),
      source: next,
    });
    t.tell(id, { kind: "prepared", seq: lastSeq(t.worker(id), "prepare") });
  }
  assert.deepEqual(await r, { ok: true, value: undefined });
  for (const id of [1, 2]) assert.equal(t.worker(id).sent.at(-1)!.kind, "commit");
  // A worker restarted later starts with the new config.
  t.worker(2).events.died("boom");
  t.timers.advance(100);
  assert.deepEqual((t.worker(2).sent[0] as { source: unknown }).source, next);
});

Deno.test("reload() is all or none: one worker's refusal aborts the others", async () => {
  const t = await started(2);
  const r = t.supervisor.reload({ name: "c.yaml", text: "new" });
  await tick();
  t.tell(1, { kind: "prepared", seq: lastSeq(t.worker(1), "prepare") });
  t.tell(2, {
    kind: "prepared",
    seq: lastSeq(t.worker(2), "prepare"),
    error: "reload refused; keeping the old config:\nc.yaml: buckets[0]: bad",
  });
  assert.deepEqual(await r, {
    ok: false,
    error: "reload refused; keeping the old config:\nc.yaml: buckets[0]: bad",
  });
  assert.equal(t.worker(1).sent.at(-1)!.kind, "abort");
  assert.equal(t.worker(2).sent.at(-1)!.kind, "prepare", "the refusing worker built nothing");
  t.worker(1).events.died("boom");
  t.timers.advance(100);
  assert.deepEqual(
    (t.worker(1).sent[0] as { source: unknown }).source,
    SOURCE,
    "still the old one",
  );
});

Deno.test("reload() refuses when a worker does not answer in time, or dies meanwhile", async () => {
  const t = await started(2, { replyTimeoutMs: 1000 });
  const r = t.supervisor.reload({ name: "c.yaml", text: "new" });
  await tick();
  t.tell(1, { kind: "prepared", seq: lastSeq(t.worker(1), "prepare") });
  t.timers.advance(1000);
  const out = await r;
  assert.ok(!out.ok);
  assert.match(out.error, /^reload refused; keeping the old config: a worker did not answer$/);
  assert.equal(t.worker(1).sent.at(-1)!.kind, "abort");
  const r2 = t.supervisor.reload({ name: "c.yaml", text: "new" });
  await tick();
  t.worker(2).events.died("boom");
  t.tell(1, { kind: "prepared", seq: lastSeq(t.worker(1), "prepare") });
  const out2 = await r2;
  assert.ok(!out2.ok);
  assert.equal(t.worker(1).sent.at(-1)!.kind, "abort", "worker 1 built it, and drops it");
});

function entry(): AccessLogEntry {
  return {
    requestId: "r",
    method: "GET",
    status: 200,
    totalMs: 1,
    operation: "GetObject",
    bucket: "b",
  } as AccessLogEntry;
}

async function scrape(t: Awaited<ReturnType<typeof started>>, counts: Record<number, number>) {
  const m = t.supervisor.metrics();
  await tick();
  for (const [id, n] of Object.entries(counts)) {
    const reg = createMetrics();
    const observe = reg.observer(["b"]);
    for (let i = 0; i < n; i++) observe(entry());
    t.tell(Number(id), {
      kind: "metrics",
      seq: lastSeq(t.worker(Number(id)), "metrics"),
      snapshot: reg.snapshot(),
      inFlight: Number(id),
    });
  }
  return await m;
}

Deno.test("metrics() sums the workers, keeps a dead worker's last counts, sums in-flight", async () => {
  const t = await started(2);
  const first = await scrape(t, { 1: 3, 2: 4 });
  assert.equal(first.snapshot.counters.requests[0]!.value, 7);
  assert.equal(first.snapshot.latency[0]!.n, 7);
  assert.equal(first.inFlight, 3);
  t.worker(1).events.died("boom");
  t.timers.advance(100);
  t.listen(1);
  const after = await scrape(t, { 1: 1, 2: 5 });
  assert.equal(after.snapshot.counters.requests[0]!.value, 3 + 1 + 5, "the dead one's 3 stay");
});

Deno.test("metrics() counts a worker that does not answer with what it said last", async () => {
  const t = await started(2, { replyTimeoutMs: 500 });
  await scrape(t, { 1: 2, 2: 2 });
  const m = t.supervisor.metrics();
  await tick();
  t.timers.advance(500);
  assert.equal((await m).snapshot.counters.requests[0]!.value, 4);
});

Deno.test("drain() asks every worker to drain, waits for all, ends them, and restarts none", async () => {
  const t = await started(2);
  t.worker(2).events.died("boom"); // waiting for its restart
  let done = false;
  const d = t.supervisor.drain().then(() => done = true);
  await tick();
  assert.equal(t.worker(1).sent.at(-1)!.kind, "drain");
  assert.equal(t.timers.pending().length, 1, "the restart was cancelled; the drain's limit runs");
  t.tell(1, { kind: "log", bytes: new TextEncoder().encode("last\n") });
  await tick();
  assert.equal(done, false);
  t.tell(1, { kind: "drained" });
  await d;
  assert.ok(t.worker(1).terminated);
  assert.deepEqual(t.logged, ["last\n"], "lines sent before `drained` are written");
  assert.equal(t.workers.length, 2, "no new worker");
});

Deno.test("drain() ends the workers after its limit when one never drains", async () => {
  const t = await started(2, { drainTimeoutMs: 1000 });
  const d = t.supervisor.drain();
  await tick();
  t.tell(1, { kind: "drained" });
  t.timers.advance(1000);
  await d;
  assert.ok(t.worker(2).terminated);
});

Deno.test("crash() sends the test hook to one worker", async () => {
  const t: { supervisor: Supervisor; worker: (id: number) => FakeWorker } = await started(2);
  t.supervisor.crash(2);
  assert.deepEqual(t.worker(2).sent.at(-1), { kind: "crash" });
  assert.notDeepEqual(t.worker(1).sent.at(-1), { kind: "crash" });
});

Deno.test("a worker starting during a reload is brought to the new config once it listens", async () => {
  const t = await started(2);
  t.worker(2).events.died("boom");
  t.timers.advance(100); // worker 2 is starting, with the old config
  const next = { name: "c.yaml", text: "new" };
  const r = t.supervisor.reload(next);
  await tick();
  t.tell(1, { kind: "prepared", seq: lastSeq(t.worker(1), "prepare") });
  assert.ok((await r).ok);
  assert.deepEqual((t.worker(2).sent[0] as { source: unknown }).source, SOURCE);
  t.listen(2);
  await tick();
  assert.deepEqual(t.worker(2).sent.at(-1), {
    kind: "prepare",
    seq: lastSeq(t.worker(2), "prepare"),
    source: next,
  });
  t.tell(2, { kind: "prepared", seq: lastSeq(t.worker(2), "prepare") });
  await tick();
  assert.equal(t.worker(2).sent.at(-1)!.kind, "commit");
});
