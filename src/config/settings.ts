/** The top-level scalar settings of a config: listen address, limits, owner, proxies, workers. */
import { isMap, isScalar, isSeq } from "yaml";
import type { Fields, Reader } from "./_reader.ts";
import { isHostname, listenProblem, parseOrigin, proxyProblem } from "./_rules.ts";
import { check } from "./_sections.ts";
import { CONFIG_DEFAULTS } from "./defaults.ts";
import type { Config, WorkerCount } from "./types.ts";

/** The settings of `Config` that `readSettings` reads: all but buckets, roles, credentials and cors. */
export type Settings = Omit<
  Config,
  "buckets" | "roles" | "credentials" | "cors" | "pathMapping"
>;

/** The top-level keys `readSettings` reads, each a scalar setting (or, for `trusted_proxies`, a list). */
export const SETTING_KEYS = [
  "listen",
  "domain",
  "region",
  "max_body_bytes",
  "max_concurrent_requests",
  "client_idle_timeout_secs",
  "upload_buffer_bytes",
  "workers",
  "owner_id",
  "owner_display_name",
  "public_endpoint",
  "trusted_proxies",
  "server_timing",
] as const;

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

/** Reads the top-level settings, with their defaults, reporting each bad one. */
export function readSettings(r: Reader, top: Fields): Settings {
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
    region && region.value !== "*" && !/^[a-z0-9-]{1,64}$/.test(region.value)
      ? `'${region.value}' is not a region name such as us-east-1`
      : undefined,
  );
  const limits = readLimits(r, top);
  const workers = readWorkers(r, top);
  const ownerId = r.string(top, "owner_id")?.value ?? CONFIG_DEFAULTS.ownerId;
  const ownerDisplayName = r.string(top, "owner_display_name")?.value ??
    CONFIG_DEFAULTS.ownerDisplayName;
  const proxying = readProxying(r, top);
  const serverTiming = r.boolean(top, "server_timing", false) ?? false;
  return {
    listen: listen?.value ?? CONFIG_DEFAULTS.listen,
    ...(domain ? { domain: domain.value.toLowerCase() } : {}),
    region: region && region.value !== "*" ? region.value : CONFIG_DEFAULTS.region,
    ...(region?.value === "*" ? { anyRegion: true as const } : {}),
    ...limits,
    ...(workers !== undefined ? { workers } : {}),
    ownerId,
    ownerDisplayName,
    ...proxying,
    serverTiming,
  };
}

/** The request limits: body size, concurrency, idle timeout, memory of uploads of unknown length. */
function readLimits(
  r: Reader,
  top: Fields,
): Pick<
  Config,
  "maxBodyBytes" | "maxConcurrentRequests" | "clientIdleTimeoutSecs" | "uploadBufferBytes"
> {
  return {
    maxBodyBytes: r.integer(top, "max_body_bytes", {
      fallback: CONFIG_DEFAULTS.maxBodyBytes,
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }),
    maxConcurrentRequests: r.integer(top, "max_concurrent_requests", {
      fallback: CONFIG_DEFAULTS.maxConcurrentRequests,
      min: 1,
      max: 1_000_000,
    }),
    clientIdleTimeoutSecs: r.integer(top, "client_idle_timeout_secs", {
      fallback: CONFIG_DEFAULTS.clientIdleTimeoutSecs,
      min: 0,
      max: 86_400,
    }),
    // 0: every such upload spools to disk.
    uploadBufferBytes: r.integer(top, "upload_buffer_bytes", {
      fallback: CONFIG_DEFAULTS.uploadBufferBytes,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    }),
  };
}

/** `public_endpoint` and `trusted_proxies`: the first applies only through the second. */
function readProxying(
  r: Reader,
  top: Fields,
): Pick<Config, "publicEndpoint" | "trustedProxies"> {
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
  if (endpoint && publicEndpoint && trustedProxies.length === 0) {
    r.problem(
      endpoint.path,
      "applies only to requests from trusted_proxies, which is empty: list the reverse proxy's address there",
      endpoint.node,
    );
  }
  return { ...(publicEndpoint !== undefined ? { publicEndpoint } : {}), trustedProxies };
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
