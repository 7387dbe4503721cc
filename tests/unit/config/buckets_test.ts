import assert from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { Reader } from "../../../src/config/_reader.ts";
import { configOf, hasProblem, noEnv, onlyProblem, problemsOf } from "./_helpers.ts";

const bucket = (fields: string) => `buckets:\n  - ${fields}\n`;

Deno.test("parseConfig() maps a bucket's snake_case fields onto BucketConfig", () => {
  const c = configOf(`
buckets:
  - name: logs.example-1
    backend_type: fs
    anonymous_access: false
    backend_prefix: /tenants/a
    backend_options: { root: ./data/logs }
`);
  assert.deepEqual(c.buckets, [{
    name: "logs.example-1",
    backend: { type: "fs", root: "./data/logs" },
    anonymousAccess: false,
    backendPrefix: "tenants/a/",
    allowedRoles: [],
  }]);
});

Deno.test("parseConfig() requires name, backend_type and an explicit anonymous_access", () => {
  const ps = problemsOf("buckets:\n  - backend_options: {}\n");
  assert.deepEqual(ps.map((p) => [p.path, p.message, p.line, p.column]), [
    ["buckets[0].name", "required", 2, 5],
    ["buckets[0].backend_type", "required", 2, 5],
    ["buckets[0].anonymous_access", "required: true or false", 2, 5],
  ]);
});

Deno.test("parseConfig() refuses anonymous_access that is not a boolean", () => {
  for (const value of ['"true"', "yes", "1", "~"]) {
    const ps = problemsOf(
      bucket(`{ name: abc, backend_type: memory, anonymous_access: ${value} }`),
    );
    assert.equal(ps.length, 1, value);
    assert.equal(ps[0]!.path, "buckets[0].anonymous_access");
    assert.match(ps[0]!.message, value === "~" ? /^required/ : /^must be true or false, not /);
  }
});

Deno.test("parseConfig() refuses a backend_type that is not s3, fs, memory or az", () => {
  onlyProblem(bucket("{ name: abc, backend_type: gcs, anonymous_access: false }"), {
    path: "buckets[0].backend_type",
    message: /^'gcs' is not a backend type: use one of s3, fs, memory, az$/,
    line: 2,
    column: 32,
  });
  onlyProblem(bucket("{ name: abc, backend_type: FS, anonymous_access: false }"), {
    path: "buckets[0].backend_type",
    message: /\(did you mean fs\?\)$/,
  });
  const options: Record<string, string> = {
    s3: "{ bucket_name: b, region: us-east-1, skip_signature: true }",
    fs: "{ root: ./data }",
    memory: "{}",
    az: "{ account_name: acct1, container_name: data, skip_signature: true }",
  };
  for (const t of ["s3", "fs", "memory", "az"]) {
    configOf(
      bucket(
        `{ name: abc, backend_type: ${t}, anonymous_access: false, backend_options: ${
          options[t]
        } }`,
      ),
    );
  }
});

Deno.test("parseConfig() enforces S3 bucket naming", () => {
  const bad: [string, RegExp][] = [
    ["ab", /it has 2 characters \(S3 bucket names are 3–63 characters/],
    ["a".repeat(64), /it has 64 characters/],
    ["Upper", /S3 bucket names are 3–63 characters of lowercase letters, digits, '-' and '\.'/],
    ["under_score", /lowercase letters, digits/],
    ["-leading", /begin and end with a letter or digit/],
    ["trailing.", /begin and end with a letter or digit/],
    ["two..dots", /two adjacent periods/],
    ["192.168.5.4", /formatted as an IP address/],
    ["xn--bucket", /reserved prefix xn--/],
    ["data-s3alias", /reserved suffix/],
    ['"*"', /lowercase letters/],
  ];
  for (const [name, message] of bad) {
    onlyProblem(bucket(`{ name: ${name}, backend_type: memory, anonymous_access: false }`), {
      path: "buckets[0].name",
      message,
      line: 2,
      column: 13,
    });
  }
  for (const name of ["abc", "a".repeat(63), "my-bucket.v2", "123", "0ab"]) {
    configOf(bucket(`{ name: "${name}", backend_type: memory, anonymous_access: false }`));
  }
});

Deno.test("parseConfig() refuses duplicate bucket names", () => {
  const yaml = `
buckets:
  - { name: same, backend_type: memory, anonymous_access: false }
  - { name: other, backend_type: memory, anonymous_access: false }
  - { name: same, backend_type: fs, anonymous_access: true, backend_options: { root: ./x } }
`;
  onlyProblem(yaml, {
    path: "buckets[2].name",
    message: /^duplicate bucket name 'same' \(also buckets\[0\]\.name\)$/,
    line: 5,
    column: 13,
  });
});

Deno.test("parseConfig() normalizes backend_prefix", () => {
  const prefixOf = (p: string) =>
    configOf(
      bucket(
        `{ name: abc, backend_type: memory, anonymous_access: false, backend_prefix: "${p}" }`,
      ),
    ).buckets[0]!.backendPrefix;
  assert.equal(prefixOf(""), "");
  assert.equal(prefixOf("/"), "");
  assert.equal(prefixOf("v2"), "v2/");
  assert.equal(prefixOf("/v2"), "v2/");
  assert.equal(prefixOf("//a/b/"), "a/b/");
  assert.equal(prefixOf("a..b/c"), "a..b/c/");
});

Deno.test("parseConfig() refuses '..' and '.' segments in backend_prefix", () => {
  for (const p of ["..", "a/../b", "../x", "a/./b", "a/.."]) {
    onlyProblem(
      bucket(
        `{ name: abc, backend_type: memory, anonymous_access: false, backend_prefix: "${p}" }`,
      ),
      { path: "buckets[0].backend_prefix", message: /must not contain '\.' or '\.\.' segments/ },
    );
  }
});

Deno.test("parseConfig() requires allowed_roles to name configured roles", () => {
  const yaml = `
buckets:
  - name: abc
    backend_type: memory
    anonymous_access: false
    allowed_roles: [reader, ghost, readr]
roles:
  - role_id: reader
    trusted_oidc_issuers: [https://issuer.example.com]
    subject_conditions: ["reader:*"]
    allowed_scopes: []
`;
  const ps = problemsOf(yaml);
  assert.deepEqual(ps.map((p) => [p.path, p.message, p.line, p.column]), [
    ["buckets[0].allowed_roles[1]", "'ghost' is not a configured role", 6, 29],
    [
      "buckets[0].allowed_roles[2]",
      "'readr' is not a configured role (did you mean reader?)",
      6,
      36,
    ],
  ]);
});

Deno.test("parseConfig() keeps backend_options keys as written and in null-prototype objects", () => {
  const options =
    '{ bucket_name: x, "__proto__": { polluted: true }, request_timeout_secs: 5, skip_signature: true, region: us-east-1 }';
  const doc = parseDocument(`o: ${options}`);
  const o = new Reader(doc, new LineCounter(), noEnv).plain(doc.get("o", true), "o") as Record<
    string,
    unknown
  >;
  assert.equal(Object.getPrototypeOf(o), null);
  assert.deepEqual(Object.keys(o), [
    "bucket_name",
    "__proto__",
    "request_timeout_secs",
    "skip_signature",
    "region",
  ]);
  assert.equal(o.request_timeout_secs, 5);
  // The s3 parser sees the key as written, and refuses it; nothing is polluted.
  const ps = problemsOf(
    bucket(`{ name: abc, backend_type: s3, anonymous_access: false, backend_options: ${options} }`),
  );
  assert.deepEqual(ps.map((p) => `${p.path}: ${p.message}`), [
    "buckets[0].backend_options.__proto__: unknown option for the s3 backend",
  ]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const c = configOf(
    bucket(
      "{ name: abc, backend_type: s3, anonymous_access: false, backend_options: { bucket_name: x, request_timeout_secs: 5, skip_signature: true, region: us-east-1 } }",
    ),
  );
  const backend = c.buckets[0]!.backend;
  assert.equal(backend.type === "s3" && backend.options.requestTimeoutMs, 5000);
});

Deno.test("parseConfig() refuses backend_options that are not a mapping", () => {
  onlyProblem(
    bucket("{ name: abc, backend_type: memory, anonymous_access: false, backend_options: [a] }"),
    { path: "buckets[0].backend_options", message: /must be a mapping/, line: 2, column: 82 },
  );
});

Deno.test("parseConfig() prefixes each backend parser's problems with the bucket's path and line", () => {
  const yaml = `
buckets:
  - name: aaa
    backend_type: s3
    anonymous_access: false
    backend_options:
      bucket_name: x
      skip_signature: true
  - name: bbb
    backend_type: fs
    anonymous_access: false
    backend_options:
      rooot: ./x
  - name: ccc
    backend_type: memory
    anonymous_access: false
    backend_options: { size: 1 }
  - name: ddd
    backend_type: nosuch
    anonymous_access: false
    backend_options: { anything: 1 }
`;
  const r = problemsOf(yaml, noEnv);
  assert.deepEqual(r.map((p) => [p.path, p.message, p.line, p.column]), [
    ["buckets[0].backend_options.region", "required when no endpoint is given", 7, 7],
    [
      "buckets[1].backend_options.root",
      "required: the directory that holds this bucket's objects",
      13,
      7,
    ],
    ["buckets[1].backend_options.rooot", "unknown option for this backend", 13, 14],
    ["buckets[2].backend_options.size", "unknown option for this backend", 17, 30],
    [
      "buckets[3].backend_type",
      "'nosuch' is not a backend type: use one of s3, fs, memory, az",
      19,
      19,
    ],
  ]);
});

Deno.test("parseConfig() does not repeat an unset variable's problem through the backend parser", () => {
  const ps = problemsOf(
    bucket(
      '{ name: abc, backend_type: fs, anonymous_access: false, backend_options: { root: "${DATA_ROOT}" } }',
    ),
    noEnv,
  );
  assert.deepEqual(ps.map((p) => `${p.path}: ${p.message}`), [
    "buckets[0].backend_options.root: environment variable DATA_ROOT is not set",
  ]);
});

Deno.test("parseConfig() reports an alias cycle in backend_options instead of looping", () => {
  hasProblem(
    problemsOf(`
buckets:
  - name: abc
    backend_type: memory
    anonymous_access: false
    backend_options: &loop
      self: [*loop]
`),
    {
      path: "buckets[0].backend_options.self[0]",
      message: /alias refers to a collection/,
      line: 7,
    },
  );
});

Deno.test("parseConfig() reports a bucket entry that is not a mapping", () => {
  onlyProblem("buckets:\n  - just-a-name\n", {
    path: "buckets[0]",
    message: /^must be a mapping \(name, backend_type, .*\), not the string 'just-a-name'$/,
    line: 2,
    column: 5,
  });
});

Deno.test("parseConfig() treats a key without a value as absent", () => {
  const ps = problemsOf("buckets:\n  - { name, backend_type: memory, anonymous_access: false }\n");
  assert.deepEqual(ps.map((p) => [p.path, p.message, p.line]), [[
    "buckets[0].name",
    "required",
    2,
  ]]);
  onlyProblem("buckets:\n  - name:\n    backend_type: memory\n    anonymous_access: false\n", {
    path: "buckets[0].name",
    message: /^required$/,
    line: 2,
  });
});
