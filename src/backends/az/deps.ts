/** What the az backend takes from outside besides its options: time, waiting, sizes, the wire. */
import { type Clock, systemClock } from "../../clock.ts";
import type { Transport } from "../http/send.ts";
import { backendTransport } from "../http/wire.ts";
import { realSleep, type Sleep } from "../http/retry.ts";
import { type AzSizes, DEFAULT_SIZES } from "./sizes.ts";

/** Collaborators of the az backend. */
export interface AzDeps {
  /** Time of `x-ms-date`, copy deadlines and upload initiation. @default systemClock */
  readonly clock?: Clock;
  /** Retry back-off and copy polling. @default a real timer */
  readonly sleep?: Sleep;
  /** @default DEFAULT_SIZES */
  readonly sizes?: AzSizes;
  /** The wire (tests answer in process). @default backendTransport (http/wire.ts) */
  readonly transport?: Transport;
}

/** AzDeps with every default filled in. */
export type AzResolvedDeps = Required<AzDeps>;

/** Fills in the defaults of `deps`. */
export function resolveDeps(deps: AzDeps): AzResolvedDeps {
  return {
    clock: deps.clock ?? systemClock,
    sleep: deps.sleep ?? realSleep,
    sizes: deps.sizes ?? DEFAULT_SIZES,
    transport: deps.transport ?? backendTransport,
  };
}
