/**
 * `policies:` (named IAM policy documents, inline or `{ policy_file: ./x.json }`),
 * `policies: [names]` on a credential or a role, and `bucket_policy:` on a
 * bucket. Documents are compiled here, at load, by iam/ (a library of this
 * layer): a problem inside one is reported at its path and line like any
 * other, and the typed config holds compiled policies, so nothing is parsed
 * or compiled per request.
 */
import { isMap, isScalar } from "yaml";
import { type CompiledPolicy, compilePolicy, type PolicyKind } from "../iam/document.ts";
import { type Fields, type Item, joinPath, type Reader } from "./_reader.ts";
import { didYouMean } from "./_suggest.ts";

/** Reads a `policy_file` (its path as written, relative to the config file); throws when it cannot. */
export type ReadPolicyFile = (path: string) => string;

/** What compiling a document checks its names against. */
export interface PolicyContext {
  readonly bucketNames: ReadonlySet<string>;
  readonly roleIds: ReadonlySet<string>;
  readonly accessKeyIds: ReadonlySet<string>;
  /** Absent: the config has no file to resolve a `policy_file` against. */
  readonly readFile?: ReadPolicyFile;
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** The `policies: [names]` of a credential or a role, to resolve once the documents are read. */
export function readPolicyRefs(r: Reader, f: Fields): Item<string>[] {
  return r.strings(f, "policies") ?? [];
}

/** The documents of the top-level `policies:`: compiled by name, and every name read. */
export interface PoliciesRead {
  readonly named: Map<string, CompiledPolicy>;
  /** Every name, also of documents with problems (so references to them are not reported again). */
  readonly names: Set<string>;
}

/** Every document of the top-level `policies:`, compiled, by name. */
export function readPolicies(r: Reader, top: Fields, ctx: PolicyContext): PoliciesRead {
  const read: PoliciesRead = { named: new Map(), names: new Set() };
  const node = r.resolve(top.get("policies"));
  if (node === undefined) return read;
  if (!isMap(node)) {
    r.problem("policies", "must be a mapping of names to IAM policy documents", node);
    return read;
  }
  for (const pair of node.items) {
    const key = r.resolve(pair.key);
    if (!isScalar(key) || typeof key.value !== "string") {
      r.problem("policies", "names must be plain strings", key ?? node);
      continue;
    }
    const name = key.value;
    const path = joinPath("policies", name);
    read.names.add(name);
    if (!POLICY_NAME.test(name)) {
      r.problem(path, `'${name}' is not a policy name: use letters, digits and +=,.@_-`, key);
    }
    const policy = readDocument(r, pair.value, path, { name, kind: "identity", ctx });
    if (policy) read.named.set(name, policy);
  }
  return read;
}

/** Compiles one document node (inline, or `{ policy_file }`) at `path`; undefined after problems. */
export function readDocument(
  r: Reader,
  node: unknown,
  path: string,
  options: { readonly name: string; readonly kind: PolicyKind; readonly ctx: PolicyContext },
): CompiledPolicy | undefined {
  const plain = r.plain(node, path);
  const file = fileOf(plain);
  const at = file === undefined ? path : joinPath(path, "policy_file");
  const site = file === undefined ? node : r.locate(node, "policy_file");
  const raw = file === undefined ? plain : readFile(r, file, at, site, options.ctx);
  if (raw === undefined) return undefined;
  const { ctx } = options;
  const compiled = compilePolicy(raw, {
    name: options.name,
    kind: options.kind,
    bucketNames: ctx.bucketNames,
    roleIds: ctx.roleIds,
    accessKeyIds: ctx.accessKeyIds,
  });
  if (compiled.ok) return compiled.value;
  for (const p of compiled.error) {
    if (file === undefined) r.problem(joinPath(path, p.path), p.message, r.locate(node, p.path));
    else r.problem(at, `${file}: ${p.path === "" ? "" : `${p.path}: `}${p.message}`, site);
  }
  return undefined;
}

/** The `policy_file` of `{ policy_file: x }`; undefined for an inline document. */
function fileOf(plain: unknown): string | undefined {
  if (typeof plain !== "object" || plain === null || Array.isArray(plain)) return undefined;
  const keys = Object.keys(plain);
  const file = (plain as Record<string, unknown>)["policy_file"];
  return keys.length === 1 && typeof file === "string" ? file : undefined;
}

function readFile(
  r: Reader,
  file: string,
  path: string,
  site: unknown,
  ctx: PolicyContext,
): unknown {
  if (!ctx.readFile) {
    r.problem(path, "a policy_file needs the config to be read from a file", site);
    return undefined;
  }
  let text: string;
  try {
    text = ctx.readFile(file);
  } catch (e) {
    r.problem(path, `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, site);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    r.problem(path, `${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`, site);
    return undefined;
  }
}

/** The named documents `refs` name; each unknown name is reported with a suggestion. */
export function resolvePolicyRefs(
  r: Reader,
  refs: readonly Item<string>[],
  named: ReadonlyMap<string, CompiledPolicy>,
  known: ReadonlySet<string>,
): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const ref of refs) {
    const policy = named.get(ref.value);
    if (policy) out.push(policy);
    else if (!known.has(ref.value)) {
      r.problem(
        ref.path,
        `'${ref.value}' is not a policy of policies:${didYouMean(ref.value, [...known])}`,
        ref.node,
      );
    }
  }
  return out;
}
