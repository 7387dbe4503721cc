/**
 * The presigned-URL cache (issue 30): bounded in entries and bytes, oldest
 * out first; and through authenticate(), an entry is never a verdict — a
 * URL used again is still refused once its key is gone or changed, once it
 * expired, or when anything in it differs.
 */
import assert from "node:assert/strict";
import { type AuthDeps, authenticate } from "../../../src/auth/authenticate.ts";
import { createPresignedCache, type PresignedEntry } from "../../../src/auth/presigned_cache.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { CredentialConfig } from "../../../src/config/types.ts";
import { requestTarget } from "../../../src/http/target.ts";
import { createSigningKeyCache } from "../../../src/sigv4/signing_key.ts";
import { presignQuery } from "../../_support/signer.ts";

const entry = (canonicalQuery: string) => ({ canonicalQuery }) as unknown as PresignedEntry;

Deno.test("createPresignedCache() keeps at most maxEntries, the oldest out first", () => {
  const c = createPresignedCache({ maxEntries: 2, maxBytes: 1 << 20 });
  c.set("a", entry("A"));
  c.set("b", entry("B"));
  c.set("c", entry("C"));
  assert.equal(c.get("a"), undefined);
  assert.equal(c.get("b")?.canonicalQuery, "B");
  assert.equal(c.get("c")?.canonicalQuery, "C");
  assert.equal(c.size.entries, 2);
});

Deno.test("createPresignedCache() keeps at most maxBytes, and never an entry larger than that", () => {
  const c = createPresignedCache({ maxEntries: 100, maxBytes: 4000 });
  const q = (n: number) => String(n).padEnd(500, "x");
  for (let i = 0; i < 10; i++) c.set(q(i), entry(q(i)));
  assert.ok(c.size.bytes <= 4000, String(c.size.bytes));
  assert.equal(c.size.entries, 1);
  assert.equal(c.get(q(9))?.canonicalQuery, q(9));
  c.set("y".repeat(4000), entry(""));
  assert.equal(c.get("y".repeat(4000)), undefined);
  assert.equal(c.size.entries, 1);
});

const KEY: CredentialConfig = {
  accessKeyId: "AKIDCACHE",
  secretAccessKey: "cache-secret",
  principalName: "cache",
  enabled: true,
  allowedScopes: [],
};
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function depsOf(o: { key?: CredentialConfig | null; now?: number; cache: AuthDeps["presigned"] }) {
  const key = o.key === undefined ? KEY : o.key;
  return {
    credentials: new Map(key ? [[key.accessKeyId, key]] : []),
    clock: fixedClock(o.now ?? NOW),
    signingKeys: createSigningKeyCache(),
    ...(o.cache ? { presigned: o.cache } : {}),
  };
}

function outcome(url: string, deps: AuthDeps, method = "GET", host = "gw.test"): string {
  const r = authenticate(
    new Request(url, { method, headers: { host } }),
    requestTarget(url),
    deps,
  );
  return r.ok ? `ok:${r.value.identity.kind}` : r.error.kind;
}

Deno.test("authenticate() keeps a verified presigned URL's query, and still checks key, signature and clock", async () => {
  const cache = createPresignedCache();
  const key = { id: KEY.accessKeyId, secret: KEY.secretAccessKey };
  const query = await presignQuery(key, "http://gw.test/b/k", { signedAt: NOW, expiresIn: 60 });
  const url = `http://gw.test/b/k?${query}`;
  const forged = url.replace(/X-Amz-Signature=[0-9a-f]{64}/, `X-Amz-Signature=${"0".repeat(64)}`);
  assert.equal(outcome(forged, depsOf({ cache })), "SignatureDoesNotMatch");
  assert.equal(cache.size.entries, 0, "a query whose signature fails is not kept");
  assert.equal(outcome(url, depsOf({ cache })), "ok:access_key");
  assert.equal(cache.size.entries, 1);
  assert.equal(outcome(url, depsOf({ cache })), "ok:access_key", "used again, from the cache");
  assert.equal(outcome(url, depsOf({ cache, key: null })), "InvalidAccessKeyId", "key removed");
  assert.equal(
    outcome(url, depsOf({ cache, key: { ...KEY, secretAccessKey: "rotated" } })),
    "SignatureDoesNotMatch",
    "key's secret changed by a reload",
  );
  assert.equal(outcome(url, depsOf({ cache, key: { ...KEY, enabled: false } })), "AccessDenied");
  assert.equal(outcome(url, depsOf({ cache, now: NOW + 61_000 })), "AccessDenied", "expired");
  const moved = url.replace("/b/k?", "/b/other?");
  assert.equal(outcome(moved, depsOf({ cache })), "SignatureDoesNotMatch", "another path");
  // The entry's canonical request begins hashed (method, path, query): the rest still counts.
  assert.ok(cache.get(query)?.prefix, "the first lines' hash kept");
  assert.equal(outcome(url, depsOf({ cache }), "HEAD"), "SignatureDoesNotMatch", "another method");
  assert.equal(outcome(url, depsOf({ cache }), "GET", "gw2.test"), "SignatureDoesNotMatch");
  assert.equal(outcome(url, depsOf({ cache })), "ok:access_key", "and the URL still verifies");
  assert.equal(cache.size.entries, 1);
});
