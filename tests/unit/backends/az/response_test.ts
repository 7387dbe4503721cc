import assert from "node:assert/strict";
import { readJson, readXml } from "../../../../src/backends/az/response.ts";
import { answer } from "./_fake.ts";
import { resettingBody } from "../http/_bodies.ts";

Deno.test("readXml() makes a reset while reading an XML body a BackendError, not a throw", async () => {
  const r = await readXml(answer(200, resettingBody("<?xml version")), "ListBlobs");
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
  assert.match(String(r.error.detail), /ListBlobs/);
});

Deno.test("readXml() parses a document and refuses one with a DOCTYPE", async () => {
  const good = await readXml(answer(200, "<A><B>x</B></A>"), "X");
  assert.ok(good.ok);
  assert.deepEqual(good.value.A, { B: "x" });
  const bad = await readXml(answer(200, "<!DOCTYPE A><A/>"), "X");
  assert.ok(!bad.ok);
  assert.equal(bad.error.kind, "BackendError");
});

Deno.test("readJson() tells a failed read (BackendError) from text that is not JSON", async () => {
  const reset = await readJson(answer(200, resettingBody('{"key"')), "GetBlob");
  assert.ok(!reset.ok);
  assert.equal(reset.error.kind, "BackendError");
  assert.deepEqual(await readJson(answer(200, "not json"), "GetBlob"), {
    ok: true,
    value: undefined,
  });
  assert.deepEqual(await readJson(answer(200, '{"a":1}'), "GetBlob"), {
    ok: true,
    value: { a: 1 },
  });
});
