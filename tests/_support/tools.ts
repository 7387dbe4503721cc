/**
 * Tools the tests need but do not ship (emulators, clients): one way to find
 * out whether one is here, and what happens when it is not. Outside CI a test
 * that cannot run is registered ignored, with the reason in its name; under
 * `CI=true` a missing tool fails loudly instead.
 */

/** Whether this run is on CI (`CI=true`), where every tool must be present. */
export function onCi(): boolean {
  return Deno.env.get("CI") === "true";
}

/** Whether a command is on PATH (or an executable path exists). */
export async function onPath(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", 'command -v "$1"', "sh", cmd],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false; // no shell
  }
}

/**
 * The reason tests cannot run here (`problem`), or undefined when there is
 * none; under CI=true a problem throws instead.
 */
export function requireTool(problem: string | undefined): string | undefined {
  if (problem !== undefined && onCi()) {
    throw new Error(`Cannot run these tests on CI: ${problem}`);
  }
  return problem;
}

/** `"<cmd> not found"` when a command is not on PATH (a failure under CI=true), else undefined. */
export async function missingCommand(...cmds: string[]): Promise<string | undefined> {
  for (const cmd of cmds) {
    if (!(await onPath(cmd))) return requireTool(`${cmd} not found`);
  }
  return undefined;
}

/** The first reason of several, or undefined when none says why. */
export function firstReason(...reasons: (string | undefined)[]): string | undefined {
  return reasons.find((r) => r !== undefined);
}

/**
 * The name and `ignore` of a Deno.test that cannot run for `skip`:
 * `"<name> (skipped: <skip>)"`, ignored; as given when `skip` is undefined.
 */
export function skippable(name: string, skip: string | undefined): {
  readonly name: string;
  readonly ignore: boolean;
} {
  return skip === undefined
    ? { name, ignore: false }
    : { name: `${name} (skipped: ${skip})`, ignore: true };
}

/**
 * `"python3 -c 'import <module>' failed"` when Python cannot import a module
 * (`"python3 not found"` without Python; a failure under CI=true), else undefined.
 */
export async function missingPythonModule(module: string): Promise<string | undefined> {
  const python = await missingCommand("python3");
  if (python !== undefined) return python;
  const out = await new Deno.Command("python3", {
    args: ["-c", `import ${module}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success ? undefined : requireTool(`python3 -c 'import ${module}' failed`);
}
