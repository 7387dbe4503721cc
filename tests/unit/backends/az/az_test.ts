import assert from "node:assert/strict";
import { answer, fake } from "./_fake.ts";

Deno.test("createAzBackend() locates keys in its account's store, named without secrets", () => {
  const f = fake(() => answer(200), { auth: { sas_token: "sv=1&sig=secret" } });
  const loc = f.backend.locate!("k");
  assert.equal(loc.bucket, "data");
  assert.equal(loc.key, "k");
  assert.match(loc.store, /^az https:\/\/acct1\.blob\.core\.windows\.net acct1 [0-9a-f]{16}$/);
});

Deno.test("createAzBackend() wires every operation to the one client", async () => {
  const f = fake(() => answer(404));
  const ops = [
    f.backend.head("k"),
    f.backend.abortMultipartUpload({ key: "k", uploadId: "c".repeat(48) }),
    f.backend.listParts({ key: "k", uploadId: "c".repeat(48) }, { maxParts: 10 }),
  ];
  const results = await Promise.all(ops);
  assert.deepEqual(results.map((r) => !r.ok && r.error.kind), [
    "NoSuchKey",
    "NoSuchUpload",
    "NoSuchUpload",
  ]);
  assert.equal(f.requests.length, 3);
});
