import assert from "node:assert/strict";
import { parseAzOptions } from "../../../../src/config/backend_options/az.ts";
import { azOptionsOf } from "../../../_support/backend_options.ts";

Deno.test("parseAzOptions() wants one way to authorize and valid names", () => {
  const base = { account_name: "acct1", container_name: "data" };
  const paths = (o: Record<string, unknown>) => {
    const r = parseAzOptions(o);
    return r.ok ? [] : r.error.map((p) => p.path);
  };
  assert.deepEqual(paths({ ...base, access_key: "AAAA" }), []);
  assert.deepEqual(paths({ ...base, sas_token: "?sv=1&sig=x" }), []);
  assert.deepEqual(paths({ ...base, skip_signature: true }), []);
  assert.deepEqual(paths(base), ["access_key"]);
  assert.deepEqual(paths({ ...base, access_key: "AAAA", sas_token: "sig=x" }), ["access_key"]);
  assert.deepEqual(paths({ ...base, access_key: "not base64!" }), ["access_key"]);
  assert.deepEqual(paths({ account_name: "Bad_Name", container_name: "A", skip_signature: true }), [
    "account_name",
    "container_name",
  ]);
  assert.deepEqual(paths({ ...base, skip_signature: true, endpoint: "ftp://x", extra: 1 }), [
    "extra",
    "endpoint",
  ]);
  assert.equal(
    azOptionsOf({ ...base, skip_signature: true }).endpoint,
    "https://acct1.blob.core.windows.net",
  );
  assert.deepEqual(azOptionsOf({ ...base, sas_token: "?sv=1&sig=x" }).auth, {
    kind: "sas",
    token: "sv=1&sig=x",
  });
});
