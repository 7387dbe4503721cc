// deno-lint-ignore-file no-console -- the skip notice must reach the test output.
/**
 * Builds the single executable with `deno compile` and runs it. `deno compile`
 * needs Deno's runtime base (denort): it downloads it from Deno's servers, or
 * takes a local one from DENORT_BIN. Without DENORT_BIN this test is skipped
 * and says why (our CI cannot reach Deno's servers).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const denort = Deno.env.get("DENORT_BIN");

Deno.test({
  name: "deno task compile builds a binary that serves the embedded config",
  ignore: !denort,
  async fn() {
    // The task itself: it writes dist/COMMIT and embeds it with config.yaml.
    const out = `${ROOT}dist/bucketgate`;
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "compile"],
      cwd: ROOT,
      env: { DENORT_BIN: denort! },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
    const version = await new Deno.Command(out, { args: ["--version"], stdout: "piped" }).output();
    assert.match(
      new TextDecoder().decode(version.stdout),
      /^bucketgate \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)/,
      "the version and the embedded commit",
    );
    const check = await new Deno.Command(out, {
      args: ["--check-config"],
      cwd: await Deno.makeTempDir(),
      stdout: "piped",
    }).output();
    assert.equal(check.code, 0);
    assert.match(new TextDecoder().decode(check.stdout), /embedded/);
  },
});

if (!denort) {
  console.log(
    "compiled_binary_test: SKIPPED — DENORT_BIN is not set; `deno compile` needs Deno's runtime " +
      "base, which this machine cannot download. Set DENORT_BIN to a denort binary to run it.",
  );
}
