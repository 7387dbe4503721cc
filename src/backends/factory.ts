/** Builds a bucket's backend from its config, and checks backend_options up front. */
import { type ProxyError, proxyError } from "../errors.ts";
import { err, ok, type Result } from "../result.ts";
import type { OidcCredentials } from "../oidc/backend_auth.ts";
import type { BackendType, BucketConfig } from "../config/types.ts";
import type { Backend } from "./backend.ts";
import type { Clock } from "../clock.ts";
import { createFsBackend } from "./fs/fs.ts";
import { createMemoryBackend } from "./memory.ts";
import { prefixed } from "./prefixed.ts";
import { createS3Backend } from "./s3/s3.ts";
import { s3OptionProblems, s3Options } from "./s3/options.ts";
import { createAzBackend } from "./az/az.ts";
import { azOptionProblems, azOptions } from "./az/options.ts";

/** Why an `auth_type: oidc` bucket cannot run: bucketgate is not an OIDC issuer. */
export const OIDC_ISSUER_MISSING =
  "auth_type: oidc needs OIDC_PROVIDER_KEY and OIDC_PROVIDER_ISSUER in the environment";

/** Problems in a bucket's backend_options, with paths relative to them. */
export function backendOptionProblems(
  type: BackendType,
  options: Record<string, unknown>,
): { path: string; message: string }[] {
  if (type === "s3") return s3OptionProblems(options);
  if (type === "az") return azOptionProblems(options);
  const known: Record<BackendType, readonly string[] | undefined> = {
    fs: ["root"],
    memory: [],
    s3: undefined,
    az: undefined,
  };
  const allowed = known[type];
  const problems: { path: string; message: string }[] = [];
  if (allowed) {
    for (const k of Object.keys(options)) {
      if (!allowed.includes(k)) {
        problems.push({ path: k, message: "unknown option for this backend" });
      }
    }
  }
  if (type === "fs" && (typeof options.root !== "string" || options.root === "")) {
    problems.push({
      path: "root",
      message: "required: the directory that holds this bucket's objects",
    });
  }
  return problems;
}

/** What backends need from the process beyond their config. */
export interface BackendDeps {
  /** Credentials of `auth_type: oidc` buckets; absent when the OIDC issuer is not configured. */
  readonly oidcCredentials?: OidcCredentials;
  /** The time source of every backend (expiry, pruning, retry back-off); default the system clock. */
  readonly clock?: Clock;
}

/** Creates the backend of a bucket, with its backend_prefix applied. */
export function createBackend(
  bucket: BucketConfig,
  deps: BackendDeps = {},
): Result<Backend, ProxyError> {
  let inner: Backend;
  switch (bucket.backendType) {
    case "memory":
      inner = createMemoryBackend();
      break;
    case "fs":
      inner = createFsBackend({
        root: String(bucket.backendOptions.root),
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
      break;
    case "s3": {
      const o = s3Options(bucket.backendOptions);
      if (o.oidc && !deps.oidcCredentials) return err(proxyError("Internal", OIDC_ISSUER_MISSING));
      inner = createS3Backend(o, {
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(o.oidc && deps.oidcCredentials ? { credentials: deps.oidcCredentials(o.oidc) } : {}),
      });
      break;
    }
    case "az":
      inner = createAzBackend(
        azOptions(bucket.backendOptions),
        deps.clock ? { clock: deps.clock } : {},
      );
      break;
    default: {
      const never: never = bucket.backendType;
      return never;
    }
  }
  return ok(prefixed(inner, bucket.backendPrefix));
}
