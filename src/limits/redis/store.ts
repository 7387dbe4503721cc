/**
 * The counters in Redis (`limits_store: redis://…`), shared by every
 * instance: one EVALSHA per request (script.ts), whose answer carries the
 * quota counters' use; byte counts (a download's reserved size, the bytes
 * moved) added with INCRBY and PEXPIREAT pipelined without waiting. Keys:
 * plan.ts.
 */
import type { LimitsStoreConfig } from "../../config/types.ts";
import type { Admission } from "../cells.ts";
import type { CounterRow, CounterStore } from "../store.ts";
import { RedisClient, type RedisClientOptions } from "./client.ts";
import type { Reply } from "./resp.ts";
import { ADMIT_SCRIPT, RESERVE_SCRIPT, scriptSha } from "./script.ts";

/** Builds the Redis store; nothing connects until the first request. */
export function createRedisStore(
  cfg: LimitsStoreConfig,
  options: RedisClientOptions = {},
): CounterStore {
  const client = new RedisClient(cfg, options);
  const admitSha = scriptSha(ADMIT_SCRIPT);
  const reserveSha = scriptSha(RESERVE_SCRIPT);
  const run = async (
    sha: Promise<string>,
    script: string,
    keys: string[],
    args: (string | number)[],
  ) => {
    const r = await client.command("EVALSHA", await sha, keys.length, ...keys, ...args);
    if (r instanceof Error && r.message.startsWith("NOSCRIPT")) {
      return answer(await client.command("EVAL", script, keys.length, ...keys, ...args));
    }
    return answer(r);
  };
  return {
    async admit(rates, quotas, now) {
      const keys = [...rates.map((r) => r.key), ...quotas.map((q) => q.key)];
      const args: (string | number)[] = [now, rates.length];
      for (const r of rates) args.push(r.perUnitMs, r.burst, r.cost);
      for (const q of quotas) args.push(q.limit, q.estimate, q.count, q.endsMs);
      const r = await run(admitSha, ADMIT_SCRIPT, keys, args);
      return toAdmission(r as Reply[]);
    },
    add(adds) {
      const cmds = adds.filter((a) => a.amount !== 0).flatMap((a) => [
        ["INCRBY", a.key, a.amount],
        ["PEXPIREAT", a.key, a.endsMs],
      ]);
      if (cmds.length > 0) client.pipeline(cmds).catch(() => {});
    },
    async reserve(rate, now) {
      const args = [now, rate.perUnitMs, rate.burst, rate.cost];
      return Number(await run(reserveSha, RESERVE_SCRIPT, [rate.key], args));
    },
    async get(keys) {
      if (keys.length === 0) return [];
      const values = answer(await client.command("MGET", ...keys)) as (string | null)[];
      return values.map((v) => (v === null ? 0 : Number(v)));
    },
    async read(prefix) {
      const keys: string[] = [];
      let cursor = "0";
      do {
        const r = answer(
          await client.command("SCAN", cursor, "MATCH", `${globEscape(prefix)}*`, "COUNT", 1000),
        );
        cursor = String((r as Reply[])[0]);
        keys.push(...((r as Reply[])[1] as string[]));
      } while (cursor !== "0");
      if (keys.length === 0) return [];
      const values = answer(await client.command("MGET", ...keys)) as (string | null)[];
      const rows: CounterRow[] = [];
      keys.forEach((key, i) => values[i] !== null && rows.push({ key, value: Number(values[i]) }));
      return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async reset(key) {
      return answer(await client.command("DEL", key)) === 1;
    },
    health: () => ({ ok: true }),
    close: () => client.close(),
  };
}

/** A reply, or its error thrown. */
function answer(r: Reply): Reply {
  if (r instanceof Error) throw new Error(`redis: ${r.message}`);
  return r;
}

function toAdmission(r: Reply[]): Admission {
  if (r[0] === 0) return { ok: true, used: r.slice(1).map(Number) };
  return {
    ok: false,
    by: r[0] === 1 ? "rate" : "quota",
    index: Number(r[1]),
    retryAfterMs: Number(r[2]),
  };
}

/** A prefix as a literal in a SCAN MATCH pattern. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
