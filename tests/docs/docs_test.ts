/**
 * The manual stays true to the repository: its relative links (and their
 * `#anchors`) resolve inside it, the files it names exist, no tracked file
 * points outside it, every config key the reader accepts is on the
 * configuration page, and the error table of docs/design.md is `S3_ERRORS`.
 */
import assert from "node:assert/strict";
import { CONFIG_KEYS } from "../../src/config/load.ts";
import { S3_ERRORS } from "../../src/errors.ts";

const ROOT = new URL("../../", import.meta.url);
const ROOT_PATH = decodeURIComponent(ROOT.pathname);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));

/** The pages checked: README, ARCHITECTURE, SECURITY, every page of docs/, and bench/results.md. */
function pages(): string[] {
  const docs = [...Deno.readDirSync(new URL("docs/", ROOT))]
    .filter((e) => e.isFile && e.name.endsWith(".md")).map((e) => `docs/${e.name}`).sort();
  return ["README.md", "ARCHITECTURE.md", "SECURITY.md", ...docs, "bench/results.md"];
}

/** The text outside fenced code blocks and inline code spans, where links live. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The targets of inline links `[text](target)` that are relative (no scheme, not `mailto:`). */
export function relativeLinks(markdown: string): string[] {
  const targets = [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) =>
    m[1]!
  );
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Every anchor a page offers (a repeated heading gets -1, -2, … as on GitHub). */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const headings = markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+)$/gm);
  for (const [, heading] of headings) {
    const base = anchorOf(heading!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Why a link of `page` does not resolve, or undefined when it does. */
async function brokenLink(page: string, target: string): Promise<string | undefined> {
  const [path = "", anchor] = target.split("#", 2);
  const url = path === "" ? new URL(page, ROOT) : new URL(path, new URL(page, ROOT));
  const file = decodeURIComponent(url.pathname);
  if (!file.startsWith(ROOT_PATH)) return "points outside the repository";
  const stat = await Deno.stat(file).catch(() => undefined);
  if (!stat) return "no such file";
  if (anchor === undefined || !file.endsWith(".md")) return undefined;
  const anchors = anchorsOf(await Deno.readTextFile(file));
  return anchors.has(anchor) ? undefined : `no heading #${anchor}`;
}

Deno.test("anchorOf() and relativeLinks() read headings and links as GitHub does", () => {
  assert.equal(anchorOf("Temporary credentials (OIDC → STS)"), "temporary-credentials-oidc--sts");
  assert.equal(
    anchorOf("Backend credentials without secrets: `auth_type: oidc`"),
    "backend-credentials-without-secrets-auth_type-oidc",
  );
  assert.deepEqual([...anchorsOf("# A\n## A\n```\n# not a heading\n```\n")], ["a", "a-1"]);
  assert.deepEqual(
    relativeLinks("[x](a.md#b) [y](https://e.com) `[z](code.md)`\n```\n[w](fenced.md)\n```\n"),
    ["a.md#b"],
  );
});

Deno.test("every relative link of the README, ARCHITECTURE, SECURITY, docs/ and bench/results.md resolves", async () => {
  const broken: string[] = [];
  for (const page of pages()) {
    for (const target of relativeLinks(await read(page))) {
      const why = await brokenLink(page, target);
      if (why) broken.push(`${page}: (${target}) ${why}`);
    }
  }
  assert.deepEqual(broken, []);
});

/** The repository paths a page names as code: `src/…`, `tests/…`, `bench/…`, `deploy/…`, `docs/…`. */
export function namedPaths(markdown: string): string[] {
  return [...markdown.matchAll(/`((?:src|tests|bench|deploy|docs)\/[\w./-]+)`/g)].map((m) => m[1]!);
}

Deno.test("every file or folder the pages name as code exists (the tests design.md cites, too)", async () => {
  const missing: string[] = [];
  for (const page of pages()) {
    for (const path of namedPaths(await read(page))) {
      if (!(await Deno.stat(new URL(path, ROOT)).then(() => true, () => false))) {
        missing.push(`${page}: ${path}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("the README links every page of docs/", async () => {
  const readme = relativeLinks(await read("README.md")).map((t) => t.split("#")[0]);
  const docs = pages().filter((p) => p.startsWith("docs/"));
  assert.deepEqual(docs.filter((p) => !readme.includes(p)), []);
});

/** What no tracked file may contain: a development machine's path, or a folder beside the repository. */
const OUTSIDE = [
  new RegExp(String.raw`(^|[^\w.])/` + "work/"),
  new RegExp(String.raw`\.\./` + "shared"),
];

Deno.test("no tracked file points at a machine's path or a folder beside the repository", async () => {
  const git = await new Deno.Command("git", { args: ["ls-files", "-z"], cwd: ROOT_PATH }).output();
  assert.ok(git.success, "git ls-files");
  const files = new TextDecoder().decode(git.stdout).split("\0").filter((f) => f !== "");
  assert.ok(files.length > 100, `${files.length} tracked files`);
  const found: string[] = [];
  for (const file of files) {
    const bytes = await Deno.readFile(`${ROOT_PATH}${file}`).catch(() => undefined);
    if (!bytes || bytes.includes(0)) continue; // gone from the work tree, or binary
    const lines = new TextDecoder().decode(bytes).split("\n");
    lines.forEach((line, i) => {
      if (OUTSIDE.some((re) => re.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

Deno.test("every key the config reader accepts is on docs/configuration.md", async () => {
  const page = await read("docs/configuration.md");
  // Each key by its name: the last part of its path (`buckets[].backend_options.endpoint`).
  const keys = new Set(CONFIG_KEYS.map((path) => path.slice(path.lastIndexOf(".") + 1)));
  // Named as code (`key`) or written as a YAML key (`key:`) in an example.
  const named = (key: string) =>
    page.includes(`\`${key}\``) || new RegExp(`^[\\s-]*${key}:|[{,]\\s*${key}:`, "m").test(page);
  assert.deepEqual([...keys].filter((k) => !named(k)), []);
});

Deno.test("docs/design.md's error table is S3_ERRORS: every kind, its status and code", async () => {
  const page = await read("docs/design.md");
  const rows = new Map(
    [...page.matchAll(/^\|\s*(\w+)\s*\|\s*(\d{3})\s*\|\s*(\w+)\s*\|/gm)].map((m) => [
      m[1]!,
      `${m[2]} ${m[3]}`,
    ]),
  );
  const expected = Object.entries(S3_ERRORS).map(([kind, e]) => `${kind}: ${e.status} ${e.code}`);
  const actual = Object.keys(S3_ERRORS).map((kind) => `${kind}: ${rows.get(kind) ?? "missing"}`);
  assert.deepEqual(actual, expected);
  const extra = [...rows.keys()].filter((k) => !(k in S3_ERRORS));
  assert.deepEqual(extra, [], "rows for kinds that S3_ERRORS does not have");
});
