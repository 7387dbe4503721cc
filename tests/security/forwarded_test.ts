/**
 * The forwarded-header parsers on hostile input: every address a trusted
 * proxy's `X-Forwarded-For` can hold goes through `parseIp`, and every
 * request through `clientSide`.
 */
import assert from "node:assert/strict";
import { clientSide, createProxyTrust, parseIp } from "../../src/http/forwarded.ts";
import { fuzz, mutateString, randomString, type Rng, stringFrom } from "./_fuzz.ts";

/** A random IPv6 address, often with runs of zero groups (what "::" compresses). */
function randomV6(rng: Rng): number[] {
  const groups = Array.from({ length: 8 }, () => rng.chance(0.3) ? rng.int(16) : rng.int(65536));
  if (rng.chance(0.6)) {
    const start = rng.int(8);
    const len = rng.range(1, 8 - start);
    for (let i = start; i < start + len; i++) groups[i] = 0;
  }
  return groups;
}

/** Writes groups in one of the legal notations, chosen at random. */
function write(rng: Rng, groups: number[]): string {
  const hex = (g: number) => {
    const h = g.toString(16);
    const padded = rng.chance(0.2) ? h.padStart(4, "0") : h;
    return rng.chance(0.3) ? padded.toUpperCase() : padded;
  };
  const v4Tail = rng.chance(0.25);
  const head = v4Tail ? groups.slice(0, 6) : groups;
  const tail = v4Tail
    ? [`${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`]
    : [];
  // Compress one run of zero groups (of the hex groups) when there is one and the dice say so.
  const zeros: [number, number][] = [];
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== 0) continue;
    let j = i;
    while (j < head.length && head[j] === 0) j++;
    zeros.push([i, j]);
    i = j;
  }
  let text: string;
  if (zeros.length > 0 && rng.chance(0.7)) {
    const [a, b] = rng.pick(zeros);
    const left = head.slice(0, a).map(hex);
    const right = [...head.slice(b).map(hex), ...tail];
    text = `${left.join(":")}::${right.join(":")}`;
  } else {
    text = [...head.map(hex), ...tail].join(":");
  }
  const dress = rng.int(10); // sometimes bracketed as in a URL, sometimes with a zone
  if (dress === 0) text = `[${text}]`;
  else if (dress === 1) text += "%eth0";
  return text;
}

function bytesOf(groups: number[]): Uint8Array {
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 255;
  });
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  return mapped ? b.slice(12) : b;
}

/** Whether the WHATWG URL parser (an independent IPv6 parser) takes `s` as an IPv6 host. */
function urlAccepts(s: string): boolean {
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

Deno.test("parseIp() reads every notation of a random IPv6 address back to its bytes", async () => {
  await fuzz("parseIp notation", { iterations: 5000 }, ({ rng, note }) => {
    const groups = randomV6(rng);
    const text = write(rng, groups);
    note(text);
    assert.deepEqual(parseIp(text), bytesOf(groups));
  });
});

Deno.test("parseIp() accepts an IPv6 text exactly when the WHATWG URL parser does", async () => {
  await fuzz("parseIp vs URL", { iterations: 5000 }, ({ rng, note }) => {
    const base = rng.chance(0.5) ? write(rng, randomV6(rng)).replace(/^\[|\]$|%eth0$/g, "") : "";
    const s = base && rng.chance(0.6)
      ? mutateString(rng, base)
      : stringFrom(rng, "0123456789abcdefABCDEFg:.", 40);
    if (!s.includes(":") || /[^0-9a-fA-F:.]/.test(s)) return; // the URL parser's other rules differ
    note(s);
    assert.equal(parseIp(s) !== undefined, urlAccepts(s));
  });
});

Deno.test("clientSide() never throws; from a stranger it changes nothing, from a proxy it is ok or 400", async () => {
  const trust = createProxyTrust({ trustedProxies: ["127.0.0.1", "10.0.0.0/8", "::1"] })!;
  const names = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-for", "host"];
  await fuzz("clientSide", { iterations: 3000 }, ({ rng, note }) => {
    const headers = new Headers();
    const raw: Record<string, string> = {};
    for (const name of names) {
      if (!rng.chance(0.7)) continue;
      const value = rng.chance(0.5)
        ? rng.pick(["s3.example.com", "https", "203.0.113.9, 10.0.0.1", "::1", "a.b:443"])
        : randomString(rng, 40, ["ascii", "special", "percent"]);
      try {
        headers.set(name, value);
        raw[name] = value;
      } catch { /* not a header value */ }
    }
    const peer = rng.pick(["127.0.0.1", "10.9.8.7", "::1", "192.0.2.1", "::ffff:10.0.0.1"]);
    note({ raw, peer });
    const r = clientSide(headers, peer, trust);
    if (!trust.trusts(peer)) {
      assert.deepEqual(r, {
        ok: true,
        value: { host: headers.get("host"), scheme: "http", address: peer },
      });
    } else if (!r.ok) {
      assert.equal(r.error.kind, "InvalidRequest");
    } else {
      assert.ok(r.value.address === undefined || parseIp(r.value.address) !== undefined);
      assert.equal(r.value.proxy, peer);
    }
  });
});
