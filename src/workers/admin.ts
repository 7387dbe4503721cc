/**
 * The supervisor's admin listener: `/metrics` answers with the workers'
 * summed metrics (gathered asynchronously); every other path is the ordinary
 * admin handler's (`/healthz`, `/readyz` probing the supervisor's backends).
 */

/** What the supervisor's admin handler wraps. */
export interface SummedAdminOptions {
  /** The admin handler of src/admin/admin.ts, for every path but /metrics. */
  readonly admin: (req: Request) => Promise<Response>;
  /** The text exposition of the sum over the workers. */
  readonly metricsText: () => Promise<string>;
}

/** The admin handler whose `/metrics` is the sum over the workers. */
export function createSummedAdmin(o: SummedAdminOptions): (req: Request) => Promise<Response> {
  return async (req) => {
    if (
      (req.method !== "GET" && req.method !== "HEAD") || new URL(req.url).pathname !== "/metrics"
    ) {
      return await o.admin(req);
    }
    return new Response(await o.metricsText(), {
      headers: { "content-type": "text/plain; version=0.0.4", "cache-control": "no-store" },
    });
  };
}
