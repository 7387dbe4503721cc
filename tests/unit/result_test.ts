import assert from "node:assert/strict";
import { err, ok, type Result } from "../../src/result.ts";

Deno.test("ok() wraps a value as a success", () => {
  assert.deepEqual(ok(42), { ok: true, value: 42 });
  assert.deepEqual(ok(undefined), { ok: true, value: undefined });
});

Deno.test("err() wraps an error as a failure", () => {
  assert.deepEqual(err("boom"), { ok: false, error: "boom" });
});

Deno.test("a Result narrows on ok", () => {
  const pick = (r: Result<number, string>): string => r.ok ? `v${r.value}` : `e${r.error}`;
  assert.equal(pick(ok(1)), "v1");
  assert.equal(pick(err("x")), "ex");
});
