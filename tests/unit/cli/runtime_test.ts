// deno-lint-ignore-file no-console -- the tests capture what runtime.ts prints.
import assert from "node:assert/strict";
import { createRuntime, stderrAt } from "../../../src/cli/runtime.ts";
import type { Flags } from "../../../src/cli/flags.ts";
import { CONFIG_DEFAULTS, parseConfig } from "../../../src/config/load.ts";
import type { Config } from "../../../src/config/types.ts";
import { OIDC_BUCKET, TWO_BUCKETS } from "./_configs.ts";

const FLAGS: Flags = { checkConfig: false, logFormat: "json", logLevel: "info" };

function config(text: string): Config {
  const r = parseConfig(text, () => undefined);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return r.value;
}

/** Runs `fn` with console.error captured. */
function capturingStderr(fn: () => void): string[] {
  const lines: string[] = [];
  const real = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    fn();
  } finally {
    console.error = real;
  }
  return lines;
}

Deno.test("stderrAt(): prints a line at or above the threshold, nothing below", () => {
  const lines = capturingStderr(() => {
    stderrAt("warn", "warn")("a warning");
    stderrAt("warn", "info")("an info");
    stderrAt("info", "warn")("a warning under info");
    stderrAt("error", "warn")("silenced");
  });
  assert.deepEqual(lines, ["a warning", "a warning under info"]);
});

Deno.test("createRuntime().build(): upload_buffer_bytes sets the shared buffer's limit, a worker's share under --workers", () => {
  const quiet = { write() {}, flush() {} };
  const one = createRuntime({ flags: FLAGS, environment: {}, accessLog: quiet });
  assert.equal(
    one.uploadBuffer.limit,
    CONFIG_DEFAULTS.uploadBufferBytes,
    "the default before any config",
  );
  assert.ok(one.build(config(`upload_buffer_bytes: 1000\n${TWO_BUCKETS}`)).ok);
  assert.equal(one.uploadBuffer.limit, 1000);
  assert.ok(one.uploadBuffer.take(600));
  assert.ok(one.build(config(`upload_buffer_bytes: 2000\n${TWO_BUCKETS}`)).ok);
  assert.equal(one.uploadBuffer.limit, 2000, "a reload sets the new limit");
  assert.equal(one.uploadBuffer.held, 600, "and keeps what is held");
  const four = createRuntime({ flags: FLAGS, environment: {}, accessLog: quiet, workers: 4 });
  assert.ok(four.build(config(`upload_buffer_bytes: 1000\n${TWO_BUCKETS}`)).ok);
  assert.equal(four.uploadBuffer.limit, 250);
});

Deno.test("createRuntime().build(): an app for the config, logging each request, counted in shared metrics", async () => {
  const written: string[] = [];
  const runtime = createRuntime({
    flags: FLAGS,
    environment: {},
    accessLog: { write: (l) => void written.push(l), flush() {} },
    worker: 3,
  });
  const built = runtime.build(config(TWO_BUCKETS));
  assert.ok(built.ok);
  assert.deepEqual([...built.value.backends.keys()], ["one-bucket", "two-bucket"]);
  const res = await built.value.handler(new Request("http://gw/two-bucket?list-type=2"));
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const denied = await built.value.handler(new Request("http://gw/one-bucket?list-type=2"));
  assert.equal(denied.status, 403);
  await denied.body?.cancel();
  assert.equal(written.length, 2);
  const line = JSON.parse(written[0]!);
  assert.equal(line.worker, 3);
  assert.equal(line.status, 200);
  const counted = runtime.metrics.snapshot().counters.requests.reduce((n, s) => n + s.value, 0);
  assert.equal(counted, 2);
  assert.equal(runtime.inFlight.count, 0);
});

Deno.test("createRuntime(): a second build (a reload) shares the metrics and the in-flight count", async () => {
  const runtime = createRuntime({
    flags: FLAGS,
    environment: {},
    accessLog: { write() {}, flush() {} },
  });
  const first = runtime.build(config(TWO_BUCKETS));
  const second = runtime.build(config(TWO_BUCKETS.replace("two-bucket", "new-bucket")));
  assert.ok(first.ok && second.ok);
  for (const [app, bucket] of [[first, "two-bucket"], [second, "new-bucket"]] as const) {
    const res = await app.value.handler(new Request(`http://gw/${bucket}?list-type=2`));
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  const counted = runtime.metrics.snapshot().counters.requests.reduce((n, s) => n + s.value, 0);
  assert.equal(counted, 2);
});

Deno.test("createRuntime().build(): a bucket whose backend cannot be made is a problem naming it", () => {
  const runtime = createRuntime({
    flags: FLAGS,
    environment: {},
    accessLog: { write() {}, flush() {} },
  });
  const r = runtime.build(config(OIDC_BUCKET));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.length, 1);
    assert.equal(r.error[0]!.path, "buckets[0]");
    assert.match(r.error[0]!.message, /OIDC_PROVIDER_ISSUER/);
  }
});

Deno.test("createRuntime().build(): each configured limit and quota has a throttled counter, raised by its refusals", async () => {
  const quiet = { write() {}, flush() {} };
  const runtime = createRuntime({ flags: FLAGS, environment: {}, accessLog: quiet });
  const built = runtime.build(config(
    `${TWO_BUCKETS}limits:\n  - { match: { anonymous: true }, requests_per_second: 1, burst: 2 }\n` +
      "  - { name: two, match: { bucket: two-bucket }, requests_per_second: 100 }\n" +
      "quotas:\n  - { match: { bucket: one-bucket }, requests_per_day: 5 }\n",
  ));
  assert.ok(built.ok);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await built.value.handler(new Request("http://gw/two-bucket?list-type=2"));
    statuses.push(res.status);
    await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 503, 503, 503]);
  const throttled = Object.fromEntries(
    runtime.metrics.snapshot().counters.throttled.map((s) => [s.labels.limit, s.value]),
  );
  assert.deepEqual(throttled, {
    "limits[0]:anonymous": 3,
    "two": 0,
    "quotas[0]:bucket:one-bucket": 0,
  });
  assert.match(
    runtime.metrics.render(0),
    /^bucketgate_throttled_total\{limit="limits\[0\]:anonymous"\} 3$/m,
  );
});
