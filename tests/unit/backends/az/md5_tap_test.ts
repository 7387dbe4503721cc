import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { md5Tap } from "../../../../src/backends/az/md5_tap.ts";

Deno.test("md5Tap() passes the bytes through and hashes them", async () => {
  const tapped = md5Tap(new Response("hello world").body!);
  assert.equal(await new Response(tapped.stream).text(), "hello world");
  assert.equal(tapped.hash.digest("hex"), createHash("md5").update("hello world").digest("hex"));
});
