/**
 * In-process tests: the query a signature covers is the query the router
 * executes (issue 21). One strict decoding serves both, so a signed query
 * cannot be re-spelled into another listing, and a query that does not
 * decode is refused with 400 InvalidURI before any signature check.
 */
import assert from "node:assert/strict";
import { ADMIN, BASE, errorCode, type Harness, harness, makeRequest, send } from "./_harness.ts";

async function withKeys(keys: readonly string[]): Promise<Harness> {
  const h = harness();
  for (const key of keys) {
    const put = await send(h, `/private/${encodeURI(key)}`, {
      method: "PUT",
      key: ADMIN,
      body: key,
    });
    assert.equal(put.status, 200, key);
    await put.body?.cancel();
  }
  return h;
}

const keysOf = (xml: string) => [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);

/** The signed request `signedQuery` stood for, sent with `sentQuery` instead. */
async function replay(h: Harness, signedQuery: string, sentQuery: string): Promise<Response> {
  const signed = await makeRequest(`/private?${signedQuery}`, { key: ADMIN });
  return await h.handle(new Request(`${BASE}/private?${sentQuery}`, { headers: signed.headers }));
}

Deno.test("a signed listing of prefix=a%2Bb%2F replayed as prefix=a+b%2F does not list 'a b/'", async () => {
  const h = await withKeys(["a+b/plus.txt", "a b/space.txt"]);
  const honest = await replay(h, "list-type=2&prefix=a%2Bb%2F", "list-type=2&prefix=a%2Bb%2F");
  assert.equal(honest.status, 200);
  assert.deepEqual(keysOf(await honest.text()), ["a+b/plus.txt"]);
  const replayed = await replay(h, "list-type=2&prefix=a%2Bb%2F", "list-type=2&prefix=a+b%2F");
  const text = await replayed.text();
  assert.equal(replayed.status, 403, text);
  assert.doesNotMatch(text, /space\.txt/);
  assert.match(text, /<Code>SignatureDoesNotMatch<\/Code>/);
});

Deno.test("a '+' in the query is a space for the signature too: a client that sends + for a signed %20 verifies", async () => {
  const h = await withKeys(["a+b/plus.txt", "a b/space.txt"]);
  // The test signer signs prefix "a b/" as a%20b%2F; form encoding sends it as a+b%2F.
  const res = await replay(h, "list-type=2&prefix=a%20b%2F", "list-type=2&prefix=a+b%2F");
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(keysOf(await res.text()), ["a b/space.txt"]);
});

Deno.test("a malformed escape in a signed query is refused with InvalidURI, not read two ways", async () => {
  const h = await withKeys(["x/%zz/a.txt", "x%2F%zz/b.txt"]);
  // Signed as prefix "x%2F%zz" (sent x%252F%25zz); the replay sends x%2F%zz.
  const honest = await replay(
    h,
    "list-type=2&prefix=x%252F%25zz",
    "list-type=2&prefix=x%252F%25zz",
  );
  assert.equal(honest.status, 200);
  assert.deepEqual(keysOf(await honest.text()), ["x%2F%zz/b.txt"]);
  const replayed = await replay(h, "list-type=2&prefix=x%252F%25zz", "list-type=2&prefix=x%2F%zz");
  const text = await replayed.text();
  assert.equal(replayed.status, 400, text);
  assert.match(text, /<Code>InvalidURI<\/Code>/);
  assert.match(text, /Couldn&apos;t parse the specified URI/);
});

Deno.test("queries that do not decode are refused with 400 InvalidURI, signed or not", async () => {
  const h = harness();
  for (
    const q of [
      "list-type=2&prefix=%zz",
      "list-type=2&prefix=%",
      "list-type=2&prefix=%4",
      "list-type=2&prefix=%C3",
      "list-type=2&prefix=%ED%A0%80",
      "list-type=2&prefix=%FF",
      "list-type=2&%ZZ=1",
    ]
  ) {
    const anon = await h.handle(new Request(`${BASE}/public?${q}`));
    assert.equal(anon.status, 400, q);
    assert.equal(await errorCode(anon), "InvalidURI", q);
    const signed = await h.handle(
      new Request(`${BASE}/private?${q}`, {
        headers: (await makeRequest("/private?list-type=2", { key: ADMIN })).headers,
      }),
    );
    assert.equal(signed.status, 400, q);
    assert.equal(await errorCode(signed), "InvalidURI", q);
  }
  const head = await h.handle(new Request(`${BASE}/public/k?%zz`, { method: "HEAD" }));
  assert.equal(head.status, 400);
  assert.equal(head.body, null);
});

Deno.test("valid escapes still route: UTF-8, %2F, a BOM, lower-case hex", async () => {
  const h = await withKeys(["é/1", "\ufeffbom/2", "s/3"]);
  for (
    const [q, want] of [
      ["prefix=%C3%A9%2F", "é/1"],
      ["prefix=%c3%a9%2f", "é/1"],
      ["prefix=%EF%BB%BFbom", "\ufeffbom/2"],
      ["prefix=s%2F", "s/3"],
    ] as const
  ) {
    const res = await send(h, `/private?list-type=2&${q}`, { key: ADMIN });
    assert.equal(res.status, 200, q);
    assert.deepEqual(keysOf(await res.text()), [want], q);
  }
});

Deno.test("a path whose key or bucket does not decode to UTF-8 is 400 InvalidURI, signed or not", async () => {
  const h = harness();
  for (
    const path of [
      "/public/%AE%8A-",
      "/public/a%zz",
      "/public/%C3",
      "/public/%ED%A0%80",
      "/pub%FFlic/k",
    ]
  ) {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const anon = await h.handle(new Request(`${BASE}${path}`, { method }));
      assert.equal(anon.status, 400, `${method} ${path}`);
      assert.equal(await errorCode(anon), "InvalidURI", `${method} ${path}`);
    }
    const signed = await h.handle(
      new Request(`${BASE}${path}`, {
        headers: (await makeRequest("/private/k", { key: ADMIN })).headers,
      }),
    );
    assert.equal(signed.status, 400, path);
    assert.equal(await errorCode(signed), "InvalidURI", path);
  }
});
