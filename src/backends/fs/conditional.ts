/**
 * Conditional writes on the fs backend, linearizable: the condition is
 * checked and the write published within the key's turn (key_locks.ts), so
 * of several writers with one precondition exactly one wins and the others,
 * once their turn comes, find it failed (412). A body is spooled and staged
 * before the turn is taken, so a slow upload never holds a key. A write
 * without a condition takes the turn only for its two renames (bytes, then
 * sidecar), so no other write lands between them; the last one wins, as on S3.
 */
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, type Result } from "../../result.ts";
import type { BackendResult, ObjectMeta, WriteConditions } from "../backend.ts";
import { type CommitOptions, discard, publish, stage } from "./commit.ts";
import type { FsContext } from "./context.ts";
import { writeConditionFailure } from "./read.ts";

/** Whether `c` holds a condition. */
export function isConditional(c: WriteConditions | undefined): c is WriteConditions {
  return c !== undefined && (c.ifMatch !== undefined || c.ifNoneMatch !== undefined);
}

/**
 * Why a conditional write cannot even start, if it cannot: the root is on a
 * network filesystem (no trustworthy lock), or the condition fails already
 * (a refused body is not read).
 */
export async function refusal(
  ctx: FsContext,
  key: string,
  c: WriteConditions | undefined,
): Promise<ProxyError | undefined> {
  if (!isConditional(c)) return undefined;
  const network = await ctx.networkFs();
  if (network) {
    return proxyError(
      "NotImplemented",
      `Conditional writes are not supported on this bucket: its directory is on ${network}, ` +
        "where bucketgate cannot exclude concurrent writers",
    );
  }
  const failed = await writeConditionFailure(ctx, key, c);
  // Replaced while looked at: the check within the turn decides.
  return failed?.kind === "SlowDown" ? undefined : failed;
}

/** Runs `f` within `key`'s turn if `c` (when given) holds there. */
export async function whenHolds<T>(
  ctx: FsContext,
  key: string,
  c: WriteConditions | undefined,
  f: () => Promise<Result<T, ProxyError>>,
): Promise<Result<T, ProxyError>> {
  return await ctx.locks.hold({ key }, async () => {
    if (!isConditional(c)) return await f();
    // Within the turn: a sidecar that does not fit is recomputed, not waited for.
    const failed = await writeConditionFailure({ ...ctx, sidecars: ctx.sidecars.within() }, key, c);
    return failed ? err(failed) : await f();
  });
}

/** Commits a spooled file at its key if `c` holds there (see `whenHolds`). */
export async function commitIf(
  ctx: FsContext,
  c: WriteConditions | undefined,
  o: CommitOptions,
): BackendResult<ObjectMeta> {
  const staged = await stage(ctx, o);
  if (!staged.ok) return staged;
  const done = await whenHolds(ctx, o.key, c, () => publish(ctx, staged.value));
  if (!done.ok) await discard(staged.value);
  return done;
}
