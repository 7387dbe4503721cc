/**
 * The admin listener (`--admin-listen`, off by default): `/healthz` (the
 * process answers), `/readyz` (a config is loaded and every backend answers its
 * probe, or else a one-key listing, within a few seconds), `/metrics` (Prometheus text). It has
 * no authentication: bind it to 127.0.0.1 or a private network.
 */
import type { ObjectStore } from "../backends/backend.ts";
import type { Metrics } from "./metrics.ts";

/** What the admin handler reads. */
export interface AdminDeps {
  readonly metrics: Metrics;
  /** The backends of the config now serving, by bucket name (probed, or else listed). */
  readonly backends: () => ReadonlyMap<string, Pick<ObjectStore, "list" | "probe">>;
  readonly inFlight: () => number;
  /** Time limit of each backend probe. @default 3000 */
  readonly probeTimeoutMs?: number;
}

const text = (status: number, body: string, type = "text/plain; charset=utf-8") =>
  new Response(body, { status, headers: { "content-type": type, "cache-control": "no-store" } });

/** Probes every backend (with its probe, else a one-key listing); the names of those that failed. */
async function unready(deps: AdminDeps): Promise<string[]> {
  const timeout = deps.probeTimeoutMs ?? 3000;
  const probes = [...deps.backends()].map(async ([name, b]) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), timeout));
    try {
      const answer = b.probe ? b.probe() : b.list({ prefix: "", maxKeys: 1 });
      const r = await Promise.race([answer, late]);
      return r === "late" || !r.ok ? name : undefined;
    } catch {
      return name;
    } finally {
      clearTimeout(timer);
    }
  });
  return (await Promise.all(probes)).filter((n): n is string => n !== undefined);
}

/** Creates the admin handler. */
export function createAdminHandler(deps: AdminDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "GET only\n");
    const path = new URL(req.url).pathname;
    switch (path) {
      case "/healthz":
        return text(200, "ok\n");
      case "/readyz": {
        const failed = await unready(deps);
        return failed.length === 0
          ? text(200, "ready\n")
          : text(503, `not ready: backends of ${failed.sort().join(", ")} do not answer\n`);
      }
      case "/metrics":
        return text(200, deps.metrics.render(deps.inFlight()), "text/plain; version=0.0.4");
      default:
        return text(404, "not found: /healthz, /readyz, /metrics\n");
    }
  };
}
