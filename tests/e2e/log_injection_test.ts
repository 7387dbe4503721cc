/**
 * Access-log line forging against the real process: a key holding a newline
 * (and the other line terminators, and terminal escapes) followed by a fake
 * entry is one request, so it is one line in both log formats, and no line
 * starts with the forged entry.
 */
import assert from "node:assert/strict";
import { startGateway } from "./_gateway.ts";

/** Every line terminator a reader may split on (Python's str.splitlines, JS's line terminators). */
// deno-lint-ignore no-control-regex -- the line terminators a log reader splits on
const TERMINATORS = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

const FORGED =
  "2026-11-28T00:00:00.000Z FFFFFFFFFFFFFFFF DELETE /public-data/payroll.csv 204 admin 1ms";

const SEPARATORS = ["\n", "\r", "\u2028", "\u0085", "\x1b[2K\x1b[1G"];

for (const format of ["text", "json"] as const) {
  Deno.test(`--log-format ${format}: a key holding a line break and a forged entry logs one line`, async () => {
    const gw = await startGateway([], { args: ["--log-format", format] });
    try {
      const ids: string[] = [];
      for (const sep of SEPARATORS) {
        const key = encodeURIComponent(`x${sep}${FORGED}`);
        const res = await fetch(`${gw.url}/public-data/${key}`);
        await res.body?.cancel();
        assert.equal(res.status, 404);
        const id = res.headers.get("x-amz-request-id")!;
        ids.push(id);
        const out = await gw.waitForLog(new RegExp(id));
        const lines = out.split(TERMINATORS);
        assert.equal(lines.filter((l) => l.includes(id)).length, 1, out);
        // Each request's forged text is inside that request's own line.
        const forged = lines.filter((l) => l.includes("payroll.csv"));
        assert.equal(forged.length, ids.length, out);
        forged.forEach((l, i) => assert.ok(l.includes(ids[i]!), l));
        assert.ok(!lines.some((l) => l.startsWith(FORGED.slice(0, 30))), out);
        assert.ok(!out.includes("\x1b"), "an escape sequence reached the log");
      }
    } finally {
      await gw.stop();
    }
  });
}
