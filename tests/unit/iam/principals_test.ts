import assert from "node:assert/strict";
import { Problems } from "../../../src/iam/problems.ts";
import { compilePrincipals, principalMatch } from "../../../src/iam/principals.ts";

const OPTIONS = {
  accountId: "123456789012",
  roleIds: new Set(["ci"]),
  accessKeyIds: new Set(["AKIDALICE"]),
};

function compiled(raw: unknown, negated = false) {
  const problems = new Problems();
  const p = compilePrincipals(raw, "Principal", negated, problems, OPTIONS);
  assert.deepEqual(problems.list, []);
  return p;
}

const ALICE = { kind: "user", accessKeyId: "AKIDALICE" } as const;
const CI = { kind: "session", roleId: "ci" } as const;
const ANON = { kind: "anonymous" } as const;

Deno.test("principalMatch() names everyone, a key or a role, and says which", () => {
  assert.equal(principalMatch(compiled("*"), ANON), "everyone");
  assert.equal(principalMatch(compiled({ AWS: "*" }), CI), "everyone");
  const named = compiled({ AWS: ["AKIDALICE", "arn:aws:iam::*:role/ci"] });
  assert.equal(principalMatch(named, ALICE), "key");
  assert.equal(principalMatch(named, CI), "role");
  assert.equal(principalMatch(named, ANON), undefined);
  assert.equal(principalMatch(compiled({ AWS: "arn:aws:iam::123456789012:role/ci" }), CI), "role");
  assert.equal(
    principalMatch(compiled({ AWS: "AKIDALICE" }), { kind: "user", accessKeyId: "AKIDBOB" }),
    undefined,
  );
});

Deno.test("NotPrincipal names everyone but the callers it lists", () => {
  const not = compiled({ AWS: "AKIDALICE" }, true);
  assert.equal(principalMatch(not, ALICE), undefined);
  assert.equal(principalMatch(not, ANON), "everyone");
});

Deno.test("compilePrincipals() reports other accounts, unknown roles and keys, and other principal types", () => {
  const problems = new Problems();
  compilePrincipals(
    {
      AWS: [
        "arn:aws:iam::999999999999:role/ci",
        "arn:aws:iam::*:role/nope",
        "AKIDNOBODY",
        "arn:aws:iam::1:user/x",
        "a b",
        3,
      ],
    },
    "Principal",
    false,
    problems,
    OPTIONS,
  );
  assert.deepEqual(
    problems.list.map((p) => p.path),
    [0, 1, 2, 3, 4, 5].map((i) => `Principal.AWS[${i}]`),
  );
  assert.match(problems.list[0]!.message, /account 999999999999; bucketgate's is 123456789012/);
  const service = new Problems();
  compilePrincipals({ Service: "s3.amazonaws.com" }, "Principal", false, service, OPTIONS);
  assert.match(service.list[0]!.message, /AWS principals only/);
});
