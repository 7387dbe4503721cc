/** uriEncode(), canonicalUri() and canonicalQuery(): round-trips, alphabet, idempotence. */
import assert from "node:assert/strict";
import { canonicalQuery, canonicalUri, uriEncode } from "../../src/sigv4/canonical.ts";
import { decodeQuery, requestTarget } from "../../src/http/target.ts";
import { fuzz, randomString } from "./_fuzz.ts";

Deno.test("uriEncode() output decodes back to well-formed input, in RFC 3986 unreserved + %XX", async () => {
  await fuzz("uriEncode round-trip", { iterations: 10_000, budgetMs: 1500 }, ({ rng, note }) => {
    const s = randomString(rng, 20).toWellFormed();
    const keep = rng.chance(0.5);
    note({ s, keep });
    const out = uriEncode(s, keep);
    assert.equal(decodeURIComponent(out), s);
    assert.match(
      out,
      keep ? /^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*$/ : /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/,
    );
  });
});

Deno.test("uriEncode() of a lone surrogate encodes its U+FFFD replacement and never throws", async () => {
  await fuzz("uriEncode lone surrogates", { iterations: 5000, budgetMs: 1000 }, ({ rng, note }) => {
    const s = randomString(rng, 20, ["ascii", "unicode"]);
    note(s);
    assert.equal(uriEncode(s), uriEncode(s.toWellFormed()));
  });
});

Deno.test("canonicalUri() and canonicalQuery() are idempotent; canonicalQuery() throws only where decodeQuery() refuses", async () => {
  await fuzz("canonical idempotent", { iterations: 10_000, budgetMs: 2000 }, ({ rng, note }) => {
    const path = "/" + randomString(rng, 16);
    const query = randomString(rng, 16);
    note({ path, query });
    const u = canonicalUri(path);
    assert.equal(canonicalUri(u), u);
    if (!decodeQuery(query).ok) {
      assert.throws(() => canonicalQuery(query), TypeError);
      return;
    }
    const q = canonicalQuery(query);
    assert.equal(canonicalQuery(q), q);
    // sorted by name then value, no X-Amz-Signature when excluded
    const pairs = q === "" ? [] : q.split("&").map((p) => p.split("="));
    for (let i = 1; i < pairs.length; i++) {
      const [a, b] = [pairs[i - 1]!, pairs[i]!];
      assert.ok(a[0]! < b[0]! || (a[0] === b[0] && a[1]! <= b[1]!), `unsorted: ${q}`);
    }
    assert.ok(
      !canonicalQuery(query + "&X-Amz-Signature=abc", "X-Amz-Signature").includes(
        "X-Amz-Signature",
      ),
    );
  });
});

Deno.test("canonicalQuery() of a URL's search equals the sorted, re-encoded URLSearchParams", async () => {
  await fuzz(
    "canonical query vs URLSearchParams",
    { iterations: 5000, budgetMs: 1500 },
    ({ rng, note }) => {
      const entries = Array.from({ length: rng.int(5) }, () =>
        [
          randomString(rng, 6).toWellFormed(),
          randomString(rng, 6).toWellFormed(),
        ] as const);
      // encodeURIComponent keeps pairs unambiguous (URLSearchParams would turn space into '+')
      const raw = entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join(
        "&",
      );
      note({ entries });
      const want = entries.filter(([k]) => k !== "")
        .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
        .sort((
          a,
          b,
        ) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`).join("&");
      const got = canonicalQuery(raw);
      // a pair with an empty name is kept as "=value"; compare only named pairs
      assert.equal(got.split("&").filter((p) => p !== "" && !p.startsWith("=")).join("&"), want);
    },
  );
});

Deno.test("requestTarget() agrees with WHATWG URL on pathname and search of any parsed URL", async () => {
  await fuzz("requestTarget vs URL", { iterations: 10_000, budgetMs: 1500 }, ({ rng, note }) => {
    const raw = "http://gateway.test/" + randomString(rng, 20);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return;
    }
    note({ raw, href: url.href });
    const t = requestTarget(url.href);
    assert.equal(t.rawPath, url.pathname);
    assert.equal(t.rawQuery, url.search.replace(/^\?/, ""));
    // and never throws on arbitrary text
    requestTarget(randomString(rng, 30));
  });
});
