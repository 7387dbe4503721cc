import assert from "node:assert/strict";
import type { ObjectMeta, ReadConditions } from "../../../src/backends/backend.ts";
import {
  bareEtag,
  checkReadConditions,
  checkWriteConditions,
  etagListMatches,
  storeValidators,
  validatorHeaders,
} from "../../../src/backends/conditions.ts";

const MODIFIED = new Date(Date.UTC(2026, 0, 15, 12, 0, 0, 500));
const META: ObjectMeta = {
  key: "k",
  size: 1,
  etag: '"abc"',
  lastModified: MODIFIED,
  userMetadata: {},
};
const VALIDATORS = { etag: '"abc"', "last-modified": "Thu, 15 Jan 2026 12:00:00 GMT" };
const at = (secondsFromModified: number) =>
  new Date(Date.UTC(2026, 0, 15, 12, 0, 0) + secondsFromModified * 1000);

function outcome(c: ReadConditions): string {
  return checkReadConditions(META, c)?.kind ?? "pass";
}

Deno.test("bareEtag() strips quotes, a weak prefix and spaces", () => {
  assert.equal(bareEtag('"abc"'), "abc");
  assert.equal(bareEtag('W/"abc"'), "abc");
  assert.equal(bareEtag('  "abc-2" '), "abc-2");
  assert.equal(bareEtag("abc"), "abc");
  assert.equal(bareEtag('""'), "");
});

Deno.test("etagListMatches() matches any listed ETag, quoted or not, weak or strong, and *", () => {
  assert.equal(etagListMatches('"x", "abc"', '"abc"'), true);
  assert.equal(etagListMatches('W/"abc"', "abc"), true);
  assert.equal(etagListMatches("*", '"anything"'), true);
  assert.equal(etagListMatches('"x","y"', '"abc"'), false);
  assert.equal(etagListMatches(" , ", '""'), false);
  assert.equal(etagListMatches('"abcd"', '"abc"'), false);
});

Deno.test("checkReadConditions() passes when nothing is asked", () => {
  assert.equal(outcome({}), "pass");
});

Deno.test("checkReadConditions() fails If-Match with 412 carrying the validators", () => {
  const e = checkReadConditions(META, { ifMatch: '"other"' });
  assert.equal(e?.kind, "PreconditionFailed");
  assert.equal(e?.message, "At least one of the pre-conditions you specified did not hold");
  assert.deepEqual(e?.headers, VALIDATORS);
});

Deno.test("checkReadConditions() ignores If-Unmodified-Since when If-Match holds", () => {
  assert.equal(outcome({ ifMatch: '"abc"', ifUnmodifiedSince: at(-10) }), "pass");
  assert.equal(outcome({ ifUnmodifiedSince: at(-1) }), "PreconditionFailed");
});

Deno.test("checkReadConditions() compares dates in whole seconds", () => {
  // lastModified is 12:00:00.500: the same second as 12:00:00.
  assert.equal(outcome({ ifUnmodifiedSince: at(0) }), "pass");
  assert.equal(outcome({ ifModifiedSince: at(0) }), "NotModified");
  assert.equal(outcome({ ifModifiedSince: at(-1) }), "pass");
});

Deno.test("checkReadConditions() answers 304 for a matching If-None-Match, with validators", () => {
  const e = checkReadConditions(META, { ifNoneMatch: '"abc"' });
  assert.equal(e?.kind, "NotModified");
  assert.deepEqual(e?.headers, VALIDATORS);
  assert.equal(outcome({ ifNoneMatch: '"other"' }), "pass");
});

Deno.test("checkReadConditions() ignores If-Modified-Since when If-None-Match is present", () => {
  assert.equal(outcome({ ifNoneMatch: '"other"', ifModifiedSince: at(10) }), "pass");
});

Deno.test("checkReadConditions() evaluates If-Match before If-None-Match", () => {
  assert.equal(outcome({ ifMatch: '"other"', ifNoneMatch: '"abc"' }), "PreconditionFailed");
  assert.equal(outcome({ ifMatch: '"abc"', ifNoneMatch: '"abc"' }), "NotModified");
  assert.equal(outcome({ ifUnmodifiedSince: at(-1), ifNoneMatch: '"abc"' }), "PreconditionFailed");
});

Deno.test("validatorHeaders() gives the ETag and the HTTP date of Last-Modified", () => {
  assert.deepEqual(validatorHeaders(META), VALIDATORS);
});

Deno.test("storeValidators() keeps only ETag and Last-Modified of a store's answer", () => {
  const h = new Headers({ etag: '"e"', "last-modified": "x", "content-length": "9" });
  assert.deepEqual(storeValidators(h), { etag: '"e"', "last-modified": "x" });
  assert.deepEqual(storeValidators(new Headers()), {});
});

Deno.test("checkWriteConditions() with If-None-Match: * needs no object", () => {
  assert.equal(checkWriteConditions(undefined, { ifNoneMatch: "*" }), undefined);
  assert.equal(checkWriteConditions(META, { ifNoneMatch: " * " })?.kind, "PreconditionFailed");
});

Deno.test("checkWriteConditions() supports only * for If-None-Match", () => {
  const e = checkWriteConditions(undefined, { ifNoneMatch: '"abc"' });
  assert.equal(e?.kind, "NotImplemented");
  assert.equal(e?.message, "If-None-Match on writes supports only *");
});

Deno.test("checkWriteConditions() with If-Match needs a matching object (NoSuchKey when absent)", () => {
  assert.equal(checkWriteConditions(undefined, { ifMatch: '"abc"' })?.kind, "NoSuchKey");
  assert.equal(checkWriteConditions(META, { ifMatch: '"zzz"' })?.kind, "PreconditionFailed");
  assert.equal(checkWriteConditions(META, { ifMatch: "abc" }), undefined);
  assert.equal(checkWriteConditions(META, { ifMatch: "*" }), undefined);
});

Deno.test("checkWriteConditions() passes without conditions", () => {
  assert.equal(checkWriteConditions(META, undefined), undefined);
  assert.equal(checkWriteConditions(META, {}), undefined);
});
