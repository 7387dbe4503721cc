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
  "src/admin/metrics.ts": "TODO: a unit test of its own",
  "src/app.ts": "TODO: a unit test of its own",
  "src/auth/authenticate.ts": "TODO: a unit test of its own",
  "src/auth/aws_chunked/failures.ts": "TODO: a unit test of its own",
  "src/auth/aws_chunked/parser.ts": "TODO: a unit test of its own",
  "src/auth/aws_chunked/signature_chain.ts": "TODO: a unit test of its own",
  "src/auth/identity.ts": "types and constants only",
  "src/auth/sigv4_claims.ts": "TODO: a unit test of its own",
  "src/backends/az/context.ts": "types and constants only",
  "src/backends/az/options.ts": "types and constants only",
  "src/backends/az/sizes.ts": "types and constants only",
  "src/backends/fs/context.ts": "types and constants only",
  "src/backends/s3/options.ts": "types and constants only",
  "src/backends/s3/wire.ts": "types and constants only",
  "src/checksum/algorithm.ts": "types and constants only",
  "src/checksum/crc.ts": "TODO: a unit test of its own",
  "src/checksum/hasher.ts": "TODO: a unit test of its own",
  "src/checksum/verify.ts": "TODO: a unit test of its own",
  "src/clock.ts": "TODO: a unit test of its own",
  "src/config/_reader.ts": "TODO: a unit test of its own",
  "src/config/_rules.ts": "TODO: a unit test of its own",
  "src/config/_sections.ts": "TODO: a unit test of its own",
  "src/config/_suggest.ts": "TODO: a unit test of its own",
  "src/config/backend_options/fs.ts": "TODO: a unit test of its own",
  "src/config/backend_options/oidc.ts": "TODO: a unit test of its own",
  "src/config/backend_options/problems.ts": "TODO: a unit test of its own",
  "src/config/cors.ts": "TODO: a unit test of its own",
  "src/config/credentials.ts": "TODO: a unit test of its own",
  "src/config/defaults.ts": "types and constants only",
  "src/config/roles.ts": "TODO: a unit test of its own",
  "src/config/scopes.ts": "TODO: a unit test of its own",
  "src/config/types.ts": "types and constants only",
  "src/oidc/backend_auth.ts": "TODO: a unit test of its own",
  "src/oidc/provider_env.ts": "TODO: a unit test of its own",
  "src/s3/context.ts": "types and constants only",
  "src/s3/serve.ts": "TODO: a unit test of its own",
  "src/sigv4/canonical.ts": "TODO: a unit test of its own",
  "src/sigv4/sign.ts": "TODO: a unit test of its own",
  "src/sigv4/signing_key.ts": "TODO: a unit test of its own",
  "src/sts/assume_role.ts": "TODO: a unit test of its own",
  "src/sts/serve.ts": "TODO: a unit test of its own",
  "src/transport/mod.ts": "types and constants only",
  "src/transport/types.ts": "types and constants only",
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
