import assert from "node:assert/strict";
import { BACKEND_OPTION_KEYS } from "../../../src/config/backend_options/mod.ts";
import { CONFIG_KEYS, TOP_KEYS } from "../../../src/config/keys.ts";
import { parseConfig } from "../../../src/config/load.ts";
import { noEnv } from "./_helpers.ts";

const OPTIONS = "buckets[].backend_options.";

/** A document holding every path of `paths` (a `[]` segment is a list of one item), each leaf null. */
function documentOf(paths: readonly string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let at = root;
    for (const segment of path.split(".")) {
      const key = segment.replace(/\[\]$/, "");
      const list = segment.endsWith("[]");
      const next = list ? (Array.isArray(at[key]) ? at[key] : [{}]) : at[key] ?? {};
      at[key] = next;
      at = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
    }
  }
  return prune(root) as Record<string, unknown>;
}

/** Empty mappings (the leaves) become null. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v === null || typeof v !== "object") return v;
  const entries = Object.entries(v);
  return entries.length === 0 ? null : Object.fromEntries(entries.map(([k, x]) => [k, prune(x)]));
}

Deno.test("CONFIG_KEYS: a config holding every key has no unknown key, whatever else is wrong", () => {
  const doc = documentOf(CONFIG_KEYS.filter((k) => !k.startsWith(OPTIONS)));
  // backend_options hold the keys of their bucket's backend: one bucket per backend.
  const bucket = (doc.buckets as Record<string, unknown>[])[0]!;
  doc.buckets = Object.entries(BACKEND_OPTION_KEYS).map(([type, keys]) => ({
    ...bucket,
    backend_type: type,
    backend_options: Object.fromEntries(keys.map((k) => [k, null])),
  }));
  const parsed = parseConfig(JSON.stringify(doc), noEnv);
  assert.ok(!parsed.ok, "null values are problems: the test reads every key");
  const unknown = parsed.error.filter((p) => /^unknown (key|option)/.test(p.message));
  assert.deepEqual(unknown, []);
  assert.ok(parsed.error.length > 20, `${parsed.error.length} problems`);
});

Deno.test("CONFIG_KEYS names each key once, under its section, and every backend's options", () => {
  assert.equal(new Set(CONFIG_KEYS).size, CONFIG_KEYS.length);
  assert.deepEqual(CONFIG_KEYS.filter((k) => !k.includes(".") && !k.includes("[")), TOP_KEYS);
  assert.deepEqual(
    new Set(CONFIG_KEYS.filter((k) => k.startsWith(OPTIONS)).map((k) => k.slice(OPTIONS.length))),
    new Set(Object.values(BACKEND_OPTION_KEYS).flat()),
  );
  for (const k of ["listen", "cors.max_age_secs", "roles[].allowed_scopes[].actions"]) {
    assert.ok(CONFIG_KEYS.includes(k), k);
  }
});

Deno.test("TOP_KEYS: any other top-level key is unknown", () => {
  const parsed = parseConfig("buckets: []\nlisten_on: x\n", noEnv);
  assert.ok(!parsed.ok);
  assert.equal(parsed.error[0]!.path, "listen_on");
  assert.match(parsed.error[0]!.message, /^unknown key \(did you mean listen\?\)$/);
});
