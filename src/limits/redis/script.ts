/**
 * The Lua scripts the Redis store runs (EVALSHA, EVAL when Redis does not
 * know them yet): cells.ts's arithmetic, atomic in Redis. Times are the
 * instance's clock in ms (instances keep their clocks in sync, NTP).
 *
 * ADMIT: KEYS = the rate keys, then the quota keys. ARGV = now, the number of
 * rates, then per rate `perUnitMs burst cost`, then per quota
 * `limit estimate count endsMs`. Replies `{0, used...}` (each quota counter's
 * value after counting), or `{1, index, waitMs}` over a rate, `{2, index,
 * waitMs}` over a quota.
 *
 * RESERVE: KEYS = the byte rate's key; ARGV = now, perUnitMs, burst, cost.
 * Replies the wait in ms.
 */

/** Steps every rate, checks and counts the quotas (cells.ts `admitOn`). */
export const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local nr = tonumber(ARGV[2])
local refused = nil
for i = 1, nr do
  local b = 2 + (i - 1) * 3
  local per, burst, cost = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  local allow = burst * per
  local nxt = math.max(tat, now) + cost * per
  local wait = nxt - now - allow
  if wait > 0 then
    nxt = math.min(nxt, now + 2 * allow)
    if not refused then refused = {1, i - 1, math.ceil(wait)} end
  end
  redis.call('SET', KEYS[i], string.format('%.3f', nxt), 'PX', math.ceil(nxt + allow - now))
end
if refused then return refused end
local base = 2 + nr * 3
local nq = #KEYS - nr
local used = {0}
for j = 1, nq do
  local b = base + (j - 1) * 4
  used[j + 1] = tonumber(redis.call('GET', KEYS[nr + j]) or '0')
  if used[j + 1] + tonumber(ARGV[b + 2]) > tonumber(ARGV[b + 1]) then
    return {2, j - 1, math.max(0, tonumber(ARGV[b + 4]) - now)}
  end
end
for j = 1, nq do
  local b = base + (j - 1) * 4
  if tonumber(ARGV[b + 3]) > 0 then
    used[j + 1] = redis.call('INCRBY', KEYS[nr + j], ARGV[b + 3])
    redis.call('PEXPIREAT', KEYS[nr + j], ARGV[b + 4])
  end
end
return used
`;

/** Reserves bytes of a byte rate (cells.ts `reserveOn`). */
export const RESERVE_SCRIPT = `
local now, per, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local allow = burst * per
local nxt = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + cost * per
redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', math.ceil(nxt + allow - now))
return math.ceil(math.max(0, nxt - now - allow))
`;

/** The SHA-1 of a script, as EVALSHA names it. */
export async function scriptSha(script: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
