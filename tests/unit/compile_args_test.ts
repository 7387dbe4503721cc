import assert from "node:assert/strict";
import { compileArgs, TARGETS, targetsOf } from "../../deploy/compile.ts";

Deno.test("compile: this machine by default, every target with --target all, names per target", () => {
  assert.deepEqual(targetsOf([]), [undefined]);
  assert.deepEqual(targetsOf(["--target", "aarch64-apple-darwin"]), ["aarch64-apple-darwin"]);
  assert.deepEqual(targetsOf(["--target=all"]), [...TARGETS]);
  const host = compileArgs(undefined);
  assert.deepEqual(host.slice(-3), ["--output", "dist/bucketgate", "main.ts"]);
  assert.ok(!host.includes("--target"));
  for (
    const flag of ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--unstable-net"]
  ) {
    assert.ok(host.includes(flag), flag);
  }
  assert.ok(host.join(" ").includes("--include config.yaml --include dist/COMMIT"));
  const win = compileArgs("x86_64-pc-windows-msvc");
  assert.ok(
    win.join(" ").includes(
      "--target x86_64-pc-windows-msvc --output dist/bucketgate-x86_64-pc-windows-msvc.exe",
    ),
  );
});

Deno.test("compile: a wrong target or argument is refused before anything is built", async () => {
  assert.match(String(targetsOf(["--target", "sparc"])), /unknown target sparc: use one of/);
  assert.match(String(targetsOf(["--target"])), /needs a value/);
  assert.match(String(targetsOf(["--release"])), /unknown argument --release/);
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile", "--target", "sparc"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 2);
  assert.match(new TextDecoder().decode(r.stderr), /unknown target sparc/);
});
