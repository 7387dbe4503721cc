/**
 * The one query decoding (decodeQuery / queryOf) that the SigV4 verifier and
 * the router share: what a signature covers is what the router executes.
 * For random raw queries, equal canonical query strings imply equal routed
 * parameter lists; the decoder never throws, and where it accepts a query it
 * reads it as WHATWG URLSearchParams does.
 */
import assert from "node:assert/strict";
import { canonicalQueryOf, uriEncode } from "../../src/sigv4/canonical.ts";
import { statusOf } from "../../src/errors.ts";
import { decodeQuery, queryOf, type RequestTarget } from "../../src/http/target.ts";
import { parseS3Request } from "../../src/s3/request.ts";
import { fuzz, mutateString, randomString, type Rng } from "./_fuzz.ts";

/** The verifier's canonical query of a target, or undefined when the query is refused. */
function canonicalOf(rawQuery: string): string | undefined {
  const params = queryOf({ rawPath: "/bucket", rawQuery });
  return params.ok ? canonicalQueryOf(params.value) : undefined;
}

/** The parameters the router hands the operation, or undefined when it refuses the request. */
function routedOf(rawQuery: string): [string, string][] | undefined {
  const target: RequestTarget = { rawPath: "/bucket", rawQuery };
  const r = parseS3Request("GET", target, new Headers({ host: "gateway.test" }));
  return r.ok ? [...r.value.query] : undefined;
}

const HEX = "0123456789ABCDEF";
const hexByte = (rng: Rng, b: number) => {
  const s = "%" + HEX[b >> 4] + HEX[b & 15];
  return rng.chance(0.3) ? s.toLowerCase() : s;
};

/** One of the many spellings of a decoded name or value in a query string. */
function spell(rng: Rng, text: string): string {
  let out = "";
  for (const ch of text) {
    if (ch === " ") out += rng.pick(["+", "%20"]);
    else if (/^[&=+%#]$/.test(ch) || rng.chance(0.4) || ch.codePointAt(0)! < 0x21) {
      for (const b of new TextEncoder().encode(ch)) out += hexByte(rng, b);
    } else out += ch;
  }
  return out;
}

/** A raw query for decoded pairs: random order, random spellings, stray `&`s. */
function spellQuery(rng: Rng, pairs: readonly (readonly [string, string])[]): string {
  const shuffled = [...pairs].sort(() => rng.int(3) - 1);
  return shuffled.map(([k, v]) =>
    // `name` and `name=` are one parameter; an empty name needs its `=`.
    spell(rng, k) + (v === "" && k !== "" && rng.chance(0.5) ? "" : "=" + spell(rng, v)) +
    (rng.chance(0.1) ? "&" : "")
  ).join("&");
}

function randomPairs(rng: Rng): [string, string][] {
  const names = ["prefix", "delimiter", "list-type", "marker", "uploads", "a b", "x+y", ""];
  return Array.from({ length: rng.int(5) }, () =>
    [
      rng.chance(0.6) ? rng.pick(names) : randomString(rng, 6).toWellFormed(),
      rng.chance(0.2) ? "" : randomString(rng, 8).toWellFormed(),
    ] as [string, string]);
}

/** The property itself, for two raw queries. */
function sameCanonicalSameRoute(a: string, b: string): boolean {
  const ca = canonicalOf(a);
  const cb = canonicalOf(b);
  if (ca === undefined || cb === undefined || ca !== cb) return false;
  assert.deepEqual(routedOf(a), routedOf(b), `same canonical ${ca}, different routes`);
  return true;
}

// The two re-spellings of issue 21, and their kin.
const KNOWN: readonly (readonly [string, string])[] = [
  ["prefix=a%2Bb%2F", "prefix=a+b%2F"],
  ["p=x%2F%zz", "p=x%252F%25zz"],
  ["p=%", "p=%25"],
  ["p=%C3", "p=%25C3"],
  ["p=a&p=b", "p=b&p=a"],
  ["p=%EF%BB%BFx", "p=x"],
];

Deno.test("queries of issue 21 that once shared a canonical string now route alike or are refused", () => {
  for (const [a, b] of KNOWN) {
    const ca = canonicalOf(a);
    const cb = canonicalOf(b);
    if (ca !== undefined && ca === cb) assert.deepEqual(routedOf(a), routedOf(b), `${a} ~ ${b}`);
  }
  assert.notEqual(canonicalOf("prefix=a%2Bb%2F"), canonicalOf("prefix=a+b%2F"));
  assert.equal(canonicalOf("p=x%2F%zz"), undefined);
  assert.equal(canonicalOf("p=%C3"), undefined);
  assert.equal(canonicalOf("p=a&p=b"), canonicalOf("p=b&p=a"));
  assert.deepEqual(routedOf("p=b&p=a"), [["p", "a"], ["p", "b"]]);
});

Deno.test("two spellings of the same parameters: equal canonical strings and equal routed parameters", async () => {
  let compared = 0;
  await fuzz("query spellings", { iterations: 6000, budgetMs: 2500 }, ({ rng, note }) => {
    const pairs = randomPairs(rng);
    const a = spellQuery(rng, pairs);
    const b = spellQuery(rng, pairs);
    note({ pairs, a, b });
    assert.ok(sameCanonicalSameRoute(a, b), `spellings of one query disagree: ${a} / ${b}`);
    // and the decoding reads back the pairs, sorted
    const want = [...pairs].sort((x, y) =>
      x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0
    );
    assert.deepEqual(routedOf(a), want);
    compared++;
  });
  assert.ok(compared > 100, `only ${compared} spellings compared`);
});

Deno.test("random raw queries and their mutations: equal canonical strings imply equal routed parameters", async () => {
  let collisions = 0;
  await fuzz(
    "query canonical vs route",
    { iterations: 20_000, budgetMs: 3000 },
    ({ rng, note }) => {
      const a = rng.chance(0.5)
        ? randomString(rng, 16, ["ascii", "percent", "special", "unicode"])
        : spellQuery(rng, randomPairs(rng));
      const b = rng.chance(0.5) ? mutateString(rng, a) : spellQuery(rng, decodedOr(a));
      note({ a, b });
      if (sameCanonicalSameRoute(a, b)) collisions++;
    },
  );
  assert.ok(collisions > 100, `only ${collisions} pairs with equal canonical strings`);
});

function decodedOr(raw: string): [string, string][] {
  const d = decodeQuery(raw);
  return d.ok ? d.value.map(([k, v]) => [k, v]) : [];
}

Deno.test("decodeQuery() never throws, refuses only with 400 InvalidURI, and agrees with URLSearchParams where it accepts", async () => {
  await fuzz("decodeQuery", { iterations: 20_000, budgetMs: 2500 }, ({ rng, note }) => {
    const raw = randomString(rng, 24);
    note(raw);
    const d = decodeQuery(raw);
    if (!d.ok) {
      assert.equal(d.error.kind, "InvalidURI");
      assert.equal(statusOf(d.error), 400);
      const r = parseS3Request("GET", { rawPath: "/b", rawQuery: raw }, new Headers());
      assert.ok(!r.ok && r.error.kind === "InvalidURI", "the router refuses it too");
      return;
    }
    // (a leading "&" keeps URLSearchParams from dropping a leading "?", as URL.searchParams does)
    const whatwg = [...new URLSearchParams("&" + raw)].sort((x, y) =>
      x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0
    );
    assert.deepEqual(d.value.map(([k, v]) => [k, v]), whatwg);
    // the canonical string is the RFC 3986 encoding of exactly these pairs
    const canonical = canonicalQueryOf(d.value);
    assert.equal(
      canonical,
      d.value.map(([k, v]) => [uriEncode(k), uriEncode(v)]).sort((x, y) =>
        x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0
      ).map(([k, v]) => `${k}=${v}`).join("&"),
    );
  });
});
