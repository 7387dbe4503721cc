// deno-lint-ignore-file no-console -- a build script reports what it builds
/**
 * `deno task compile [--target TARGET]...`: builds the single executable with
 * the default config.yaml and the commit (dist/COMMIT) embedded. Without a
 * target it builds `dist/bucketgate` for this machine; each `--target` (or
 * `--target all`) builds `dist/bucketgate-<target>` (`.exe` on Windows).
 * `deno compile` downloads Deno's runtime base for each target unless
 * DENORT_BIN points at one (which only serves this machine's platform).
 */

/** The platforms `deno compile --target` supports. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** The permissions the gateway runs with (what `deno task start` grants). */
const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];

/**
 * Unstable APIs the gateway uses (also listed in deno.json): `net` for
 * `reusePort`, which the workers of `--workers N` share the port with.
 */
const UNSTABLE = ["--unstable-net"];

/** `deno compile`'s arguments for one build; `target` undefined builds for this machine. */
export function compileArgs(target: string | undefined): string[] {
  const output = target
    ? `dist/bucketgate-${target}${target.includes("windows") ? ".exe" : ""}`
    : "dist/bucketgate";
  return [
    "compile",
    ...PERMISSIONS,
    ...UNSTABLE,
    "--include",
    "config.yaml",
    "--include",
    "dist/COMMIT",
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
}

/** The targets asked for by `--target` flags, or why they are wrong. */
export function targetsOf(args: readonly string[]): (string | undefined)[] | string {
  const asked: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = a === "--target" ? args[++i] : a.startsWith("--target=") ? a.slice(9) : null;
    if (value === null) return `unknown argument ${a} (use --target TARGET)`;
    if (value === undefined) return "--target needs a value";
    if (value === "all") asked.push(...TARGETS);
    else if ((TARGETS as readonly string[]).includes(value)) asked.push(value);
    else return `unknown target ${value}: use one of ${TARGETS.join(", ")} or all`;
  }
  return asked.length > 0 ? [...new Set(asked)] : [undefined];
}

async function commit(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--short=12", "HEAD"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (out.success) return new TextDecoder().decode(out.stdout).trim();
  } catch { /* no git */ }
  return "unknown";
}

if (import.meta.main) {
  const targets = targetsOf(Deno.args);
  if (typeof targets === "string") {
    console.error(`compile: ${targets}`);
    Deno.exit(2);
  }
  Deno.chdir(new URL("..", import.meta.url).pathname);
  await Deno.mkdir("dist", { recursive: true });
  await Deno.writeTextFile("dist/COMMIT", `${await commit()}\n`);
  for (const target of targets) {
    const args = compileArgs(target);
    console.log(`deno ${args.join(" ")}`);
    const status = await new Deno.Command(Deno.execPath(), { args }).spawn().status;
    if (!status.success) Deno.exit(status.code || 1);
  }
}
