/**
 * The compatibility table (docs/compatibility.md) cannot silently lie: its rows are the
 * declared clients (names and operations, in order), every row is green on
 * every backend, and each client's test file exists and records that client.
 * Versions are not compared: they drift with Debian and npm.
 */
import assert from "node:assert/strict";
import { BACKENDS } from "../_backends.ts";
import { CLIENTS, type CompatRecord } from "./clients.ts";
import {
  BACKEND_TITLES,
  CELL,
  COMPAT_PAGE,
  outcome,
  renderTable,
  replaceTable,
  tableRows,
} from "./render.ts";

const ROOT = new URL("../../../", import.meta.url);
const page = await Deno.readTextFile(new URL(COMPAT_PAGE, ROOT));

Deno.test("the compatibility table: the declared clients and operations, in order", () => {
  const [head, rule, ...rows] = tableRows(page);
  assert.deepEqual(head, [
    "client",
    "version tested",
    ...BACKENDS.map((b) => BACKEND_TITLES[b]),
    "operations",
  ]);
  assert.ok(rule?.every((c) => /^-+$/.test(c)), "a header rule");
  assert.deepEqual(rows.map((r) => r[0]), CLIENTS.map((c) => c.client));
  assert.deepEqual(rows.map((r) => r.at(-1)), CLIENTS.map((c) => c.operations));
});

Deno.test("the compatibility table: every client passed on every backend", () => {
  const [, , ...rows] = tableRows(page);
  for (const r of rows) {
    assert.ok(r[1] && r[1] !== "—", `${r[0]}: a version`);
    BACKENDS.forEach((b, i) => assert.equal(r[2 + i], CELL.pass, `${r[0]} on ${b}`));
  }
});

Deno.test("each client's test file exists and records that client", async () => {
  for (const c of CLIENTS) {
    const source = await Deno.readTextFile(new URL(`tests/e2e/${c.test}`, ROOT));
    assert.ok(source.includes(`"${c.client}"`), `${c.test} names "${c.client}"`);
    assert.match(source, /clientTest\(/, `${c.test} records through clientTest`);
  }
});

Deno.test("renderTable() marks a failed or missing run, and replaceTable() keeps the rest", () => {
  const rec = (backend: "fs" | "s3", passed: boolean): CompatRecord => ({
    client: "curl",
    version: "8.0",
    backend,
    test: "t",
    passed,
  });
  const records = [rec("fs", true), rec("fs", false)];
  assert.equal(outcome(records, "curl", "fs"), "fail");
  assert.equal(outcome(records, "curl", "s3"), "none");
  assert.equal(outcome([rec("s3", true)], "curl", "s3"), "pass");
  const table = renderTable(records);
  const curl = table.split("\n").find((l) => l.startsWith("| curl |"));
  assert.equal(curl?.split("|")[2]?.trim(), "8.0");
  assert.equal(curl?.split("|")[3]?.trim(), CELL.fail);
  assert.equal(curl?.split("|")[4]?.trim(), CELL.none);
  const doc = replaceTable(page, table);
  assert.ok(doc.startsWith(page.slice(0, page.indexOf("<!-- compat:begin"))));
  assert.deepEqual(tableRows(doc).slice(2).map((r) => r[0]), CLIENTS.map((c) => c.client));
  assert.ok(doc.endsWith(page.slice(page.indexOf("<!-- compat:end"))));
});
