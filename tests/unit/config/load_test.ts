import assert from "node:assert/strict";
import { formatProblems } from "../../../src/config/format.ts";
import { CONFIG_DEFAULTS, parseConfig } from "../../../src/config/load.ts";
import { ACTIONS, type Config } from "../../../src/config/types.ts";
import { configOf, envOf, hasProblem, noEnv, problemsOf } from "./_helpers.ts";

/** The complete example of docs/configuration.md, read from the page (the lines below count from its start). */
const PAGE = await Deno.readTextFile(new URL("../../../docs/configuration.md", import.meta.url));
const DOC_EXAMPLE = "\n" +
  (/^## A complete example\n[\s\S]*?```yaml\n([\s\S]*?)```/m.exec(PAGE)?.[1] ?? "");

const DOC_ENV = envOf({
  BACKEND_KEY_ID: "AKIABACKEND",
  BACKEND_SECRET: "backend-secret",
  DEV_SECRET: "dev-secret-value",
});

Deno.test("parseConfig() maps docs/configuration.md's complete example onto the typed Config", () => {
  const expected: Config = {
    listen: "127.0.0.1:8080",
    domain: "s3.example.com",
    region: "us-east-1",
    maxBodyBytes: 5368709120,
    maxConcurrentRequests: 1024,
    clientIdleTimeoutSecs: 60,
    uploadBufferBytes: 32 * 1024 * 1024,
    ownerId: "bucketgate",
    ownerDisplayName: "bucketgate",
    buckets: [
      {
        name: "public-data",
        backend: { type: "fs", root: "./data/public-data" },
        anonymousAccess: true,
        backendPrefix: "v2/",
        allowedRoles: [],
      },
      {
        name: "uploads",
        backend: {
          type: "s3",
          options: {
            endpoint: "http://127.0.0.1:9000",
            bucketName: "uploads",
            region: "us-east-1",
            credentials: { accessKeyId: "AKIABACKEND", secretAccessKey: "backend-secret" },
            forcePathStyle: true,
            requestTimeoutMs: 60_000,
          },
        },
        anonymousAccess: false,
        backendPrefix: "",
        allowedRoles: [],
      },
    ],
    roles: [{
      roleId: "ci-deployer",
      name: "CI deployer",
      trustedOidcIssuers: ["https://token.actions.githubusercontent.com"],
      requiredAudiences: ["sts.example.com"],
      subjectConditions: ["repo:org/app:*"],
      maxSessionDurationSecs: 3600,
      allowedScopes: [
        { bucket: "uploads", prefixes: ["releases/"], actions: ["get_object", "put_object"] },
        { bucket: "{sub}", prefixes: [], actions: ["get_object", "list_bucket"] },
      ],
    }],
    credentials: [{
      accessKeyId: "AKEXAMPLE0000000001",
      secretAccessKey: "dev-secret-value",
      principalName: "dashboard",
      createdAt: new Date("2026-01-01T00:00:00Z"),
      expiresAt: new Date("2027-01-01T00:00:00Z"),
      enabled: true,
      allowedScopes: [{
        bucket: "public-data",
        prefixes: [],
        actions: ["get_object", "list_bucket"],
      }],
    }],
    trustedProxies: [],
    serverTiming: false,
  };
  assert.deepEqual(configOf(DOC_EXAMPLE, DOC_ENV), expected);
});

Deno.test("parseConfig() names the unset variables of docs/configuration.md's example by path", () => {
  const ps = problemsOf(DOC_EXAMPLE, noEnv);
  assert.deepEqual(ps.map((p) => `${p.line}: ${p.path}: ${p.message}`), [
    "21: buckets[1].backend_options.access_key_id: environment variable BACKEND_KEY_ID is not set",
    "22: buckets[1].backend_options.secret_access_key: environment variable BACKEND_SECRET is not set",
    "36: credentials[0].secret_access_key: environment variable DEV_SECRET is not set",
  ]);
});

Deno.test("parseConfig() accepts the embedded config.yaml, backend options included", async () => {
  const text = await Deno.readTextFile(new URL("../../../config.yaml", import.meta.url));
  const c = configOf(text, noEnv);
  assert.equal(c.listen, "127.0.0.1:8080");
  assert.equal(c.region, "us-east-1");
  assert.deepEqual(
    c.buckets.map((b) => [b.name, b.anonymousAccess, b.backend]),
    [
      ["public-data", true, { type: "fs", root: "./data/public-data" }],
      ["private-uploads", false, { type: "fs", root: "./data/private-uploads" }],
    ],
  );
  assert.equal(c.credentials.length, 1);
  const dev = c.credentials[0]!;
  assert.equal(dev.accessKeyId, "AKIDBUCKETGATEDEV001");
  assert.equal(dev.secretAccessKey, "bucketgate-dev-secret-do-not-use-in-production");
  assert.equal(dev.principalName, "dev");
  assert.equal(dev.enabled, true);
  assert.deepEqual(dev.allowedScopes, [
    { bucket: "public-data", prefixes: [], actions: [...ACTIONS] },
    { bucket: "private-uploads", prefixes: [], actions: [...ACTIONS] },
  ]);
});

Deno.test("parseConfig() ships data/public-data/hello.txt for the public bucket", async () => {
  const text = await Deno.readTextFile(
    new URL("../../../data/public-data/hello.txt", import.meta.url),
  );
  assert.equal(text, "Hello from bucketgate!\n");
});

Deno.test("parseConfig() fills every default of a minimal config", () => {
  const c = configOf("buckets: []\n");
  assert.deepEqual(c, {
    listen: CONFIG_DEFAULTS.listen,
    region: "us-east-1",
    maxBodyBytes: 5368709120,
    maxConcurrentRequests: 1024,
    clientIdleTimeoutSecs: 60,
    uploadBufferBytes: 32 * 1024 * 1024,
    ownerId: "bucketgate",
    ownerDisplayName: "bucketgate",
    buckets: [],
    roles: [],
    credentials: [],
    trustedProxies: [],
    serverTiming: false,
  });
});

Deno.test("parseConfig() lists every problem with its path and line", () => {
  const yaml = [
    "lisen: 127.0.0.1:8080", //                        1
    "buckets:", //                                     2
    "  - name: ok-bucket", //                          3
    "    backend_type: memory", //                     4
    "  - name: Bad_Name", //                           5
    "    backend_type: nosuch", //                     6
    "    anonymous_access: true", //                   7
    "    anonymous_acess: true", //                    8
    "credentials:", //                                 9
    "  - access_key_id: short", //                     10
    "    secret_access_key: x", //                     11
    "    allowed_scopes: [{ bucket: nope, actions: [fly] }]", // 12
  ].join("\n");
  const ps = problemsOf(yaml);
  assert.deepEqual(ps.map((p) => [p.line, p.column, p.path]), [
    [1, 1, "lisen"],
    [3, 5, "buckets[0].anonymous_access"],
    [5, 11, "buckets[1].name"],
    [6, 19, "buckets[1].backend_type"],
    [8, 5, "buckets[1].anonymous_acess"],
    [10, 20, "credentials[0].access_key_id"],
    [11, 24, "credentials[0].secret_access_key"],
    [12, 32, "credentials[0].allowed_scopes[0].bucket"],
    [12, 48, "credentials[0].allowed_scopes[0].actions[0]"],
  ]);
  assert.equal(ps[0]!.message, "unknown key (did you mean listen?)");
  assert.equal(ps[1]!.message, "required: true or false");
  assert.equal(ps[4]!.message, "unknown key (did you mean anonymous_access?)");
  assert.equal(
    formatProblems(ps, "c.yaml").split("\n")[4],
    "c.yaml:8:5: buckets[1].anonymous_acess: unknown key (did you mean anonymous_access?)",
  );
});

Deno.test("parseConfig() reports a YAML syntax error with its line and column", () => {
  const ps = problemsOf("buckets:\n  - name: 'unclosed\n");
  assert.equal(ps.length, 1);
  assert.equal(ps[0]!.path, "");
  assert.match(ps[0]!.message, /^YAML syntax: .*quote/);
  assert.equal(ps[0]!.line, 3);
});

Deno.test("parseConfig() reports YAML syntax errors on separate lines, one per line", () => {
  const ps = problemsOf("a: b: c\nd: e\nf: [1\n");
  assert.deepEqual(ps.map((p) => [p.line, p.column]), [[1, 4], [4, 1]]);
  assert.ok(ps.every((p) => p.message.startsWith("YAML syntax: ")));
});

Deno.test("parseConfig() refuses duplicate keys, extra documents and unknown tags", () => {
  assert.deepEqual(
    problemsOf("buckets: []\nlisten: a:1\nlisten: b:2\n").map((p) => [p.line, p.message]),
    [[3, "YAML syntax: Map keys must be unique"]],
  );
  assert.equal(problemsOf("buckets: []\n---\nbuckets: []\n")[0]!.line, 2);
  assert.match(problemsOf("buckets: []\nregion: !secret x\n")[0]!.message, /Unresolved tag/);
});

Deno.test("parseConfig() refuses an empty config and a root that is not a mapping", () => {
  for (const text of ["", "# just a comment\n"]) {
    assert.deepEqual(problemsOf(text), [{
      path: "",
      message: "the config is empty: it needs at least `buckets:`",
      line: 1,
      column: 1,
    }]);
  }
  const ps = problemsOf("- name: x\n");
  assert.equal(ps.length, 1);
  assert.match(ps[0]!.message, /^the config must be a mapping of settings .*not a list$/);
});

Deno.test("parseConfig() requires buckets: but accepts an empty list", () => {
  assert.deepEqual(problemsOf("listen: 127.0.0.1:1\n").map((p) => [p.path, p.message, p.line]), [
    ["buckets", "required: a list of buckets", 1],
  ]);
  assert.deepEqual(configOf("buckets: []\nroles:\ncredentials: []\n").roles, []);
});

Deno.test("parseConfig() reports keys that are not strings", () => {
  hasProblem(problemsOf("buckets: []\n? [a]\n: 1\n"), {
    path: "",
    message: /keys must be plain strings/,
    line: 2,
  });
});

Deno.test("parseConfig() follows YAML anchors and aliases", () => {
  const c = configOf(`
buckets:
  - { name: aaa, backend_type: memory, anonymous_access: false }
credentials:
  - access_key_id: AKIDAAAAAAAAAAAAAAAA
    secret_access_key: longenough
    allowed_scopes:
      - &scope { bucket: aaa, actions: &read [get_object, head_object] }
      - { bucket: "*", actions: *read }
`);
  assert.deepEqual(c.credentials[0]!.allowedScopes, [
    { bucket: "aaa", prefixes: [], actions: ["get_object", "head_object"] },
    { bucket: "*", prefixes: [], actions: ["get_object", "head_object"] },
  ]);
});

Deno.test("parseConfig() result is usable with formatProblems() for every problem", () => {
  const r = parseConfig("buckets: 3\nlisten: []\n", noEnv);
  assert.ok(!r.ok);
  assert.deepEqual(formatProblems(r.error, "x.yaml").split("\n"), [
    "x.yaml:1:10: buckets: must be a list, not the number 3",
    "x.yaml:2:9: listen: must be a string, not a list",
  ]);
});
