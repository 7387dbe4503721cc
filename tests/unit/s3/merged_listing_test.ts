import assert from "node:assert/strict";
import type { ListOptions } from "../../../src/backends/backend.ts";
import { createMemoryBackend } from "../../../src/backends/memory.ts";
import { listingBackend, mergedList, reach } from "../../../src/s3/merged_listing.ts";

async function source(prefix: string, keys: string[]) {
  const backend = createMemoryBackend();
  for (const k of keys) {
    const r = await backend.put(k, new Blob([k]).stream(), { meta: { userMetadata: {} } });
    assert.ok(r.ok);
  }
  return { prefix, backend };
}

async function sources() {
  return [
    await source("data-x/", ["one"]),
    await source("data/", ["a", "sub/b", "sub/c"]),
    await source("logs/", ["2026/01", "2026/02"]),
  ];
}

async function keysOf(o: ListOptions): Promise<{ keys: string[]; next?: string }> {
  const r = await mergedList(await sources(), o);
  assert.ok(r.ok);
  const p = r.value;
  const keys = [...p.objects.map((x) => x.key), ...p.commonPrefixes].sort();
  return { keys, ...(p.nextStartAfter !== undefined ? { next: p.nextStartAfter } : {}) };
}

Deno.test("reach() says how a listing reaches one mapped bucket", () => {
  assert.deepEqual(reach("data/", { prefix: "data/sub/" }), {
    kind: "list",
    inner: { prefix: "sub/" },
  });
  assert.deepEqual(reach("data/", { prefix: "", delimiter: "/" }), {
    kind: "group",
    group: "data/",
  });
  assert.deepEqual(reach("data/", { prefix: "d", delimiter: "a" }), { kind: "group", group: "da" });
  assert.equal(reach("logs/", { prefix: "data/" }), undefined);
  assert.equal(reach("data/", { prefix: "", startAfter: "logs/x" }), undefined);
  assert.deepEqual(reach("data/", { prefix: "", startAfter: "data/sub/b" }), {
    kind: "list",
    inner: { prefix: "", startAfter: "sub/b" },
  });
  // A delimiter straddling the prefix and the key is grouped by the merger.
  assert.deepEqual(reach("data/", { prefix: "", delimiter: "/s" }), {
    kind: "list",
    inner: { prefix: "" },
  });
});

Deno.test("mergedList() lists across the sources in key order", async () => {
  const all = ["data-x/one", "data/a", "data/sub/b", "data/sub/c", "logs/2026/01", "logs/2026/02"];
  assert.deepEqual((await keysOf({ prefix: "", maxKeys: 1000 })).keys, all);
  assert.deepEqual((await keysOf({ prefix: "", delimiter: "/", maxKeys: 1000 })).keys, [
    "data-x/",
    "data/",
    "logs/",
  ]);
  assert.deepEqual((await keysOf({ prefix: "data/", delimiter: "/", maxKeys: 1000 })).keys, [
    "data/a",
    "data/sub/",
  ]);
  // Groups spanning buckets count once.
  assert.deepEqual((await keysOf({ prefix: "", delimiter: "a", maxKeys: 1000 })).keys, [
    "da",
    "logs/2026/01",
    "logs/2026/02",
  ]);
  assert.deepEqual((await keysOf({ prefix: "", delimiter: "/s", maxKeys: 1000 })).keys, [
    "data-x/one",
    "data/a",
    "data/s",
    "logs/2026/01",
    "logs/2026/02",
  ]);
});

Deno.test("mergedList() pages across the sources", async () => {
  const seen: string[] = [];
  let startAfter: string | undefined;
  for (let i = 0; i < 10; i++) {
    const r = await mergedList(await sources(), {
      prefix: "",
      maxKeys: 4,
      ...(startAfter ? { startAfter } : {}),
    });
    assert.ok(r.ok);
    seen.push(...r.value.objects.map((o) => o.key));
    if (!r.value.isTruncated) break;
    startAfter = r.value.nextStartAfter;
  }
  assert.deepEqual(seen, [
    "data-x/one",
    "data/a",
    "data/sub/b",
    "data/sub/c",
    "logs/2026/01",
    "logs/2026/02",
  ]);
});

Deno.test("listingBackend() lists and refuses everything else", async () => {
  const b = listingBackend({ list: (o) => mergedList([], o) });
  assert.ok((await b.list({ prefix: "", maxKeys: 1 })).ok);
  const r = await b.head("k");
  assert.ok(!r.ok && r.error.kind === "NotImplemented");
});
