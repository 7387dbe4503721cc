import assert from "node:assert/strict";
import { proxyError } from "../../../../src/errors.ts";
import { err, ok } from "../../../../src/result.ts";
import { isIdempotentRead, realSleep, withRetries } from "../../../../src/backends/http/retry.ts";
import type { HttpResponse } from "../../../../src/backends/http/send.ts";

const response = (status: number): HttpResponse => ({
  status,
  headers: new Headers(),
  body: new Response("x").body,
});

Deno.test("withRetries() retries network errors and 5xx, then gives the last answer", async () => {
  const answers = [err(proxyError("BackendError", "down")), ok(response(503)), ok(response(200))];
  let calls = 0;
  const r = await withRetries(() => Promise.resolve(answers[calls++]!), { baseDelayMs: 1 });
  assert.equal(calls, 3);
  assert.ok(r.ok && r.value.status === 200);

  calls = 0;
  const always = await withRetries(() => {
    calls++;
    return Promise.resolve(ok(response(502)));
  }, { retries: 2, baseDelayMs: 1 });
  assert.equal(calls, 3, "the first attempt and two retries");
  assert.ok(always.ok && always.value.status === 502);
});

Deno.test("withRetries() does not retry answers that are final, nor timeouts", async () => {
  const timeout = new DOMException("backend request timed out", "TimeoutError");
  for (
    const answer of [
      ok(response(404)),
      ok(response(412)),
      err(proxyError("NoSuchKey", "x")),
      err(proxyError("BackendError", "The backend failed", timeout)),
    ]
  ) {
    let calls = 0;
    await withRetries(() => {
      calls++;
      return Promise.resolve(answer);
    }, { baseDelayMs: 1 });
    assert.equal(calls, 1);
  }
});

Deno.test("withRetries() stops once the client went away", async () => {
  const ctl = new AbortController();
  let calls = 0;
  await withRetries(() => {
    calls++;
    ctl.abort();
    return Promise.resolve(ok(response(503)));
  }, { baseDelayMs: 1, signal: ctl.signal });
  assert.equal(calls, 1);
});

Deno.test("isIdempotentRead() admits bodiless GET and HEAD only", () => {
  assert.ok(isIdempotentRead("GET", false));
  assert.ok(isIdempotentRead("HEAD", false));
  assert.ok(!isIdempotentRead("PUT", false));
  assert.ok(!isIdempotentRead("GET", true));
  assert.ok(!isIdempotentRead("DELETE", false));
});

Deno.test("withRetries() waits through the injected sleep, doubling the delay, with the signal", async () => {
  const ctl = new AbortController();
  const slept: [number, AbortSignal | undefined][] = [];
  const r = await withRetries(() => Promise.resolve(ok(response(503))), {
    retries: 3,
    signal: ctl.signal,
    sleep: (ms, signal) => Promise.resolve(void slept.push([ms, signal])),
  });
  assert.ok(r.ok && r.value.status === 503);
  assert.deepEqual(slept, [[100, ctl.signal], [200, ctl.signal], [400, ctl.signal]]);
});

Deno.test("realSleep() waits, and ends early once its signal aborts", async () => {
  let t = performance.now();
  await realSleep(20);
  assert.ok(performance.now() - t >= 15);
  const ctl = new AbortController();
  t = performance.now();
  const sleeping = realSleep(10_000, ctl.signal);
  ctl.abort();
  await sleeping;
  assert.ok(performance.now() - t < 1000);
  await realSleep(10_000, AbortSignal.abort());
});
