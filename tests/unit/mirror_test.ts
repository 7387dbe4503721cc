/**
 * Unit tests mirror src/: the tests of `src/<path>.ts` are
 * `tests/unit/<path>_test.ts`. A module without one is listed here with why
 * (types only, or the Deno edge that the e2e tests drive); an entry that has
 * a test file now fails, so the list stays true.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Modules of src/ without a mirrored unit test, and why. */
const WITHOUT_UNIT_TEST: Readonly<Record<string, string>> = {
  "src/auth/identity.ts": "types and constants only",
  "src/backends/az/context.ts": "types and constants only",
  "src/backends/az/sizes.ts": "types and constants only",
  "src/backends/fs/context.ts": "types and constants only",
  "src/config/defaults.ts": "types and constants only",
  "src/config/types.ts": "types and constants only",
  "src/version.ts": "types and constants only",
  "src/workers/protocol.ts": "types and constants only",
  "src/workers/supervisor_edge.ts": "the Deno edge: tests/e2e/workers_test.ts drives it",
};

async function* modules(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* modules(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

const testOf = (path: string) => `tests/unit/${path.slice("src/".length, -".ts".length)}_test.ts`;
const exists = (path: string) => Deno.stat(`${ROOT}${path}`).then(() => true, () => false);

Deno.test("every module of src/ has tests/unit/<path>_test.ts, or says why not", async () => {
  const missing: string[] = [];
  const stale: string[] = [];
  for await (const path of modules("src")) {
    const has = await exists(testOf(path));
    if (!has && !(path in WITHOUT_UNIT_TEST)) missing.push(path);
    if (has && path in WITHOUT_UNIT_TEST) stale.push(path);
  }
  for (const path of Object.keys(WITHOUT_UNIT_TEST)) {
    if (!(await exists(path))) stale.push(path);
  }
  assert.deepEqual({ missing: missing.sort(), stale: stale.sort() }, { missing: [], stale: [] });
});
