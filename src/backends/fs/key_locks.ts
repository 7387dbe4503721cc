/**
 * Turns on a key, across isolates and processes: conditional writes, and
 * Complete or Abort of one upload, run one at a time per key (or upload id).
 *
 * The exclusion is the operating system's: `flock(2)` (`Deno.FsFile.lock`) on
 * one of a fixed set of lock files, `.bucketgate/locks/k<nn>` for keys and
 * `u<nn>` for upload ids, chosen by a hash. Each turn opens its own file
 * description, so two requests of one isolate exclude each other as two
 * processes do. The files never accumulate (at most `2 × STRIPES`), and the
 * kernel drops a lock when its holder dies, so a SIGKILL leaves nothing that
 * blocks a later writer. Two keys on one stripe only take turns.
 *
 * Lock order: an upload's lock before a key's (only Complete takes both), so
 * no two turns wait on each other.
 */
import { createHash } from "node:crypto";
import { type ProxyError, proxyError } from "../../errors.ts";
import { err, type Result } from "../../result.ts";
import { internalIoError } from "./errors.ts";
import { INTERNAL_DIR } from "./paths.ts";

/** Lock files per kind (keys, uploads). */
export const STRIPES = 256;
/** How long a writer waits for its turn before 409 ConditionalRequestConflict. */
export const TURN_WAIT_MS = 5_000;

/** What a turn is on: an object key, or an upload id. */
export type TurnOn = { readonly key: string } | { readonly upload: string };

/** The turns of one fs bucket. */
export interface KeyLocks {
  /**
   * Runs `f` holding the turn on `on`; ConditionalRequestConflict when the
   * turn does not come within the wait.
   */
  hold<T>(
    on: TurnOn,
    f: () => Promise<Result<T, ProxyError>>,
  ): Promise<Result<T, ProxyError>>;
}

/** Options of `createKeyLocks`. */
export interface KeyLocksOptions {
  /** The bucket's root. */
  readonly base: string;
  /** @default TURN_WAIT_MS */
  readonly waitMs?: number;
}

/** The lock file's name for `on`: `k` or `u`, then the stripe in hex. */
export function stripeOf(on: TurnOn): string {
  const [kind, name] = "key" in on ? ["k", on.key] : ["u", on.upload];
  const h = createHash("sha256").update(name).digest();
  return `${kind}${((h[0]! << 8 | h[1]!) % STRIPES).toString(16).padStart(2, "0")}`;
}

function conflict(): ProxyError {
  return proxyError(
    "ConditionalRequestConflict",
    "A conflicting conditional operation is currently in progress against this resource.",
  );
}

/** Opens `path` and locks it, exclusively; undefined when `waitMs` ran out first. */
async function lockWithin(path: string, waitMs: number): Promise<Deno.FsFile | undefined> {
  // The common case, a free turn, costs two quick system calls on this thread
  // (a local open and a non-blocking flock), not two trips to the I/O pool.
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  if (file.tryLockSync(true)) return file;
  const locked = file.lock(true).then(() => true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) =>
    timer = setTimeout(() => resolve(false), waitMs)
  );
  try {
    if (await Promise.race([locked, timedOut])) return file;
  } catch (e) {
    file.close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  // The lock is still wanted by the OS: let go of it once it comes.
  const close = () => file.close();
  locked.then(close, close);
  return undefined;
}

/** The turns of the bucket rooted at `o.base`. */
export function createKeyLocks(o: KeyLocksOptions): KeyLocks {
  const dir = `${o.base}/${INTERNAL_DIR}/locks`;
  const waitMs = o.waitMs ?? TURN_WAIT_MS;
  let made: Promise<void> | undefined;
  return {
    async hold(on, f) {
      let file: Deno.FsFile | undefined;
      try {
        await (made ??= Deno.mkdir(dir, { recursive: true }).catch((e) => {
          made = undefined;
          throw e;
        }));
        file = await lockWithin(`${dir}/${stripeOf(on)}`, waitMs);
      } catch (e) {
        return err(internalIoError(e));
      }
      if (!file) return err(conflict());
      try {
        return await f();
      } finally {
        file.close();
      }
    },
  };
}
