/**
 * YAML text → a validated Config. Every problem is reported (not only the
 * first), each with its path (`buckets[2].backend_options.region`) and the
 * line and column of the node at fault.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
} from "yaml";
import { err, ok, type Result } from "../result.ts";
import { type EnvLookup, interpolate } from "./interpolate.ts";
import {
  type Action,
  ACTIONS,
  BACKEND_TYPES,
  type BackendType,
  type BucketConfig,
  type Config,
  type ConfigProblem,
  type CredentialConfig,
  type RoleConfig,
  type Scope,
} from "./types.ts";

/** Problems a backend finds in its `backend_options` (paths relative to them). */
export type BackendOptionCheck = (
  type: BackendType,
  options: Record<string, unknown>,
) => { path: string; message: string }[];

/** Options of parseConfig. */
export interface ParseOptions {
  /** Checks each bucket's backend_options. */
  readonly backendOptionProblems?: BackendOptionCheck;
}

/** The default upload limit (5 GiB, S3's single PUT limit). */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024 * 1024;

class Checker {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly lines: LineCounter, readonly env: EnvLookup, readonly doc: Document) {}

  /** Follows a YAML alias (`*name`) to its anchored node. */
  deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  problem(path: string, message: string, node?: unknown): void {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const pos = this.lines.linePos(range[0]);
      this.problems.push({ path, message, line: pos.line, column: pos.col });
    } else {
      this.problems.push({ path, message });
    }
  }

  /** The entries of a mapping node, checking for unknown keys. */
  map(raw: unknown, path: string, known: readonly string[]): Map<string, Node> | undefined {
    const node = this.deref(raw);
    if (!isMap(node)) {
      this.problem(path, "must be a mapping", node);
      return undefined;
    }
    const out = new Map<string, Node>();
    for (const pair of node.items) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const at = path ? `${path}.${key}` : key;
      if (!known.includes(key)) {
        const hint = suggest(key, known);
        this.problem(at, `unknown key${hint ? ` (did you mean ${hint}?)` : ""}`, keyNode);
        continue;
      }
      out.set(key, this.deref(pair.value) as Node);
    }
    return out;
  }

  scalar(node: unknown): unknown {
    return isScalar(node) ? (node as Scalar).value : undefined;
  }

  string(m: Map<string, Node>, key: string, path: string, required: boolean): string | undefined {
    const node = m.get(key);
    const at = `${path}.${key}`.replace(/^\./, "");
    if (node === undefined || (isScalar(node) && node.value === null)) {
      if (required) this.problem(at, "required", m.get(key));
      return undefined;
    }
    const v = this.scalar(node);
    if (typeof v !== "string" && typeof v !== "number") {
      this.problem(at, "must be a string", node);
      return undefined;
    }
    const { value, missing } = interpolate(String(v), this.env);
    for (const name of missing) this.problem(at, `environment variable ${name} is not set`, node);
    return missing.length > 0 ? undefined : value;
  }

  bool(m: Map<string, Node>, key: string, path: string, fallback?: boolean): boolean | undefined {
    const node = m.get(key);
    const at = `${path}.${key}`.replace(/^\./, "");
    if (node === undefined) {
      if (fallback === undefined) this.problem(at, "required (true or false)");
      return fallback;
    }
    let v = this.scalar(node);
    if (typeof v === "string") {
      const s = interpolate(v, this.env).value.trim().toLowerCase();
      v = s === "true" ? true : s === "false" ? false : v;
    }
    if (typeof v !== "boolean") {
      this.problem(at, "must be true or false", node);
      return fallback;
    }
    return v;
  }

  int(
    m: Map<string, Node>,
    key: string,
    path: string,
    fallback: number,
    min: number,
    max: number,
  ): number {
    const node = m.get(key);
    if (node === undefined) return fallback;
    const at = `${path}.${key}`.replace(/^\./, "");
    let v = this.scalar(node);
    if (typeof v === "string") v = Number(interpolate(v, this.env).value);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.problem(at, `must be an integer from ${min} to ${max}`, node);
      return fallback;
    }
    return v;
  }

  strings(m: Map<string, Node>, key: string, path: string): string[] {
    const node = m.get(key);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    const at = `${path}.${key}`.replace(/^\./, "");
    if (!isSeq(node)) {
      this.problem(at, "must be a list", node);
      return [];
    }
    const out: string[] = [];
    node.items.forEach((raw, i) => {
      const item = this.deref(raw);
      const v = this.scalar(item);
      if (typeof v !== "string" && typeof v !== "number") {
        this.problem(`${at}[${i}]`, "must be a string", item);
        return;
      }
      const { value, missing } = interpolate(String(v), this.env);
      for (const name of missing) {
        this.problem(`${at}[${i}]`, `environment variable ${name} is not set`, item);
      }
      out.push(value);
    });
    return out;
  }

  date(m: Map<string, Node>, key: string, path: string): Date | undefined {
    const node = m.get(key);
    if (node === undefined) return undefined;
    const v = this.scalar(node);
    const d = v instanceof Date
      ? v
      : typeof v === "string"
      ? new Date(interpolate(v, this.env).value)
      : undefined;
    if (!d || Number.isNaN(d.getTime())) {
      this.problem(`${path}.${key}`, "must be an ISO 8601 date-time", node);
      return undefined;
    }
    return d;
  }

  list(m: Map<string, Node>, key: string, path: string): Node[] {
    const node = m.get(key);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) {
      this.problem(`${path}.${key}`.replace(/^\./, ""), "must be a list", node);
      return [];
    }
    return node.items.map((n) => this.deref(n)) as Node[];
  }
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return d[a.length]![b.length]!;
}

function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const dist = editDistance(key, k);
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best;
}

const TOP_KEYS = [
  "listen",
  "domain",
  "region",
  "max_body_bytes",
  "owner_id",
  "owner_display_name",
  "buckets",
  "roles",
  "credentials",
];
const BUCKET_KEYS = [
  "name",
  "backend_type",
  "anonymous_access",
  "backend_prefix",
  "allowed_roles",
  "backend_options",
];
const ROLE_KEYS = [
  "role_id",
  "name",
  "trusted_oidc_issuers",
  "required_audiences",
  "subject_conditions",
  "max_session_duration_secs",
  "allowed_scopes",
];
const CRED_KEYS = [
  "access_key_id",
  "secret_access_key",
  "principal_name",
  "created_at",
  "expires_at",
  "enabled",
  "allowed_scopes",
];
const SCOPE_KEYS = ["bucket", "prefixes", "actions"];

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function normalizePrefix(p: string): string {
  const trimmed = p.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : trimmed + "/";
}

function scopes(
  c: Checker,
  m: Map<string, Node>,
  path: string,
  opts: { templates: boolean; buckets: Set<string> },
): Scope[] {
  const out: Scope[] = [];
  const node = m.get("allowed_scopes");
  if (node === undefined) {
    c.problem(`${path}.allowed_scopes`, "required (a list of { bucket, prefixes, actions })");
    return out;
  }
  c.list(m, "allowed_scopes", path).forEach((item, i) => {
    const at = `${path}.allowed_scopes[${i}]`;
    const s = c.map(item, at, SCOPE_KEYS);
    if (!s) return;
    const bucket = c.string(s, "bucket", at, true);
    const prefixes = c.strings(s, "prefixes", at);
    const actions = c.strings(s, "actions", at);
    if (bucket !== undefined && bucket !== "*" && !opts.buckets.has(bucket)) {
      if (!(opts.templates && /\{[A-Za-z0-9_:.-]+\}/.test(bucket))) {
        c.problem(
          `${at}.bucket`,
          `'${bucket}' is not a configured bucket${
            opts.templates ? ", `*` or a {claim} template" : " or `*`"
          }`,
          s.get("bucket"),
        );
      }
    }
    if (actions.length === 0 && isSeq(s.get("actions"))) {
      c.problem(
        `${at}.actions`,
        `required: one or more of ${ACTIONS.join(", ")}`,
        s.get("actions") ?? item,
      );
    }
    const bad = actions.filter((a) => !(ACTIONS as readonly string[]).includes(a));
    if (bad.length > 0) {
      c.problem(
        `${at}.actions`,
        `unknown action ${bad.map((b) => `'${b}'`).join(", ")}; valid: ${ACTIONS.join(", ")}`,
        s.get("actions"),
      );
    }
    if (bucket !== undefined) out.push({ bucket, prefixes, actions: actions as Action[] });
  });
  return out;
}

function isTrustedIssuerUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === "https:") return true;
    return u.protocol === "http:" &&
      (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]");
  } catch {
    return false;
  }
}

/** Parses and validates a config document. */
export function parseConfig(
  text: string,
  env: EnvLookup,
  options: ParseOptions = {},
): Result<Config, ConfigProblem[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const c = new Checker(lineCounter, env, doc);
  // The first syntax error is the one to fix; the ones after it mostly cascade from it.
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    c.problems.push({
      path: "",
      message: `YAML syntax: ${syntax.message.split("\n")[0]!}`,
      line: pos.line,
      column: pos.col,
    });
  }
  if (c.problems.length > 0) return err(c.problems);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    return err([{ path: "", message: "the config is empty; it needs at least `buckets:`" }]);
  }
  const top = c.map(root, "", TOP_KEYS);
  if (!top) return err(c.problems);

  const listen = c.string(top, "listen", "", false) ?? "127.0.0.1:8080";
  const lm = LISTEN.exec(listen);
  if (!lm || Number(lm[2]) > 65535) {
    c.problem("listen", "must be HOST:PORT (e.g. 127.0.0.1:8080)", top.get("listen"));
  }
  const domain = c.string(top, "domain", "", false)?.toLowerCase();
  if (domain !== undefined && !HOSTNAME.test(domain)) {
    c.problem("domain", "must be a hostname such as s3.example.com", top.get("domain"));
  }
  const region = c.string(top, "region", "", false) ?? "us-east-1";
  if (!/^[a-z0-9-]{1,64}$/.test(region)) {
    c.problem("region", "must be a region name such as us-east-1", top.get("region"));
  }
  const maxBodyBytes = c.int(
    top,
    "max_body_bytes",
    "",
    DEFAULT_MAX_BODY_BYTES,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const ownerId = c.string(top, "owner_id", "", false) ?? "bucketgate";
  const ownerDisplayName = c.string(top, "owner_display_name", "", false) ?? "bucketgate";

  // Names first, so scopes and allowed_roles can refer to them in any order.
  const bucketNodes = c.list(top, "buckets", "");
  if (top.get("buckets") === undefined) c.problem("buckets", "required: a list of buckets");
  const roleNodes = c.list(top, "roles", "");
  const bucketNames = new Set<string>();
  for (const n of bucketNodes) {
    const name = isMap(n) ? n.get("name") : undefined;
    if (typeof name === "string") bucketNames.add(name);
  }
  const roleIds = new Set<string>();
  for (const n of roleNodes) {
    const id = isMap(n) ? n.get("role_id") : undefined;
    if (typeof id === "string") roleIds.add(id);
  }

  const buckets: BucketConfig[] = [];
  const seenBuckets = new Set<string>();
  bucketNodes.forEach((node, i) => {
    const at = `buckets[${i}]`;
    const m = c.map(node, at, BUCKET_KEYS);
    if (!m) return;
    const name = c.string(m, "name", at, true);
    if (name !== undefined) {
      if (!BUCKET_NAME.test(name) || name.includes("..")) {
        c.problem(
          `${at}.name`,
          "must be 3–63 characters of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (S3 bucket naming)",
          m.get("name"),
        );
      }
      if (seenBuckets.has(name)) {
        c.problem(`${at}.name`, `duplicate bucket name '${name}'`, m.get("name"));
      }
      seenBuckets.add(name);
    }
    const type = c.string(m, "backend_type", at, true);
    if (type !== undefined && !(BACKEND_TYPES as readonly string[]).includes(type)) {
      c.problem(
        `${at}.backend_type`,
        `must be one of ${BACKEND_TYPES.join(", ")}`,
        m.get("backend_type"),
      );
    }
    const anonymousAccess = c.bool(m, "anonymous_access", at);
    const rawPrefix = c.string(m, "backend_prefix", at, false) ?? "";
    if (rawPrefix.split("/").some((s) => s === ".." || s === ".")) {
      c.problem(
        `${at}.backend_prefix`,
        "must not contain '.' or '..' segments",
        m.get("backend_prefix"),
      );
    }
    const allowedRoles = c.strings(m, "allowed_roles", at);
    allowedRoles.forEach((r, j) => {
      if (!roleIds.has(r)) {
        c.problem(
          `${at}.allowed_roles[${j}]`,
          `'${r}' is not a configured role`,
          m.get("allowed_roles"),
        );
      }
    });
    let backendOptions: Record<string, unknown> = {};
    const optNode = m.get("backend_options");
    if (optNode !== undefined && !(isScalar(optNode) && optNode.value === null)) {
      if (!isMap(optNode)) {
        c.problem(`${at}.backend_options`, "must be a mapping", optNode);
      } else {
        backendOptions = interpolateTree(
          optNode.toJSON() as Record<string, unknown>,
          env,
          `${at}.backend_options`,
          c,
          optNode,
        );
      }
    }
    if (
      type !== undefined && (BACKEND_TYPES as readonly string[]).includes(type) &&
      options.backendOptionProblems
    ) {
      for (const p of options.backendOptionProblems(type as BackendType, backendOptions)) {
        c.problem(`${at}.backend_options${p.path ? "." + p.path : ""}`, p.message, optNode ?? node);
      }
    }
    if (name !== undefined && type !== undefined && anonymousAccess !== undefined) {
      buckets.push({
        name,
        backendType: type as BackendType,
        anonymousAccess,
        backendPrefix: normalizePrefix(rawPrefix),
        allowedRoles,
        backendOptions,
      });
    }
  });

  const roles: RoleConfig[] = [];
  const seenRoles = new Set<string>();
  roleNodes.forEach((node, i) => {
    const at = `roles[${i}]`;
    const m = c.map(node, at, ROLE_KEYS);
    if (!m) return;
    const roleId = c.string(m, "role_id", at, true);
    if (roleId !== undefined) {
      if (seenRoles.has(roleId)) {
        c.problem(`${at}.role_id`, `duplicate role_id '${roleId}'`, m.get("role_id"));
      }
      seenRoles.add(roleId);
    }
    const name = c.string(m, "name", at, false) ?? roleId ?? "";
    const issuers = c.strings(m, "trusted_oidc_issuers", at);
    if (issuers.length === 0) {
      c.problem(
        `${at}.trusted_oidc_issuers`,
        "required: at least one issuer URL",
        m.get("trusted_oidc_issuers") ?? node,
      );
    }
    issuers.forEach((u, j) => {
      if (!isTrustedIssuerUrl(u)) {
        c.problem(
          `${at}.trusted_oidc_issuers[${j}]`,
          "must be an https URL (http only for 127.0.0.1 or localhost)",
          m.get("trusted_oidc_issuers"),
        );
      }
    });
    const requiredAudiences = c.strings(m, "required_audiences", at);
    const subjectConditions = c.strings(m, "subject_conditions", at);
    const maxSessionDurationSecs = c.int(m, "max_session_duration_secs", at, 3600, 900, 43200);
    const allowedScopes = scopes(c, m, at, { templates: true, buckets: bucketNames });
    if (roleId !== undefined) {
      roles.push({
        roleId,
        name,
        trustedOidcIssuers: issuers,
        requiredAudiences,
        subjectConditions,
        maxSessionDurationSecs,
        allowedScopes,
      });
    }
  });

  const credentials: CredentialConfig[] = [];
  const seenKeys = new Set<string>();
  c.list(top, "credentials", "").forEach((node, i) => {
    const at = `credentials[${i}]`;
    const m = c.map(node, at, CRED_KEYS);
    if (!m) return;
    const accessKeyId = c.string(m, "access_key_id", at, true);
    if (accessKeyId !== undefined) {
      if (!ACCESS_KEY_ID.test(accessKeyId)) {
        c.problem(
          `${at}.access_key_id`,
          "must be 16–128 characters of A–Z and 0–9",
          m.get("access_key_id"),
        );
      }
      if (seenKeys.has(accessKeyId)) {
        c.problem(
          `${at}.access_key_id`,
          `duplicate access key '${accessKeyId}'`,
          m.get("access_key_id"),
        );
      }
      seenKeys.add(accessKeyId);
    }
    const secret = c.string(m, "secret_access_key", at, true);
    if (secret !== undefined && secret.length < 8) {
      c.problem(
        `${at}.secret_access_key`,
        "must be at least 8 characters",
        m.get("secret_access_key"),
      );
    }
    const principalName = c.string(m, "principal_name", at, false) ?? accessKeyId ?? "";
    const createdAt = c.date(m, "created_at", at);
    const expiresAt = c.date(m, "expires_at", at);
    const enabled = c.bool(m, "enabled", at, true)!;
    const allowedScopes = scopes(c, m, at, { templates: false, buckets: bucketNames });
    if (accessKeyId !== undefined && secret !== undefined) {
      credentials.push({
        accessKeyId,
        secretAccessKey: secret,
        principalName,
        ...(createdAt ? { createdAt } : {}),
        ...(expiresAt ? { expiresAt } : {}),
        enabled,
        allowedScopes,
      });
    }
  });

  if (c.problems.length > 0) return err(c.problems);
  return ok({
    listen,
    ...(domain !== undefined ? { domain } : {}),
    region,
    maxBodyBytes,
    ownerId,
    ownerDisplayName,
    buckets,
    roles,
    credentials,
  });
}

function interpolateTree(
  value: Record<string, unknown>,
  env: EnvLookup,
  path: string,
  c: Checker,
  node: unknown,
): Record<string, unknown> {
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === "string") {
      const { value: out, missing } = interpolate(v, env);
      for (const name of missing) c.problem(at, `environment variable ${name} is not set`, node);
      return out;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
    if (v && typeof v === "object" && !(v instanceof Date)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x, `${at}.${k}`);
      return o;
    }
    return v;
  };
  return walk(value, path) as Record<string, unknown>;
}
