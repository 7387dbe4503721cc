import assert from "node:assert/strict";
import {
  functionSizes,
  limitOf,
  lineCount,
  MAX_FACTORY_LINES,
  MAX_FILE_LINES,
} from "../_support/sizes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * Kept larger than the rule, and why (none today). A key
 * is a file (`src/x.ts`) or a function (`src/x.ts:name`); an entry that no
 * longer exceeds its limit fails the test, so the list stays true.
 */
const KEPT_LARGER: Readonly<Record<string, string>> = {};

async function* modules(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* modules(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

async function oversized(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const paths = ["main.ts"];
  for await (const p of modules("src")) paths.push(p);
  for (const path of paths.sort()) {
    const text = await Deno.readTextFile(`${ROOT}${path}`);
    const lines = lineCount(text);
    if (lines > MAX_FILE_LINES) found.set(path, `${lines} lines`);
    for (const f of functionSizes(path, text)) {
      if (f.lines > limitOf(f)) found.set(`${path}:${f.name}`, `${f.lines} lines at ${f.line}`);
    }
  }
  return found;
}

Deno.test("sizes: no file of src/ over 400 lines, no function over 80 (factories 150), but those kept larger", async () => {
  const found = await oversized();
  const unexplained = [...found].filter(([where]) => !(where in KEPT_LARGER))
    .map(([where, size]) => `${where} (${size})`);
  const stale = Object.keys(KEPT_LARGER).filter((where) => !found.has(where));
  assert.deepEqual({ unexplained, stale }, { unexplained: [], stale: [] });
});

Deno.test("functionSizes() measures named, nested and anonymous functions", () => {
  const text = [
    "export function outer() {", // 1
    "  const inner = () => {", // 2
    "    return [1].map(function (x) {", // 3
    "      return x;", // 4
    "    });", // 5
    "  };", // 6
    "  return { go() { return inner(); } };", // 7
    "}", // 8
  ].join("\n");
  const sizes = functionSizes("x.ts", text).map((f) => `${f.name}:${f.line}+${f.lines}`);
  assert.deepEqual(sizes, [
    "outer:1+8",
    "outer.inner:2+5",
    "outer.inner.(anonymous)@3:3+3",
    "outer.go:7+1",
  ]);
});

Deno.test("limitOf() gives factories (create…) more room than other functions", () => {
  assert.equal(limitOf({ name: "createFsBackend", line: 1, lines: 1 }), MAX_FACTORY_LINES);
  assert.equal(limitOf({ name: "createFsBackend.put", line: 1, lines: 1 }), 80);
  assert.equal(limitOf({ name: "created", line: 1, lines: 1 }), 80);
  assert.equal(lineCount("a\nb\n"), 2);
  assert.equal(lineCount("a\nb"), 2);
});
