/**
 * `--version`: the version and the commit this program was built from, read
 * from a checkout's `.git`, else the `dist/COMMIT` that `deno task compile`
 * writes and embeds, else "unknown".
 */

/** Reads a file's text; rejects when it cannot (Deno.readTextFile in main.ts). */
export type ReadText = (url: URL) => Promise<string>;

/** Where to look for the commit. */
export interface CommitIdOptions {
  /** The program's root: the folder holding `.git/` and `dist/COMMIT` (main.ts's folder). */
  readonly root: URL;
  readonly read: ReadText;
}

/** The commit id (12 hex digits from git, dist/COMMIT's text, or "unknown"). */
export async function commitId(options: CommitIdOptions): Promise<string> {
  const read = (url: URL) => options.read(url).then((t) => t.trim(), () => undefined);
  const git = new URL("./.git/", options.root);
  const head = await read(new URL("HEAD", git));
  if (head && !head.startsWith("ref: ")) return head.slice(0, 12);
  if (head) {
    const ref = head.slice(5);
    const loose = await read(new URL(ref, git));
    if (loose) return loose.slice(0, 12);
    const packed = (await read(new URL("packed-refs", git)))?.split("\n")
      .find((l) => l.endsWith(` ${ref}`));
    if (packed) return packed.slice(0, 12);
  }
  return await read(new URL("./dist/COMMIT", options.root)) ?? "unknown";
}

/** The line `--version` prints. */
export function versionLine(version: string, commit: string): string {
  return `bucketgate ${version} (commit ${commit})`;
}
