import assert from "node:assert/strict";
import { send } from "../../../../src/backends/http/send.ts";
import { backendTransport } from "../../../../src/backends/http/wire.ts";

Deno.test("the backends send through `send`, the transport chosen by measurement", () => {
  assert.equal(backendTransport, send);
});
