import assert from "node:assert/strict";
import { clientSide, createProxyTrust, parseIp } from "../../../src/http/forwarded.ts";

const headers = (h: Record<string, string>) => new Headers(h);
const trust = createProxyTrust({ trustedProxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"] });

function sideOf(h: Record<string, string>, peer: string | undefined, t = trust) {
  const r = clientSide(headers(h), peer, t);
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.value;
}

Deno.test("parseIp() reads IPv4, IPv6 (with ::, zones left out, embedded IPv4) and maps ::ffff:a.b.c.d to IPv4", () => {
  assert.deepEqual(parseIp("10.1.2.3"), Uint8Array.of(10, 1, 2, 3));
  assert.deepEqual(parseIp("::1"), Uint8Array.of(...new Array(15).fill(0), 1));
  assert.deepEqual(
    parseIp("2001:db8::8:800:200c:417a"),
    Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a),
  );
  assert.deepEqual(parseIp("::ffff:192.0.2.1"), Uint8Array.of(192, 0, 2, 1));
  assert.deepEqual(parseIp("[::1]"), parseIp("::1"));
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.2.3.4",
      "::1::",
      "1:2:3:4:5:6:7:8:9",
      "x::1",
      "proxy.local",
      "1.2.3.4:80",
    ]
  ) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

Deno.test("createProxyTrust() matches addresses and CIDR ranges; none configured trusts no one", () => {
  assert.ok(trust);
  assert.ok(trust.trusts("127.0.0.1"));
  assert.ok(trust.trusts("10.255.0.9"));
  assert.ok(trust.trusts("::ffff:10.0.0.1"), "an IPv4-mapped peer of a dual-stack listener");
  assert.ok(trust.trusts("fd12::1"));
  assert.equal(trust.trusts("127.0.0.2"), false);
  assert.equal(trust.trusts("11.0.0.1"), false);
  assert.equal(trust.trusts("fe80::1"), false);
  assert.equal(trust.trusts("not-an-ip"), false);
  assert.equal(createProxyTrust({ trustedProxies: [] }), undefined);
  const all = createProxyTrust({ trustedProxies: ["0.0.0.0/0"] })!;
  assert.ok(all.trusts("203.0.113.7"));
  assert.equal(all.trusts("::2"), false, "an IPv4 range holds no IPv6 address");
});

Deno.test("clientSide() from an untrusted peer ignores every X-Forwarded-* header", () => {
  const spoof = {
    host: "127.0.0.1:8080",
    "x-forwarded-host": "victim.example.com",
    "x-forwarded-proto": "https",
    "x-forwarded-for": "198.51.100.1",
  };
  assert.deepEqual(sideOf(spoof, "192.0.2.50"), {
    host: "127.0.0.1:8080",
    scheme: "http",
    address: "192.0.2.50",
  });
  // With no proxies configured at all, the same.
  assert.deepEqual(clientSide(headers(spoof), "127.0.0.1", undefined), {
    ok: true,
    value: { host: "127.0.0.1:8080", scheme: "http", address: "127.0.0.1" },
  });
});

Deno.test("clientSide() from a trusted proxy takes the client's host, scheme and address", () => {
  assert.deepEqual(
    sideOf({
      host: "127.0.0.1:8080",
      "x-forwarded-host": "S3.Example.com:8443",
      "x-forwarded-proto": "HTTPS",
      "x-forwarded-for": "203.0.113.9",
    }, "127.0.0.1"),
    { host: "S3.Example.com:8443", scheme: "https", address: "203.0.113.9", proxy: "127.0.0.1" },
  );
  // The first entry of a list is the one the client addressed.
  assert.equal(
    sideOf(
      { "x-forwarded-host": "a.example.com, b.internal", "x-forwarded-proto": "https, http" },
      "10.0.0.2",
    ).host,
    "a.example.com",
  );
  // Nothing forwarded: the Host header and the peer.
  assert.deepEqual(sideOf({ host: "gw.local" }, "10.0.0.2"), {
    host: "gw.local",
    scheme: "http",
    address: "10.0.0.2",
    proxy: "10.0.0.2",
  });
});

Deno.test("clientSide() takes the client address as the last X-Forwarded-For entry that is not a trusted proxy", () => {
  const at = (xff: string) => sideOf({ host: "h", "x-forwarded-for": xff }, "127.0.0.1").address;
  // A client may prepend anything; the proxies append what they saw.
  assert.equal(at("1.1.1.1, 203.0.113.9"), "203.0.113.9");
  assert.equal(at("203.0.113.9, 10.0.0.7"), "203.0.113.9", "a second trusted hop is skipped");
  assert.equal(at("2001:db8::5"), "2001:db8::5");
  assert.equal(at("10.0.0.3, 10.0.0.7"), "10.0.0.3", "every hop trusted: the farthest one");
  assert.equal(at("garbage, 10.0.0.7"), "10.0.0.7", "an entry that is no address ends the walk");
});

Deno.test("clientSide() uses public_endpoint where a trusted proxy says nothing of host or scheme", () => {
  const withEndpoint = createProxyTrust({
    trustedProxies: ["127.0.0.1"],
    publicEndpoint: "https://s3.example.com",
  });
  assert.deepEqual(sideOf({ host: "127.0.0.1:8080" }, "127.0.0.1", withEndpoint), {
    host: "s3.example.com",
    scheme: "https",
    address: "127.0.0.1",
    proxy: "127.0.0.1",
  });
  // What the proxy says wins over the setting.
  assert.equal(
    sideOf({ host: "x", "x-forwarded-host": "cdn.example.com" }, "127.0.0.1", withEndpoint).host,
    "cdn.example.com",
  );
  // A direct client is unaffected: it signed the Host it sent.
  assert.equal(
    sideOf({ host: "127.0.0.1:8080" }, "192.0.2.1", withEndpoint).host,
    "127.0.0.1:8080",
  );
});

Deno.test("clientSide() answers a malformed forwarded host or scheme from a trusted proxy with 400 InvalidRequest", () => {
  for (
    const [name, value] of [
      ["x-forwarded-host", "bad host"],
      ["x-forwarded-host", "a.example.com/evil"],
      ["x-forwarded-host", ""],
      ["x-forwarded-proto", "ftp"],
    ] as const
  ) {
    const r = clientSide(headers({ host: "h", [name]: value }), "127.0.0.1", trust);
    assert.ok(!r.ok, `${name}: ${value}`);
    assert.equal(r.error.kind, "InvalidRequest");
    assert.match(r.error.message, new RegExp(name, "i"));
  }
});
