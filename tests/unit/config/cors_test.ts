import assert from "node:assert/strict";
import { configOf, hasProblem, onlyProblem, problemsOf, withData } from "./_helpers.ts";

/** A config with one top-level setting in front of the `data` bucket. */
const setting = (line: string) => `${line}\n${withData("")}`;

Deno.test("parseConfig() reads cors with its defaults", () => {
  const c = configOf(setting('cors: { allowed_origins: [https://App.example.com, "*"] }'));
  assert.deepEqual(c.cors, {
    allowedOrigins: ["https://app.example.com", "*"],
    allowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
    allowedHeaders: ["*"],
    exposeHeaders: ["ETag", "Content-Range", "Accept-Ranges", "Content-Length", "x-amz-*"],
    maxAgeSecs: 3600,
  });
  const custom = configOf(`cors:
  allowed_origins: [http://localhost:3000]
  allowed_methods: [get, HEAD]
  allowed_headers: [authorization, x-amz-date]
  expose_headers: [ETag]
  max_age_secs: 0
${withData("")}`);
  assert.deepEqual(custom.cors, {
    allowedOrigins: ["http://localhost:3000"],
    allowedMethods: ["GET", "HEAD"],
    allowedHeaders: ["authorization", "x-amz-date"],
    exposeHeaders: ["ETag"],
    maxAgeSecs: 0,
  });
  assert.equal(configOf(setting("")).cors, undefined);
});

Deno.test("parseConfig() checks every cors field", () => {
  hasProblem(problemsOf(setting('cors: { allowed_origin: ["*"] }')), {
    path: "cors.allowed_origin",
    message: /did you mean allowed_origins\?/,
  });
  onlyProblem(setting("cors: { allowed_origins: [] }"), {
    path: "cors.allowed_origins",
    message: /^must name at least one origin, or \*$/,
  });
  onlyProblem(setting("cors: { allowed_origins: [https://a.example.com/app] }"), {
    path: "cors.allowed_origins[0]",
    message: /must be an origin only/,
    line: 1,
    column: 27,
  });
  onlyProblem(setting('cors: { allowed_origins: ["*"], allowed_methods: [GET, PATCH] }'), {
    path: "cors.allowed_methods[1]",
    message: /^'PATCH' is not one of GET, HEAD, PUT, POST, DELETE$/,
  });
  onlyProblem(setting('cors: { allowed_origins: ["*"], expose_headers: ["bad header"] }'), {
    path: "cors.expose_headers[0]",
    message: /is not a header name/,
  });
  onlyProblem(setting('cors: { allowed_origins: ["*"], max_age_secs: 86401 }'), {
    path: "cors.max_age_secs",
    message: /^must be an integer from 0 to 86400/,
  });
});

Deno.test("parseConfig() reads a bucket's own cors, checked like the top-level one", () => {
  const yaml = `buckets:
  - name: site
    backend_type: memory
    anonymous_access: true
    cors: { allowed_origins: [https://app.example.com], allowed_methods: [GET] }
`;
  const c = configOf(yaml);
  assert.deepEqual(c.buckets[0]?.cors?.allowedOrigins, ["https://app.example.com"]);
  assert.deepEqual(c.buckets[0]?.cors?.allowedMethods, ["GET"]);
  onlyProblem(yaml.replace("https://app.example.com", "app.example.com"), {
    path: "buckets[0].cors.allowed_origins[0]",
    message: /is not a URL/,
  });
});
