import assert from "node:assert/strict";
import { TRANSPORT_ERROR_CODES, TransportError } from "../../../src/transport/transport_error.ts";

Deno.test("TransportError carries its code, message and cause, named TransportError", () => {
  const cause = new Deno.errors.ConnectionReset("reset");
  const e = new TransportError("ConnectionClosed", "Cannot read the response", { cause });
  assert.ok(e instanceof Error);
  assert.equal(e.name, "TransportError");
  assert.equal(e.code, "ConnectionClosed");
  assert.equal(e.message, "Cannot read the response");
  assert.equal(e.cause, cause);
  assert.equal(new TransportError("Truncated", "short").cause, undefined);
});

Deno.test("TRANSPORT_ERROR_CODES lists each failure once", () => {
  assert.deepEqual([...TRANSPORT_ERROR_CODES].sort(), [
    "BodyLengthMismatch",
    "ConnectionClosed",
    "HeadTooLarge",
    "MalformedResponse",
    "Truncated",
  ]);
});
