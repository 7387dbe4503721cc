import assert from "node:assert/strict";
import type { AccessLogEntry } from "../../../src/log/entry.ts";
import { formatter, makeLogger } from "../../../src/cli/log_format.ts";

const GET: AccessLogEntry = {
  time: "2025-01-02T03:04:05.678Z",
  requestId: "0123456789ABCDEF",
  method: "GET",
  bucket: "demo",
  key: "a/b.txt",
  authMode: "anonymous",
  status: 200,
  totalMs: 1.5,
};

function lines(format: "json" | "text", entries: AccessLogEntry[]): string[] {
  const out: string[] = [];
  const print = formatter(format, (line) => out.push(line));
  entries.forEach(print);
  return out;
}

Deno.test("formatter('json') writes each entry as its JSON", () => {
  assert.deepEqual(lines("json", [GET]), [JSON.stringify(GET)]);
});

Deno.test("formatter('text') writes time, id, method, path, status, who and duration", () => {
  assert.deepEqual(lines("text", [GET]), [
    "2025-01-02T03:04:05.678Z 0123456789ABCDEF GET /demo/a/b.txt 200 anonymous 1.5ms",
  ]);
});

Deno.test("formatter('text') adds the error code and the detail; the principal wins over the mode", () => {
  const failed: AccessLogEntry = {
    ...GET,
    principal: "AKIDEXAMPLE",
    authMode: "access_key",
    status: 500,
    errorCode: "InternalError",
    detail: "backend reset",
  };
  assert.deepEqual(lines("text", [failed]), [
    "2025-01-02T03:04:05.678Z 0123456789ABCDEF GET /demo/a/b.txt 500 InternalError AKIDEXAMPLE 1.5ms (backend reset)",
  ]);
});

Deno.test("formatter('text') writes / without a bucket, /bucket without a key, - without anyone", () => {
  const { bucket: _b, key: _k, authMode: _a, ...root } = GET;
  const { key: _k2, ...bucketOnly } = GET;
  assert.deepEqual(lines("text", [root, bucketOnly]), [
    "2025-01-02T03:04:05.678Z 0123456789ABCDEF GET / 200 - 1.5ms",
    "2025-01-02T03:04:05.678Z 0123456789ABCDEF GET /demo 200 anonymous 1.5ms",
  ]);
});

Deno.test("makeLogger() writes only the lines its level lets through", () => {
  const entries = [200, 404, 503].map((status) => ({ ...GET, status }));
  const seen = (level: "info" | "warn" | "error") => {
    const out: string[] = [];
    const log = makeLogger({ format: "json", level, write: (l) => out.push(l) });
    entries.forEach(log);
    return out.map((l) => JSON.parse(l).status);
  };
  assert.deepEqual(seen("info"), [200, 404, 503]);
  assert.deepEqual(seen("warn"), [404, 503]);
  assert.deepEqual(seen("error"), [503]);
});

Deno.test("makeLogger() with a worker names it in each line, JSON and text", () => {
  for (const format of ["json", "text"] as const) {
    const out: string[] = [];
    makeLogger({ format, level: "info", write: (l) => out.push(l), worker: 2 })(GET);
    if (format === "json") assert.deepEqual(JSON.parse(out[0]!), { ...GET, worker: 2 });
    else assert.match(out[0]!, /^2025-01-02T03:04:05\.678Z .* 1\.5ms worker=2$/);
  }
});
