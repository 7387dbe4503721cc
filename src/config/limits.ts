/** The `limits:`, `quotas:` and `limits_store:` sections: rate limits, quotas and their counters. */
import type { Fields, Reader } from "./_reader.ts";
import { didYouMean } from "./_suggest.ts";
import { sections } from "./_sections.ts";
import type { LimitMatch, LimitRule, LimitsStoreConfig, QuotaRule } from "./types.ts";

/** The keys of one `limits:` rule. */
export const LIMIT_KEYS = [
  "name",
  "match",
  "requests_per_second",
  "burst",
  "bytes_per_second_in",
  "bytes_per_second_out",
  "ipv4_prefix",
  "ipv6_prefix",
] as const;

/** The keys of one `quotas:` rule. */
export const QUOTA_KEYS = [
  "name",
  "match",
  "requests_per_day",
  "requests_per_month",
  "bytes_in_per_day",
  "bytes_in_per_month",
  "bytes_out_per_day",
  "bytes_out_per_month",
] as const;

/** The amounts of a `quotas:` rule. */
const AMOUNT_KEYS = QUOTA_KEYS.slice(2);

/** The keys of a `match:`. */
export const MATCH_KEYS = ["anonymous", "access_key_id", "role", "bucket"] as const;

/** The names a match may refer to: what the config declares. */
export interface KnownNames {
  readonly buckets: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly accessKeyIds: ReadonlySet<string>;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** Reads `limits:`, `quotas:` and `limits_store:`; absent sections leave their field out. */
export function readLimitSections(
  r: Reader,
  top: Fields,
  known: KnownNames,
): { limits?: LimitRule[]; quotas?: QuotaRule[]; limitsStore?: LimitsStoreConfig } {
  const names = new Map<string, string>();
  const limits = sections(r, top, "limits", { keys: LIMIT_KEYS })
    .map((f) => named(r, f, names, readLimitRule(r, f, known)))
    .filter((x): x is LimitRule => x !== undefined);
  checkAnonymousNames(r, limits, names);
  const quotas = sections(r, top, "quotas", { keys: QUOTA_KEYS })
    .map((f) => named(r, f, names, readQuotaRule(r, f, known)))
    .filter((x): x is QuotaRule => x !== undefined);
  const store = r.string(top, "limits_store");
  const limitsStore = store && parseLimitsStore(store.value);
  if (store && typeof limitsStore === "string") r.problem(store.path, limitsStore, store.node);
  return {
    ...(top.get("limits") !== undefined ? { limits } : {}),
    ...(top.get("quotas") !== undefined ? { quotas } : {}),
    ...(limitsStore && typeof limitsStore !== "string" ? { limitsStore } : {}),
  };
}

/** What a rule's name may be: it is a metric label (`bucketgate_throttled_total{limit}`). */
const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@\/-]{0,63}$/;

/** The default name of a rule: its place and what it matches, e.g. `limits[0]:anonymous`. */
export function defaultRuleName(place: string, m: LimitMatch): string {
  if ("anonymous" in m) return `${place}:anonymous`;
  if ("accessKeyId" in m) return `${place}:key:${m.accessKeyId}`;
  if ("role" in m) return `${place}:role:${m.role}`;
  return `${place}:bucket:${m.bucket}`;
}

/**
 * An anonymous rule's rate keys end `<name>:<network>`: no other rule may be
 * named so that its keys could be the same (`web` and `web:10.0.0.0/24`).
 */
function checkAnonymousNames(
  r: Reader,
  limits: readonly LimitRule[],
  paths: ReadonlyMap<string, string>,
): void {
  for (const a of limits) {
    if (!("anonymous" in a.match)) continue;
    for (const b of limits) {
      if (!b.name.startsWith(`${a.name}:`)) continue;
      r.problem(
        `${paths.get(b.name)}.name`,
        `rule name '${b.name}' starts with the anonymous rule '${a.name}' and a colon: ` +
          `their rate counters could share a key; rename one`,
      );
    }
  }
}

/** The rule with its `name:` (or the default), unique among every rule of both sections. */
function named<T extends { readonly match: LimitMatch; readonly name: string }>(
  r: Reader,
  f: Fields,
  seen: Map<string, string>,
  rule: Omit<T, "name"> | undefined,
): T | undefined {
  const given = r.string(f, "name");
  if (given && !RULE_NAME.test(given.value)) {
    r.problem(
      given.path,
      "must be 1 to 64 letters, digits or _.:@/- (it is a metric label), starting with a letter or digit",
      given.node,
    );
    return undefined;
  }
  if (!rule) return undefined;
  const name = given?.value ?? defaultRuleName(f.path, rule.match);
  const other = seen.get(name);
  if (other !== undefined) {
    r.problem(f.at("name"), `duplicate rule name '${name}' (also ${other})`, f.site("name"));
    return undefined;
  }
  seen.set(name, f.path);
  return { ...rule, name } as T;
}

/** An optional positive integer field. */
function positive(r: Reader, f: Fields, key: string): number | undefined {
  if (f.get(key) === undefined) return undefined;
  const v = r.integer(f, key, { fallback: -1, min: 1, max: MAX });
  return v < 0 ? undefined : v;
}

function readLimitRule(
  r: Reader,
  f: Fields,
  known: KnownNames,
): Omit<LimitRule, "name"> | undefined {
  const match = readMatch(r, f, known, true);
  const requestsPerSecond = positive(r, f, "requests_per_second");
  const burst = positive(r, f, "burst");
  const bytesPerSecondIn = positive(r, f, "bytes_per_second_in");
  const bytesPerSecondOut = positive(r, f, "bytes_per_second_out");
  const ipv4Prefix = f.get("ipv4_prefix") === undefined
    ? undefined
    : r.integer(f, "ipv4_prefix", { fallback: 24, min: 1, max: 32 });
  const ipv6Prefix = f.get("ipv6_prefix") === undefined
    ? undefined
    : r.integer(f, "ipv6_prefix", { fallback: 64, min: 1, max: 128 });
  if (burst !== undefined && requestsPerSecond === undefined) {
    r.problem(f.at("burst"), "needs requests_per_second: a burst is above a rate", f.site("burst"));
  }
  const rates = ["requests_per_second", "burst", "bytes_per_second_in", "bytes_per_second_out"];
  if (rates.every((k) => f.get(k) === undefined) && allKnown(f, LIMIT_KEYS)) {
    r.problem(
      f.path,
      "limits nothing: give requests_per_second, bytes_per_second_in or bytes_per_second_out",
      f.node,
    );
  }
  if (match && !("anonymous" in match)) {
    for (const key of ["ipv4_prefix", "ipv6_prefix"]) {
      if (f.get(key) !== undefined) {
        r.problem(f.at(key), "only an anonymous rule has a source network", f.site(key));
      }
    }
  }
  if (!match) return undefined;
  return {
    match,
    ...(requestsPerSecond !== undefined
      ? { requestsPerSecond, burst: burst ?? requestsPerSecond }
      : {}),
    ...(bytesPerSecondIn !== undefined ? { bytesPerSecondIn } : {}),
    ...(bytesPerSecondOut !== undefined ? { bytesPerSecondOut } : {}),
    ...("anonymous" in match ? { ipv4Prefix: ipv4Prefix ?? 24, ipv6Prefix: ipv6Prefix ?? 64 } : {}),
  };
}

function readQuotaRule(
  r: Reader,
  f: Fields,
  known: KnownNames,
): Omit<QuotaRule, "name"> | undefined {
  const match = readMatch(r, f, known, false);
  const amounts: Record<string, number> = {};
  for (const key of AMOUNT_KEYS) {
    const v = positive(r, f, key);
    if (v !== undefined) amounts[camel(key)] = v;
  }
  if (AMOUNT_KEYS.every((k) => f.get(k) === undefined) && allKnown(f, QUOTA_KEYS)) {
    r.problem(f.path, `limits nothing: give one of ${AMOUNT_KEYS.join(", ")}`, f.node);
  }
  if (!match || "anonymous" in match) return undefined;
  return { match, ...amounts };
}

/** Whether every key of the mapping is a known one (an unknown key was reported already). */
function allKnown(f: Fields, keys: readonly string[]): boolean {
  return keys.filter((k) => f.get(k) !== undefined).length === f.node.items.length;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `match:` with exactly one key, naming something the config declares. */
function readMatch(
  r: Reader,
  f: Fields,
  known: KnownNames,
  anonymousAllowed: boolean,
): LimitMatch | undefined {
  const node = f.get("match");
  if (node === undefined) {
    r.problem(f.at("match"), `required: one of ${MATCH_KEYS.join(", ")}`, f.site("match"));
    return undefined;
  }
  const keys = anonymousAllowed ? MATCH_KEYS : MATCH_KEYS.slice(1);
  const m = r.mapping(node, f.at("match"), keys);
  if (!m) return undefined;
  const given = keys.filter((k) => m.get(k) !== undefined);
  if (given.length !== 1) {
    // none known but some key given: that key was reported as unknown already
    if (given.length === 0 && m.node.items.length > 0) return undefined;
    r.problem(m.path, `must have exactly one of ${keys.join(", ")}`, m.node);
    return undefined;
  }
  const key = given[0]!;
  if (key === "anonymous") {
    const v = r.boolean(m, "anonymous");
    if (v === false) r.problem(m.at("anonymous"), "must be true (or leave it out)", m.get(key));
    return v ? { anonymous: true } : undefined;
  }
  const name = r.string(m, key);
  if (!name) return undefined;
  const [set, what] = key === "bucket"
    ? [known.buckets, "bucket"]
    : key === "role"
    ? [known.roles, "role"]
    : [known.accessKeyIds, "access key id among the credentials"];
  if (!set.has(name.value)) {
    r.problem(
      name.path,
      `'${name.value}' is not a configured ${what}${didYouMean(name.value, [...set])}`,
      name.node,
    );
    return undefined;
  }
  if (key === "bucket") return { bucket: name.value };
  if (key === "role") return { role: name.value };
  return { accessKeyId: name.value };
}

/** `redis://[user:password@]host[:port][/db]` as a store, or the problem with it. */
export function parseLimitsStore(text: string): LimitsStoreConfig | string {
  const usage = "must be redis://host[:port][/db] (port 6379 and db 0 when left out)";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return usage;
  }
  if (url.protocol !== "redis:" || url.hostname === "") return usage;
  const db = url.pathname === "" || url.pathname === "/" ? 0 : Number(url.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0 || db > 15 || url.search !== "" || url.hash !== "") {
    return usage;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    kind: "redis",
    host,
    port: url.port === "" ? 6379 : Number(url.port),
    db,
    ...(url.username !== "" ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== "" ? { password: decodeURIComponent(url.password) } : {}),
  };
}
