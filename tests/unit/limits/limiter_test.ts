import assert from "node:assert/strict";
import { fixedClock } from "../../../src/clock.ts";
import { toResponse } from "../../../src/errors.ts";
import { createLimiter } from "../../../src/limits/limiter.ts";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import { meterResponse } from "../../../src/limits/meter.ts";
import type { Rules } from "../../../src/limits/plan.ts";
import type { CounterStore } from "../../../src/limits/store.ts";

const AK = "AKIDAAAAAAAAAAAAAAAA";
const OTHER = "AKIDBBBBBBBBBBBBBBBB";
const START = Date.UTC(2026, 11, 7, 20, 0);

function setup(rules: Rules) {
  const clock = fixedClock(START);
  const store = createLocalStore();
  const limiter = createLimiter({
    rules: () => rules,
    store,
    clock,
    sleep: () => Promise.resolve(),
  });
  return { clock, store, limiter };
}
const key = (accessKeyId: string) => ({ anonymous: false, accessKeyId, sourceIp: "10.0.0.1" });

Deno.test("a request over its rate is 503 SlowDown with Retry-After; the rate refills", async () => {
  const { clock, limiter } = setup({
    limits: [{ name: "r", match: { accessKeyId: AK }, requestsPerSecond: 5, burst: 5 }],
    quotas: [],
  });
  for (let i = 0; i < 5; i++) assert.ok((await limiter.admit(key(AK), 0)).ok);
  const over = await limiter.admit(key(AK), 0);
  assert.ok(!over.ok);
  const res = toResponse(over.error, "R");
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "1");
  assert.match(await res.text(), /<Code>SlowDown<\/Code>/);
  assert.ok((await limiter.admit(key(OTHER), 0)).ok, "another key is not limited");
  clock.set(START + 2000);
  assert.ok((await limiter.admit(key(AK), 0)).ok);
});

Deno.test("a download that would cross a byte quota is refused whole; only that key", async () => {
  const { clock, limiter, store } = setup({
    limits: [],
    quotas: [{ name: "r", match: { accessKeyId: AK }, bytesOutPerDay: 1048576 }],
  });
  const first = await limiter.admit(key(AK), 0);
  assert.ok(first.ok);
  assert.ok(first.value.checkOut(600_000).ok);
  first.value.done(0, 600_000);
  const second = await limiter.admit(key(AK), 0);
  assert.ok(second.ok, "before dispatch the size is not known: admitted");
  const refused = second.value.checkOut(600_000);
  assert.ok(!refused.ok);
  const res = toResponse(refused.error, "R");
  assert.equal(res.status, 429);
  const retry = Number(res.headers.get("retry-after"));
  assert.equal(retry, (Date.UTC(2026, 11, 8) - START) / 1000, "until the UTC day ends");
  const body = await res.text();
  assert.match(body, /<Code>QuotaExceeded<\/Code>/);
  assert.match(body, /bytes_out_per_day of key:AKIDAAAAAAAAAAAAAAAA \(1048576\)/);
  const rows = await store.read("bucketgate:quota:", clock.now());
  assert.deepEqual(rows.map((r) => r.value), [600_000], "the refused download counted nothing");
  const other = await limiter.admit(key(OTHER), 0);
  assert.ok(other.ok && other.value.checkOut(2_000_000).ok, "another key has no quota");
  assert.ok(second.value.checkOut(448_576).ok, "what still fits is served");
  clock.set(Date.UTC(2026, 11, 8));
  const tomorrow = await limiter.admit(key(AK), 0);
  assert.ok(
    tomorrow.ok && tomorrow.value.checkOut(1_000_000).ok,
    "a new day, a new window",
  );
});

Deno.test("an upload is checked on its Content-Length and counted on its actual bytes", async () => {
  const { limiter } = setup({
    limits: [],
    quotas: [{ name: "r", match: { bucket: "data" }, bytesInPerDay: 100 }],
  });
  const c = { anonymous: true, sourceIp: "10.0.0.1", bucket: "data" };
  const refused = await limiter.admit(c, 101);
  assert.ok(!refused.ok && refused.error.kind === "QuotaExceeded");
  const a = await limiter.admit(c, 100);
  assert.ok(a.ok);
  a.value.done(60, 0);
  assert.ok((await limiter.admit(c, 40)).ok);
  assert.ok(!(await limiter.admit(c, 41)).ok);
});

Deno.test("a requests quota counts admitted requests; rules are read per request (reload)", async () => {
  let rules: Rules = {
    limits: [],
    quotas: [{ name: "r", match: { accessKeyId: AK }, requestsPerDay: 2 }],
  };
  const limiter = createLimiter({
    rules: () => rules,
    store: createLocalStore(),
    clock: fixedClock(START),
    sleep: () => Promise.resolve(),
  });
  assert.ok((await limiter.admit(key(AK), 0)).ok);
  assert.ok((await limiter.admit(key(AK), 0)).ok);
  assert.ok(!(await limiter.admit(key(AK), 0)).ok);
  rules = { limits: [], quotas: [{ name: "r", match: { accessKeyId: AK }, requestsPerDay: 3 }] };
  assert.ok(
    (await limiter.admit(key(AK), 0)).ok,
    "the counter survived the reload, the limit moved",
  );
  assert.ok(!(await limiter.admit(key(AK), 0)).ok);
});

Deno.test("no pacing stage unless a byte rate applies", async () => {
  const { limiter } = setup({
    limits: [{ name: "r", match: { bucket: "data" }, bytesPerSecondOut: 10 }],
    quotas: [],
  });
  const free = await limiter.admit(key(AK), 0);
  assert.ok(free.ok && free.value.paceOut() === undefined && free.value.paceIn() === undefined);
  const paced = await limiter.admit({ ...key(AK), bucket: "data" }, 0);
  assert.ok(paced.ok && paced.value.paceOut() !== undefined && paced.value.paceIn() === undefined);
});

Deno.test("a refusal names its deciding rule (rate or quota, download re-check too); charge() names none", async () => {
  const refused: string[] = [];
  const rules: Rules = {
    limits: [
      { name: "wide", match: { bucket: "data" }, requestsPerSecond: 100, burst: 100 },
      { name: "narrow", match: { accessKeyId: AK }, requestsPerSecond: 2, burst: 2 },
    ],
    quotas: [{ name: "daily", match: { accessKeyId: OTHER }, bytesOutPerDay: 10 }],
  };
  const limiter = createLimiter({
    rules: () => rules,
    store: createLocalStore(),
    clock: fixedClock(START),
    sleep: () => Promise.resolve(),
    onRefused: (rule) => refused.push(rule),
  });
  const inData = { ...key(AK), bucket: "data" };
  await limiter.charge(inData);
  await limiter.charge(inData);
  await limiter.charge(inData);
  assert.deepEqual(refused, [], "a charged request is not answered by the limiter");
  assert.ok(!(await limiter.admit(inData, 0)).ok);
  assert.deepEqual(refused, ["narrow"]);
  const t = await limiter.admit(key(OTHER), 0);
  assert.ok(t.ok);
  assert.ok(!t.value.checkOut(11).ok);
  assert.deepEqual(refused, ["narrow", "daily"]);
});

Deno.test("two rules on one key each keep their own rate: the stricter refuses, the looser counts alone", async () => {
  const refused: string[] = [];
  const store = createLocalStore();
  const limiter = createLimiter({
    rules: () => ({
      limits: [
        { name: "loose", match: { accessKeyId: AK }, requestsPerSecond: 100, burst: 100 },
        { name: "strict", match: { accessKeyId: AK }, requestsPerSecond: 5, burst: 5 },
      ],
      quotas: [],
    }),
    store,
    clock: fixedClock(START),
    sleep: () => Promise.resolve(),
    onRefused: (rule) => refused.push(rule),
  });
  for (let i = 0; i < 5; i++) assert.ok((await limiter.admit(key(AK), 0)).ok, `request ${i}`);
  assert.ok(!(await limiter.admit(key(AK), 0)).ok, "the sixth is over the strict rate");
  assert.deepEqual(refused, ["strict"]);
  assert.deepEqual(await store.read("bucketgate:rate:", START), [
    { key: "bucketgate:rate:req:loose", value: START + 6 * 10 },
    { key: "bucketgate:rate:req:strict", value: START + 6 * 200 },
  ], "each rule's own cell: six requests at 10 ms each in one, at 200 ms each in the other");
});

Deno.test("two quotas of one key on the same amount share its counter, counted once; the stricter decides", async () => {
  const { limiter, store, clock } = setup({
    limits: [],
    quotas: [
      { name: "five", match: { accessKeyId: AK }, requestsPerDay: 5 },
      { name: "three", match: { accessKeyId: AK }, requestsPerDay: 3 },
    ],
  });
  for (let i = 0; i < 3; i++) assert.ok((await limiter.admit(key(AK), 0)).ok, `request ${i}`);
  const over = await limiter.admit(key(AK), 0);
  assert.ok(!over.ok);
  assert.match(await toResponse(over.error, "R").text(), /requests_per_day of key:\w+ \(3\)/);
  assert.deepEqual(await store.read("bucketgate:quota:", clock.now()), [
    { key: `bucketgate:quota:key:${AK}:requests:day:20261207`, value: 3 },
  ]);
});

/** A local store that counts the calls a request waits for and the adds it fires and forgets. */
function spied() {
  const inner = createLocalStore();
  const calls = { awaited: [] as string[], added: [] as number[][] };
  const wait = <A extends unknown[], T>(name: string, f: (...a: A) => Promise<T>) => (...a: A) => {
    calls.awaited.push(name);
    return f(...a);
  };
  const store: CounterStore = {
    ...inner,
    admit: wait("admit", inner.admit),
    admitNow: (...a) => {
      calls.awaited.push("admit");
      return inner.admitNow!(...a);
    },
    reserve: wait("reserve", inner.reserve),
    get: wait("get", inner.get),
    read: wait("read", inner.read),
    reset: wait("reset", inner.reset),
    add(adds, now) {
      calls.added.push(adds.map((a) => a.amount));
      inner.add(adds, now);
    },
  };
  return { store, calls };
}

const body = (n: number) =>
  new Response(new Uint8Array(n), { headers: { "content-length": String(n) } });

Deno.test("a download under a bytes_out quota waits for one store call: the admission carries the use", async () => {
  const { store, calls } = spied();
  const clock = fixedClock(START);
  const limiter = createLimiter({
    rules: () => ({
      limits: [{ name: "r", match: { accessKeyId: AK }, requestsPerSecond: 100 }],
      quotas: [{ name: "q", match: { accessKeyId: AK }, bytesOutPerDay: 1048576 }],
    }),
    store,
    clock,
    sleep: () => Promise.resolve(),
  });
  const download = async (size: number) => {
    calls.awaited.length = 0;
    const t = await limiter.admit(key(AK), 0);
    assert.ok(t.ok);
    const r = await meterResponse(t.value, body(size), () => 0);
    if (r.ok) await r.value.arrayBuffer();
    assert.deepEqual(calls.awaited, ["admit"], "one awaited store call per request");
    return r;
  };
  assert.ok((await download(600_000)).ok);
  assert.deepEqual(calls.added, [[600_000]], "the size reserved at once; all of it sent: no more");
  const crossing = await download(600_000);
  assert.ok(!crossing.ok && crossing.error.kind === "QuotaExceeded", "refused whole");
  assert.deepEqual(calls.added, [[600_000]], "a refused download counts nothing");
  assert.ok((await download(448_576)).ok, "what still fits is served");
  assert.deepEqual(
    (await store.read("bucketgate:quota:", START)).map((r) => r.value),
    [1048576],
  );
});

Deno.test("a download's reserved size is seen by the next one before it ends; a cancelled one gives back the rest", async () => {
  const { store, limiter, clock } = setup({
    limits: [],
    quotas: [{ name: "q", match: { accessKeyId: AK }, bytesOutPerDay: 1000 }],
  });
  const used = async () =>
    (await store.read("bucketgate:quota:", clock.now())).map((r) => r.value)[0] ?? 0;
  const first = await limiter.admit(key(AK), 0);
  assert.ok(first.ok);
  const slow = await meterResponse(
    first.value,
    new Response(ReadableStream.from([new Uint8Array(100), new Uint8Array(500)]), {
      headers: { "content-length": "600" },
    }),
    () => 0,
  );
  assert.ok(slow.ok);
  assert.equal(await used(), 600, "reserved before its first byte");
  const second = await limiter.admit(key(AK), 0);
  assert.ok(second.ok);
  const r = await meterResponse(second.value, body(600), () => 0);
  assert.ok(!r.ok && r.error.kind === "QuotaExceeded", "the first one's bytes are counted already");
  const reader = slow.value.body!.getReader();
  assert.equal((await reader.read()).value?.byteLength, 100);
  await reader.cancel();
  assert.equal(await used(), 100, "cancelled after 100 bytes: 500 given back");
});

Deno.test("a download is checked on its own quota's use when a requests quota comes first", async () => {
  const { limiter } = setup({
    limits: [],
    quotas: [{ name: "r", match: { accessKeyId: AK }, requestsPerDay: 1000, bytesOutPerDay: 1000 }],
  });
  const first = await limiter.admit(key(AK), 0);
  assert.ok(first.ok && first.value.checkOut(900).ok);
  first.value.done(0, 900);
  const second = await limiter.admit(key(AK), 0);
  assert.ok(second.ok);
  assert.ok(!second.value.checkOut(101).ok, "900 of 1000 bytes used, not the 1 request");
  assert.ok(second.value.checkOut(100).ok);
  assert.ok(!second.value.checkOut(1).ok, "what it reserved counts");
});

Deno.test("a store in this process admits at once: no promise per request (issue 30); a remote one answers a promise", async () => {
  const rules = () => ({
    limits: [{ name: "r", match: { accessKeyId: AK }, requestsPerSecond: 100 }],
    quotas: [],
  });
  const deps = { rules, clock: fixedClock(START), sleep: () => Promise.resolve() };
  const local = createLimiter({ ...deps, store: createLocalStore() }).admit(key(AK), 0);
  assert.ok(!(local instanceof Promise) && local.ok);
  const { admitNow: _, ...remote } = createLocalStore();
  const far = createLimiter({ ...deps, store: remote }).admit(key(AK), 0);
  assert.ok(far instanceof Promise);
  assert.ok((await far).ok);
});
