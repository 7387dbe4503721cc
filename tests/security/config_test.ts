/** parseConfig() on mutated valid YAML (config.yaml and the docs' examples): problems, never throws. */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/load.ts";
import { fuzz, mutateString } from "./_fuzz.ts";

const root = new URL("../../", import.meta.url);
const CONFIG = await Deno.readTextFile(new URL("config.yaml", root));
const PAGES = await Promise.all(
  [...Deno.readDirSync(new URL("docs/", root))].filter((e) => e.name.endsWith(".md"))
    .map((e) => Deno.readTextFile(new URL(`docs/${e.name}`, root))),
);
const EXAMPLES = [
  CONFIG,
  ...PAGES.flatMap((text) => [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)),
];
const env = (name: string) => (name.startsWith("UNSET") ? undefined : "QUJDRA==");

Deno.test("parseConfig() accepts config.yaml", () => {
  const r = parseConfig(CONFIG, env);
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.error));
});

Deno.test("parseConfig() never throws on mutated YAML and reports located problems", async () => {
  await fuzz("parseConfig mutated", { iterations: 2000, budgetMs: 2500 }, ({ rng, note }) => {
    const text = mutateString(rng, rng.pick(EXAMPLES), 4);
    note(text);
    const r = parseConfig(text, env);
    if (!r.ok) {
      assert.ok(Array.isArray(r.error) && r.error.length > 0, "an error with no problem");
      for (const p of r.error) {
        assert.equal(typeof p.message, "string");
        assert.ok(p.message.length > 0);
        if (p.line !== undefined) assert.ok(Number.isInteger(p.line) && p.line >= 1);
        if (p.column !== undefined) assert.ok(Number.isInteger(p.column) && p.column >= 1);
      }
    } else {
      assert.ok(Array.isArray(r.value.buckets));
    }
  });
});
