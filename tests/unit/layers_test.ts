import assert from "node:assert/strict";
import {
  type ImportEdge,
  importsOf,
  layerProblems,
  storeProblems,
  unitOf,
} from "../_support/layers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function* modules(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* modules(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

async function projectImports(): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = [];
  const paths = ["main.ts"];
  for await (const p of modules("src")) paths.push(p);
  for (const p of paths) edges.push(...importsOf(p, await Deno.readTextFile(`${ROOT}${p}`)));
  return edges;
}

Deno.test("layers: no import in src/ or main.ts runs up a layer or closes a cycle of units", async () => {
  const edges = await projectImports();
  assert.ok(edges.length > 300, `only ${edges.length} imports found: is the parser broken?`);
  assert.deepEqual(layerProblems(edges), []);
});

Deno.test("stores: no store of backends/ imports another, nor shared code a store (what s3 and az share is backends/http/)", async () => {
  assert.deepEqual(storeProblems(await projectImports()), []);
});

Deno.test("storeProblems() names an import from one store into another or from shared code into a store", () => {
  assert.deepEqual(
    storeProblems([
      { from: "src/backends/az/response.ts", to: "src/backends/s3/xml.ts" },
      { from: "src/backends/az/client.ts", to: "src/backends/http/send.ts" },
      { from: "src/backends/s3/objects.ts", to: "src/backends/conditions.ts" },
      { from: "src/backends/factory.ts", to: "src/backends/fs/fs.ts" },
      { from: "src/backends/fs/read.ts", to: "src/backends/memory.ts" },
      { from: "src/backends/http/retry.ts", to: "src/backends/s3/errors.ts" },
      { from: "src/s3/ops/objects.ts", to: "src/backends/fs/fs.ts" },
    ]),
    [
      "src/backends/az/response.ts imports src/backends/s3/xml.ts: store 'az' reaches into 's3'",
      "src/backends/fs/read.ts imports src/backends/memory.ts: store 'fs' reaches into 'memory.ts'",
      "src/backends/http/retry.ts imports src/backends/s3/errors.ts: shared code reaches into store 's3'",
    ],
  );
});

Deno.test("layers: every unit of src/ is in a layer", async () => {
  const units = new Set<string>();
  for await (const p of modules("src")) units.add(unitOf(p));
  const missing = layerProblems([...units].map((u) => ({ from: "main.ts", to: `src/${u}` })))
    .filter((p) => p.includes("in no layer"));
  assert.deepEqual(missing, []);
});

Deno.test("layerProblems() names an import that runs up a layer", () => {
  const problems = layerProblems([{ from: "src/errors.ts", to: "src/s3/xml.ts" }]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /src\/errors\.ts imports src\/s3\/xml\.ts: 'errors\.ts' \(layer 0\)/);
});

Deno.test("layerProblems() names a cycle of units within one layer", () => {
  const problems = layerProblems([
    { from: "src/auth/a.ts", to: "src/sts/b.ts" },
    { from: "src/sts/c.ts", to: "src/authz/d.ts" },
    { from: "src/authz/e.ts", to: "src/auth/f.ts" },
  ]);
  assert.deepEqual(problems, ["units form a cycle: auth → sts → authz → auth"]);
});

Deno.test("layerProblems() allows imports down and within a unit", () => {
  assert.deepEqual(
    layerProblems([
      { from: "main.ts", to: "src/app.ts" },
      { from: "src/s3/ops/get_object.ts", to: "src/s3/headers.ts" },
      { from: "src/backends/fs/file_stream.ts", to: "src/streams/idle.ts" },
    ]),
    [],
  );
});

Deno.test("importsOf() reads static, multi-line, type-only and dynamic imports, not a comment's", () => {
  const text = [
    'import { a } from "./a.ts";',
    "import {",
    "  b,",
    "  type C,",
    '} from "../lib/b.ts";',
    'import type { D } from "./d/d.ts";',
    'export { e } from "./e.ts";',
    'const f = await import("./f.ts");',
    'import { g } from "npm:yaml";',
    "/**",
    " * @example",
    " * ```ts",
    ' * import { h } from "../h.ts";',
    " * ```",
    " */",
    '// import { i } from "./i.ts";',
  ].join("\n");
  assert.deepEqual(importsOf("src/s3/x.ts", text).map((e) => e.to), [
    "src/s3/a.ts",
    "src/lib/b.ts",
    "src/s3/d/d.ts",
    "src/s3/e.ts",
    "src/s3/f.ts",
  ]);
});
