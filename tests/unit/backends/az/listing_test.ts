import assert from "node:assert/strict";
import { answer, blob, fake, listing } from "./_fake.ts";
import { resettingBody } from "../http/_bodies.ts";

const LIST = { prefix: "", maxKeys: 1000 };

Deno.test("list() answers a listing body that resets mid-read with BackendError (503), not a throw", async () => {
  const f = fake(() => answer(200, resettingBody("<?xml version")));
  const r = await f.backend.list(LIST);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
});

Deno.test("list() answers an encoded name with a malformed escape with BackendError, not a throw", async () => {
  const f = fake(() => answer(200, listing(blob("ok") + blob("a%ZZ", { encoded: true }))));
  const r = await f.backend.list(LIST);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "BackendError");
});

Deno.test("list() decodes encoded names and hides the internal namespace", async () => {
  const f = fake(() =>
    answer(
      200,
      listing(blob("a%0Bb", { encoded: true }) + blob(".bucketgate/uploads/x/upload") + blob("c")),
    )
  );
  const r = await f.backend.list(LIST);
  assert.ok(r.ok);
  assert.deepEqual(r.value.objects.map((o) => o.key), ["a\vb", "c"]);
  assert.equal(r.value.isTruncated, false);
});

Deno.test("list() continues a truncated page from the remembered Azure marker", async () => {
  const f = fake((req) =>
    answer(
      200,
      req.url.searchParams.get("marker") === "m2"
        ? listing(blob("c"))
        : listing(blob("a") + blob("b"), { next: "m2" }),
    )
  );
  const first = await f.backend.list({ prefix: "", maxKeys: 2 });
  assert.ok(first.ok);
  assert.deepEqual(first.value.objects.map((o) => o.key), ["a", "b"]);
  assert.equal(first.value.isTruncated, true);
  assert.equal(first.value.nextStartAfter, "b");
  const second = await f.backend.list({ prefix: "", maxKeys: 2, startAfter: "b" });
  assert.ok(second.ok);
  assert.deepEqual(second.value.objects.map((o) => o.key), ["c"]);
  assert.equal(f.requests.at(-1)!.url.searchParams.get("marker"), "m2");
});

Deno.test("list() of a prefix inside .bucketgate/ asks Azure nothing", async () => {
  const f = fake(() => answer(500));
  const r = await f.backend.list({ prefix: ".bucketgate/up", maxKeys: 10 });
  assert.deepEqual(r, { ok: true, value: { objects: [], commonPrefixes: [], isTruncated: false } });
  assert.equal(f.requests.length, 0);
});
