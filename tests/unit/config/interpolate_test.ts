import assert from "node:assert/strict";
import { interpolate } from "../../../src/config/interpolate.ts";
import { envOf } from "./_helpers.ts";

const env = envOf({ A: "1", NAME: "world", EMPTY: "" });

Deno.test("interpolate() replaces ${VAR} anywhere in the text", () => {
  assert.deepEqual(interpolate("x${A}y ${NAME}!", env), {
    value: "x1y world!",
    substituted: true,
    problems: [],
  });
});

Deno.test("interpolate() leaves text without references untouched", () => {
  assert.deepEqual(interpolate("plain $ text $5 {x}", env), {
    value: "plain $ text $5 {x}",
    substituted: false,
    problems: [],
  });
});

Deno.test("interpolate() uses ${VAR:-default} when the variable is unset or empty", () => {
  assert.equal(interpolate("${MISSING:-dflt}", env).value, "dflt");
  assert.equal(interpolate("${EMPTY:-dflt}", env).value, "dflt");
  assert.equal(interpolate("${A:-dflt}", env).value, "1");
  assert.equal(interpolate("${MISSING:-}", env).value, "");
  assert.equal(interpolate("${MISSING:-a b:c/d}", env).value, "a b:c/d");
  assert.deepEqual(interpolate("${MISSING:-x}", env).problems, []);
});

Deno.test("interpolate() reports an unset variable without a default", () => {
  const r = interpolate("key=${DEV_SECRET} and ${OTHER}", env);
  assert.deepEqual(r.problems, [
    "environment variable DEV_SECRET is not set",
    "environment variable OTHER is not set",
  ]);
});

Deno.test("interpolate() keeps a set but empty variable as the empty string", () => {
  assert.deepEqual(interpolate("[${EMPTY}]", env), {
    value: "[]",
    substituted: true,
    problems: [],
  });
});

Deno.test("interpolate() reads $${ as a literal ${", () => {
  assert.deepEqual(interpolate("$${A}", env), { value: "${A}", substituted: false, problems: [] });
  assert.equal(interpolate("$$${A}", env).value, "$${A}");
  assert.equal(
    interpolate("cost: $$5 and $${NOPE} and ${A}", env).value,
    "cost: $$5 and ${NOPE} and 1",
  );
});

Deno.test("interpolate() reports a malformed reference instead of passing it through", () => {
  for (const text of ["${DEV SECRET}", "${1ABC}", "${A", "${}", "${A:default}"]) {
    const r = interpolate(text, env);
    assert.equal(r.problems.length, 1, text);
    assert.match(r.problems[0]!, /^malformed reference '\$\{/, text);
  }
});

Deno.test("interpolate() calls the lookup only for referenced names", () => {
  const asked: string[] = [];
  interpolate("${A} ${B:-x} $${C}", (name) => {
    asked.push(name);
    return "v";
  });
  assert.deepEqual(asked, ["A", "B"]);
});

Deno.test("interpolate() leaves IAM policy variables (a service prefix and a colon) and AWS's escapes alone", () => {
  for (
    const text of [
      "${aws:username}",
      "home/${jwt:sub}/*",
      "${s3:prefix}",
      "a${*}b${?}${$}",
      "${jwt:custom.claim}",
    ]
  ) {
    assert.deepEqual(
      interpolate(text, env),
      { value: text, substituted: false, problems: [] },
      text,
    );
  }
  assert.deepEqual(interpolate("${A}/${aws:userid}", env), {
    value: "1/${aws:userid}",
    substituted: true,
    problems: [],
  });
  assert.equal(
    interpolate("${MISSING:-${aws:x}", env).problems.length,
    0,
    "a default is text up to the first }",
  );
});
