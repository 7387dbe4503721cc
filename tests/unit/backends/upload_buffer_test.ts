import assert from "node:assert/strict";
import { createUploadBuffer } from "../../../src/backends/upload_buffer.ts";

Deno.test("createUploadBuffer() takes what fits under the limit and gives it back", () => {
  const b = createUploadBuffer(10);
  assert.equal(b.take(6), true);
  assert.equal(b.take(5), false, "6 + 5 is over 10: nothing taken");
  assert.equal(b.held, 6);
  assert.equal(b.take(4), true);
  assert.equal(b.held, 10);
  b.give(6);
  assert.equal(b.held, 4);
  b.give(100);
  assert.equal(b.held, 0, "never below nothing");
});

Deno.test("createUploadBuffer(): a new limit applies to the next take, what is held stays", () => {
  const b = createUploadBuffer(10);
  assert.equal(b.take(8), true);
  b.limit = 4;
  assert.equal(b.held, 8);
  assert.equal(b.take(1), false);
  b.give(8);
  assert.equal(b.take(4), true);
  assert.equal(createUploadBuffer(0).take(1), false, "0: nothing is ever held");
  assert.equal(createUploadBuffer(0).take(0), true);
});
