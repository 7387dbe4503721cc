import assert from "node:assert/strict";
import { locateKey } from "../../../src/s3/context.ts";
import { ok } from "../../../src/result.ts";
import { otherBucket, s3Context } from "./ops/_context.ts";

Deno.test("locateKey(): a key of the body is in the addressed bucket as it is", () => {
  const ctx = s3Context({ bucket: "bkt" });
  const at = locateKey(ctx, "a/b");
  assert.ok(at.ok);
  assert.equal(at.value.bucket, ctx.bucket);
  assert.equal(at.value.key, "a/b");
  assert.equal(at.value.shown, "a/b");
});

Deno.test("locateKey(): under a locator (path_mapping), where it says", () => {
  const elsewhere = otherBucket("acme--data");
  const ctx = {
    ...s3Context({ bucket: "bkt" }),
    locate: (key: string) => ok({ bucket: elsewhere, key: key.slice(5), shown: key }),
  };
  const at = locateKey(ctx, "data/x");
  assert.ok(at.ok);
  assert.equal(at.value.bucket.config.name, "acme--data");
  assert.equal(at.value.key, "x");
  assert.equal(at.value.shown, "data/x");
});
