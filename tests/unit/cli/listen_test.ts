import assert from "node:assert/strict";
import { parseListen } from "../../../src/cli/listen.ts";

Deno.test("parseListen() splits HOST:PORT and drops an IPv6 host's brackets", () => {
  assert.deepEqual(parseListen("127.0.0.1:8080"), {
    ok: true,
    value: { hostname: "127.0.0.1", port: 8080 },
  });
  assert.deepEqual(parseListen("[::]:0"), { ok: true, value: { hostname: "::", port: 0 } });
  assert.deepEqual(parseListen("localhost:65535"), {
    ok: true,
    value: { hostname: "localhost", port: 65535 },
  });
});

Deno.test("parseListen() refuses an address without a port, and a port over 65535", () => {
  assert.deepEqual(parseListen("nope"), {
    ok: false,
    error: "listen address must be HOST:PORT, got nope",
  });
  assert.deepEqual(parseListen("::1:80"), {
    ok: false,
    error: "listen address must be HOST:PORT, got ::1:80",
  });
  assert.deepEqual(parseListen("h:123456"), {
    ok: false,
    error: "listen address must be HOST:PORT, got h:123456",
  });
  assert.deepEqual(parseListen("h:65536"), {
    ok: false,
    error: "listen port out of range: h:65536",
  });
});
