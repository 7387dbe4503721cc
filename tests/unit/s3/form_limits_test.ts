import assert from "node:assert/strict";
import type { Identity } from "../../../src/auth/identity.ts";
import { fixedClock } from "../../../src/clock.ts";
import { createLimiter } from "../../../src/limits/limiter.ts";
import { createLocalStore } from "../../../src/limits/local_store.ts";
import type { Rules } from "../../../src/limits/plan.ts";
import { ok } from "../../../src/result.ts";
import { formLimits } from "../../../src/s3/form_limits.ts";

const AK = "AKIDAAAAAAAAAAAAAAAA";
const NOW = Date.UTC(2026, 11, 7, 20, 0);
const rules: Rules = {
  limits: [{
    name: "anon",
    match: { anonymous: true },
    requestsPerSecond: 1,
    burst: 1,
    ipv4Prefix: 24,
    ipv6Prefix: 64,
  }],
  quotas: [{ name: "key-in", match: { accessKeyId: AK }, bytesInPerDay: 100 }],
};
const signer = { kind: "access_key", accessKeyId: AK } as unknown as Identity;
const from = { sourceIp: "10.0.0.1", bucket: "data", contentLength: 40 };
const stream = (text: string) => new Response(text).body!;

function setup() {
  const store = createLocalStore();
  const refused: string[] = [];
  const limiter = createLimiter({
    rules: () => rules,
    store,
    clock: fixedClock(NOW),
    sleep: () => Promise.resolve(),
    onRefused: (r) => refused.push(r),
  });
  return { store, limiter, refused };
}

Deno.test("formLimits(): the signer is admitted and its file's bytes counted; no anonymous charge", async () => {
  const { store, limiter } = setup();
  const limits = formLimits(limiter, from);
  const file = await limits.admitSigner(signer, stream("x".repeat(30)));
  assert.ok(file.ok);
  await new Response(file.value).arrayBuffer();
  const answer = await limits.settle(ok(new Response(null, { status: 204 })));
  assert.ok(answer.ok);
  assert.deepEqual(
    await store.get([`bucketgate:quota:key:${AK}:bytes_in:day:20261207`], NOW),
    [30],
  );
  assert.deepEqual(await store.read("bucketgate:rate:", NOW), [], "no anonymous rate touched");
});

Deno.test("formLimits(): a form that never named a signer is charged to its source network", async () => {
  const { store, limiter, refused } = setup();
  await formLimits(limiter, from).settle(ok(new Response(null, { status: 403 })));
  assert.equal((await store.read("bucketgate:rate:req:anon:10.0.0.0/24", NOW)).length, 1);
  assert.deepEqual(refused, []);
});

Deno.test("formLimits(): a signer over its quota is refused before the file moves", async () => {
  const { limiter, refused } = setup();
  const limits = formLimits(limiter, { ...from, contentLength: 101 });
  const file = await limits.admitSigner(signer, stream("x"));
  assert.ok(!file.ok);
  assert.equal(file.error.kind, "QuotaExceeded");
  assert.deepEqual(refused, ["key-in"]);
});
