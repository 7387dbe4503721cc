import assert from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { joinPath, parseIsoDate, Reader } from "../../../src/config/_reader.ts";
import { envOf, noEnv } from "./_helpers.ts";

function read(yaml: string, keys: readonly string[], env = noEnv) {
  const lines = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lines });
  const r = new Reader(doc, lines, env);
  return { r, doc, f: r.mapping(doc.contents, "", keys) };
}

const where = (r: Reader) => r.problems.map((p) => `${p.path}@${p.line}:${p.column} ${p.message}`);

Deno.test("joinPath() dots keys, appends indexes, and leaves a root path empty", () => {
  assert.equal(joinPath("", "buckets"), "buckets");
  assert.equal(joinPath("buckets", "[0]"), "buckets[0]");
  assert.equal(joinPath("buckets[0]", "name"), "buckets[0].name");
  assert.equal(joinPath("a", ""), "a");
});

Deno.test("Reader.mapping() reports unknown keys with a suggestion, and a non-mapping", () => {
  const { r, f } = read("name: x\nnmae: y\n", ["name"]);
  assert.ok(f);
  assert.deepEqual(where(r), ["nmae@2:1 unknown key (did you mean name?)"]);
  const list = read("- a\n", ["name"]);
  assert.equal(list.f, undefined);
  assert.deepEqual(where(list.r), [
    "@1:1 the config must be a mapping of settings (name), not a list",
  ]);
});

Deno.test("Reader.string() requires, refuses empty and non-strings, keeps a number's source", () => {
  const { r, f } = read('a: ""\nb: [1]\nc: 1.10\nd: ~\n', ["a", "b", "c", "d"]);
  assert.equal(r.string(f!, "a"), undefined);
  assert.equal(r.string(f!, "a", { allowEmpty: true })?.value, "");
  assert.equal(r.string(f!, "b"), undefined);
  assert.equal(r.string(f!, "c")?.value, "1.10");
  assert.equal(r.string(f!, "d", { required: true }), undefined, "null is absent");
  assert.deepEqual(where(r), [
    "a@1:4 must not be empty",
    "b@2:4 must be a string, not a list",
    "d@4:4 required",
  ]);
});

Deno.test("Reader.boolean() and .integer() take typed YAML, and strings only from ${...}", () => {
  const env = envOf({ T: "true", N: "42" });
  const { r, f } = read(
    'a: true\nb: "true"\nc: "${T}"\nn: 7\nm: "${N}"\no: 99\n',
    ["a", "b", "c", "n", "m", "o", "x"],
    env,
  );
  assert.equal(r.boolean(f!, "a"), true);
  assert.equal(r.boolean(f!, "b", false), false);
  assert.equal(r.boolean(f!, "c"), true);
  assert.equal(r.boolean(f!, "x", true), true);
  assert.equal(r.boolean(f!, "x"), undefined);
  const bounds = { fallback: 1, min: 1, max: 50 };
  assert.equal(r.integer(f!, "n", bounds), 7);
  assert.equal(r.integer(f!, "m", bounds), 42);
  assert.equal(r.integer(f!, "o", bounds), 1);
  assert.equal(r.integer(f!, "x", bounds), 1);
  assert.deepEqual(
    where(r),
    [
      "b@2:4 must be true or false, not the string 'true'",
      "x@1:1 required: true or false",
      "o@6:4 must be an integer from 1 to 50, not the number 99",
    ],
  );
});

Deno.test("Reader.list() and .strings() give items with their paths; a non-list is a problem", () => {
  const { r, f } = read("l: [a, 2, [x]]\ns: nope\n", ["l", "s", "x"]);
  assert.deepEqual(r.strings(f!, "l")?.map((i) => [i.path, i.value]), [["l[0]", "a"], [
    "l[1]",
    "2",
  ]]);
  assert.equal(r.list(f!, "s"), undefined);
  assert.deepEqual(r.list(f!, "x"), []);
  assert.equal(r.list(f!, "x", "required: a list"), undefined);
  assert.deepEqual(where(r), [
    "l[2]@1:11 must be a string, not a list",
    "s@2:4 must be a list, not the string 'nope'",
    "x@1:1 required: a list",
  ]);
});

Deno.test("Reader.date() reads YAML timestamps and ISO strings, and names the form it wants", () => {
  const { r, f } = read('a: 2026-01-02\nb: "2026-01-02T03:04:05+01:00"\nc: "01/02/2026"\n', [
    "a",
    "b",
    "c",
  ]);
  assert.equal(r.date(f!, "a")?.value.toISOString(), "2026-01-02T00:00:00.000Z");
  assert.equal(r.date(f!, "b")?.value.toISOString(), "2026-01-02T02:04:05.000Z");
  assert.equal(r.date(f!, "c"), undefined);
  assert.match(where(r)[0]!, /^c@3:4 must be an ISO 8601 date/);
});

Deno.test("Reader.plain() copies a subtree into null-prototype data, typing unquoted ${...} as YAML", () => {
  const env = envOf({ N: "8", B: "false" });
  const { r, doc } = read('o:\n  n: ${N}\n  q: "${N}"\n  b: ${B}\n  l: [x]\n', ["o"], env);
  const plain = r.plain(doc.get("o", true), "o") as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(plain), null);
  assert.deepEqual({ ...plain }, { n: 8, q: "8", b: false, l: ["x"] });
});

Deno.test("Reader.locate() finds the node at a relative path, or the deepest that exists", () => {
  const { r, doc } = read("o:\n  a:\n    - { b: 1 }\n", ["o"]);
  const root = doc.get("o", true);
  const at = (p: string) => (r.locate(root, p) as { range?: number[] }).range?.[0];
  assert.equal(at("a[0].b"), "o:\n  a:\n    - { b: ".length);
  assert.equal(at("a[0].zz"), at("a[0]"));
  assert.equal(at("a[5]"), at("a"));
});

Deno.test("parseIsoDate() takes a date or a zoned date-time, and refuses calendar overflow", () => {
  assert.equal(parseIsoDate("2026-02-28")?.toISOString(), "2026-02-28T00:00:00.000Z");
  assert.equal(parseIsoDate("2026-02-28T10:00Z")?.toISOString(), "2026-02-28T10:00:00.000Z");
  assert.equal(
    parseIsoDate("2026-02-28 10:00:00 -0230")?.toISOString(),
    "2026-02-28T12:30:00.000Z",
  );
  assert.equal(parseIsoDate("2026-02-30"), undefined);
  assert.equal(parseIsoDate("2026-02-28T10:00:00"), undefined, "a date-time needs a zone");
  assert.equal(parseIsoDate("yesterday"), undefined);
});
