import assert from "node:assert/strict";
import type { Flags } from "../../../src/cli/flags.ts";
import type { FromWorker, ToWorker } from "../../../src/workers/protocol.ts";
import { runWorker, type WorkerScope } from "../../../src/workers/worker_edge.ts";
import { BAD_NAME, TWO_BUCKETS } from "../cli/_configs.ts";

const FLAGS: Flags = { checkConfig: false, logFormat: "json", logLevel: "error" };
const BIND = { hostname: "127.0.0.1", port: 0 };

/** A worker's global scope in the test: what it posts, and a way to send it messages. */
function scope() {
  const posted: FromWorker[] = [];
  const waiters: { kind: FromWorker["kind"]; resolve: (m: FromWorker) => void }[] = [];
  const s: WorkerScope = {
    postMessage(m) {
      posted.push(m);
      const i = waiters.findIndex((w) => w.kind === m.kind);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    },
    onmessage: null,
  };
  const send = (m: ToWorker) => s.onmessage?.(new MessageEvent("message", { data: m }));
  const next = <K extends FromWorker["kind"]>(kind: K) =>
    new Promise<Extract<FromWorker, { kind: K }>>((resolve) =>
      waiters.push({ kind, resolve: resolve as (m: FromWorker) => void })
    );
  return { s, posted, send, next };
}

const lines: string[] = [];
const accessLog = { write: (l: string) => void lines.push(l), flush() {} };

Deno.test("runWorker(): serves the start's config on its bind, answers metrics, reloads in two phases, drains", async () => {
  const w = scope();
  runWorker(w.s, accessLog);
  const listening = w.next("listening");
  w.send({
    kind: "start",
    id: 2,
    flags: FLAGS,
    source: { name: "c.yaml", text: TWO_BUCKETS },
    bind: BIND,
  });
  const { hostname, port } = await listening;
  assert.equal(hostname, "127.0.0.1");
  assert.ok(port > 0);
  const base = `http://127.0.0.1:${port}`;

  const anon = await fetch(`${base}/two-bucket?list-type=2`);
  assert.equal(anon.status, 200);
  await anon.body?.cancel();

  const metrics = w.next("metrics");
  w.send({ kind: "metrics", seq: 1 });
  const m = await metrics;
  assert.equal(m.seq, 1);
  assert.equal(m.inFlight, 0);
  const served = m.snapshot.counters.requests.reduce((n, s) => n + s.value, 0);
  assert.equal(served, 1);

  const refused = w.next("prepared");
  w.send({ kind: "prepare", seq: 2, source: { name: "bad.yaml", text: BAD_NAME } });
  const r = await refused;
  assert.equal(r.seq, 2);
  assert.match(r.error ?? "", /^reload refused/);

  const prepared = w.next("prepared");
  const renamed = TWO_BUCKETS.replace("two-bucket", "new-bucket");
  w.send({ kind: "prepare", seq: 3, source: { name: "c.yaml", text: renamed } });
  assert.deepEqual(await prepared, { kind: "prepared", seq: 3 });
  const before = await fetch(`${base}/new-bucket?list-type=2`);
  assert.equal(before.status, 404); // prepared, not yet served
  await before.body?.cancel();
  w.send({ kind: "commit", seq: 3 });
  const after = await fetch(`${base}/new-bucket?list-type=2`);
  assert.equal(after.status, 200);
  await after.body?.cancel();

  const drained = w.next("drained");
  w.send({ kind: "drain" });
  await drained;
  await assert.rejects(fetch(`${base}/new-bucket`));
});

Deno.test("runWorker(): a start that cannot load its config posts failed with the reason and stops listening", async () => {
  const w = scope();
  runWorker(w.s, accessLog);
  const failed = w.next("failed");
  w.send({
    kind: "start",
    id: 1,
    flags: FLAGS,
    source: { name: "bad.yaml", text: BAD_NAME },
    bind: BIND,
  });
  const f = await failed;
  assert.match(f.message, /bad\.yaml/);
  assert.equal(w.s.onmessage, null);
  assert.deepEqual(w.posted.map((p) => p.kind), ["failed"]);
});

Deno.test("runWorker(): a drain asked for during the start drains once it serves", async () => {
  const w = scope();
  runWorker(w.s, accessLog);
  const drained = w.next("drained");
  w.send({
    kind: "start",
    id: 1,
    flags: FLAGS,
    source: { name: "c.yaml", text: TWO_BUCKETS },
    bind: BIND,
  });
  w.send({ kind: "drain" });
  await drained;
  assert.deepEqual(w.posted.map((p) => p.kind), ["listening", "drained"]);
});
