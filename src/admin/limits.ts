/**
 * `/limits` on the admin listener: read the counters of rate limits and
 * quotas (`GET /limits?prefix=bucketgate:quota:key:AK…`, JSON) and reset one
 * (`DELETE /limits?key=<its whole key>`), whether they live in this process,
 * in the workers' shared table or in Redis. Only keys under `bucketgate:` are
 * read or deleted, so the listener never touches another program's keys.
 */
import type { Clock } from "../clock.ts";
import type { QuotaRule } from "../config/types.ts";
import { KEY_PREFIX } from "../limits/plan.ts";
import type { CounterStore } from "../limits/store.ts";
import { quotaUsage } from "../limits/usage.ts";
import type { QuotaUse } from "./status.ts";

const json = (status: number, body: unknown) =>
  new Response(`${JSON.stringify(body, null, 2)}\n`, {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/** Answers one `/limits` request over `store`. */
export async function limitsEndpoint(
  req: Request,
  store: CounterStore,
  clock: Clock,
): Promise<Response> {
  const q = new URL(req.url).searchParams;
  try {
    if (req.method === "GET" || req.method === "HEAD") {
      const prefix = q.get("prefix") ?? KEY_PREFIX;
      if (!prefix.startsWith(KEY_PREFIX)) {
        return json(400, { error: `prefix must start with ${KEY_PREFIX}` });
      }
      const counters = await store.read(prefix, clock.now());
      return json(200, { health: store.health(), counters });
    }
    if (req.method === "DELETE") {
      const key = q.get("key");
      if (key === null || !key.startsWith(KEY_PREFIX)) {
        return json(400, { error: `give ?key=<a whole key under ${KEY_PREFIX}>` });
      }
      return json(200, { key, reset: await store.reset(key) });
    }
    return json(405, { error: "GET to read counters, DELETE ?key= to reset one" });
  } catch (e) {
    return json(503, {
      error: `the counter store does not answer: ${e instanceof Error ? e.message : e}`,
    });
  }
}

/**
 * The status page's quota section (`AdminDeps.quotas`): each quota of the
 * config now serving (`rules`, read per view so a reload shows) with its use
 * in its current window, read from `store` in one call.
 */
export function quotaUseOf(
  rules: () => readonly QuotaRule[],
  store: CounterStore,
  clock: Clock,
): () => Promise<QuotaUse[]> {
  return async () =>
    (await quotaUsage(rules(), store, clock.now())).map((u) => ({
      rule: u.rule,
      subject: u.subject,
      measure: u.metric,
      window: u.window,
      used: u.used,
      limit: u.limit,
      resetsAt: new Date(u.resetsMs).toISOString(),
    }));
}
