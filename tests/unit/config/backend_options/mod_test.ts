import assert from "node:assert/strict";
import { parseBackendOptions } from "../../../../src/config/backend_options/mod.ts";

Deno.test("parseBackendOptions() gives each backend type its typed options", () => {
  assert.deepEqual(parseBackendOptions("memory", {}), { ok: true, value: { type: "memory" } });
  assert.deepEqual(parseBackendOptions("fs", { root: "./data" }), {
    ok: true,
    value: { type: "fs", root: "./data" },
  });
  const s3 = parseBackendOptions("s3", {
    bucket_name: "b",
    region: "eu-west-1",
    skip_signature: true,
  });
  assert.ok(s3.ok && s3.value.type === "s3");
  assert.equal(s3.value.options.endpoint, "https://s3.eu-west-1.amazonaws.com");
  const az = parseBackendOptions("az", {
    account_name: "acct1",
    container_name: "data",
    skip_signature: true,
  });
  assert.ok(az.ok && az.value.type === "az");
  assert.deepEqual(az.value.options.auth, { kind: "anonymous" });
});

Deno.test("parseBackendOptions() names every problem by its path in backend_options", () => {
  assert.deepEqual(parseBackendOptions("memory", { size: 1 }), {
    ok: false,
    error: [{ path: "size", message: "unknown option for this backend" }],
  });
  assert.deepEqual(parseBackendOptions("fs", { rooot: "./x" }), {
    ok: false,
    error: [
      { path: "rooot", message: "unknown option for this backend" },
      { path: "root", message: "required: the directory that holds this bucket's objects" },
    ],
  });
  assert.deepEqual(parseBackendOptions("fs", { root: "" }), {
    ok: false,
    error: [{ path: "root", message: "required: the directory that holds this bucket's objects" }],
  });
  const s3 = parseBackendOptions("s3", {});
  assert.ok(!s3.ok);
  assert.deepEqual(s3.error.map((p) => p.path), ["bucket_name", "region", "access_key_id"]);
});
