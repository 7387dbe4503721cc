import assert from "node:assert/strict";
import { callerOf, createPlanner, isEmpty, planOf, type Rules } from "../../../src/limits/plan.ts";

const NOW = Date.UTC(2026, 11, 7, 20, 0);
const AK = "AKIDAAAAAAAAAAAAAAAA";
const rules: Rules = {
  limits: [
    {
      name: "limits[0]:anonymous",
      match: { anonymous: true },
      requestsPerSecond: 20,
      burst: 40,
      bytesPerSecondOut: 1000,
      ipv4Prefix: 24,
      ipv6Prefix: 64,
    },
    { name: `limits[1]:key:${AK}`, match: { accessKeyId: AK }, requestsPerSecond: 200, burst: 200 },
    { name: "ci-calls", match: { role: "ci" }, requestsPerSecond: 50, burst: 50 },
    { name: "limits[3]:bucket:data", match: { bucket: "data" }, bytesPerSecondIn: 5000 },
  ],
  quotas: [{
    name: "quotas[0]:key:AK",
    match: { accessKeyId: AK },
    bytesOutPerDay: 1024,
    requestsPerMonth: 10,
    bytesInPerDay: 99,
  }],
};

Deno.test("planOf() applies every matching rule: rates keyed by rule (and network), quotas by subject", () => {
  const anon = planOf(rules, { anonymous: true, sourceIp: "198.51.100.9", bucket: "data" }, 0, NOW);
  assert.deepEqual(anon.rates.map((r) => [r.key, r.perUnitMs, r.burst]), [
    ["bucketgate:rate:req:limits[0]:anonymous:198.51.100.0/24", 50, 40],
  ]);
  assert.deepEqual(anon.bytesOut, [{
    key: "bucketgate:rate:out:limits[0]:anonymous:198.51.100.0/24",
    bytesPerSecond: 1000,
  }]);
  assert.deepEqual(anon.bytesIn, [{
    key: "bucketgate:rate:in:limits[3]:bucket:data",
    bytesPerSecond: 5000,
  }]);
  assert.deepEqual(anon.quotas, []);

  const key = planOf(
    rules,
    { anonymous: false, accessKeyId: AK, sourceIp: "198.51.100.9", bucket: "logs" },
    77,
    NOW,
  );
  assert.deepEqual(key.rates.map((r) => r.key), [`bucketgate:rate:req:limits[1]:key:${AK}`]);
  assert.deepEqual(
    key.quotas.map((q) => [q.key, q.limit, q.estimate, q.count, q.endsMs]),
    [
      [`bucketgate:quota:key:${AK}:requests:month:202612`, 10, 1, 1, Date.UTC(2027, 0, 1)],
      [`bucketgate:quota:key:${AK}:bytes_in:day:20261207`, 99, 77, 0, Date.UTC(2026, 11, 8)],
      [`bucketgate:quota:key:${AK}:bytes_out:day:20261207`, 1024, 0, 0, Date.UTC(2026, 11, 8)],
    ],
  );
  assert.match(key.quotas[2]!.name, /^bytes_out_per_day of key:AKID\w+ \(1024\)$/);

  const session = planOf(rules, { anonymous: false, role: "ci", sourceIp: "::1" }, 0, NOW);
  assert.deepEqual(session.rates.map((r) => r.key), ["bucketgate:rate:req:ci-calls"]);
  assert.ok(
    isEmpty(planOf(rules, { anonymous: false, accessKeyId: "OTHER", sourceIp: "::1" }, 0, NOW)),
  );
});

Deno.test("createPlanner() remembers plans, but not across a reload, a new day or an upload's size", () => {
  const planner = createPlanner();
  const c = { anonymous: false, accessKeyId: AK, sourceIp: "10.0.0.1" };
  const a = planner(rules, c, 0, NOW);
  assert.equal(planner(rules, c, 0, NOW + 1000), a, "the same plan object");
  assert.deepEqual(planner(rules, c, 50, NOW), planOf(rules, c, 50, NOW), "the upload's estimate");
  assert.equal(planner(rules, c, 0, NOW), a);
  const reloaded = { ...rules };
  assert.notEqual(planner(reloaded, c, 0, NOW), a);
  const tomorrow = planner(reloaded, c, 0, NOW + 86_400_000);
  assert.match(tomorrow.quotas[1]!.key, /:20261208$/);
});

Deno.test("callerOf() maps an identity: a failed signature and an anonymous call are anonymous", () => {
  assert.deepEqual(callerOf(undefined, "10.0.0.1", "data"), {
    anonymous: true,
    sourceIp: "10.0.0.1",
    bucket: "data",
  });
  assert.deepEqual(callerOf({ kind: "anonymous" }, "::1"), { anonymous: true, sourceIp: "::1" });
  assert.deepEqual(callerOf({ kind: "access_key", accessKeyId: AK }, "::1", "b"), {
    anonymous: false,
    accessKeyId: AK,
    sourceIp: "::1",
    bucket: "b",
  });
  assert.deepEqual(callerOf({ kind: "session", accessKeyId: "ASIAX", roleId: "ci" }, "::1"), {
    anonymous: false,
    accessKeyId: "ASIAX",
    role: "ci",
    sourceIp: "::1",
  });
});

Deno.test("planOf() names a bucket quota by the bucket as the client names it, keyed by the configured one", () => {
  const byBucket: Rules = {
    limits: [],
    quotas: [{ name: "q", match: { bucket: "acme--data" }, requestsPerDay: 5 }],
  };
  const caller = callerOf(undefined, "10.0.0.1", "acme--data", "acme/data");
  const [q] = planOf(byBucket, caller, 0, NOW).quotas;
  assert.equal(q!.name, "requests_per_day of bucket:acme/data (5)");
  assert.match(q!.key, /^bucketgate:quota:bucket:acme--data:requests:day:/);
  const plain = planOf(byBucket, callerOf(undefined, "10.0.0.1", "acme--data"), 0, NOW);
  assert.equal(plain.quotas[0]!.name, "requests_per_day of bucket:acme--data (5)");
});
