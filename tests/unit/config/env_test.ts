import assert from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { Reader } from "../../../src/config/_reader.ts";
import {
  configOf,
  envOf,
  hasProblem,
  noEnv,
  onlyProblem,
  problemsOf,
  withData,
} from "./_helpers.ts";

const secretCred = (secret: string) =>
  withData(`credentials:
  - access_key_id: AKIDAAAAAAAAAAAAAAAA
    secret_access_key: ${secret}
    allowed_scopes: []
`);

Deno.test("parseConfig() fills ${VAR} in string values from the injected environment", () => {
  const c = configOf(secretCred("${DEV_SECRET}"), envOf({ DEV_SECRET: "from-the-env" }));
  assert.equal(c.credentials[0]!.secretAccessKey, "from-the-env");
});

Deno.test("parseConfig() reports an unset variable with its path and line", () => {
  onlyProblem(secretCred("${DEV_SECRET}"), {
    path: "credentials[0].secret_access_key",
    message: /^environment variable DEV_SECRET is not set$/,
    line: 5,
    column: 24,
  });
});

Deno.test("parseConfig() uses ${VAR:-default} when the variable is unset", () => {
  const c = configOf(
    `listen: "\${HOST:-0.0.0.0}:\${PORT:-9000}"\n${withData("")}`,
    envOf({ PORT: "7000" }),
  );
  assert.equal(c.listen, "0.0.0.0:7000");
});

Deno.test("parseConfig() reads $${ as a literal ${ in a value", () => {
  const c = configOf(secretCred('"pa$${ss}word"'));
  assert.equal(c.credentials[0]!.secretAccessKey, "pa${ss}word");
});

Deno.test("parseConfig() reports a malformed ${...} reference", () => {
  onlyProblem(secretCred('"${DEV SECRET}"'), {
    path: "credentials[0].secret_access_key",
    message: /^malformed reference '\$\{DEV SECRET\}'/,
  });
});

Deno.test("parseConfig() never lets a variable's value add YAML structure", () => {
  const evil = "x\nroles: []\ncredentials:\n  - access_key_id: AKIDEVIL000000000000";
  const c = configOf(secretCred("${DEV_SECRET}"), envOf({ DEV_SECRET: evil }));
  assert.equal(c.credentials.length, 1);
  assert.equal(c.credentials[0]!.secretAccessKey, evil);
});

Deno.test("parseConfig() does not interpolate keys, comments or unknown keys' values", () => {
  const asked: string[] = [];
  const env = (name: string) => {
    asked.push(name);
    return "v";
  };
  const ps = problemsOf(`# \${IN_COMMENT}\nunknown_key: \${IN_UNKNOWN}\n${withData("")}`, env);
  assert.deepEqual(ps.map((p) => p.path), ["unknown_key"]);
  assert.deepEqual(asked, []);
});

Deno.test("parseConfig() reads booleans and integers that come from the environment", () => {
  const yaml = `max_body_bytes: \${MAX}
buckets:
  - name: abc
    backend_type: memory
    anonymous_access: "\${PUBLIC:-false}"
credentials:
  - access_key_id: AKIDAAAAAAAAAAAAAAAA
    secret_access_key: longenough
    enabled: \${ENABLED}
    allowed_scopes: []
roles:
  - role_id: r
    trusted_oidc_issuers: [https://issuer.example.com]
    max_session_duration_secs: \${MAX_SESSION:-7200}
    subject_conditions: [ci]
    allowed_scopes: []
`;
  const c = configOf(yaml, envOf({ MAX: "1024", ENABLED: "false" }));
  assert.equal(c.maxBodyBytes, 1024);
  assert.equal(c.buckets[0]!.anonymousAccess, false);
  assert.equal(c.credentials[0]!.enabled, false);
  assert.equal(c.roles[0]!.maxSessionDurationSecs, 7200);
  const ps = problemsOf(yaml, envOf({ MAX: "big", ENABLED: "yes", PUBLIC: "1" }));
  assert.deepEqual(ps.map((p) => p.path), [
    "max_body_bytes",
    "buckets[0].anonymous_access",
    "credentials[0].enabled",
  ]);
});

Deno.test("parseConfig() reports one problem per unset variable in a value", () => {
  const ps = problemsOf(`listen: "\${HOST}:\${PORT}"\n${withData("")}`, noEnv);
  assert.deepEqual(ps.map((p) => `${p.path}: ${p.message}`), [
    "listen: environment variable HOST is not set",
    "listen: environment variable PORT is not set",
  ]);
});

Deno.test("parseConfig() types unquoted ${VAR}s in backend_options as YAML would, keeps quoted ones strings", () => {
  const env = envOf({ SKIP: "true", TIMEOUT: "30", KEY: "12345678", HOST: "minio" });
  const yaml = `buckets:
  - name: abc
    backend_type: s3
    anonymous_access: false
    backend_options:
      skip_signature: \${SKIP}
      request_timeout_secs: \${TIMEOUT}
      bucket_name: "\${KEY}"
      endpoint: http://\${HOST}:9000
`;
  // A number-typed bucket_name, or a string skip_signature, would be a problem.
  assert.deepEqual(configOf(yaml, env).buckets[0]!.backend, {
    type: "s3",
    options: {
      endpoint: "http://minio:9000",
      bucketName: "12345678",
      region: "us-east-1",
      forcePathStyle: true,
      requestTimeoutMs: 30_000,
    },
  });
  // Lists too, as the reader hands backend_options to the backends' parsers.
  const doc = parseDocument('o: { list: ["${KEY}", plain] }');
  const plain = new Reader(doc, new LineCounter(), env).plain(doc.get("o", true), "o");
  assert.deepEqual({ ...plain as object }, { list: ["12345678", "plain"] });
});

Deno.test("parseConfig() reports unset variables in backend_options by their nested path", () => {
  const yaml = `buckets:
  - name: abc
    backend_type: s3
    anonymous_access: false
    backend_options:
      nested: { list: [ok, "\${NOPE}"] }
      bucket_name: x
      region: us-east-1
      skip_signature: true
`;
  const ps = problemsOf(yaml);
  hasProblem(ps, {
    path: "buckets[0].backend_options.nested.list[1]",
    message: /^environment variable NOPE is not set$/,
    line: 6,
    column: 28,
  });
  // No backend takes a nested option: the s3 parser names the key itself, once.
  assert.deepEqual(ps.map((p) => p.path), [
    "buckets[0].backend_options.nested",
    "buckets[0].backend_options.nested.list[1]",
  ]);
});
