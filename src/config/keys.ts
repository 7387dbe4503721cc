/**
 * Every key a config may hold, gathered from the lists the section readers
 * check each mapping against (settings.ts, cors.ts, buckets.ts, roles.ts,
 * credentials.ts, scopes.ts, limits.ts, backend_options/): a key is added to its
 * reader's list, and appears here and in `TOP_KEYS` without another edit.
 */
import { BACKEND_OPTION_KEYS } from "./backend_options/mod.ts";
import { BUCKET_KEYS } from "./buckets.ts";
import { CORS_KEYS } from "./cors.ts";
import { CREDENTIAL_KEYS } from "./credentials.ts";
import { LIMIT_KEYS, MATCH_KEYS, QUOTA_KEYS } from "./limits.ts";
import { PATH_MAPPING_KEYS } from "./path_mapping.ts";
import { ROLE_KEYS } from "./roles.ts";
import { SCOPE_KEYS } from "./scopes.ts";
import { SETTING_KEYS } from "./settings.ts";

/** The keys the top level of a config may hold: the settings, then the sections. */
export const TOP_KEYS: readonly string[] = [
  ...SETTING_KEYS,
  "cors",
  "path_mapping",
  "buckets",
  "roles",
  "credentials",
  "policies",
  "limits",
  "quotas",
  "limits_store",
];

/**
 * Every key path a config may hold, once each, in the order of the sections:
 * `listen`, `cors.allowed_origins`, `buckets[].backend_options.endpoint`,
 * `roles[].allowed_scopes[].actions`, …. A list's items are `[]`; the keys
 * of `backend_options` are those of every backend (`BACKEND_OPTION_KEYS`
 * says which backend takes which).
 */
export const CONFIG_KEYS: readonly string[] = [
  ...new Set([
    ...SETTING_KEYS,
    ...under("cors", CORS_KEYS),
    ...under("path_mapping", PATH_MAPPING_KEYS),
    ...under("buckets[]", BUCKET_KEYS),
    ...under("buckets[].cors", CORS_KEYS),
    ...under("buckets[].backend_options", Object.values(BACKEND_OPTION_KEYS).flat()),
    ...under("roles[]", ROLE_KEYS),
    ...under("roles[].allowed_scopes[]", SCOPE_KEYS),
    ...under("credentials[]", CREDENTIAL_KEYS),
    ...under("credentials[].allowed_scopes[]", SCOPE_KEYS),
    "policies",
    ...under("limits[]", LIMIT_KEYS),
    ...under("limits[].match", MATCH_KEYS),
    ...under("quotas[]", QUOTA_KEYS),
    ...under("quotas[].match", MATCH_KEYS.slice(1)),
    "limits_store",
  ]),
];

/** `keys` as paths below `parent`, after `parent` itself. */
function under(parent: string, keys: readonly string[]): string[] {
  return [parent.replace(/\[\]$/, ""), ...keys.map((k) => `${parent}.${k}`)];
}
