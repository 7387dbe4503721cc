import assert from "node:assert/strict";
import { didYouMean, editDistance, suggest } from "../../../src/config/_suggest.ts";

Deno.test("suggest() proposes only close candidates", () => {
  const keys = ["anonymous_access", "backend_type", "name"];
  assert.equal(suggest("anonymous_acess", keys), "anonymous_access");
  assert.equal(suggest("Name", keys), "name");
  assert.equal(suggest("backendtype", keys), "backend_type");
  assert.equal(suggest("colour", keys), undefined);
  assert.equal(suggest("nm", ["fs", "s3"]), undefined);
  assert.equal(suggest("x", []), undefined);
});

Deno.test("editDistance() counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("region", "regoin"), 2);
  assert.equal(editDistance("a", "a"), 0);
});

Deno.test("suggest() ignores case, and falls back to a prefix match of 4+ characters", () => {
  assert.equal(suggest("REGION", ["region", "listen"]), "region");
  assert.equal(
    suggest("max_session_duration", ["max_session_duration_secs"]),
    "max_session_duration_secs",
  );
  assert.equal(suggest("buck", ["buckets"]), "buckets");
  assert.equal(suggest("bu", ["buckets"]), undefined);
  assert.equal(suggest("x", ["y"]), undefined, "one edit is not fewer than one character");
});

Deno.test("didYouMean() words the suggestion, or is empty", () => {
  assert.equal(didYouMean("regoin", ["region"]), " (did you mean region?)");
  assert.equal(didYouMean("zzzzzz", ["region"]), "");
});
