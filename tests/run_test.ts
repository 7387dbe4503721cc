import assert from "node:assert/strict";
import { testArgs } from "./run.ts";

const TESTS = new URL("./", import.meta.url).pathname;
const SRC = new URL("../src/", import.meta.url).pathname;

Deno.test("testArgs(): the whole run is tests/ and the examples of src/'s doc comments", async () => {
  assert.deepEqual(await testArgs([]), ["test", "--allow-all", "--parallel", "--doc", TESTS, SRC]);
  assert.deepEqual(await testArgs(["--filter", "x"]), [
    "test",
    "--allow-all",
    "--parallel",
    "--doc",
    "--filter",
    "x",
    TESTS,
    SRC,
  ]);
});

Deno.test("testArgs(): given paths run alone, with examples only when --doc is given", async () => {
  const file = new URL("./run_test.ts", import.meta.url).pathname;
  assert.deepEqual(await testArgs([file]), ["test", "--allow-all", "--parallel", file]);
  assert.deepEqual(await testArgs(["--doc", file, "--", "arg"]), [
    "test",
    "--allow-all",
    "--parallel",
    "--doc",
    file,
    "--",
    "arg",
  ]);
});
