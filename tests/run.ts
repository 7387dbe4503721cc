/**
 * `deno task test`: runs `deno test --allow-all --parallel --doc` over `tests/`
 * and `src/`: the tests, and the `@example`s of src/'s doc comments (src/
 * holds no test files, so nothing runs twice). Given paths, it runs those
 * instead (`deno task test tests/e2e/soak_test.ts`; `--doc src/app.ts` for
 * one module's examples); other arguments such as `--filter` pass through.
 * Then it prints the figures the tests tallied (inputs tried, faults
 * survived, objects verified; see `_support/tally.ts`) and exits with deno
 * test's exit code.
 *
 * Run with `deno run --allow-all tests/run.ts [deno test arguments]`.
 */
import { formatTallies, readTallies, TALLY_ENV } from "./_support/tally.ts";
import { BACKENDS } from "./e2e/_backends.ts";
import { CLIENTS, COMPAT_OUT_ENV } from "./e2e/compat/clients.ts";
import { outcome, parseRecords } from "./e2e/compat/render.ts";

const TESTS_DIR = new URL(".", import.meta.url).pathname;
const SRC_DIR = new URL("../src/", import.meta.url).pathname;

/** Whether an argument names an existing file or directory (a path to test). */
async function isPath(arg: string): Promise<boolean> {
  if (arg.startsWith("-")) return false;
  return await Deno.stat(arg).then(() => true, () => false);
}

/** Whether the arguments (before a `--`) name paths of their own. */
async function namesPaths(args: readonly string[]): Promise<boolean> {
  const dashes = args.indexOf("--");
  for (const a of dashes < 0 ? args : args.slice(0, dashes)) if (await isPath(a)) return true;
  return false;
}

/**
 * deno test's arguments: the given ones, and unless they name paths of their
 * own, `tests/` and the examples in `src/`'s doc comments (`--doc src/`).
 */
export async function testArgs(args: readonly string[]): Promise<string[]> {
  const dashes = args.indexOf("--");
  const own = dashes < 0 ? [...args] : args.slice(0, dashes);
  const scriptArgs = dashes < 0 ? [] : args.slice(dashes);
  const named = await namesPaths(args);
  return [
    "test",
    "--allow-all",
    "--parallel",
    ...(named || own.includes("--doc") ? [] : ["--doc"]),
    ...own,
    ...(named ? [] : [TESTS_DIR, SRC_DIR]),
    ...scriptArgs,
  ];
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "bucketgate-tally-" });
  const file = `${dir}/tally.jsonl`;
  const compat = `${dir}/compat.jsonl`;
  await Deno.writeTextFile(file, "");
  await Deno.writeTextFile(compat, "");
  const child = new Deno.Command(Deno.execPath(), {
    args: await testArgs(Deno.args),
    env: { [TALLY_ENV]: file, [COMPAT_OUT_ENV]: compat },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches deno test too (same process group): wait for it to finish.
  Deno.addSignalListener("SIGINT", () => {});
  Deno.addSignalListener("SIGTERM", () => child.kill("SIGTERM"));
  const status = await child.status;
  const text = await Deno.readTextFile(file).catch(() => "");
  const records = parseRecords(await Deno.readTextFile(compat).catch(() => ""));
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  // The compatibility table (docs/compatibility.md) claims every client green on every backend: this run says
  // whether that holds (only the cells this run reached; under CI=true every cell must be reached).
  const cells = CLIENTS.flatMap((c) =>
    BACKENDS.map((b) => ({ cell: `${c.client} on ${b}`, is: outcome(records, c.client, b) }))
  );
  const failed = cells.filter((c) => c.is === "fail");
  const missing = cells.filter((c) => c.is === "none");
  const strict = Deno.env.get("CI") === "true" && !(await namesPaths(Deno.args));
  const compatLine = records.length === 0
    ? "client compatibility: no client test ran"
    : `client compatibility: ${
      cells.length - failed.length - missing.length
    }/${cells.length} green` +
      (failed.length ? `; failed: ${failed.map((c) => c.cell).join(", ")}` : "") +
      (missing.length ? `; not run: ${missing.map((c) => c.cell).join(", ")}` : "");
  // deno-lint-ignore no-console -- the run's figures are its last words
  console.log(`\n${formatTallies(readTallies(text))}\n${compatLine}`);
  const compatOk = failed.length === 0 && (!strict || missing.length === 0);
  Deno.exit(status.code !== 0 ? status.code : compatOk ? 0 : 1);
}
