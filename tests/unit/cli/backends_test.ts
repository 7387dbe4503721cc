import assert from "node:assert/strict";
import { buildBackends } from "../../../src/cli/backends.ts";
import { OIDC_ISSUER_MISSING } from "../../../src/backends/factory.ts";
import { configOf } from "../config/_helpers.ts";
import { OIDC_BUCKET, TWO_BUCKETS } from "./_configs.ts";

Deno.test("buildBackends() makes one backend per bucket, by name", () => {
  const r = buildBackends(configOf(TWO_BUCKETS));
  assert.ok(r.ok);
  assert.deepEqual([...r.value.keys()], ["one-bucket", "two-bucket"]);
});

Deno.test("buildBackends() names each bucket whose backend cannot be made", () => {
  const config = configOf(OIDC_BUCKET);
  const r = buildBackends(config);
  assert.deepEqual(r, { ok: false, error: [{ path: "buckets[0]", message: OIDC_ISSUER_MISSING }] });
});
