import assert from "node:assert/strict";
import {
  awaitsContinueWithoutBody,
  type FinishOptions,
  finishResponse,
  serverTiming,
} from "../../../src/http/finish_response.ts";
import { fixedClock } from "../../../src/clock.ts";
import type { CorsConfig } from "../../../src/config/types.ts";
import { proxyError } from "../../../src/errors.ts";
import { err, ok } from "../../../src/result.ts";

const options = (over: Partial<FinishOptions> = {}): FinishOptions => ({
  requestId: "RID",
  result: ok(new Response("hi")),
  sts: false,
  cors: undefined,
  clock: fixedClock(1_000),
  started: 990,
  ...over,
});
const CORS: CorsConfig = {
  allowedOrigins: ["https://app.example"],
  allowedMethods: ["GET"],
  allowedHeaders: ["*"],
  exposeHeaders: ["x-amz-*"],
  maxAgeSecs: 60,
};

Deno.test("finishResponse() stamps a success with the request id and measures the total", async () => {
  const { response, totalMs } = await finishResponse(new Request("http://h/b/k"), options());
  assert.equal(response.headers.get("x-amz-request-id"), "RID");
  assert.equal(response.headers.get("x-amz-id-2"), "RID");
  assert.equal(response.headers.get("connection"), null);
  assert.equal(response.headers.get("server-timing"), null);
  assert.equal(totalMs, 10);
  assert.equal(await response.text(), "hi");
});

Deno.test("finishResponse() finishes a success at once and an error as a promise", async () => {
  // A success costs no promise turn on the hot path (issue 30); an error drains the body first.
  const done = finishResponse(new Request("http://h/b/k"), options());
  assert.ok(!(done instanceof Promise));
  await done.response.body?.cancel();
  const failing = options({ result: err(proxyError("NoSuchKey", "gone")) });
  const later = finishResponse(new Request("http://h/b/k"), failing);
  assert.ok(later instanceof Promise);
  await (await later).response.body?.cancel();
});

Deno.test("finishResponse() renders an error as S3 XML, bodiless for HEAD", async () => {
  const result = err(proxyError("NoSuchKey", "The specified key does not exist."));
  const get = await finishResponse(new Request("http://h/b/k"), options({ result }));
  assert.equal(get.response.status, 404);
  assert.match(await get.response.text(), /<Code>NoSuchKey<\/Code>.*<RequestId>RID<\/RequestId>/);
  const head = await finishResponse(
    new Request("http://h/b/k", { method: "HEAD" }),
    options({ result }),
  );
  assert.equal(head.response.status, 404);
  assert.equal(head.response.body, null);
});

Deno.test("finishResponse() renders an STS call's error as STS XML", async () => {
  const result = err(proxyError("InvalidAction", "Could not find operation Nope"));
  const { response } = await finishResponse(
    new Request("http://h/"),
    options({ result, sts: true }),
  );
  assert.equal(response.headers.get("x-amzn-requestid"), "RID");
  assert.match(
    await response.text(),
    /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
  );
});

Deno.test("finishResponse() drains a small unread body and keeps the connection", async () => {
  const req = new Request("http://h/b/k", {
    method: "PUT",
    headers: { "content-length": "100" },
    body: "x".repeat(100),
  });
  const result = err(proxyError("AccessDenied", "Access Denied"));
  const { response } = await finishResponse(req, options({ result }));
  assert.equal(response.headers.get("connection"), null);
  assert.ok(req.bodyUsed);
  await response.body?.cancel();
});

Deno.test("finishResponse() closes the connection when a body of unknown length is left", async () => {
  const req = new Request("http://h/b/k", { method: "PUT", body: "x".repeat(100) });
  const result = err(proxyError("AccessDenied", "Access Denied"));
  const { response } = await finishResponse(req, options({ result }));
  assert.equal(response.headers.get("connection"), "close");
  await response.body?.cancel();
});

Deno.test("finishResponse() closes the connection after a RequestTimeout", async () => {
  const result = err(proxyError("RequestTimeout", "idle"));
  const { response } = await finishResponse(new Request("http://h/b/k"), options({ result }));
  assert.equal(response.headers.get("connection"), "close");
  await response.body?.cancel();
});

Deno.test("finishResponse() closes a connection that awaits a 100 for an empty body", async () => {
  const req = new Request("http://h/b/k", {
    method: "PUT",
    headers: { expect: "100-Continue", "content-length": "0" },
  });
  const { response } = await finishResponse(req, options());
  assert.equal(response.headers.get("connection"), "close");
  await response.body?.cancel();
});

Deno.test("finishResponse() adds the CORS headers of the rules it is given", async () => {
  const req = new Request("http://h/b/k", { headers: { origin: "https://app.example" } });
  const { response } = await finishResponse(req, options({ cors: CORS }));
  assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example");
  assert.equal(
    response.headers.get("access-control-expose-headers"),
    "x-amz-id-2, x-amz-request-id",
  );
  const none = await finishResponse(req, options());
  assert.equal(none.response.headers.get("access-control-allow-origin"), null);
  await response.body?.cancel();
  await none.response.body?.cancel();
});

Deno.test("finishResponse() sends Server-Timing when asked", async () => {
  const { response } = await finishResponse(
    new Request("http://h/b/k"),
    options({ serverTiming: { authMs: 2, backendMs: 5 } }),
  );
  assert.equal(response.headers.get("server-timing"), "auth;dur=2, backend;dur=5, total;dur=10");
  await response.body?.cancel();
});

Deno.test("serverTiming() leaves out the steps not measured", () => {
  assert.equal(serverTiming({ totalMs: 3 }), "total;dur=3");
  assert.equal(serverTiming({ authMs: 1, totalMs: 3 }), "auth;dur=1, total;dur=3");
});

Deno.test("awaitsContinueWithoutBody() needs both Expect: 100-continue and a zero length", () => {
  assert.equal(
    awaitsContinueWithoutBody(new Headers({ expect: "100-continue", "content-length": "0" })),
    true,
  );
  assert.equal(
    awaitsContinueWithoutBody(new Headers({ expect: "100-continue", "content-length": "5" })),
    false,
  );
  assert.equal(awaitsContinueWithoutBody(new Headers({ "content-length": "0" })), false);
});
