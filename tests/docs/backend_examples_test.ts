/** The backend examples in docs/backends.md are valid backend_options (so the page stays true). */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { parseBackendOptions } from "../../src/config/backend_options/mod.ts";
import type { BackendType } from "../../src/config/types.ts";

const PAGE = await Deno.readTextFile(new URL("../../docs/backends.md", import.meta.url));

/** The flow mappings of the YAML block after each "## `type`" heading's "Worked examples". */
function examples(type: BackendType): Record<string, unknown>[] {
  const section = PAGE.split(/^## /m).find((s) => s.startsWith(`\`${type}\``)) ?? "";
  const block = /Worked examples[^\n]*\n\n```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  // ${VAR} stands for a secret from the environment: any valid value will do.
  const text = block.split("\n").filter((l) => !l.startsWith("#")).join("\n")
    .replace(/\$\{[A-Z0-9_]*SAS\}/g, "sv=2021-12-02&sig=QUJDRA%3D%3D")
    .replace(/\$\{[A-Z0-9_]+\}/g, "QUJDRA==");
  return [...text.matchAll(/\{[^{}]*\}/g)].map((m) => parse(m[0]) as Record<string, unknown>);
}

for (const type of ["s3", "az"] as const) {
  Deno.test(`docs/backends.md: every ${type} example is valid backend_options`, () => {
    const all = examples(type);
    assert.ok(all.length >= 4, `found ${all.length} ${type} examples`);
    for (const options of all) {
      const r = parseBackendOptions(type, options);
      assert.deepEqual(r.ok ? [] : r.error, [], JSON.stringify(options));
    }
  });
}
