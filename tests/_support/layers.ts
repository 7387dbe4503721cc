/**
 * The layer rule of ARCHITECTURE.md as code: every module of `src/` (and
 * `main.ts`) belongs to a unit (a top-level file, or a folder directly under
 * `src/`), every unit to a layer, and an import never points up a layer nor
 * closes a cycle of units. Pure over an import graph; the test reads the tree.
 */

/** The layers, bottom first: a unit may import from its own layer and the ones below. */
export const LAYERS: readonly (readonly string[])[] = [
  // kernel
  [
    "result.ts",
    "errors.ts",
    "bytes.ts",
    "clock.ts",
    "xml.ts",
    "version.ts",
    "ip.ts",
    "deno.json", // the version, read as data
  ],
  // libraries
  ["checksum", "streams", "sigv4", "config", "http", "oidc", "iam"],
  // stores
  ["backends", "limits"],
  // who may do what
  ["auth", "authz", "sts"],
  // S3 operations
  ["s3"],
  // the pipeline and its edge helpers
  ["app.ts", "log", "admin", "cli", "workers"],
  // the Deno edge
  ["main.ts"],
];

/** One import: the importing module and the imported one, as paths from the project root. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** The unit of a module path: `main.ts`, `app.ts`, or the folder under `src/` (`auth`). */
export function unitOf(path: string): string {
  if (!path.startsWith("src/")) return path;
  const rest = path.slice(4);
  const slash = rest.indexOf("/");
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** The layer index of a unit, or undefined for a unit no layer names. */
export function layerOf(unit: string, layers: readonly (readonly string[])[] = LAYERS) {
  const i = layers.findIndex((l) => l.includes(unit));
  return i < 0 ? undefined : i;
}

/** Every way the edges break the rule, one sentence each (empty when they keep it). */
export function layerProblems(
  edges: readonly ImportEdge[],
  layers: readonly (readonly string[])[] = LAYERS,
): string[] {
  const problems: string[] = [];
  const units = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = unitOf(from);
    const b = unitOf(to);
    const la = layerOf(a, layers);
    const lb = layerOf(b, layers);
    if (la === undefined) problems.push(`${from}: its unit '${a}' is in no layer`);
    if (lb === undefined) problems.push(`${to}: its unit '${b}' is in no layer`);
    if (la !== undefined && lb !== undefined && lb > la) {
      problems.push(
        `${from} imports ${to}: '${a}' (layer ${la}) reaches up to '${b}' (layer ${lb})`,
      );
    }
    if (a !== b) {
      const out = units.get(a) ?? new Set<string>();
      out.add(b);
      units.set(a, out);
    }
  }
  for (const cycle of unitCycles(units)) problems.push(`units form a cycle: ${cycle.join(" → ")}`);
  return [...new Set(problems)];
}

/** The cycles among units (each once, as a path that returns to its start). */
function unitCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (u: string) => {
    state.set(u, "open");
    path.push(u);
    for (const v of graph.get(u) ?? []) {
      if (state.get(v) === "open") cycles.push([...path.slice(path.indexOf(v)), v]);
      else if (!state.has(v)) visit(v);
    }
    path.pop();
    state.set(u, "done");
  };
  for (const u of [...graph.keys()].sort()) if (!state.has(u)) visit(u);
  return cycles;
}

/**
 * The stores of `backends/` (a folder or a file directly under it). None
 * imports another, and what they share never imports a store: what the remote
 * ones share lives in `backends/http/`, what all share beside them
 * (`backends/conditions.ts`, `backends/range.ts`). Only `backends/factory.ts`,
 * which builds them, imports them.
 */
export const STORES: readonly string[] = ["memory.ts", "fs", "s3", "az"];

/** The one module of `backends/` outside the stores that imports them: it builds them. */
const STORE_BUILDER = "src/backends/factory.ts";

/** The store a module of `src/backends/` belongs to, "shared" for another one there. */
function storeOf(path: string, stores: readonly string[]): string | undefined {
  if (!path.startsWith("src/backends/")) return undefined;
  const first = path.slice("src/backends/".length).split("/")[0]!;
  return stores.includes(first) ? first : "shared";
}

/** Every import from one store of `backends/` into another, or from shared code into a store. */
export function storeProblems(
  edges: readonly ImportEdge[],
  stores: readonly string[] = STORES,
): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const a = storeOf(from, stores);
    const b = storeOf(to, stores);
    if (!a || !b || a === b || b === "shared" || from === STORE_BUILDER) continue;
    problems.push(
      a === "shared"
        ? `${from} imports ${to}: shared code reaches into store '${b}'`
        : `${from} imports ${to}: store '${a}' reaches into '${b}'`,
    );
  }
  return problems;
}

const SPECIFIER =
  /(?:^|[^\w$.])(?:import|export)\s[^'"]*?from\s*["'](\.\.?\/[^"']+)["']|import\(\s*["'](\.\.?\/[^"']+)["']\s*\)/g;

/** A comment line: a doc comment's inner line (` * …`) or a `//` line. */
const COMMENT_LINE = /^[ \t]*(?:\*|\/\/).*$/gm;

/**
 * The relative imports of one module's text, resolved against its path; an
 * import in a comment (a doc comment's `@example`) is none of the module's.
 */
export function importsOf(path: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  for (const m of text.replace(COMMENT_LINE, "").matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2]!;
    edges.push({ from: path, to: normalize(dir === "" ? spec : `${dir}/${spec}`) });
  }
  return edges;
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out.join("/");
}
