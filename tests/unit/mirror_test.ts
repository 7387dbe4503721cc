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
  "src/backends/az/options.ts": "types and constants only",
  "src/backends/az/sizes.ts": "types and constants only",
  "src/backends/backend.ts": "TODO: a unit test of its own",
  "src/backends/factory.ts": "TODO: a unit test of its own",
  "src/backends/fs/commit.ts": "TODO: a unit test of its own",
  "src/backends/fs/complete.ts": "TODO: a unit test of its own",
  "src/backends/fs/content_types.ts": "TODO: a unit test of its own",
  "src/backends/fs/context.ts": "types and constants only",
  "src/backends/fs/file_stream.ts": "TODO: a unit test of its own",
  "src/backends/fs/fs.ts": "TODO: a unit test of its own",
  "src/backends/fs/meta_file.ts": "TODO: a unit test of its own",
  "src/backends/fs/read.ts": "TODO: a unit test of its own",
  "src/backends/fs/records.ts": "TODO: a unit test of its own",
  "src/backends/fs/spool.ts": "TODO: a unit test of its own",
  "src/backends/memory.ts": "TODO: a unit test of its own",
  "src/backends/s3/options.ts": "types and constants only",
  "src/backends/s3/wire.ts": "types and constants only",
  "src/checksum/algorithm.ts": "types and constants only",
  "src/cli/deno_cert.ts": "TODO: a unit test of its own",
  "src/cli/exit.ts": "TODO: a unit test of its own",
  "src/cli/runtime.ts": "TODO: a unit test of its own",
  "src/cli/serve.ts": "TODO: a unit test of its own",
  "src/config/defaults.ts": "types and constants only",
  "src/config/types.ts": "types and constants only",
  "src/s3/context.ts": "types and constants only",
  "src/transport/attempt.ts": "TODO: a unit test of its own",
  "src/transport/body_reader.ts": "TODO: a unit test of its own",
  "src/transport/body_writer.ts": "TODO: a unit test of its own",
  "src/transport/client.ts": "TODO: a unit test of its own",
  "src/transport/connection.ts": "TODO: a unit test of its own",
  "src/transport/exchange.ts": "TODO: a unit test of its own",
  "src/transport/head_reader.ts": "TODO: a unit test of its own",
  "src/transport/latin1.ts": "TODO: a unit test of its own",
  "src/transport/mod.ts": "types and constants only",
  "src/transport/pool.ts": "TODO: a unit test of its own",
  "src/transport/sweeper.ts": "TODO: a unit test of its own",
  "src/transport/transport_error.ts": "TODO: a unit test of its own",
  "src/transport/types.ts": "types and constants only",
  "src/version.ts": "types and constants only",
  "src/workers/admin.ts": "TODO: a unit test of its own",
  "src/workers/protocol.ts": "types and constants only",
  "src/workers/rounds.ts": "TODO: a unit test of its own",
  "src/workers/slot.ts": "TODO: a unit test of its own",
  "src/workers/supervisor_edge.ts": "TODO: a unit test of its own",
  "src/workers/worker_edge.ts": "TODO: a unit test of its own",
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
