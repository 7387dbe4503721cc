/** Builds a bucket's backend from its config (whose backend options were parsed at load). */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { OidcCredentials } from "../oidc/backend_auth.ts";
import type { BucketConfig } from "../config/types.ts";
import type { Backend } from "./backend.ts";
import type { Clock } from "../clock.ts";
import type { UploadBuffer } from "./upload_buffer.ts";
import { createFsBackend } from "./fs/fs.ts";
import { createMemoryBackend } from "./memory.ts";
import { prefixed } from "./prefixed.ts";
import { createS3Backend } from "./s3/s3.ts";
import { createAzBackend } from "./az/az.ts";

/** Why an `auth_type: oidc` bucket cannot run: bucketgate is not an OIDC issuer. */
export const OIDC_ISSUER_MISSING =
  "auth_type: oidc needs OIDC_PROVIDER_KEY and OIDC_PROVIDER_ISSUER in the environment";

/** What backends need from the process beyond their config. */
export interface BackendDeps {
  /** Credentials of `auth_type: oidc` buckets; absent when the OIDC issuer is not configured. */
  readonly oidcCredentials?: OidcCredentials;
  /** The time source of every backend (expiry, pruning, retry back-off); default the system clock. */
  readonly clock?: Clock;
  /** The memory s3 uploads of unknown length share (upload_buffer_bytes); default one per backend. */
  readonly uploadBuffer?: UploadBuffer;
}

/** Creates the backend of a bucket, with its backend_prefix applied. */
export function createBackend(
  bucket: BucketConfig,
  deps: BackendDeps = {},
): Result<Backend, ProxyError> {
  const clock = deps.clock ? { clock: deps.clock } : {};
  let inner: Backend;
  const backend = bucket.backend;
  switch (backend.type) {
    case "memory":
      inner = createMemoryBackend(clock);
      break;
    case "fs":
      inner = createFsBackend({
        root: backend.root,
        ...(backend.fsync !== undefined ? { fsync: backend.fsync } : {}),
        ...clock,
      });
      break;
    case "s3": {
      const { oidc } = backend.options;
      if (oidc && !deps.oidcCredentials) return err(proxyError("Internal", OIDC_ISSUER_MISSING));
      inner = createS3Backend(backend.options, {
        ...clock,
        ...(deps.uploadBuffer ? { uploadBuffer: deps.uploadBuffer } : {}),
        ...(oidc && deps.oidcCredentials ? { credentials: deps.oidcCredentials(oidc) } : {}),
      });
      break;
    }
    case "az":
      inner = createAzBackend(backend.options, clock);
      break;
    default: {
      const never: never = backend;
      return never;
    }
  }
  return ok(prefixed(inner, bucket.backendPrefix));
}
