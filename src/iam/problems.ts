/**
 * Problems found while compiling a policy document, each at a path inside the
 * document (`Statement[1].Condition.StringLike.s3:prefix`), which the config
 * loader joins to the document's own path and line.
 */

/** One problem, at a path relative to the document. */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

/** Joins a path and a key: `Statement[0]` + `Action` → `Statement[0].Action`; `[2]` appends. */
export function joinPath(path: string, key: string): string {
  if (key === "") return path;
  return path === "" || key.startsWith("[") ? `${path}${key}` : `${path}.${key}`;
}

/** Collects problems while a document is compiled. */
export class Problems {
  /** Every problem, in the order found. */
  readonly list: PolicyProblem[] = [];

  /** Records a problem at `path`. */
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** Records `problem` at `path` when there is one; tells whether there was. */
  check(path: string, problem: string | undefined): boolean {
    if (problem !== undefined) this.add(path, problem);
    return problem !== undefined;
  }
}

/** A JSON value as a list: an array's items, a lone value as one, absent as none. */
export function listOf(value: unknown): readonly unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The path of item `i` of a value read with `listOf` (the value's own path when it was not an array). */
export function itemPath(path: string, value: unknown, i: number): string {
  return Array.isArray(value) ? `${path}[${i}]` : path;
}

/** Whether a value is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
