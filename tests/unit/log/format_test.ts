import assert from "node:assert/strict";
import { accessLogJson, accessLogText, textField } from "../../../src/log/format.ts";
import type { AccessLogEntry } from "../../../src/log/entry.ts";

const entry = (o: Partial<AccessLogEntry>): AccessLogEntry => ({
  time: "2026-11-28T00:00:00.000Z",
  requestId: "0123456789ABCDEF",
  method: "GET",
  status: 404,
  errorCode: "NoSuchKey",
  totalMs: 2,
  ...o,
});

/** Every line terminator a reader may split on (Python's str.splitlines, JS's line terminators). */
// deno-lint-ignore no-control-regex -- the line terminators a log reader splits on
const TERMINATORS = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Whether a line holds no character a terminal or line reader acts on. */
const INERT = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]*$/u;

const FORGED = "2026-11-28T00:00:00.000Z FFFFFFFFFFFFFFFF DELETE /pub/payroll.csv 204 admin 1ms";

const HOSTILE_KEYS = [
  `x\n${FORGED}`,
  `x\r${FORGED}`,
  `x\r\n${FORGED}`,
  `x\u2028${FORGED}`,
  `x\u2029${FORGED}`,
  `x\u0085${FORGED}`,
  `x\v\f\x1c\x1d\x1e${FORGED}`,
  "x\x1b[2K\x1b[1G" + FORGED, // ESC: erase the line, back to column 1
  "x\x9b2K" + FORGED, // the 8-bit CSI
  "x\x00\x07\x7f",
  "x\u202e\u2066\u200b\ufeff", // bidi override, isolate, zero-width space, BOM
  "x\ud800y", // a lone surrogate
  "a b 204 admin 1ms",
  'a"b\\c',
];

Deno.test("accessLogText() writes a hostile key as one inert line that does not start a forged entry", () => {
  for (const key of HOSTILE_KEYS) {
    const line = accessLogText(entry({ bucket: "pub", key }));
    assert.equal(line.split(TERMINATORS).length, 1, JSON.stringify(line));
    assert.match(line, INERT, JSON.stringify(line));
    assert.ok(
      line.startsWith("2026-11-28T00:00:00.000Z 0123456789ABCDEF GET /pub/x") ||
        line.startsWith('2026-11-28T00:00:00.000Z 0123456789ABCDEF GET "/pub/'),
      line,
    );
    assert.match(line, / 404 NoSuchKey - 2ms$/, line);
  }
});

Deno.test("accessLogText() escapes controls as \\n, \\r, \\xHH, \\uHHHH and keeps fields split by single spaces", () => {
  assert.equal(
    accessLogText(entry({ bucket: "pub", key: "x\n\r\t\x1b[0m\u2028\x9b" })),
    "2026-11-28T00:00:00.000Z 0123456789ABCDEF GET /pub/x\\n\\r\\t\\x1b[0m\\u2028\\x9b 404 NoSuchKey - 2ms",
  );
  assert.equal(
    accessLogText(entry({ bucket: "pub", key: "a b 204 admin 1ms" })),
    '2026-11-28T00:00:00.000Z 0123456789ABCDEF GET "/pub/a b 204 admin 1ms" 404 NoSuchKey - 2ms',
  );
  assert.equal(textField('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(textField("\u00a0"), "\\xa0");
  assert.equal(textField(""), '""');
  assert.equal(textField("plain/key.txt"), "plain/key.txt");
  assert.equal(textField("caf\u00e9/\u{1f600}"), "caf\u00e9/\u{1f600}");
});

Deno.test("accessLogText() escapes every field: bucket, method, principal, error code, detail", () => {
  const line = accessLogText(entry({
    method: "G\nET",
    bucket: "b\u2028",
    key: "k",
    principal: `role/x\n${FORGED}`,
    errorCode: "E\r",
    status: 503,
    detail: `BackendError: down\n${FORGED}\x1b[31m`,
  }));
  assert.equal(line.split(TERMINATORS).length, 1, line);
  assert.match(line, INERT, line);
  assert.ok(line.endsWith(`(BackendError: down\\n${FORGED}\\x1b[31m)`), line);
});

Deno.test("accessLogJson() is one line, parses back to the entry, and escapes NEL, C1 and U+2028/2029", () => {
  for (const key of HOSTILE_KEYS) {
    const e = entry({ bucket: "pub", key, userAgent: key, detail: key });
    const line = accessLogJson(e);
    assert.equal(line.split(TERMINATORS).length, 1, line);
    assert.match(line, INERT, line);
    assert.deepEqual(JSON.parse(line), e);
  }
  assert.match(accessLogJson(entry({ key: "\u2028\x85" })), /"key":"\\u2028\\u0085"/);
  assert.match(
    accessLogJson(entry({ key: "a\x7fb" })),
    /"key":"a\\u007fb"/,
    "DEL, on a line all ASCII",
  );
});

Deno.test("accessLogText() ends a session's line with its sub=, role= and key= fields, escaped", () => {
  const { errorCode: _, ...ok } = entry({ status: 200 });
  const line = accessLogText({
    ...ok,
    principal: "ci/alice",
    subject: "user 42\n",
    role: "ci",
    accessKeyId: "ASIAKEY",
  });
  assert.equal(
    line,
    '2026-11-28T00:00:00.000Z 0123456789ABCDEF GET / 200 ci/alice 2ms "sub=user 42\\n" role=ci key=ASIAKEY',
  );
  assert.doesNotMatch(accessLogText(entry({})), /sub=|role=|key=/);
});

Deno.test("accessLogJson() carries a session's subject, role and key id", () => {
  const parsed = JSON.parse(
    accessLogJson(entry({ subject: "u", role: "ci", accessKeyId: "ASIAKEY" })),
  );
  assert.deepEqual([parsed.subject, parsed.role, parsed.accessKeyId], ["u", "ci", "ASIAKEY"]);
});

Deno.test("accessLogText() ends a refusal by policy with its deciding statement, escaped", () => {
  const line = accessLogText(entry({
    status: 403,
    errorCode: "AccessDenied",
    bucket: "data",
    key: "secret/x",
    principal: "alice",
    deniedBy: "explicit deny by no-secrets[0] (No\nSecrets)",
  }));
  assert.ok(line.endsWith(" (explicit deny by no-secrets[0] (No\\nSecrets))"), line);
});
