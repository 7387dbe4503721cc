import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { createLimiter, type Ticket } from "../../../src/limits/limiter.ts";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import { meterResponse, meterUpload } from "../../../src/limits/meter.ts";
import type { Rules } from "../../../src/limits/plan.ts";

const AK = "AKIDAAAAAAAAAAAAAAAA";
const caller = { anonymous: false, accessKeyId: AK, sourceIp: "10.0.0.1", bucket: "data" };

async function ticketFor(rules: Rules) {
  const store = createLocalStore();
  const clock = fixedClock(Date.UTC(2026, 11, 7));
  const limiter = createLimiter({
    rules: () => rules,
    store,
    clock,
    sleep: () => Promise.resolve(),
  });
  const t = await limiter.admit(caller, 0);
  assert.ok(t.ok);
  const counters = async () =>
    Object.fromEntries(
      (await store.read("bucketgate:quota:", clock.now())).map((
        r,
      ) => [r.key.split(":")[4], r.value]),
    );
  return { ticket: t.value, limiter, counters };
}

const download = (n: number, onCancel?: () => void) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(n));
        c.close();
      },
      cancel: () => onCancel?.(),
    }),
    { status: 200, headers: { "content-length": String(n) } },
  );

Deno.test("meterResponse() refuses a download over its quota whole: its body is cancelled, nothing counted", async () => {
  const { ticket, counters } = await ticketFor({
    limits: [],
    quotas: [{ name: "r", match: { accessKeyId: AK }, bytesOutPerDay: 1000 }],
  });
  let cancelled = false;
  const r = await meterResponse(ticket, download(1001, () => (cancelled = true)), () => 0);
  assert.ok(!r.ok && r.error.kind === "QuotaExceeded");
  assert.ok(cancelled, "the backend's body is released");
  assert.deepEqual(await counters(), {});
});

Deno.test("meterResponse() counts what was sent when the body ends; error answers count nothing", async () => {
  const rules: Rules = {
    limits: [],
    quotas: [{ name: "r", match: { accessKeyId: AK }, bytesOutPerDay: 1000, bytesInPerDay: 1000 }],
  };
  const { ticket, counters } = await ticketFor(rules);
  const r = await meterResponse(ticket, download(600), () => 0);
  assert.ok(r.ok);
  assert.equal((await r.value.arrayBuffer()).byteLength, 600);
  assert.deepEqual(await counters(), { bytes_out: 600 });
  const second = await ticketFor(rules);
  const failed = new Response("<Error/>", { status: 500 });
  const e = await meterResponse(second.ticket, failed, () => 50);
  assert.ok(e.ok && e.value === failed, "an error answer passes untouched");
  assert.deepEqual(await second.counters(), {});
});

Deno.test("meterUpload() counts the upload's bytes; a body under no rule is handed on untouched", async () => {
  const { ticket, counters } = await ticketFor({
    limits: [],
    quotas: [{ name: "r", match: { accessKeyId: AK }, bytesInPerDay: 10_000 }],
  });
  const m = meterUpload(ticket, ReadableStream.from([new Uint8Array(300), new Uint8Array(200)]));
  await m.body!.pipeTo(new WritableStream());
  assert.equal(m.bytes(), 500);
  const r = await meterResponse(ticket, new Response(null, { status: 200 }), m.bytes);
  assert.ok(r.ok);
  assert.deepEqual(await counters(), { bytes_in: 500 });
  const free: Ticket = (await ticketFor({ limits: [], quotas: [] })).ticket;
  const body = ReadableStream.from([new Uint8Array(1)]);
  assert.equal(meterUpload(free, body).body, body);
  const res = download(10);
  const same = await meterResponse(free, res, () => 0);
  assert.ok(same.ok && same.value === res);
  await res.body?.cancel();
});

Deno.test("meterResponse() under no byte rule never touches the answer's body (bytes stay bytes for Deno.serve)", async () => {
  const { ticket } = await ticketFor({
    limits: [{ name: "r", match: { accessKeyId: AK }, requestsPerSecond: 1e9, burst: 1e9 }],
    quotas: [],
  });
  let touched = 0;
  class Watched extends Response {
    override get body() {
      touched++;
      return super.body;
    }
  }
  const res = new Watched(new Uint8Array(1024), { headers: { "content-length": "1024" } });
  const r = await meterResponse(ticket, res, () => 0);
  assert.ok(r.ok && r.value === res);
  assert.equal(touched, 0, "a Uint8Array body read as .body becomes a JavaScript stream");
});
