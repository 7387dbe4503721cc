import assert from "node:assert/strict";
import { UNRESOLVED } from "../../../src/iam/keys.ts";
import {
  matchPattern,
  matchTokens,
  ONE,
  parsePattern,
  type Pattern,
  type PatternSyntax,
  patternText,
  STAR,
  type Token,
} from "../../../src/iam/wildcard.ts";

const FULL: PatternSyntax = { wildcards: true, variables: true };
const noKeys = new Map<string, readonly string[]>();

function pattern(text: string, syntax = FULL): Pattern {
  const r = parsePattern(text, syntax);
  if ("problem" in r) throw new Error(r.problem);
  return r.pattern;
}

Deno.test("parsePattern() reads wildcards, variables and AWS's escapes", () => {
  assert.deepEqual(pattern("data/*/x?").tokens, ["data/", STAR, "/x", ONE]);
  assert.deepEqual(pattern("home/${aws:username}/*").tokens, [
    "home/",
    { variable: "aws:username" },
    "/",
    STAR,
  ]);
  assert.deepEqual(pattern("a${*}b${?}${$}").tokens, ["a*b?$"]);
  assert.deepEqual(pattern("a*?", { wildcards: false, variables: false }).tokens, ["a*?"]);
  assert.deepEqual(pattern("${x}", { wildcards: true, variables: false }).tokens, ["${x}"]);
  assert.deepEqual(pattern("${jwt:Team}").tokens, [{ variable: "jwt:Team" }]);
});

Deno.test("parsePattern() reports an unclosed or unknown variable", () => {
  const open = parsePattern("home/${aws:username", FULL);
  assert.ok("problem" in open && /without its '}'/.test(open.problem));
  const unknown = parsePattern("home/${aws:nope}", FULL);
  assert.ok("problem" in unknown && /unknown condition key 'aws:nope'/.test(unknown.problem));
});

function globRegex(glob: string): RegExp {
  const body = [...glob].map((c) =>
    c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`);
}

Deno.test("matchTokens() agrees with a regular expression on random globs and texts (seeded)", () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = (alphabet: string, max: number) =>
    Array.from({ length: rand(max) }, () => alphabet[rand(alphabet.length)]).join("");
  for (let i = 0; i < 5000; i++) {
    const glob = pick("ab/*?", 7);
    const text = pick("ab/", 8);
    const expected = globRegex(glob).test(text);
    assert.equal(matchTokens(pattern(glob).tokens, text), expected, `${glob} on '${text}'`);
  }
});

Deno.test("matchPattern() matches a variable's value literally, and fails closed without a safe one", () => {
  const p = pattern("home/${aws:username}/*");
  const keys = (v: string[]) => new Map([["aws:username", v]]);
  assert.equal(matchPattern(p, "home/alice/x", keys(["alice"])), true);
  assert.equal(matchPattern(p, "home/bob/x", keys(["alice"])), false);
  assert.equal(matchPattern(p, "home/alice/x", noKeys), UNRESOLVED);
  for (const unsafe of ["*", "a?", "$x", "..", "a/../b", ""]) {
    assert.equal(matchPattern(p, "home/a/x", keys([unsafe])), UNRESOLVED, unsafe);
  }
  assert.equal(matchPattern(p, "home/a/x", keys(["a", "b"])), UNRESOLVED, "two values");
  const literalStar: Token[] = ["a*"];
  assert.equal(matchTokens(literalStar, "a*"), true);
  assert.equal(matchTokens(literalStar, "ab"), false);
});

Deno.test("patternText() writes a resolved pattern back as text", () => {
  assert.equal(
    patternText(pattern("t-${jwt:sub}*"), new Map([["jwt:sub", ["u1"]]])),
    "t-u1*",
  );
  assert.equal(patternText(pattern("t-${jwt:sub}"), noKeys), UNRESOLVED);
});
