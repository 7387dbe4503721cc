import assert from "node:assert/strict";
import { parseLimitsStore } from "../../../src/config/limits.ts";
import { configOf, hasProblem, onlyProblem, problemsOf, withData } from "./_helpers.ts";

const AK = "AKIDAAAAAAAAAAAAAAAA";
const base = withData(
  `credentials:\n  - { access_key_id: ${AK}, secret_access_key: longenough, allowed_scopes: [] }\n` +
    "roles:\n  - { role_id: ci, trusted_oidc_issuers: [https://issuer.example.com], " +
    "allow_any_subject: true, allowed_scopes: [] }\n",
);

Deno.test("parseConfig() reads the issue's limits and quotas, with their defaults", () => {
  const c = configOf(`${base}limits:
  - { match: { anonymous: true }, requests_per_second: 20, burst: 40, bytes_per_second_out: 10485760 }
  - { match: { access_key_id: ${AK} }, requests_per_second: 200 }
  - { match: { role: ci }, requests_per_second: 50 }
  - { match: { bucket: data }, bytes_per_second_out: 104857600 }
  - { match: { anonymous: true }, bytes_per_second_in: 1000, ipv4_prefix: 32, ipv6_prefix: 48 }
quotas:
  - { match: { access_key_id: ${AK} }, bytes_out_per_day: 1073741824, requests_per_month: 1000000 }
limits_store: redis://127.0.0.1:6390/2
`);
  assert.deepEqual(c.limits, [
    {
      name: "limits[0]:anonymous",
      match: { anonymous: true },
      requestsPerSecond: 20,
      burst: 40,
      bytesPerSecondOut: 10485760,
      ipv4Prefix: 24,
      ipv6Prefix: 64,
    },
    { name: `limits[1]:key:${AK}`, match: { accessKeyId: AK }, requestsPerSecond: 200, burst: 200 },
    { name: "limits[2]:role:ci", match: { role: "ci" }, requestsPerSecond: 50, burst: 50 },
    { name: "limits[3]:bucket:data", match: { bucket: "data" }, bytesPerSecondOut: 104857600 },
    {
      name: "limits[4]:anonymous",
      match: { anonymous: true },
      bytesPerSecondIn: 1000,
      ipv4Prefix: 32,
      ipv6Prefix: 48,
    },
  ]);
  assert.deepEqual(c.quotas, [
    {
      name: `quotas[0]:key:${AK}`,
      match: { accessKeyId: AK },
      bytesOutPerDay: 1073741824,
      requestsPerMonth: 1000000,
    },
  ]);
  assert.deepEqual(c.limitsStore, { kind: "redis", host: "127.0.0.1", port: 6390, db: 2 });
  const none = configOf(base);
  assert.equal(none.limits, undefined);
  assert.equal(none.quotas, undefined);
  assert.equal(none.limitsStore, undefined);
});

Deno.test("parseConfig() checks each limit rule at its path and line", () => {
  onlyProblem(`${base}limits:\n  - { match: { bucket: dta }, requests_per_second: 1 }\n`, {
    path: "limits[0].match.bucket",
    message: /'dta' is not a configured bucket \(did you mean data\?\)/,
    line: 8,
  });
  onlyProblem(`${base}limits:\n  - { match: { role: cj }, requests_per_second: 1 }\n`, {
    path: "limits[0].match.role",
    message: /not a configured role/,
  });
  onlyProblem(`${base}limits:\n  - { match: { access_key_id: AKIDX }, requests_per_second: 1 }\n`, {
    path: "limits[0].match.access_key_id",
    message: /not a configured access key id/,
  });
  onlyProblem(
    `${base}limits:\n  - { match: { bucket: data, role: ci }, requests_per_second: 1 }\n`,
    {
      path: "limits[0].match",
      message: /exactly one of anonymous, access_key_id, role, bucket/,
    },
  );
  hasProblem(problemsOf(`${base}limits:\n  - { match: { bucket: data }, burst: 3 }\n`), {
    path: "limits[0].burst",
    message: /needs requests_per_second/,
  });
  onlyProblem(`${base}limits:\n  - { match: { bucket: data } }\n`, {
    path: "limits[0]",
    message: /limits nothing/,
  });
  onlyProblem(`${base}limits:\n  - { match: { anonymous: false }, requests_per_second: 1 }\n`, {
    path: "limits[0].match.anonymous",
    message: /must be true/,
  });
  onlyProblem(`${base}limits:\n  - { match: { bucket: data }, requests_per_second: 0 }\n`, {
    path: "limits[0].requests_per_second",
    message: /at least 1/,
  });
  onlyProblem(
    `${base}limits:\n  - { match: { bucket: data }, requests_per_second: 1, ipv4_prefix: 16 }\n`,
    { path: "limits[0].ipv4_prefix", message: /only an anonymous rule/ },
  );
  onlyProblem(
    `${base}limits:\n  - { match: { anonymous: true }, requests_per_second: 1, ipv6_prefix: 129 }\n`,
    { path: "limits[0].ipv6_prefix", message: /from 1 to 128/ },
  );
  onlyProblem(`${base}limits:\n  - { match: { bucket: data }, requests_per_secnd: 1 }\n`, {
    path: "limits[0].requests_per_secnd",
    message: /did you mean requests_per_second/,
  });
});

Deno.test("parseConfig() reads a rule's name: (its throttled counter's label), unique over both lists", () => {
  const c = configOf(`${base}limits:
  - { name: anon-web, match: { anonymous: true }, requests_per_second: 20 }
  - { match: { bucket: data }, requests_per_second: 5 }
quotas:
  - { name: "ci:monthly", match: { role: ci }, requests_per_month: 10 }
`);
  assert.deepEqual(c.limits?.map((r) => r.name), ["anon-web", "limits[1]:bucket:data"]);
  assert.deepEqual(c.quotas?.map((r) => r.name), ["ci:monthly"]);
  onlyProblem(
    `${base}limits:\n  - { name: x, match: { bucket: data }, requests_per_second: 1 }\n` +
      "quotas:\n  - { name: x, match: { bucket: data }, requests_per_day: 1 }\n",
    { path: "quotas[0].name", message: /duplicate rule name 'x' \(also limits\[0\]\)/ },
  );
  onlyProblem(
    `${base}limits:\n  - { name: "a b", match: { bucket: data }, requests_per_second: 1 }\n`,
    { path: "limits[0].name", message: /metric label/ },
  );
  onlyProblem(
    `${base}limits:\n  - { name: web, match: { anonymous: true }, requests_per_second: 1 }\n` +
      '  - { name: "web:10.0.0.0/24", match: { bucket: data }, requests_per_second: 1 }\n',
    { path: "limits[1].name", message: /starts with the anonymous rule 'web' and a colon/ },
  );
});

Deno.test("parseConfig() checks each quota rule and limits_store", () => {
  onlyProblem(`${base}quotas:\n  - { match: { anonymous: true }, requests_per_day: 1 }\n`, {
    path: "quotas[0].match.anonymous",
    message: /unknown key/,
  });
  onlyProblem(`${base}quotas:\n  - { match: { bucket: data } }\n`, {
    path: "quotas[0]",
    message: /limits nothing/,
  });
  onlyProblem(`${base}quotas:\n  - { match: { bucket: data }, bytes_out_per_week: 1 }\n`, {
    path: "quotas[0].bytes_out_per_week",
    message: /unknown key/,
  });
  onlyProblem(`${base}limits_store: memcached://x\n`, {
    path: "limits_store",
    message: /must be redis:\/\/host/,
  });
});

Deno.test("parseLimitsStore() reads host, port, db and credentials", () => {
  assert.deepEqual(parseLimitsStore("redis://cache"), {
    kind: "redis",
    host: "cache",
    port: 6379,
    db: 0,
  });
  assert.deepEqual(parseLimitsStore("redis://u:p%40ss@[::1]:7000/15"), {
    kind: "redis",
    host: "::1",
    port: 7000,
    db: 15,
    username: "u",
    password: "p@ss",
  });
  for (const bad of ["redis://h/16", "redis://h/x", "http://h", "redis://", "redis://h/0?x=1"]) {
    assert.equal(typeof parseLimitsStore(bad), "string", bad);
  }
});
