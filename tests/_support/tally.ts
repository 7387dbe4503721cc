/**
 * The figures a test run prints at its end: inputs tried (fuzz and property
 * iterations, hostile requests), faults survived (each injected failure the gateway answered
 * cleanly and kept serving through) and objects verified (read back and
 * compared by checksum). A test adds to them with `tally()`, which appends one
 * JSON line to the file named by `BUCKETGATE_TALLY`; `tests/run.ts` (`deno
 * task test`) creates that file and prints `formatTallies()` of it once
 * `deno test` is done. Without the variable (a plain `deno test`) `tally()`
 * does nothing.
 */

/** The environment variable naming the tally file. */
export const TALLY_ENV = "BUCKETGATE_TALLY";

/** What a figure counts. */
export type TallyKind = "inputs" | "faults" | "objects";

/** One recorded figure: `count` more of `kind`, from the test or property `what`. */
export interface Tally {
  readonly kind: TallyKind;
  readonly what: string;
  readonly count: number;
}

const KINDS: readonly TallyKind[] = ["inputs", "faults", "objects"];
const TITLES: Record<TallyKind, string> = {
  inputs: "inputs tried",
  faults: "faults survived",
  objects: "objects verified",
};

function tallyFile(): string | undefined {
  try {
    return Deno.env.get(TALLY_ENV) || undefined;
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return undefined;
    }
    throw e;
  }
}

/**
 * Records `count` more of `kind` under `what`. One short line per call,
 * appended in a single write, so parallel test files do not interleave.
 */
export function tally(kind: TallyKind, what: string, count = 1): void {
  const file = tallyFile();
  if (file) appendTally(file, { kind, what, count });
  else checkCount(count);
}

/** Appends one tally line to `file` (nothing for a count of 0). */
export function appendTally(file: string, t: Tally): void {
  checkCount(t.count);
  if (t.count === 0) return;
  const line = JSON.stringify({ kind: t.kind, what: t.what, count: t.count }) + "\n";
  Deno.writeTextFileSync(file, line, { append: true });
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`Cannot tally ${count}: not a non-negative integer`);
  }
}

/** Parses tally lines; lines that are not a tally (a torn write, noise) are skipped. */
export function readTallies(text: string): Tally[] {
  const out: Tally[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    const { kind, what, count } = v as Record<string, unknown>;
    if (
      typeof kind === "string" && (KINDS as readonly string[]).includes(kind) &&
      typeof what === "string" && Number.isSafeInteger(count) && (count as number) >= 0
    ) {
      out.push({ kind: kind as TallyKind, what, count: count as number });
    }
  }
  return out;
}

/**
 * The end-of-run table: per kind, its total and the sources it came from
 * (summed by name, largest first).
 */
export function formatTallies(tallies: readonly Tally[]): string {
  if (tallies.length === 0) return "figures: none recorded";
  const lines = ["figures of this run:"];
  const n = (x: number) => x.toLocaleString("en-US");
  for (const kind of KINDS) {
    const byWhat = new Map<string, number>();
    for (const t of tallies) {
      if (t.kind === kind) byWhat.set(t.what, (byWhat.get(t.what) ?? 0) + t.count);
    }
    const total = [...byWhat.values()].reduce((a, b) => a + b, 0);
    lines.push(`  ${TITLES[kind]}: ${n(total)} (from ${byWhat.size})`);
    const rows = [...byWhat].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const width = Math.max(0, ...rows.map(([, c]) => n(c).length));
    for (const [what, count] of rows) lines.push(`    ${n(count).padStart(width)}  ${what}`);
  }
  return lines.join("\n");
}
