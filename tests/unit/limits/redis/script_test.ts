import assert from "node:assert/strict";
import { ADMIT_SCRIPT, RESERVE_SCRIPT, scriptSha } from "../../../../src/limits/redis/script.ts";

Deno.test("scriptSha() is the SHA-1 hex EVALSHA names a script by", async () => {
  assert.equal(await scriptSha(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  assert.notEqual(await scriptSha(ADMIT_SCRIPT), await scriptSha(RESERVE_SCRIPT));
});
// The scripts themselves run against a real redis-server in store_test.ts.
