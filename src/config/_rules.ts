/**
 * Single-value rules of the config schema. Each returns a problem message, or
 * `undefined` when the value is fine.
 */

const BUCKET_CHARS = /^[a-z0-9.-]+$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/** The S3 bucket naming rule, as one sentence for messages. */
export const BUCKET_NAMING =
  "S3 bucket names are 3–63 characters of lowercase letters, digits, '-' and '.', " +
  "and begin and end with a letter or digit";

/** Checks a bucket name against S3's general-purpose bucket naming rules. */
export function bucketNameProblem(name: string): string | undefined {
  const bad = (why: string) => `'${name}' is not a valid bucket name: ${why}`;
  if (name.length < 3 || name.length > 63) {
    return bad(`it has ${name.length} characters (${BUCKET_NAMING})`);
  }
  if (!BUCKET_CHARS.test(name)) return bad(BUCKET_NAMING);
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return bad(BUCKET_NAMING);
  if (name.includes("..")) return bad("it has two adjacent periods");
  if (IPV4.test(name)) return bad("it is formatted as an IP address");
  if (name.startsWith("xn--")) return bad("it begins with the reserved prefix xn--");
  if (name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
    return bad("it ends with a reserved suffix (-s3alias, --ol-s3)");
  }
  return undefined;
}

/** Checks an access key id: 16–128 characters of A–Z and 0–9. */
export function accessKeyIdProblem(id: string): string | undefined {
  return /^[A-Z0-9]{16,128}$/.test(id)
    ? undefined
    : `'${id}' is not a valid access key id: use 16–128 characters of A–Z and 0–9`;
}

/** Whether `host` is a DNS hostname (letters, digits, '-', dot-separated labels). */
export function isHostname(host: string): boolean {
  return host.length >= 1 && host.length <= 253 &&
    host.toLowerCase().split(".").every((label) => LABEL.test(label));
}

function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
}

function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Checks a `HOST:PORT` listen address (`[::1]:8080` for IPv6); port 0 picks a free one. */
export function listenProblem(listen: string): string | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const message = `'${listen}' is not HOST:PORT (e.g. 127.0.0.1:8080 or [::]:8080)`;
  if (!m) return message;
  const host = m[1] ?? m[2]!;
  // Digits and dots are an IPv4 address or nothing (no host name ends in a numeric label).
  const hostOk = m[1] !== undefined
    ? isIpv6(host)
    : /^[\d.]+$/.test(host)
    ? isIpv4(host)
    : isHostname(host);
  if (!hostOk) return message;
  if (Number(m[3]) > 65535) return `'${listen}': port must be from 0 to 65535`;
  return undefined;
}

/** Checks an OIDC issuer: an https URL (http only on 127.0.0.1 or localhost), no query or fragment. */
export function issuerProblem(issuer: string): string | undefined {
  const message =
    `'${issuer}' is not a trusted issuer URL: use https (http only for 127.0.0.1 or localhost)`;
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return message;
  }
  const local = u.hostname === "127.0.0.1" || u.hostname === "localhost" ||
    u.hostname === "[::1]";
  if (u.protocol !== "https:" && !(u.protocol === "http:" && local)) return message;
  if (u.search !== "" || u.hash !== "" || u.username !== "" || u.password !== "") {
    return `'${issuer}': an issuer URL has no query, fragment or credentials`;
  }
  return undefined;
}

/**
 * Checks an http(s) origin (`https://s3.example.com`, optional port) and
 * returns it normalized (lowercase, no trailing `/`).
 */
export function parseOrigin(s: string): { origin: string } | { problem: string } {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { problem: `'${s}' is not a URL such as https://s3.example.com` };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return { problem: `'${s}' must be an http or https URL` };
  }
  if (u.pathname !== "/" || u.search !== "" || u.hash !== "" || u.username !== "") {
    return { problem: `'${s}' must be an origin only: scheme, host and optional port` };
  }
  return { origin: u.origin };
}

/** Checks a trusted proxy: an IPv4 or IPv6 address, optionally a CIDR (`10.0.0.0/8`). */
export function proxyProblem(s: string): string | undefined {
  const [addr = "", bits, ...rest] = s.split("/");
  const message = `'${s}' is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`;
  if (rest.length > 0) return message;
  const max = isIpv4(addr) ? 32 : isIpv6(addr) ? 128 : undefined;
  if (max === undefined) return message;
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)) return message;
  return undefined;
}

/**
 * Checks a role scope's bucket that holds `{claim}` templates (`{sub}`,
 * `team-{org}`): braces balanced, claim names well formed, and the literal
 * parts made of bucket-name characters.
 */
export function templateProblem(bucket: string): string | undefined {
  const literal = bucket.replace(/\{([^{}]*)\}/g, (_, claim: string) => {
    return CLAIM_NAME.test(claim) ? "" : "\u0000";
  });
  if (literal.includes("\u0000")) {
    return `'${bucket}' has a malformed {claim} template: name a JWT claim such as {sub}`;
  }
  if (/[{}]/.test(literal)) return `'${bucket}' has an unbalanced '{' or '}'`;
  if (literal !== "" && !BUCKET_CHARS.test(literal)) {
    return `'${bucket}': outside its {claim} templates a bucket uses lowercase letters, digits, '-' and '.'`;
  }
  return undefined;
}

/** Whether a scope's bucket holds a `{claim}` template. */
export function hasTemplate(bucket: string): boolean {
  return bucket.includes("{") || bucket.includes("}");
}

/**
 * Normalizes a backend prefix: no leading `/`, a trailing `/` when non-empty.
 * Returns a problem for `.` or `..` segments.
 */
export function normalizeBackendPrefix(p: string): { prefix: string } | { problem: string } {
  const trimmed = p.replace(/^\/+/, "");
  if (trimmed.split("/").some((s) => s === ".." || s === ".")) {
    return { problem: `'${p}' must not contain '.' or '..' segments` };
  }
  return { prefix: trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/` };
}

/**
 * Public issuers whose every user picks the audience of the tokens it gets (a
 * GitHub workflow, a GitLab.com job, any Google service account), with an
 * example subject condition: a role trusting one needs subject_conditions.
 * An issuer counts by its host (GitHub Enterprise's own issuer is a path
 * under GitHub's).
 */
const OPEN_AUDIENCE_ISSUERS: ReadonlyMap<string, { users: string; example: string }> = new Map([
  ["token.actions.githubusercontent.com", {
    users: "every GitHub Actions workflow of every repository",
    example: "repo:org/app:*",
  }],
  ["gitlab.com", {
    users: "every GitLab.com CI job of every project",
    example: "project_path:group/app:*",
  }],
  ["accounts.google.com", {
    users: "every Google service account",
    example: "the service account's unique id",
  }],
]);

function openAudienceIssuer(issuer: string): { users: string; example: string } | undefined {
  try {
    return OPEN_AUDIENCE_ISSUERS.get(new URL(issuer).hostname);
  } catch {
    return undefined;
  }
}

/** What a role trusts, for `roleTrustProblem`. */
export interface RoleTrust {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly subjects: readonly string[];
}

/** Whether a subject condition matches every subject (`*`, `**`). */
function matchesAnySubject(condition: string): boolean {
  return /^\*+$/.test(condition);
}

/**
 * Refuses a role that accepts any subject of its issuers: one with neither
 * `required_audiences` nor `subject_conditions` (any token of the issuer),
 * one trusting a public issuer whose users choose their audience (GitHub
 * Actions: `OPEN_AUDIENCE_ISSUERS`) without `subject_conditions`, and one
 * whose only conditions are `*`. `allow_any_subject: true` says that is
 * meant; the caller skips this check then.
 */
export function roleTrustProblem(trust: RoleTrust): string | undefined {
  const issuers = trust.issuers.join(", ");
  const open = trust.issuers.map(openAudienceIssuer).find((o) => o !== undefined);
  const example = open ? `e.g. ${open.example}` : "the sub values to accept, * for any run";
  const fix =
    `set subject_conditions (${example}), or allow_any_subject: true to accept every subject of this issuer`;
  const conditions = trust.subjects.filter((s) => !matchesAnySubject(s));
  if (trust.subjects.length > 0 && conditions.length === 0) {
    return `accepts any token of ${issuers}: its subject_conditions match every subject; ${fix}`;
  }
  if (conditions.length > 0) return undefined;
  if (trust.audiences.length === 0) {
    return `accepts any token of ${issuers}: no required_audiences and no subject_conditions; ${fix}`;
  }
  if (open) {
    return `accepts ${open.users}: each chooses the audience of its token, so required_audiences without subject_conditions admits them all; ${fix}`;
  }
  return undefined;
}
