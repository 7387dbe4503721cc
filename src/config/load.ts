/**
 * YAML text → a validated Config. Every problem is reported (not only the
 * first), each with its path (`buckets[2].backend_options.region`) and the
 * line and column of the node at fault. Field names follow multistore's
 * schema (snake_case in YAML, camelCase in the typed Config).
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type YAMLError,
} from "yaml";
import { err, ok, type Result } from "../result.ts";
import { type Fields, type Item, joinPath, Reader } from "./_reader.ts";
import {
  accessKeyIdProblem,
  bucketNameProblem,
  hasTemplate,
  isHostname,
  issuerProblem,
  listenProblem,
  normalizeBackendPrefix,
  parseOrigin,
  proxyProblem,
  type RoleTrust,
  roleTrustProblem,
  templateProblem,
} from "./_rules.ts";
import { didYouMean } from "./_suggest.ts";
import type { EnvLookup } from "./interpolate.ts";
import {
  type Action,
  ACTIONS,
  BACKEND_TYPES,
  type BackendType,
  type BucketConfig,
  type Config,
  type ConfigProblem,
  type CorsConfig,
  type CredentialConfig,
  type RoleConfig,
  type Scope,
  type WorkerCount,
} from "./types.ts";

/** Problems a backend finds in one bucket's `backend_options` (paths relative to them). */
export type BackendOptionCheck = (
  type: BackendType,
  options: Record<string, unknown>,
) => { path: string; message: string }[];

/** Options of parseConfig. */
export interface ParseConfigOptions {
  /**
   * Checks each bucket's `backend_options` (only for a valid `backend_type`);
   * its problems are reported under `buckets[i].backend_options.`.
   * @default no check
   */
  readonly backendOptionProblems?: BackendOptionCheck;
}

/** The values of optional settings that are left out. */
export const CONFIG_DEFAULTS = {
  listen: "127.0.0.1:8080",
  region: "us-east-1",
  /** 5 GiB, S3's single-PUT limit. */
  maxBodyBytes: 5 * 1024 * 1024 * 1024,
  ownerId: "bucketgate",
  ownerDisplayName: "bucketgate",
  maxSessionDurationSecs: 3600,
  corsAllowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
  corsAllowedHeaders: ["*"],
  corsExposeHeaders: ["ETag", "Content-Range", "Accept-Ranges", "Content-Length", "x-amz-*"],
  corsMaxAgeSecs: 3600,
  maxConcurrentRequests: 1024,
  clientIdleTimeoutSecs: 60,
} as const;

/** The default upload limit (5 GiB, S3's single-PUT limit). */
export const DEFAULT_MAX_BODY_BYTES: number = CONFIG_DEFAULTS.maxBodyBytes;

const TOP_KEYS = [
  "listen",
  "domain",
  "region",
  "max_body_bytes",
  "max_concurrent_requests",
  "client_idle_timeout_secs",
  "workers",
  "owner_id",
  "owner_display_name",
  "public_endpoint",
  "trusted_proxies",
  "cors",
  "server_timing",
  "buckets",
  "roles",
  "credentials",
] as const;
const BUCKET_KEYS = [
  "name",
  "backend_type",
  "anonymous_access",
  "backend_prefix",
  "allowed_roles",
  "backend_options",
  "cors",
] as const;
const ROLE_KEYS = [
  "role_id",
  "name",
  "trusted_oidc_issuers",
  "required_audiences",
  "subject_conditions",
  "allow_any_subject",
  "max_session_duration_secs",
  "allowed_scopes",
] as const;
const CREDENTIAL_KEYS = [
  "access_key_id",
  "secret_access_key",
  "principal_name",
  "created_at",
  "expires_at",
  "enabled",
  "allowed_scopes",
] as const;
const SCOPE_KEYS = ["bucket", "prefixes", "actions"] as const;
const CORS_KEYS = [
  "allowed_origins",
  "allowed_methods",
  "allowed_headers",
  "expose_headers",
  "max_age_secs",
] as const;
const CORS_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const VALID_ACTIONS = `valid actions: ${ACTIONS.join(", ")}`;

/**
 * Parses and validates a config document. `env` fills `${VAR}` references in
 * string values. Returns the typed Config, or every problem found.
 */
export function parseConfig(
  text: string,
  env: EnvLookup,
  options: ParseConfigOptions = {},
): Result<Config, ConfigProblem[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = syntaxProblems(doc, lines);
  if (syntax.length > 0) return err(syntax);
  if (doc.contents === null) {
    return err([{
      path: "",
      message: "the config is empty: it needs at least `buckets:`",
      line: 1,
      column: 1,
    }]);
  }
  const r = new Reader(doc, lines, env);
  const config = readConfig(r, doc.contents, options);
  if (r.problems.length > 0 || config === undefined) return err(byPosition(r.problems));
  return ok(config);
}

/**
 * YAML errors and warnings (unresolved tags and the like), at most one per
 * line: the first error on a line is the one to fix, later ones mostly cascade.
 */
function syntaxProblems(doc: Document, lines: LineCounter): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const seen = new Set<number>();
  const all: YAMLError[] = [...doc.errors, ...doc.warnings];
  for (const e of all) {
    const { line, col } = lines.linePos(e.pos[0]);
    if (seen.has(line)) continue;
    seen.add(line);
    const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    out.push({ path: "", message: `YAML syntax: ${message}`, line, column: col });
  }
  return byPosition(out);
}

/** Sorts problems by line and column (stable); problems without a line go last. */
function byPosition(problems: ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => (p.line ?? Infinity) * 1e6 + (p.column ?? 0);
  return problems.map((p, i) => ({ p, i }))
    .sort((a, b) => key(a.p) - key(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

function readConfig(
  r: Reader,
  root: unknown,
  options: ParseConfigOptions,
): Config | undefined {
  const top = r.mapping(root, "", TOP_KEYS);
  if (!top) return undefined;

  const listen = r.string(top, "listen");
  check(r, listen, listen && listenProblem(listen.value));
  const domain = r.string(top, "domain");
  check(
    r,
    domain,
    domain && !isHostname(domain.value)
      ? `'${domain.value}' is not a hostname such as s3.example.com`
      : undefined,
  );
  const region = r.string(top, "region");
  check(
    r,
    region,
    region && !/^[a-z0-9-]{1,64}$/.test(region.value)
      ? `'${region.value}' is not a region name such as us-east-1`
      : undefined,
  );
  const maxBodyBytes = r.integer(top, "max_body_bytes", {
    fallback: CONFIG_DEFAULTS.maxBodyBytes,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  const maxConcurrentRequests = r.integer(top, "max_concurrent_requests", {
    fallback: CONFIG_DEFAULTS.maxConcurrentRequests,
    min: 1,
    max: 1_000_000,
  });
  const clientIdleTimeoutSecs = r.integer(top, "client_idle_timeout_secs", {
    fallback: CONFIG_DEFAULTS.clientIdleTimeoutSecs,
    min: 0,
    max: 86_400,
  });
  const workers = readWorkers(r, top);
  const ownerId = r.string(top, "owner_id")?.value ?? CONFIG_DEFAULTS.ownerId;
  const ownerDisplayName = r.string(top, "owner_display_name")?.value ??
    CONFIG_DEFAULTS.ownerDisplayName;

  let publicEndpoint: string | undefined;
  const endpoint = r.string(top, "public_endpoint");
  if (endpoint) {
    const parsed = parseOrigin(endpoint.value);
    if ("problem" in parsed) r.problem(endpoint.path, parsed.problem, endpoint.node);
    else publicEndpoint = parsed.origin;
  }
  const trustedProxies = (r.strings(top, "trusted_proxies") ?? []).map((item) => {
    check(r, item, proxyProblem(item.value));
    return item.value;
  });
  if (publicEndpoint && trustedProxies.length === 0) {
    r.problem(
      endpoint!.path,
      "applies only to requests from trusted_proxies, which is empty: list the reverse proxy's address there",
      endpoint!.node,
    );
  }
  const serverTiming = r.boolean(top, "server_timing", false) ?? false;
  const cors = readCors(r, top);

  // Every name that was read counts as configured, even in a bucket or role
  // with other problems, so one mistake is not reported again at each reference.
  const { buckets, bucketNames, roleRefs } = readBuckets(r, top, options);
  const { roles, roleIds } = readRoles(r, top, bucketNames);
  for (const ref of roleRefs) {
    if (!roleIds.has(ref.value)) {
      r.problem(
        ref.path,
        `'${ref.value}' is not a configured role${didYouMean(ref.value, [...roleIds])}`,
        ref.node,
      );
    }
  }
  const credentials = readCredentials(r, top, bucketNames);

  return {
    listen: listen?.value ?? CONFIG_DEFAULTS.listen,
    ...(domain ? { domain: domain.value.toLowerCase() } : {}),
    region: region?.value ?? CONFIG_DEFAULTS.region,
    maxBodyBytes,
    maxConcurrentRequests,
    clientIdleTimeoutSecs,
    ...(workers !== undefined ? { workers } : {}),
    ownerId,
    ownerDisplayName,
    buckets,
    roles,
    credentials,
    ...(publicEndpoint !== undefined ? { publicEndpoint } : {}),
    trustedProxies,
    ...(cors ? { cors } : {}),
    serverTiming,
  };
}

/** The most isolates `workers:` (and `--workers`) may ask for. */
export const MAX_WORKERS = 256;

/** `workers:` / `--workers` text as a count or "auto"; undefined when it is neither. */
export function parseWorkerCount(text: string): WorkerCount | undefined {
  const t = text.trim();
  if (t === "auto") return "auto";
  if (!/^\d{1,4}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= MAX_WORKERS ? n : undefined;
}

/** `workers:`: auto or 1..MAX_WORKERS (a `${VAR}` may supply either); undefined when absent. */
function readWorkers(r: Reader, top: Fields): WorkerCount | undefined {
  const node = r.resolve(top.get("workers"));
  if (node === undefined) return undefined;
  const path = top.at("workers");
  let shown = isMap(node) ? "a mapping" : isSeq(node) ? "a list" : "an unsupported value";
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string" || typeof v === "number") {
      const text = r.text(node, path);
      if (text === undefined) return undefined; // a ${VAR} problem, already reported
      const count = parseWorkerCount(text);
      if (count !== undefined) return count;
      shown = typeof v === "number" ? `the number ${node.source ?? v}` : `'${text}'`;
    } else shown = `the ${typeof v} ${String(v)}`;
  }
  r.problem(path, `must be auto or an integer from 1 to ${MAX_WORKERS}, not ${shown}`, node);
  return undefined;
}

/** Reports `problem` (if any) at an item's path and node. */
function check(r: Reader, item: Item<unknown> | undefined, problem: string | undefined): void {
  if (item && problem !== undefined) r.problem(item.path, problem, item.node);
}

/** The items of a top-level list section, each checked to be a mapping. */
function sections(
  r: Reader,
  top: Fields,
  key: string,
  keys: readonly string[],
  required?: string,
): Fields[] {
  const out: Fields[] = [];
  for (const item of r.list(top, key, required) ?? []) {
    const f = r.mapping(item.node, item.path, keys);
    if (f) out.push(f);
  }
  return out;
}

function readBuckets(
  r: Reader,
  top: Fields,
  options: ParseConfigOptions,
): { buckets: BucketConfig[]; bucketNames: Set<string>; roleRefs: Item<string>[] } {
  const buckets: BucketConfig[] = [];
  const roleRefs: Item<string>[] = [];
  const firstByName = new Map<string, string>();
  for (const b of sections(r, top, "buckets", BUCKET_KEYS, "required: a list of buckets")) {
    const name = r.string(b, "name", { required: true });
    if (name) {
      check(r, name, bucketNameProblem(name.value));
      const first = firstByName.get(name.value);
      if (first !== undefined) {
        r.problem(name.path, `duplicate bucket name '${name.value}' (also ${first})`, name.node);
      } else {
        firstByName.set(name.value, name.path);
      }
    }

    const typeItem = r.string(b, "backend_type", { required: true });
    let type: BackendType | undefined;
    if (typeItem) {
      type = BACKEND_TYPES.find((t) => t === typeItem.value);
      check(
        r,
        typeItem,
        type === undefined
          ? `'${typeItem.value}' is not a backend type: use one of ${BACKEND_TYPES.join(", ")}${
            didYouMean(typeItem.value, BACKEND_TYPES)
          }`
          : undefined,
      );
    }

    const anonymousAccess = r.boolean(b, "anonymous_access");

    let backendPrefix = "";
    const prefix = r.string(b, "backend_prefix", { allowEmpty: true });
    if (prefix) {
      const normalized = normalizeBackendPrefix(prefix.value);
      if ("problem" in normalized) r.problem(prefix.path, normalized.problem, prefix.node);
      else backendPrefix = normalized.prefix;
    }

    const allowedRoles = (r.strings(b, "allowed_roles") ?? []).map((item) => {
      roleRefs.push(item);
      return item.value;
    });

    const backendOptions = readBackendOptions(r, b, type, options);
    const cors = readCors(r, b);

    if (name && type !== undefined && anonymousAccess !== undefined) {
      buckets.push({
        name: name.value,
        backendType: type,
        anonymousAccess,
        backendPrefix,
        allowedRoles,
        backendOptions,
        ...(cors ? { cors } : {}),
      });
    }
  }
  return { buckets, bucketNames: new Set(firstByName.keys()), roleRefs };
}

/** A bucket's backend_options as plain data, checked by the injected per-backend hook. */
function readBackendOptions(
  r: Reader,
  b: Fields,
  type: BackendType | undefined,
  options: ParseConfigOptions,
): Record<string, unknown> {
  const path = b.at("backend_options");
  const node = b.get("backend_options");
  let value: Record<string, unknown> = Object.create(null);
  const before = r.problems.length;
  if (node !== undefined) {
    const plain = r.plain(node, path);
    if (plain !== null && typeof plain === "object" && !Array.isArray(plain)) {
      value = plain as Record<string, unknown>;
    } else {
      r.problem(path, "must be a mapping of backend-specific options", node);
      return value;
    }
  }
  if (type === undefined || options.backendOptionProblems === undefined) return value;
  // A value already reported (an unset variable, say) is not reported again.
  const reported = new Set(r.problems.slice(before).map((p) => p.path));
  for (const p of options.backendOptionProblems(type, value)) {
    const at = joinPath(path, p.path);
    if (reported.has(at)) continue;
    r.problem(at, p.message, r.locate(b.site("backend_options"), p.path));
  }
  return value;
}

function readRoles(
  r: Reader,
  top: Fields,
  bucketNames: ReadonlySet<string>,
): { roles: RoleConfig[]; roleIds: Set<string> } {
  const roles: RoleConfig[] = [];
  const firstById = new Map<string, string>();
  for (const f of sections(r, top, "roles", ROLE_KEYS)) {
    const roleId = r.string(f, "role_id", { required: true });
    if (roleId) {
      const first = firstById.get(roleId.value);
      if (first !== undefined) {
        r.problem(roleId.path, `duplicate role_id '${roleId.value}' (also ${first})`, roleId.node);
      } else {
        firstById.set(roleId.value, roleId.path);
      }
    }
    const name = r.string(f, "name");
    const issuers = r.strings(
      f,
      "trusted_oidc_issuers",
      "required: a list of issuer URLs whose tokens may assume this role",
    );
    if (issuers?.length === 0) {
      r.problem(
        f.at("trusted_oidc_issuers"),
        "must name at least one issuer URL",
        f.get("trusted_oidc_issuers"),
      );
    }
    for (const issuer of issuers ?? []) check(r, issuer, issuerProblem(issuer.value));
    const audiences = nonEmptyStrings(r, f, "required_audiences");
    const subjects = nonEmptyStrings(r, f, "subject_conditions");
    // undefined: not a boolean, already reported; the trust check waits for a valid one.
    const allowAny = f.get("allow_any_subject") === undefined
      ? false
      : r.boolean(f, "allow_any_subject");
    if (allowAny !== undefined) {
      checkRoleTrust(r, f, {
        issuers: (issuers ?? []).map((i) => i.value),
        audiences,
        subjects,
      }, allowAny);
    }
    const allowAnySubject = allowAny ?? false;
    const maxSessionDurationSecs = r.integer(f, "max_session_duration_secs", {
      fallback: CONFIG_DEFAULTS.maxSessionDurationSecs,
      min: 900,
      max: 43200,
    });
    const allowedScopes = readScopes(r, f, "role", bucketNames);
    if (roleId && issuers !== undefined) {
      roles.push({
        roleId: roleId.value,
        name: name?.value ?? roleId.value,
        trustedOidcIssuers: issuers.map((i) => i.value),
        requiredAudiences: audiences,
        subjectConditions: subjects,
        ...(allowAnySubject ? { allowAnySubject } : {}),
        maxSessionDurationSecs,
        allowedScopes,
      });
    }
  }
  return { roles, roleIds: new Set(firstById.keys()) };
}

function readCredentials(
  r: Reader,
  top: Fields,
  bucketNames: ReadonlySet<string>,
): CredentialConfig[] {
  const credentials: CredentialConfig[] = [];
  const firstById = new Map<string, string>();
  for (const f of sections(r, top, "credentials", CREDENTIAL_KEYS)) {
    const id = r.string(f, "access_key_id", { required: true });
    if (id) {
      check(r, id, accessKeyIdProblem(id.value));
      const first = firstById.get(id.value);
      if (first !== undefined) {
        r.problem(id.path, `duplicate access key id '${id.value}' (also ${first})`, id.node);
      } else {
        firstById.set(id.value, id.path);
      }
    }
    const secret = r.string(f, "secret_access_key", { required: true });
    check(
      r,
      secret,
      secret && secret.value.length < 8 ? "must be at least 8 characters" : undefined,
    );
    const principal = r.string(f, "principal_name");
    const createdAt = r.date(f, "created_at");
    const expiresAt = r.date(f, "expires_at");
    if (createdAt && expiresAt && expiresAt.value <= createdAt.value) {
      r.problem(expiresAt.path, "must be later than created_at", expiresAt.node);
    }
    const enabled = r.boolean(f, "enabled", true) ?? true;
    const allowedScopes = readScopes(r, f, "credential", bucketNames);
    if (id && secret) {
      credentials.push({
        accessKeyId: id.value,
        secretAccessKey: secret.value,
        principalName: principal?.value ?? id.value,
        ...(createdAt ? { createdAt: createdAt.value } : {}),
        ...(expiresAt ? { expiresAt: expiresAt.value } : {}),
        enabled,
        allowedScopes,
      });
    }
  }
  return credentials;
}

/**
 * Reports a role that accepts every subject of its issuers (`roleTrustProblem`)
 * unless it says `allow_any_subject: true`, and `allow_any_subject: true`
 * beside subject_conditions, which still apply.
 */
function checkRoleTrust(r: Reader, f: Fields, trust: RoleTrust, allowAnySubject: boolean): void {
  if (trust.issuers.length === 0) return;
  if (allowAnySubject) {
    if (trust.subjects.length > 0) {
      r.problem(
        f.at("allow_any_subject"),
        "allow_any_subject: true beside subject_conditions, which still apply: remove one",
        f.get("allow_any_subject"),
      );
    }
    return;
  }
  const problem = roleTrustProblem(trust);
  if (problem) r.problem(f.path, problem, f.node);
}

/** A list of non-empty strings; `[]` when absent. */
function nonEmptyStrings(r: Reader, f: Fields, key: string): string[] {
  const out: string[] = [];
  for (const item of r.strings(f, key) ?? []) {
    if (item.value === "") r.problem(item.path, "must not be empty", item.node);
    else out.push(item.value);
  }
  return out;
}

/**
 * `allowed_scopes` of a role or credential. A scope's bucket is a configured
 * bucket or `*`; roles may also use `{claim}` templates (`{sub}`), which are
 * resolved from the caller's JWT when credentials are minted.
 */
function readScopes(
  r: Reader,
  owner: Fields,
  kind: "role" | "credential",
  bucketNames: ReadonlySet<string>,
): Scope[] {
  const scopes: Scope[] = [];
  const items = r.list(
    owner,
    "allowed_scopes",
    "required: a list of { bucket, prefixes, actions } (may be [])",
  );
  for (const item of items ?? []) {
    const s = r.mapping(item.node, item.path, SCOPE_KEYS);
    if (!s) continue;
    const bucket = r.string(s, "bucket", { required: true });
    if (bucket) check(r, bucket, scopeBucketProblem(bucket.value, kind, bucketNames));
    const prefixes = (r.strings(s, "prefixes") ?? []).map((p) => p.value);
    const actions = readActions(r, s);
    if (bucket && actions) scopes.push({ bucket: bucket.value, prefixes, actions });
  }
  return scopes;
}

function scopeBucketProblem(
  bucket: string,
  kind: "role" | "credential",
  bucketNames: ReadonlySet<string>,
): string | undefined {
  if (bucket === "*" || bucketNames.has(bucket)) return undefined;
  if (hasTemplate(bucket)) {
    if (kind === "role") return templateProblem(bucket);
    return `'${bucket}': {claim} templates are only for roles; a credential names a configured bucket or *`;
  }
  const alternatives = kind === "role"
    ? "a configured bucket, * or a {claim} template"
    : "a configured bucket or *";
  return `'${bucket}' is not a configured bucket${
    didYouMean(bucket, [...bucketNames])
  }: use ${alternatives}`;
}

/** A scope's actions: a non-empty list of known actions (duplicates dropped). */
function readActions(r: Reader, s: Fields): Action[] | undefined {
  const items = r.strings(s, "actions", `required: a list of actions (${VALID_ACTIONS})`);
  if (items === undefined) return undefined;
  if (items.length === 0) {
    r.problem(
      s.at("actions"),
      `must name at least one action (${VALID_ACTIONS})`,
      s.get("actions"),
    );
    return undefined;
  }
  const actions: Action[] = [];
  let bad = false;
  for (const item of items) {
    const action = ACTIONS.find((a) => a === item.value);
    if (action === undefined) {
      bad = true;
      r.problem(
        item.path,
        `unknown action '${item.value}'${didYouMean(item.value, ACTIONS)}; ${VALID_ACTIONS}`,
        item.node,
      );
    } else if (!actions.includes(action)) {
      actions.push(action);
    }
  }
  return bad ? undefined : actions;
}

/** A `cors:` section, at the top level or in a bucket. */
function readCors(r: Reader, parent: Fields): CorsConfig | undefined {
  const node = parent.get("cors");
  if (node === undefined) return undefined;
  const f = r.mapping(node, parent.at("cors"), CORS_KEYS);
  if (!f) return undefined;
  const origins = r.strings(f, "allowed_origins", 'required: a list of origins, or ["*"]');
  const allowedOrigins: string[] = [];
  for (const o of origins ?? []) {
    if (o.value === "*") {
      allowedOrigins.push("*");
      continue;
    }
    const parsed = parseOrigin(o.value);
    if ("problem" in parsed) r.problem(o.path, parsed.problem, o.node);
    else allowedOrigins.push(parsed.origin);
  }
  if (origins?.length === 0) {
    r.problem(
      f.at("allowed_origins"),
      "must name at least one origin, or *",
      f.get("allowed_origins"),
    );
  }
  const methods = r.strings(f, "allowed_methods");
  const allowedMethods: string[] = [];
  for (const m of methods ?? []) {
    const method = CORS_METHODS.find((x) => x === m.value.toUpperCase());
    if (method === undefined) {
      r.problem(m.path, `'${m.value}' is not one of ${CORS_METHODS.join(", ")}`, m.node);
    } else if (!allowedMethods.includes(method)) {
      allowedMethods.push(method);
    }
  }
  const headerList = (key: string): string[] | undefined => {
    if (f.get(key) === undefined) return undefined;
    const out: string[] = [];
    for (const h of r.strings(f, key) ?? []) {
      if (HEADER_NAME.test(h.value)) out.push(h.value);
      else r.problem(h.path, `'${h.value}' is not a header name`, h.node);
    }
    return out;
  };
  const allowedHeaders = headerList("allowed_headers");
  const exposeHeaders = headerList("expose_headers");
  const maxAgeSecs = r.integer(f, "max_age_secs", {
    fallback: CONFIG_DEFAULTS.corsMaxAgeSecs,
    min: 0,
    max: 86400,
  });
  return {
    allowedOrigins,
    allowedMethods: f.get("allowed_methods") === undefined
      ? [...CONFIG_DEFAULTS.corsAllowedMethods]
      : allowedMethods,
    allowedHeaders: allowedHeaders ?? [...CONFIG_DEFAULTS.corsAllowedHeaders],
    exposeHeaders: exposeHeaders ?? [...CONFIG_DEFAULTS.corsExposeHeaders],
    maxAgeSecs,
  };
}
