/** CORS: preflights answered from a bucket's rules without authentication; headers on every response. */
import assert from "node:assert/strict";
import type { CorsConfig } from "../../src/config/types.ts";
import { ADMIN, errorCode, harness, send, testConfig } from "./_harness.ts";

const APP = "https://app.example.com";
const RULES: CorsConfig = {
  allowedOrigins: [APP],
  allowedMethods: ["GET", "HEAD", "PUT"],
  allowedHeaders: ["authorization", "content-type", "x-amz-date", "x-amz-content-sha256"],
  exposeHeaders: ["ETag", "x-amz-*"],
  maxAgeSecs: 600,
};

/** `public` has its own CORS; `private` inherits the top-level one; `prefixed` has none (no top-level). */
function setup(topLevel?: CorsConfig) {
  const base = testConfig();
  return harness(testConfig({
    ...(topLevel ? { cors: topLevel } : {}),
    buckets: base.buckets.map((b) => b.name === "public" ? { ...b, cors: RULES } : b),
  }));
}

const preflightOf = (h: ReturnType<typeof setup>, path: string, headers: Record<string, string>) =>
  send(h, path, { method: "OPTIONS", headers });

Deno.test("CORS preflight: allowed origin, method and headers get 200 without credentials", async () => {
  const h = setup();
  const res = await preflightOf(h, "/public/photo.jpg", {
    origin: APP,
    "access-control-request-method": "PUT",
    "access-control-request-headers": "Content-Type, X-Amz-Date",
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get("access-control-allow-origin"), APP);
  assert.equal(res.headers.get("access-control-allow-methods"), "GET, HEAD, PUT");
  assert.equal(res.headers.get("access-control-allow-headers"), "content-type, x-amz-date");
  assert.equal(res.headers.get("access-control-max-age"), "600");
  assert.match(res.headers.get("vary") ?? "", /Origin/);
  assert.equal(h.logs.at(-1)?.operation, "CorsPreflight");
});

Deno.test("CORS preflight: refusals are 403 AccessForbidden; an OPTIONS that is no preflight 400 BadRequest", async () => {
  const h = setup();
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      "/public/k",
      { origin: "https://evil.example", "access-control-request-method": "GET" },
      /not allowed/,
    ],
    ["/public/k", { origin: APP, "access-control-request-method": "DELETE" }, /not allowed/],
    ["/public/k", {
      origin: APP,
      "access-control-request-method": "GET",
      "access-control-request-headers": "x-secret",
    }, /not allowed/],
    ["/prefixed/k", { origin: APP, "access-control-request-method": "GET" }, /not enabled/],
  ];
  for (const [path, headers, message] of cases) {
    const res = await preflightOf(h, path, headers);
    const body = await res.clone().text();
    assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`);
    assert.equal(await errorCode(res), "AccessForbidden");
    assert.match(body, message);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  }
  const notPreflights: [Record<string, string>, string][] = [
    [
      { "access-control-request-method": "GET" },
      "Insufficient information. Origin request header needed.",
    ],
    [{}, "Insufficient information. Origin request header needed."],
    [{ origin: APP }, "Invalid Access-Control-Request-Method: null"],
    [
      { origin: APP, "access-control-request-method": "OPTIONS" },
      "Invalid Access-Control-Request-Method: OPTIONS",
    ],
  ];
  for (const [headers, message] of notPreflights) {
    for (const path of ["/public/k", "/prefixed/k"]) {
      const res = await preflightOf(h, path, headers);
      const body = await res.clone().text();
      assert.equal(res.status, 400, `${path} ${JSON.stringify(headers)}: S3's 400, not a 403`);
      assert.equal(await errorCode(res), "BadRequest");
      assert.match(body, new RegExp(`<Message>${message.replace(/[.:]/g, "\\$&")}</Message>`));
    }
  }
  const missing = await preflightOf(h, "/nosuch/k", {
    origin: APP,
    "access-control-request-method": "GET",
  });
  assert.equal(missing.status, 404);
});

Deno.test("CORS headers on every response to an allowed origin, errors included", async () => {
  const h = setup();
  await send(h, "/public/a.txt", { method: "PUT", key: ADMIN, body: "hi" });
  const got = await send(h, "/public/a.txt", { headers: { origin: APP } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get("access-control-allow-origin"), APP);
  const exposed = got.headers.get("access-control-expose-headers") ?? "";
  assert.match(exposed, /ETag/);
  assert.match(exposed, /x-amz-request-id/, "x-amz-* expands to the response's x-amz- headers");
  await got.body?.cancel();

  const missing = await send(h, "/public/nope", { headers: { origin: APP } });
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("access-control-allow-origin"), APP, "errors too");
  await missing.body?.cancel();

  const other = await send(h, "/public/a.txt", { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  assert.match(other.headers.get("vary") ?? "", /Origin/);
  await other.body?.cancel();
});

Deno.test("CORS: no headers for a bucket without rules; the top-level rules fill in", async () => {
  const none = setup();
  const res = await send(none, "/private/x", { key: ADMIN, headers: { origin: APP } });
  assert.equal(res.headers.get("access-control-allow-origin"), null);
  assert.equal(res.headers.get("vary"), null);
  await res.body?.cancel();

  const top = setup({ ...RULES, allowedOrigins: ["*"] });
  const inherited = await send(top, "/private/x", {
    key: ADMIN,
    headers: { origin: "https://any.example" },
  });
  assert.equal(inherited.headers.get("access-control-allow-origin"), "*");
  await inherited.body?.cancel();
  const own = await send(top, "/public/x", { headers: { origin: "https://any.example" } });
  assert.equal(own.headers.get("access-control-allow-origin"), null, "the bucket's own rules win");
  await own.body?.cancel();
});
