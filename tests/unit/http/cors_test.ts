import assert from "node:assert/strict";
import type { CorsConfig } from "../../../src/config/types.ts";
import { applyCors, preflight } from "../../../src/http/cors.ts";

const CORS: CorsConfig = {
  allowedOrigins: ["https://app.example.com"],
  allowedMethods: ["GET", "PUT"],
  allowedHeaders: ["content-type", "x-amz-date"],
  exposeHeaders: ["ETag", "x-amz-*"],
  maxAgeSecs: 600,
};
const ANY: CorsConfig = { ...CORS, allowedOrigins: ["*"], allowedHeaders: ["*"] };

function ask(headers: Record<string, string>, cors: CorsConfig | undefined = CORS) {
  return preflight(cors, new Headers(headers));
}
const FROM_APP = { origin: "https://app.example.com", "access-control-request-method": "PUT" };

Deno.test("preflight() answers an allowed request with the exact CORS headers", () => {
  const r = ask({ ...FROM_APP, "access-control-request-headers": "Content-Type, X-Amz-Date" });
  assert.ok(r.ok);
  assert.deepEqual(Object.fromEntries(r.headers), {
    "access-control-allow-headers": "content-type, x-amz-date",
    "access-control-allow-methods": "GET, PUT",
    "access-control-allow-origin": "https://app.example.com",
    "access-control-max-age": "600",
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  });
});

Deno.test("preflight() without requested headers sends no Allow-Headers", () => {
  const r = ask(FROM_APP);
  assert.ok(r.ok);
  assert.equal(r.headers.get("access-control-allow-headers"), null);
});

Deno.test("preflight() needs an Origin, then one of S3's five methods (in any case)", () => {
  const app = "https://app.example.com";
  assert.deepEqual(ask({ "access-control-request-method": "GET" }), {
    ok: false,
    refusal: "no-origin",
  });
  assert.deepEqual(ask({}), { ok: false, refusal: "no-origin" });
  assert.deepEqual(ask({ origin: app }), { ok: false, refusal: "bad-method" });
  for (const method of ["OPTIONS", "PATCH", "BLAH"]) {
    assert.deepEqual(ask({ origin: app, "access-control-request-method": method }), {
      ok: false,
      refusal: "bad-method",
    }, method);
  }
  assert.deepEqual(preflight(undefined, new Headers({ origin: app })), {
    ok: false,
    refusal: "bad-method",
  }, "checked before the bucket's CORS, as S3 does");
});

Deno.test("preflight() on a bucket without CORS is not-enabled", () => {
  assert.deepEqual(preflight(undefined, new Headers(FROM_APP)), {
    ok: false,
    refusal: "not-enabled",
  });
});

Deno.test("preflight() refuses an origin, method or header that is not allowed", () => {
  for (
    const headers of [
      { ...FROM_APP, origin: "https://evil.example.com" },
      { ...FROM_APP, "access-control-request-method": "DELETE" },
      { ...FROM_APP, "access-control-request-headers": "content-type, x-secret" },
    ]
  ) {
    assert.deepEqual(ask(headers), { ok: false, refusal: "not-allowed" });
  }
});

Deno.test("preflight() compares the origin without case and the method in upper case", () => {
  const r = ask({ origin: "https://APP.example.com", "access-control-request-method": "put" });
  assert.ok(r.ok);
  assert.equal(r.headers.get("access-control-allow-origin"), "https://APP.example.com");
});

Deno.test("preflight() with * origins and headers allows any and answers *", () => {
  const r = ask(
    { ...FROM_APP, origin: "https://other.test", "access-control-request-headers": "x-anything" },
    ANY,
  );
  assert.ok(r.ok);
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  assert.equal(r.headers.get("access-control-allow-headers"), "x-anything");
});

function apply(cors: CorsConfig | undefined, method: string, origin?: string, response = {}) {
  const h = new Headers(response);
  applyCors(cors, method, new Headers(origin ? { origin } : {}), h);
  return Object.fromEntries(h);
}

Deno.test("applyCors() adds Allow-Origin and expands x-amz-* to the response's x-amz- headers", () => {
  assert.deepEqual(
    apply(CORS, "get", "https://app.example.com", {
      etag: '"e"',
      "x-amz-request-id": "R",
      "x-amz-version-id": "null",
      "content-type": "text/plain",
    }),
    {
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "ETag, x-amz-request-id, x-amz-version-id",
      "content-type": "text/plain",
      etag: '"e"',
      vary: "Origin",
      "x-amz-request-id": "R",
      "x-amz-version-id": "null",
    },
  );
});

Deno.test("applyCors() adds nothing without CORS or without an Origin", () => {
  assert.deepEqual(apply(undefined, "GET", "https://app.example.com"), {});
  assert.deepEqual(apply(CORS, "GET"), {});
});

Deno.test("applyCors() adds only Vary for an origin or method that is not allowed", () => {
  assert.deepEqual(apply(CORS, "GET", "https://evil.example.com"), { vary: "Origin" });
  assert.deepEqual(apply(CORS, "DELETE", "https://app.example.com"), { vary: "Origin" });
});

Deno.test("applyCors() appends to an existing Vary and sends no empty expose list", () => {
  const none: CorsConfig = { ...ANY, exposeHeaders: [] };
  assert.deepEqual(apply(none, "PUT", "https://x.test", { vary: "Accept-Encoding" }), {
    "access-control-allow-origin": "*",
    vary: "Accept-Encoding, Origin",
  });
});
