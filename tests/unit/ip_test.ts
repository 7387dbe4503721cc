import assert from "node:assert/strict";
import { inRange, ipText, maskIp, parseIp, parseRange } from "../../src/ip.ts";

Deno.test("parseRange() reads addresses and CIDR ranges of both families, and refuses the rest", () => {
  assert.deepEqual(parseRange("10.0.0.0/8"), { bytes: Uint8Array.of(10, 0, 0, 0), bits: 8 });
  assert.equal(parseRange("::1")?.bits, 128);
  assert.equal(parseRange("2001:db8::/32")?.bits, 32);
  assert.equal(parseRange("192.0.2.7")?.bits, 32);
  for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/8/1", "10.0.0.0/", "x/8", "10.0.0.0/0x8"]) {
    assert.equal(parseRange(bad), undefined, bad);
  }
});

Deno.test("inRange() matches an address in its range only, of its own family", () => {
  const v4 = parseRange("192.168.0.0/23")!;
  assert.ok(inRange(parseIp("192.168.1.200")!, v4));
  assert.ok(!inRange(parseIp("192.168.2.1")!, v4));
  assert.ok(!inRange(parseIp("::1")!, v4));
  const v6 = parseRange("2001:db8:1::/48")!;
  assert.ok(inRange(parseIp("2001:db8:1:ffff::1")!, v6));
  assert.ok(!inRange(parseIp("2001:db8:2::1")!, v6));
  assert.ok(inRange(parseIp("::ffff:192.168.1.1")!, v4), "an IPv4-mapped address is IPv4");
  assert.ok(inRange(parseIp("8.8.8.8")!, parseRange("0.0.0.0/0")!));
});

Deno.test("maskIp() keeps the prefix's bits and ipText() writes the address back", () => {
  assert.equal(ipText(maskIp(parseIp("203.0.113.77")!, 20)), "203.0.112.0");
  assert.equal(ipText(maskIp(parseIp("203.0.113.77")!, 0)), "0.0.0.0");
  assert.equal(ipText(maskIp(parseIp("2001:db8:ab:cdef::1")!, 52)), "2001:db8:ab:c000:0:0:0:0");
  assert.equal(ipText(parseIp("::1")!), "0:0:0:0:0:0:0:1");
  assert.equal(ipText(parseIp("::ffff:10.1.2.3")!), "10.1.2.3");
});
