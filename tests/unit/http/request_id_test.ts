import assert from "node:assert/strict";
import { randomRequestId } from "../../../src/http/request_id.ts";

Deno.test("randomRequestId() gives 16 upper-case hex digits, distinct across pool refills", () => {
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = randomRequestId();
    assert.match(id, /^[0-9A-F]{16}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 2000);
});

Deno.test("randomRequestId() uses every hex digit in every position", () => {
  const seen = Array.from({ length: 16 }, () => new Set<string>());
  for (let i = 0; i < 2000; i++) [...randomRequestId()].forEach((c, at) => seen[at]!.add(c));
  for (const digits of seen) assert.equal(digits.size, 16);
});
