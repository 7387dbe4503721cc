import assert from "node:assert/strict";
import { requestTarget } from "../../../src/http/target.ts";
import {
  assumeRoleParams,
  isStsRequest,
  readStsParams,
  sessionNameFor,
} from "../../../src/sts/request.ts";

const form = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

Deno.test("isStsRequest() recognizes Action in the query and form POSTs", () => {
  const t = (u: string) => requestTarget(u);
  assert.ok(isStsRequest("GET", t("http://h/?Action=AssumeRoleWithWebIdentity"), new Headers()));
  assert.ok(isStsRequest("POST", t("http://h/any/path?Version=1&Action=X"), new Headers()));
  assert.ok(isStsRequest("POST", t("http://h/"), new Headers(form)));
  assert.ok(!isStsRequest("POST", t("http://h/b/k?uploads"), new Headers(form)));
  assert.ok(!isStsRequest("POST", t("http://h/bucket"), new Headers(form)), "a browser upload");
  assert.ok(!isStsRequest("PUT", t("http://h/b/k"), new Headers(form)));
  assert.ok(!isStsRequest("GET", t("http://h/b?list-type=2&prefix=Action="), new Headers()));
  assert.ok(!isStsRequest("POST", t("http://h/b?delete"), new Headers()));
});

Deno.test("readStsParams() merges the query and a form body, and limits the body to 64 KiB", async () => {
  const req = new Request("http://h/?Action=AssumeRoleWithWebIdentity", {
    method: "POST",
    headers: form,
    body: "RoleArn=ci&WebIdentityToken=a.b.c",
  });
  const p = await readStsParams(req, requestTarget(req.url));
  assert.ok(p.ok);
  assert.equal(p.value.get("Action"), "AssumeRoleWithWebIdentity");
  assert.equal(p.value.get("RoleArn"), "ci");
  const big = new Request("http://h/", {
    method: "POST",
    headers: form,
    body: "x=" + "a".repeat(70_000),
  });
  const r = await readStsParams(big, requestTarget(big.url));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, "InvalidArgument");
});

Deno.test("assumeRoleParams() takes a call without RoleSessionName (multistore's clients)", () => {
  const r = assumeRoleParams(new URLSearchParams("RoleArn=ci&WebIdentityToken=t"));
  assert.ok(r.ok);
  assert.equal(r.value.roleSessionName, undefined);
});

Deno.test("sessionNameFor() makes a valid RoleSessionName of any subject", () => {
  assert.equal(
    sessionNameFor("repo:org/app:ref:refs/heads/main"),
    "repo-org-app-ref-refs-heads-main",
  );
  assert.equal(sessionNameFor("alice@example.com"), "alice@example.com");
  assert.equal(sessionNameFor("x"), "web-identity");
  assert.equal(sessionNameFor(""), "web-identity");
  assert.equal(sessionNameFor("é".repeat(100)), "-".repeat(64));
  for (const sub of ["a b", "ünï/cødé", "x".repeat(300), "::", "1234567890"]) {
    assert.match(sessionNameFor(sub), /^[\w+=,.@-]{2,64}$/, sub);
  }
});

Deno.test("assumeRoleParams() names the missing or malformed parameter", () => {
  const p = (q: string) => assumeRoleParams(new URLSearchParams(q));
  const full = "RoleArn=ci&WebIdentityToken=t&RoleSessionName=s1";
  assert.ok(p(full).ok);
  for (
    const [q, re] of [
      ["WebIdentityToken=t&RoleSessionName=s1", /RoleArn/],
      ["RoleArn=ci&RoleSessionName=s1", /WebIdentityToken/],
      ["RoleArn=ci&WebIdentityToken=t&RoleSessionName=a", /RoleSessionName must be/],
      [full + "&DurationSeconds=1h", /DurationSeconds/],
      [`RoleArn=ci&RoleSessionName=s1&WebIdentityToken=${"a".repeat(20_001)}`, /longer than/],
    ] as const
  ) {
    const r = p(q);
    assert.ok(!r.ok, q.slice(0, 40));
    assert.equal(r.error.kind, "InvalidArgument");
    assert.match(r.error.message, re);
  }
  const d = p(full + "&DurationSeconds=7200");
  assert.ok(d.ok && d.value.durationSeconds === 7200);
});

Deno.test("assumeRoleParams() reads the Policy parameter as text (checked when minting)", () => {
  const r = assumeRoleParams(
    new URLSearchParams({ RoleArn: "ci", WebIdentityToken: "t", Policy: "{x" }),
  );
  assert.ok(r.ok && r.value.policy === "{x");
  const none = assumeRoleParams(new URLSearchParams({ RoleArn: "ci", WebIdentityToken: "t" }));
  assert.ok(none.ok && !("policy" in none.value));
});
