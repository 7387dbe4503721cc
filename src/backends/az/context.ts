/** What every az operation works with: the client of its container and the resolved collaborators. */
import type { AzClient } from "./client.ts";
import type { AzResolvedDeps } from "./deps.ts";

/** The state one az backend's operations share. */
export interface AzContext extends AzResolvedDeps {
  readonly client: AzClient;
  /** The bound of one request; also how long a pending Copy Blob is waited for. */
  readonly requestTimeoutMs: number;
}
