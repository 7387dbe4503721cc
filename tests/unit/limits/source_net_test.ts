import assert from "node:assert/strict";
import { sourceNetwork } from "../../../src/limits/source_net.ts";

Deno.test("sourceNetwork() cuts IPv4 to /24 and IPv6 to /64, or the configured prefix", () => {
  assert.equal(sourceNetwork("203.0.113.77", 24, 64), "203.0.113.0/24");
  assert.equal(sourceNetwork("203.0.113.77", 32, 64), "203.0.113.77/32");
  assert.equal(sourceNetwork("203.0.113.77", 20, 64), "203.0.112.0/20");
  assert.equal(sourceNetwork("::ffff:10.1.2.3", 24, 64), "10.1.2.0/24", "a mapped IPv4 is IPv4");
  assert.equal(sourceNetwork("2001:db8:1:2:3:4:5:6", 24, 64), "2001:db8:1:2:0:0:0:0/64");
  assert.equal(sourceNetwork("2001:db8::1", 24, 56), "2001:db8:0:0:0:0:0:0/56");
  assert.equal(sourceNetwork("2001:db8:ab:cdef::1", 24, 52), "2001:db8:ab:c000:0:0:0:0/52");
  assert.equal(sourceNetwork("::1", 24, 128), "0:0:0:0:0:0:0:1/128");
  assert.equal(sourceNetwork("not-an-ip", 24, 64), "not-an-ip");
});
