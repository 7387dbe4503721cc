/**
 * The counter store a gateway starts with (once: it outlives every reload):
 * Redis when `limits_store` names it (counting locally while it cannot be
 * reached), else the workers' shared table when the supervisor handed one
 * over, else a table of this process.
 */
import type { LimitsStoreConfig } from "../config/types.ts";
import { createLocalStore } from "./local_store.ts";
import { createRedisStore } from "./redis/store.ts";
import { createSharedStore } from "./shared_store.ts";
import { type CounterStore, withFallback } from "./store.ts";

/** What the store is built from. */
export interface StoreChoice {
  /** `limits_store:` of the config read at start. */
  readonly redis?: LimitsStoreConfig;
  /** The supervisor's shared table under `--workers`. */
  readonly shared?: SharedArrayBuffer;
  /** Where an unreachable Redis is reported (the server log). */
  readonly log: (message: string) => void;
}

/** Builds the store; see the module doc. */
export function openCounterStore(choice: StoreChoice): CounterStore {
  const own = choice.shared ? createSharedStore(choice.shared) : createLocalStore();
  if (!choice.redis) return own;
  return withFallback(createRedisStore(choice.redis), own, choice.log);
}
